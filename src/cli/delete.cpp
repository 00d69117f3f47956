// `delete <id>`: remove a container and everything it holds.
#include <memory>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

CommandSpec delete_command() {
  return {
      .name = "delete",
      .usage = "delete any resources held by the container often used with detached container",
      .args_usage = R"(<container-id>

"<container-id>" is the name of the container instance.

EXAMPLE:
If "{prog} list" shows the container "ubuntu01" as "stopped", this frees what
it still holds and removes it from the list:

       # {prog} delete ubuntu01)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<DeleteOptions>();
            add_bool(app, {"force,f", "Forcibly deletes the container if it is still running (uses SIGKILL)"},
                     o->force);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              return commands::del(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
