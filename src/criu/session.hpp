// One CRIU job as runc runs it (criuSwrk): start `criu swrk`, send the
// request, answer every notification through a callback, and wait for CRIU.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "criu/rpc.hpp"
#include "orun/result.hpp"

namespace orun::criu {

// CRIU's version as major*10000 + minor*100 + sublevel, asked over RPC
// (errors: "CRIU version check failed: ...").
Result<int> version(const std::string& binary);
// runc's checkCriuVersion: "CRIU version %d must be %d or higher".
Result<void> require_version(int have, int min);

// FEATURE_CHECK for the features asked (runc's checkCriuFeatures):
// "criu is missing features: [MemTrack]".
Result<void> check_features(const std::string& binary, bool mem_track, bool lazy_pages);

struct Job {
  std::string binary;
  Request request;
  int stdio[3] = {-1, -1, -1};     // -1: /dev/null
  std::vector<int> extra_fds;      // criu's fds 4, 5, ...
  // After criu started, before the request goes out (restore: criu joins
  // the container's cgroups, whose roots go into the request).
  std::function<Result<void>(pid_t criu_pid, Request&)> on_started;
  // Each notification ("post-dump", "post-restore", "orphan-pts-master" ...).
  std::function<Result<void>(Response&)> on_notify;
};

// Errors are runc's: "criu failed: type DUMP errno 0", "criu failed: exit status 1".
Result<void> run(Job& job);

}  // namespace orun::criu
