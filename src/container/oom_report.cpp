#include "container/oom_report.hpp"
#include "orun/log.hpp"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace orun::container {

namespace {

constexpr unsigned long kPfExiting = 0x4;  // PF_EXITING in /proc/<pid>/stat's flags

bool sigkill_pending(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);) {
    // A fatal signal is queued on every thread (SigPnd) of the group.
    if (!line.starts_with("SigPnd:") && !line.starts_with("ShdPnd:")) continue;
    unsigned long long mask = std::strtoull(line.c_str() + 7, nullptr, 16);
    if (mask & (1ull << (SIGKILL - 1))) return true;
  }
  return false;
}

}  // namespace

bool process_alive_and_not_dying(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(stat.substr(close + 1));
  char state = '?';
  long ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0;
  unsigned long flags = 0;
  in >> state >> ppid >> pgrp >> session >> tty >> tpgid >> flags;
  if (!in || state == 'Z' || state == 'X' || state == 'x' || (flags & kPfExiting)) return false;
  return !sigkill_pending(pid);
}

void record_oom_kills_before_signal(const std::string& root, State& s) {
  uint64_t now = cgroups::oom_kill_count(cgroups::Manager::from_paths(s.cgroup_paths));
  if (now <= s.oom_kills_seen || !init_alive(s) || !process_alive_and_not_dying(s.init_pid)) return;
  s.oom_kills_seen = now;
  // Best effort: without it, only the OOM report can be wrong.
  if (auto r = save(root, s); !r) log::debug("record OOM kills: " + r.error().msg);
}

OomReport::OomReport(const State& s)
    : pid_(s.init_pid),
      id_(s.id),
      watch_(cgroups::OomWatch::open(cgroups::Manager::from_paths(s.cgroup_paths))),
      seen_(s.oom_kills_seen),
      counted_(watch_.count()) {}

OomReport::OomReport(const cgroups::Manager& m)
    : pid_(-1), watch_(cgroups::OomWatch::open(m)), seen_(watch_.count()), counted_(seen_) {}

process::Watch OomReport::watch() {
  if (watch_.poll_fd() < 0) return {};
  return process::Watch{watch_.poll_fd(), watch_.poll_events(), [this] { on_event(); }};
}

void OomReport::on_event() {
  counted_ = watch_.settle(counted_);
  // The OOM killer sends its SIGKILL before it counts the kill: an init
  // still alive and not dying now was not the victim of these kills.
  if (counted_ > seen_ && process_alive_and_not_dying(pid_)) seen_ = counted_;
}

bool OomReport::init_was_oom_killed(const std::string& root, int exit_code) const {
  if (exit_code != 128 + SIGKILL) return false;
  uint64_t seen = seen_;
  if (auto s = load(root, id_)) seen = std::max(seen, s->oom_kills_seen);
  return watch_.count() > seen;
}

bool OomReport::process_was_oom_killed(int exit_code) const {
  return exit_code == 128 + SIGKILL && watch_.count() > seen_;
}

}  // namespace orun::container
