// CVE-2019-5736: the container must never run, or get a handle to, the host
// orun binary. orun's container init is a fork of orun (no re-exec), so until
// its execve /proc/self/exe is the host binary; an entrypoint or exec target
// `#!/proc/self/exe` would make the kernel execute that binary inside the
// container, where /proc/<pid>/exe then lets the container reopen it for
// writing once it exits.
//
// Defence: the init never execve()s the payload itself. It execs a ~2 KiB
// static helper from a memfd sealed against every change (F_SEAL_SEAL |
// SHRINK | GROW | WRITE, + F_SEAL_EXEC where the kernel has it); the helper
// execve()s the payload. So at the payload's execve, /proc/self/exe is the
// sealed helper: `#!/proc/self/exe` runs the helper, which refuses to do
// anything when not started by orun, and nothing can be written through it.
// Before that moment the init is non-dumpable (nsenter's PR_SET_DUMPABLE 0),
// so no container process can open /proc/<init>/exe.
//
// Cost: one memfd of 2 KiB and one extra execve of a static binary with a
// single segment (see docs/security.md for the measurement).
#pragma once

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::security {

// The helper's machine code (exe_seal_trampoline.cpp, generated); size 0 on
// architectures without one, where the payload is exec'd directly.
extern const unsigned char kSealedExecHelper[];
extern const unsigned long kSealedExecHelperSize;

// argv[0] the helper requires (any other start is refused).
inline constexpr const char kSealedExecMarker[] = "\177orun-sealed-exec";

// A close-on-exec, fully sealed memfd with the helper, mode 0511. Invalid fd
// (no error) when this architecture has no helper.
Result<UniqueFd> make_sealed_exec_helper();

// execve(path, argv, envp) through the helper in `helper_fd` (execveat with
// AT_EMPTY_PATH, else /proc/self/fd/N when a profile forbids execveat). Only
// returns on failure, with the errno. helper_fd < 0: a plain execve.
int exec_sealed(int helper_fd, const char* path, char* const argv[], char* const envp[]);

// The memfd has all four of F_SEAL_SEAL|SHRINK|GROW|WRITE.
bool is_fully_sealed(int fd);

}  // namespace orun::security
