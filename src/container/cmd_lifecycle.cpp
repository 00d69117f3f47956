// create, start, run.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "container/lifecycle.hpp"
#include "orun/commands.hpp"
#include "process/foreground.hpp"

namespace orun::commands {

using container::Status;

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
  ORUN_TRY_VOID(container::start_container(g.root, s));
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
  if (auto r = container::start_container(g.root, s); !r) {
    (void)container::kill_and_wait(g.root, s);
    waitpid(s.init_pid, nullptr, WNOHANG);
    (void)container::destroy_container(g.root, s);
    return std::unexpected(r.error());
  }
  if (!foreground) return 0;

  auto code = process::forward_until_exit(s.init_pid, created->console_master.get());
  if (!o.keep) {
    auto d = container::destroy_container(g.root, s);
    if (!d && code) return std::unexpected(d.error());
  }
  return code;
}

}  // namespace orun::commands
