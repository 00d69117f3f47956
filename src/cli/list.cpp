// `list`: the containers under --root.
#include <memory>

#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

CommandSpec list_command() {
  return {
      .name = "list",
      .usage = "lists containers started by {name} with the given root",
      .args_usage = R"(

The containers listed are those under the state directory chosen with the
global option "--root".

EXAMPLE 1:
List the containers under the default "--root":
       # {prog} list

EXAMPLE 2:
List the containers under another "--root":
       # {prog} --root value list)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<ListOptions>();
            add_string(app, texts::kFormat, o->format);
            add_bool(app, {"quiet,q", "display only container IDs"}, o->quiet);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 0, ArgCount::exact));
              return commands::list(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
