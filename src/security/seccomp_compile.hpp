// Profile -> BPF with libseccomp, in the parent (never in the container):
// build the filter, export the program, prepend the ENOSYS stub.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "orun/result.hpp"
#include "security/seccomp_enosys.hpp"
#include "security/seccomp_profile.hpp"

namespace orun::security::seccomp {

// The complete program to hand to seccomp(SECCOMP_SET_MODE_FILTER).
// Errors name the rule ("error adding seccomp filter rule for syscall mkdir: ...").
Result<std::vector<sock_filter>> compile_program(const Profile& p);

// Largest known syscall number per architecture over every name in the
// profile (unknown names ignored), the native architecture always included.
std::vector<ArchLimit> arch_limits(const Profile& p);

// Whether the profile gets the ENOSYS stub: not for a permissive default, nor
// when the default already returns ENOSYS.
bool wants_enosys_stub(const Profile& p);

}  // namespace orun::security::seccomp
