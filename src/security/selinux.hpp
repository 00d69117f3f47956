// SELinux process labels for the container process (process.selinuxLabel,
// `exec --process-label`): the exec label (attr/exec, applied by the kernel
// at the next execve) and the key-creation label (attr/keycreate, for the
// session keyring), as go-selinux writes them for runc. Nothing happens when
// SELinux is not enabled: runc ignores labels then (a process label on such a
// host is already rejected by spec validation, with runc's message).
// Writes go through the verified procfs handle (CVE-2019-16884 class).
#pragma once

#include <string>

#include "orun/result.hpp"

namespace orun::security {

// selinuxfs is mounted and our context is not "kernel" (go-selinux GetEnabled).
bool selinux_enabled();

// Error: "can't set process label: <write error>".
Result<void> selinux_set_exec_label(const std::string& label);
// Error: "can't set key label: <write error>".
Result<void> selinux_set_keycreate_label(const std::string& label);

}  // namespace orun::security
