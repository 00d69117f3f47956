// `gc`: remove what crashed runtimes and shims left behind (orun's own).
#include <memory>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "container/gc.hpp"

namespace orun::cli {

CommandSpec gc_command() {
  return {
      .name = "gc",
      .usage = "remove what killed runtimes and shims left behind in the state root",
      .args_usage = "",
      .description = R"(The gc command looks through the state directory chosen with the global
option "--root" and the cgroups its containers made, and prints one line per
leftover with what it does about it:

   half-created     a create killed before it wrote state.json: its create
                    record is undone (processes, cgroups) and the dir removed
   stopped          init gone and not recorded as stopped: how it ended is
                    recorded for "{prog} diagnose"; --force deletes it
   fifo             the exec.fifo of an init that died before start
   orphan cgroups   cgroups a container made whose state dir is gone: removed
                    when empty; --force kills their processes first
   unreadable state a corrupt state.json: --force kills the processes of its
                    recorded cgroups and removes it (as "delete --force")
   temporary dir, temporary file, mount
                    leftovers of commands killed half-way

A dir a running command holds (a create in progress) is left alone. With
--dry-run nothing changes. The exit status is 1 when an action failed.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<container::GcOptions>();
            add_bool(app, {"dry-run,n", "print what would be done, change nothing"}, o->dry_run);
            add_bool(app,
                     {"force,f", "also delete stopped containers, unreadable ones and cgroups that hold processes"},
                     o->force);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 0, ArgCount::exact));
              return container::gc(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
