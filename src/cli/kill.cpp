// `kill <id> [signal]`: signal the container's init. The signal text is
// parsed by the command (names with or without SIG, or numbers).
#include <memory>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

CommandSpec kill_command() {
  return {
      .name = "kill",
      .usage = "kill sends the specified signal (default: SIGTERM) to the container's init process",
      .args_usage = R"(<container-id> [signal]

"<container-id>" is the name of the container instance and "[signal]" the
signal sent to its init process, by name (KILL, SIGKILL) or number.

EXAMPLE:
Send "KILL" to the init process of the container "ubuntu01":

       # {prog} kill ubuntu01 KILL)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<KillOptions>();
            add_bool(app, {"all,a", "(obsoleted, do not use)", "", true}, o->all);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::min));
              ORUN_TRY_VOID(check_args(inv, 2, ArgCount::max));
              o->id = inv.args[0];
              if (inv.args.size() > 1) o->signal = inv.args[1];
              return commands::kill(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
