// `state <id>`: print the container's state as JSON.
#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

CommandSpec state_command() {
  return {
      .name = "state",
      .usage = "output the state of a container",
      .args_usage = texts::kExistingId,
      .description = R"(The state command prints the current state of a container instance
as JSON.)",
      .define =
          [](CLI::App&) -> Action {
            return [](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              return commands::state(inv.global, IdOptions{inv.args[0]});
            };
          },
  };
}

}  // namespace orun::cli
