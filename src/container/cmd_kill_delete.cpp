// kill and delete.
#include <signal.h>

#include <filesystem>

#include "container/lifecycle.hpp"
#include "container/oom_report.hpp"
#include "container/signal_names.hpp"
#include "orun/commands.hpp"

namespace orun::commands {

using container::Status;

Result<int> kill(const GlobalOptions& g, const KillOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  int sig = ORUN_TRY(container::parse_signal(o.signal.empty() ? "SIGTERM" : o.signal));
  auto dir = container::state_dir(g.root, o.id);
  auto lock = ORUN_TRY(container::Lock::acquire(dir));
  auto s = ORUN_TRY(container::load(g.root, o.id));
  auto st = container::status_of(g.root, s);
  auto cg = cgroups::Manager::from_paths(s.cgroup_paths);
  // Without a private pid namespace, SIGKILL goes to every process in the
  // cgroup, even when init is already gone.
  if (sig == SIGKILL && !s.private_pid_ns) {
    container::record_oom_kills_before_signal(g.root, s);
    if (auto r = cg.signal_all(SIGKILL); !r) return fail("unable to kill all processes: " + r.error().msg);
    if (st == Status::paused) (void)container::kill_and_wait(g.root, s);
    return 0;
  }
  if (st == Status::stopped) {
    // --all (obsolete) only makes "not running" a success, as in runc 1.2+.
    if (o.all) return 0;
    return fail("container not running");
  }
  container::record_oom_kills_before_signal(g.root, s);
  if (::kill(s.init_pid, sig) < 0) {
    return fail_errno("unable to signal init");
  }
  // SIGKILL to a paused container must land: thaw it.
  if (sig == SIGKILL && st == Status::paused) (void)container::kill_and_wait(g.root, s);
  return 0;
}

Result<int> del(const GlobalOptions& g, const DeleteOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto dir = container::state_dir(g.root, o.id);
  auto s = container::load(g.root, o.id);
  if (!s) {
    if (s.error().err != ENOENT) return std::unexpected(s.error());
    // A create that died before state.json leaves a bare directory.
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (o.force) return 0;
    return fail("container does not exist");
  }
  auto lock = ORUN_TRY(container::Lock::acquire(dir));
  auto st = container::status_of(g.root, *s);
  if (o.force) {
    ORUN_TRY_VOID(container::kill_and_wait(g.root, *s));
  } else if (st == Status::created) {
    ORUN_TRY_VOID(container::kill_and_wait(g.root, *s));
  } else if (st != Status::stopped) {
    return fail("cannot delete container " + o.id + " that is not stopped: " + container::to_string(st));
  }
  ORUN_TRY_VOID(container::destroy_container(g.root, *s));
  return 0;
}

}  // namespace orun::commands
