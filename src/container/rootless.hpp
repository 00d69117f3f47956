// Who runs orun: runc's two rootless notions. `rootless_euid` (config
// RootlessEUID) decides the id maps (newuidmap/newgidmap, setgroups deny),
// the mount sources and the additional-groups refusal; `rootless cgroups`
// (the --rootless flag) decides whether cgroup permission errors are
// tolerated (src/cgroups/manager.cpp, create_rootless).
#pragma once

#include <string>
#include <string_view>

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::container {

// runc's userns.RunningInUserNS: /proc/self/uid_map is not the full
// identity map (an empty map counts as a user namespace; no file: not).
bool running_in_user_ns();

// os.Geteuid() != 0.
bool rootless_euid();

// runc's shouldUseRootlessCgroupManager for `--rootless VALUE`: a Go
// ParseBool value forces it; "auto" (or "") is true when euid != 0, false
// for real root, and inside a user namespace true with cgroupfs (with
// --systemd-cgroup runc asks the user bus's owner; orun assumes root, runc's
// choice when that lookup fails). A bad value fails as strconv.ParseBool.
Result<bool> rootless_cgroups(std::string_view flag, bool systemd_cgroup);
Result<bool> rootless_cgroups(const GlobalOptions& g);

// exec.LookPath on orun's own PATH for the id-map helpers; "" when absent
// or not executable.
std::string look_path(const std::string& name);

}  // namespace orun::container
