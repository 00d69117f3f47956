// `diagnose <id>`: everything worth knowing about one container.
#include <memory>

#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "diagnose/commands.hpp"

namespace orun::cli {

CommandSpec diagnose_command() {
  return {
      .name = "diagnose",
      .usage = "show what is known about a container, for troubleshooting",
      .args_usage = texts::kExistingId,
      .description = R"(The diagnose command reports a container's state, its init process, namespaces,
user and group id maps, capabilities, seccomp mode, cgroups with their limits,
usage and OOM kills, the mounts that differ from its config, and the last
lines of the "--log" file given when it was created. It changes nothing, so it
is safe while the container runs.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<diagnose::DiagnoseOptions>();
            add_string(app, {"format,f", "select one of: text or json", "text"}, o->format);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              return diagnose::diagnose(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
