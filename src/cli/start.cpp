// `start <id>`: let a created container run its program.
#include "cli/command.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

CommandSpec start_command() {
  return {
      .name = "start",
      .usage = "executes the user defined process in a created container",
      .args_usage = R"(<container-id>

"<container-id>" is the name of a container made by "{prog} create".)",
      .description = "The start command runs the program from the spec in a container made by create.",
      .define =
          [](CLI::App&) -> Action {
            return [](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              return commands::start(inv.global, IdOptions{inv.args[0]});
            };
          },
  };
}

}  // namespace orun::cli
