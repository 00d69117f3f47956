// "container init was OOM-killed": said only when the init itself died by
// the kernel's OOM killer, not whenever its cgroup saw an OOM kill.
//
// The kernel does not name the victim to anyone but the log, so orun keeps
// a baseline: the cgroup's OOM-kill count when no kill so far was the
// init's (State::oom_kills_seen). It starts at create and moves up whenever
// the runtime sees the init alive and not dying after more kills: `run`
// watches the cgroup's OOM notifications, and `kill` records the count
// before it signals (so a child's OOM kill followed by `kill KILL` is not
// the init's OOM). At the init's exit, a SIGKILL with the count past the
// baseline is the OOM killer's.
#pragma once

#include <cstdint>
#include <string>

#include "container/state.hpp"
#include "orun/cgroups.hpp"
#include "process/foreground.hpp"

namespace orun::container {

// True while `pid` lives and is not on its way out (no SIGKILL pending, not
// exiting, not a zombie).
bool process_alive_and_not_dying(pid_t pid);

// For `kill`: before the runtime signals a live init, the kills counted so
// far were not the init's; saved in state.json when the count moved.
void record_oom_kills_before_signal(const std::string& root, State& s);

// The foreground `run` side (the init) and the foreground `exec` side (the
// exec'd process: its baseline is the count when it was started).
class OomReport {
 public:
  explicit OomReport(const State& s);
  // Before the exec'd process is spawned (the baseline); track() it after.
  explicit OomReport(const cgroups::Manager& m);
  void track(pid_t pid) { pid_ = pid; }
  // Feeds forward_until_exit.
  process::Watch watch();
  // Whether the init, which exited with `exit_code`, was OOM-killed. Reads
  // state.json again for what `kill` recorded meanwhile.
  bool init_was_oom_killed(const std::string& root, int exit_code) const;
  // Whether the exec'd process, which exited with `exit_code`, was.
  bool process_was_oom_killed(int exit_code) const;

 private:
  void on_event();

  pid_t pid_;
  std::string id_;  // the container's, for the init's report
  cgroups::OomWatch watch_;
  uint64_t seen_;     // the baseline
  uint64_t counted_;  // the count at the last look
};

}  // namespace orun::container
