// create, start, run.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/lifecycle.hpp"
#include "container/exit_record.hpp"
#include "container/oom_report.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "orun/spec.hpp"
#include "process/foreground.hpp"
#include "process/hooks.hpp"
#include "process/notify_socket.hpp"

namespace orun::commands {

using container::Status;

namespace {

// runc's runner.destroy: a container that `run` (or a failed `start`) tears
// down is gone whatever happens on the way; a failing poststop hook or a busy
// cgroup is logged as a warning, and the command keeps its own result.
void destroy_or_warn(const std::string& root, const container::State& s) {
  if (auto r = container::destroy_container(root, s); !r) log::warn(r.error().msg);
}

// poststart: in orun's namespaces once the container process is released
// (runc HEAD; 1.1 and 1.5 run these at the end of create). A failure kills
// and destroys the container, as runc's failed create does in 1.1 and 1.5
// (terminate, then runner.destroy with its poststop hooks): the command
// fails and the container no longer exists.
Result<void> run_poststart(const std::string& root, const container::State& s) {
  if (!s.has_config()) return {};
  auto sp = s.config_spec();
  if (!sp || sp->hooks.poststart.empty()) return {};
  auto state = process::hook_state(s.id, "running", s.init_pid, s.bundle, s.annotations);
  auto r = process::run_hooks(sp->hooks.poststart, "poststart", state);
  if (!r) {
    if (auto k = container::kill_and_wait(root, s); !k) log::warn(k.error().msg);
    // `run` is init's parent and reaps it; for `start` this is ECHILD.
    waitpid(s.init_pid, nullptr, WNOHANG);
    destroy_or_warn(root, s);
  }
  return r;
}

}  // namespace

Result<int> create(const GlobalOptions& g, const CreateOptions& o) {
  ORUN_TRY(container::create_container(g, o, container::CreateMode::create));
  return 0;
}

Result<int> start(const GlobalOptions& g, const IdOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto lock = ORUN_TRY(container::Lock::acquire(container::state_dir(g.root, o.id)));
  auto s = ORUN_TRY(container::load(g.root, o.id));
  switch (container::status_of(g.root, s)) {
    case Status::created:
      break;
    case Status::stopped:
      return fail("cannot start a container that has stopped");
    case Status::running:
      return fail("cannot start an already running container");
    case Status::paused:
      return fail("cannot start a container in the paused state");
  }
  // With NOTIFY_SOCKET, start returns once the container says READY=.
  UniqueFd notify;
  std::string dir = container::state_dir(g.root, o.id);
  if (!process::host_notify_socket().empty() && access((dir + "/notify").c_str(), F_OK) == 0)
    notify = ORUN_TRY(process::bind_notify(dir));
  ORUN_TRY_VOID(container::start_container(g.root, s));
  ORUN_TRY_VOID(run_poststart(g.root, s));
  if (notify) ORUN_TRY_VOID(process::wait_ready_and_relay(notify.get(), s.init_pid, s.init_pid));
  return 0;
}

Result<int> run(const GlobalOptions& g, const RunOptions& o) {
  bool foreground = !o.detach;
  if (foreground && !o.no_subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t old{};
  if (foreground) old = process::block_all_signals();
  auto created = container::create_container(
      g, o, foreground ? container::CreateMode::run_foreground : container::CreateMode::run_detached);
  if (!created) {
    if (foreground) sigprocmask(SIG_SETMASK, &old, nullptr);
    return std::unexpected(created.error());
  }
  container::State& s = created->state;
  UniqueFd notify;
  if (!process::host_notify_socket().empty()) {
    auto n = process::bind_notify(container::state_dir(g.root, s.id));
    if (!n) {
      if (auto k = container::kill_and_wait(g.root, s); !k) log::warn(k.error().msg);
      destroy_or_warn(g.root, s);
      return std::unexpected(n.error());
    }
    notify = std::move(*n);
  }
  if (auto r = container::start_container(g.root, s); !r) {
    if (auto k = container::kill_and_wait(g.root, s); !k) log::warn(k.error().msg);
    waitpid(s.init_pid, nullptr, WNOHANG);
    destroy_or_warn(g.root, s);
    return std::unexpected(r.error());
  }
  ORUN_TRY_VOID(run_poststart(g.root, s));
  if (notify) {
    // Foreground: orun stays the main process; detached: init is.
    if (auto r = process::wait_ready_and_relay(notify.get(), s.init_pid, foreground ? getpid() : s.init_pid); !r)
      log::warn(r.error().msg);
  }
  if (!foreground) return 0;

  container::OomReport oom(s);
  int wait_status = 0;
  auto code = process::forward_until_exit(s.init_pid, created->console_master.get(), oom.watch(), &wait_status);
  if (code) {
    // runc prints nothing here; orun names the cause and keeps it for
    // `diagnose` (exit_record.hpp; seen with --keep).
    bool oom_killed = oom.init_was_oom_killed(g.root, *code);
    auto exit = container::exit_from_wait_status(wait_status, oom_killed);
    exit.seen_by = "run";
    if (oom_killed) log::error("container init was OOM-killed (memory limit too low?)");
    else if (exit.signal) log::error(container::describe(exit));
    // Best effort: the exit status is reported either way.
    if (auto r = container::save_exit(g.root, s.id, exit); !r) log::debug("record exit: " + r.error().msg);
  }
  // The exit status is the container's even when the clean-up fails (a
  // poststop hook): runc 1.1 and 1.5 only log that.
  if (!o.keep) destroy_or_warn(g.root, s);
  return code;
}

}  // namespace orun::commands
