// AppArmor: the profile a container process gets at its execve
// (process.apparmorProfile, `exec --apparmor`), the way libapparmor's
// aa_change_onexec does it and runc 1.5.1 reimplements it: write
// "exec <profile>" to /proc/thread-self/attr/apparmor/exec (attr/exec on old
// kernels). The write goes through a private, verified procfs handle
// (sys/procfs.hpp): a container that overmounts /proc must not be able to
// swallow it (CVE-2019-16884, CVE-2025-52881).
#pragma once

#include <string>

#include "orun/result.hpp"

namespace orun::security {

// /sys/kernel/security/apparmor exists and the module parameter says Y.
bool apparmor_enabled();

// No-op for an empty name. A profile requested while AppArmor is off is an
// error: "unable to apply apparmor profile: apparmor: config provided but
// apparmor not supported".
Result<void> apply_apparmor_profile(const std::string& name);

// The text written to attr/exec (exposed for tests).
std::string apparmor_exec_request(const std::string& name);

}  // namespace orun::security
