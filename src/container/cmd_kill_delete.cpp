// kill and delete.
#include <signal.h>

#include <filesystem>

#include "container/create_record.hpp"
#include "container/lifecycle.hpp"
#include "container/oom_report.hpp"
#include "container/signal_names.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"

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
    if (st == Status::paused)
      if (auto r = container::kill_and_wait(g.root, s); !r) log::warn(r.error().msg);
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
  if (sig == SIGKILL && st == Status::paused)
    if (auto r = container::kill_and_wait(g.root, s); !r) log::warn(r.error().msg);
  return 0;
}

namespace {

// A container without a readable state.json: a create killed before writing
// it (its create record names what it made), or a corrupt file.
Result<int> delete_without_state(const GlobalOptions& g, const DeleteOptions& o, const Error& load_error) {
  auto dir = container::state_dir(g.root, o.id);
  bool missing = load_error.err == ENOENT;
  auto lock = container::Lock::acquire(dir);
  if (!lock) {
    if (lock.error().err == ENOENT && o.force) return 0;
    if (lock.error().err == ENOENT) return fail("container does not exist");
    return std::unexpected(lock.error());
  }
  // Under the lock a create still running has finished: look again.
  if (auto s = container::load(g.root, o.id); s || s.error().err != load_error.err) return -1;
  if (!missing && !o.force) return std::unexpected(load_error);
  if (auto rec = container::load_record(dir)) {
    ORUN_TRY_VOID(container::undo_record(*rec));
    container::remove_ledger(g.root, o.id);
  } else if (!missing || rec.error().err != ENOENT) {
    // Nothing names the container's cgroups: only its dir can go.
    log::warn("removing " + dir + " without knowing its cgroups or processes: " +
              (missing ? rec.error().msg : load_error.msg));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return fail("remove state dir: " + ec.message());
  if (o.force) return 0;
  return fail("container does not exist");
}

}  // namespace

Result<int> del(const GlobalOptions& g, const DeleteOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto dir = container::state_dir(g.root, o.id);
  auto s = container::load(g.root, o.id);
  if (!s) {
    if (s.error().err != ENOENT && !o.force) return std::unexpected(s.error());
    if (int r = ORUN_TRY(delete_without_state(g, o, s.error())); r >= 0) return r;
    s = ORUN_TRY(container::load(g.root, o.id));
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
