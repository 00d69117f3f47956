// `events <id>`: stream stats and OOM notifications as JSON lines.
#include <memory>

#include "cli/command.hpp"
#include "orun/commands.hpp"
#include "cli/shared_texts.hpp"
#include "cli/unimplemented.hpp"

namespace orun::cli {

CommandSpec events_command() {
  return {
      .name = "events",
      .usage = "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
      .args_usage = texts::kExistingId,
      .description = R"(The events command reports what happens in a container: resource usage
statistics, every 5 seconds unless --interval says otherwise, and OOM events.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<EventsOptions>();
            add_duration(app, {"interval", "set the stats collection interval", "5s"}, o->interval);
            add_bool(app, {"stats", "display the container's stats then exit"}, o->stats);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              return commands::events(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
