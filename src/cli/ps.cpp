// `ps <id> [ps options]`: the container's processes. Words after the id are
// handed to ps(1) untouched.
#include <memory>

#include "cli/command.hpp"
#include "orun/commands.hpp"
#include "cli/shared_texts.hpp"
#include "cli/unimplemented.hpp"

namespace orun::cli {

CommandSpec ps_command() {
  return {
      .name = "ps",
      .usage = "ps displays the processes running inside a container",
      .args_usage = "<container-id> [ps options]",
      .skip_reorder = true,
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<PsOptions>();
            add_string(app, texts::kFormat, o->format);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::min));
              o->id = inv.args[0];
              o->ps_args.assign(inv.args.begin() + 1, inv.args.end());
              return commands::ps(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
