// What `events` needs from the cgroup besides stats: OOM notifications
// (v1: an eventfd on memory.oom_control; v2: inotify on memory.events) and
// the moment the cgroup goes away, which ends the stream.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::cgroups {

class OomWatcher {
 public:
  static Result<OomWatcher> open(const std::map<std::string, std::string>& paths);
  // Poll this for POLLIN.
  int fd() const { return fd_.get(); }
  // After fd() was readable: how many OOM events happened since the last
  // call. `gone` turns true once the cgroup was removed (or emptied on v2).
  uint64_t consume(bool& gone);

 private:
  bool v2_ = false;
  UniqueFd fd_;          // eventfd (v1) or inotify (v2)
  UniqueFd oom_control_; // v1: kept open while registered
  std::string dir_;
  uint64_t last_oom_ = 0;
};

// Every process in the container's cgroup and its sub-cgroups (runc's
// GetAllPids, used by ps).
Result<std::vector<pid_t>> all_pids(const std::map<std::string, std::string>& paths);

}  // namespace orun::cgroups
