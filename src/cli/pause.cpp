// `pause <id>` and `resume <id>`: freeze and thaw the container's cgroup.
#include "cli/command.hpp"
#include "cli/unimplemented.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

CommandSpec pause_command() {
  return {
      .name = "pause",
      .usage = "pause suspends all processes inside the container",
      .args_usage = R"(<container-id>

"<container-id>" is the name of the container instance to pause.)",
      .description = R"(The pause command freezes every process of a container instance.

"{prog} list" shows the containers and their status.)",
      .define =
          [](CLI::App&) -> Action {
            return [](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              return commands::pause(inv.global, IdOptions{inv.args[0]});
            };
          },
  };
}

CommandSpec resume_command() {
  return {
      .name = "resume",
      .usage = "resumes all processes that have been previously paused",
      .args_usage = R"(<container-id>

"<container-id>" is the name of the container instance to resume.)",
      .description = R"(The resume command lets the processes of a paused container instance run again.

"{prog} list" shows the containers and their status.)",
      .define =
          [](CLI::App&) -> Action {
            return [](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              return commands::resume(inv.global, IdOptions{inv.args[0]});
            };
          },
  };
}

}  // namespace orun::cli
