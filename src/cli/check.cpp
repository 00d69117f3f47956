// `check`: is this host able to run containers, and what to fix.
#include <memory>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "diagnose/commands.hpp"

namespace orun::cli {

CommandSpec check_command() {
  return {
      .name = "check",
      .usage = "check whether this host can run containers, and what to fix",
      .args_usage = "",
      .description = R"(The check command reports, one line per item, what {prog} needs from the host:
kernel features, namespaces, cgroups, security modules, CRIU, the state
directory chosen with the global option "--root" and the {prog} binary. Each
line says ok, warn or fail, and how to fix it. It changes nothing and runs as
any user.

The exit status is 1 when something that stops every container fails.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<diagnose::CheckOptions>();
            add_string(app, {"format,f", "select one of: text or json", "text"}, o->format);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 0, ArgCount::exact));
              return diagnose::check(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
