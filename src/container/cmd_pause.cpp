// pause and resume: the cgroup freezer.
#include "container/lifecycle.hpp"
#include "orun/commands.hpp"
#include "orun/program.hpp"

namespace orun::commands {

using container::Status;

namespace {

Result<int> freeze(const GlobalOptions& g, const IdOptions& o, bool on) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto lock = ORUN_TRY(container::Lock::acquire(container::state_dir(g.root, o.id)));
  auto s = ORUN_TRY(container::load(g.root, o.id));
  auto st = container::status_of(g.root, s);
  if (on && st != Status::running && st != Status::created) return fail("container not running");
  if (!on && st != Status::paused) return fail("container not paused");
  auto cg = cgroups::Manager::from_paths(s.cgroup_paths);
  auto r = cg.set_frozen(on);
  if (!r) {
    if (r.error().err == EPERM || r.error().err == EACCES)
      return fail(r.error().msg + " (" + program_name() + " " + (on ? "pause" : "resume") +
                  " failure might be caused by lack of full access to cgroups)");
    return std::unexpected(r.error());
  }
  return 0;
}

}  // namespace

Result<int> pause(const GlobalOptions& g, const IdOptions& o) { return freeze(g, o, true); }
Result<int> resume(const GlobalOptions& g, const IdOptions& o) { return freeze(g, o, false); }

}  // namespace orun::commands
