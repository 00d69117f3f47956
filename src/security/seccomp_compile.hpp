// Profile -> BPF with libseccomp, in the parent (never in the container):
// build the filter, export the program, prepend the ENOSYS stub.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "orun/result.hpp"
#include "security/seccomp_enosys.hpp"
#include "security/seccomp_profile.hpp"

namespace orun::security::seccomp {

// The complete program to hand to seccomp(SECCOMP_SET_MODE_FILTER).
// Errors name the rule ("error adding seccomp filter rule for syscall mkdir: ...").
Result<std::vector<sock_filter>> compile_program(const Profile& p);

// The rules' syscall names this libseccomp cannot resolve, in profile
// order; compile_program skips them (profiles list syscalls of newer kernels
// and other arches; runc skips them too). Rules with the default action are
// skipped before the lookup, as runc does, so they are never listed.
std::vector<std::string> unknown_syscalls(const Profile& p);

// Largest known syscall number per architecture over every name in the
// profile (unknown names ignored), the native architecture always included.
std::vector<ArchLimit> arch_limits(const Profile& p);

// Whether the profile gets the ENOSYS stub: not for a permissive default, nor
// when the default already returns ENOSYS.
bool wants_enosys_stub(const Profile& p);

}  // namespace orun::security::seccomp
