// The -ENOSYS stub prepended to the libseccomp program (runc's patchbpf
// behaviour, our own code). Without it a syscall newer than the profile gets
// the default action (usually EPERM), and libc's fallbacks (clone3 -> clone,
// close_range -> a loop, openat2 -> openat, faccessat2 ...) only fall back on
// ENOSYS. So: per architecture, a syscall number above the largest one the
// profile names returns ENOSYS; everything else runs the real filter.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace orun::security::seccomp {

struct ArchLimit {
  uint32_t audit_arch = 0;  // AUDIT_ARCH_* as seccomp_data.arch reports it
  uint32_t scmp_arch = 0;   // SCMP_ARCH_*: tells x86_64 from x32, which share an audit arch
  uint32_t max_nr = 0;      // largest syscall number the profile names (x32: with bit 30)
};

// The stub, to be followed directly by the original program: every path
// either returns ENOSYS or falls through to the instruction after the stub.
// Architectures not listed also fall through. Empty input -> empty stub.
// Limits sharing an audit arch must be x86_64 + x32 (others are ignored).
std::vector<sock_filter> enosys_stub(const std::vector<ArchLimit>& limits);

// Runs a classic BPF seccomp program on one syscall (unit tests; loads of
// seccomp_data offsets 0 (nr) and 4 (arch) only). Returns the action.
uint32_t run_bpf(const std::vector<sock_filter>& prog, uint32_t arch, uint32_t nr);

}  // namespace orun::security::seccomp
