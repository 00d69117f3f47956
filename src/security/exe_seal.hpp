// CVE-2019-5736: the container must never run, or get a writable handle to,
// the host orun binary. orun's container init is a fork of orun (no re-exec),
// so until its execve /proc/self/exe is the host binary; an entrypoint or exec
// target `#!/proc/self/exe` would make the kernel run that binary inside the
// container, where /proc/<pid>/exe then lets the container reopen it for
// writing once it exits.
//
// Defence, as runc's: a sealed clone of /proc/self/exe, made by the parent
// before the spawn. Preferably a read-only overlayfs view of the binary on a
// detached mount (no copy, no memory; overlayfs with only lower layers has
// no way to write through, and no way to reach the layer below), else a copy
// in a memfd sealed against every change. The init never execve()s the
// payload itself: it execs the clone with a marker argv, and the clone's entry
// (exe_seal_entry.c) execve()s the payload before anything else runs. So at
// the payload's execve, /proc/self/exe is the clone: `#!/proc/self/exe` runs
// orun from a file nothing can be written through. Before that moment the
// init is non-dumpable (nsenter's PR_SET_DUMPABLE 0), so no container process
// can open /proc/<init>/exe.
#pragma once

#include <string>
#include <string_view>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::security {

// argv[0] that makes the clone's entry exec argv[1] (exe_seal_entry.c).
inline constexpr const char kSealedExecMarker[] = "\177orun-sealed-exec";

// The memfd copy's name; runc's, which fd-leak audits (runc's create.bats)
// know to be the CVE-2019-5736 defence rather than a leak.
inline constexpr const char kSealedMemfdName[] = "runc_cloned:/proc/self/exe";

// A close-on-exec fd of a sealed clone of /proc/self/exe (O_PATH on the
// overlayfs view, or the sealed memfd). `scratch_dir` is an existing
// directory (orun's --root) used as the overlay's second lower layer, which
// overlayfs needs to run without an upper layer. `program` ("orun" or "runc")
// prefixes the debug lines, which name the method used.
Result<UniqueFd> seal_self_exe(const std::string& scratch_dir, std::string_view program);

// The overlayfs view alone (what seal_self_exe tries first).
Result<UniqueFd> sealed_overlay_of(const std::string& binary, const std::string& scratch_dir);

// The memfd copy alone (the fallback: no overlayfs, or no privilege for it).
Result<UniqueFd> sealed_memfd_copy_of(const std::string& binary);

// execve(path, argv, envp) through the clone in `sealed_fd` (execveat with
// AT_EMPTY_PATH, else /proc/self/fd/N when a profile forbids execveat). Only
// returns on failure, with the errno, once the failure is reported: on
// stderr and, when log_fd > 2, as `log_line.prefix + message +
// log_line.suffix` on log_fd (exe_seal_entry.c names a missing interpreter).
// log_fd reaches the trampoline only: it is close-on-exec for the payload.
// sealed_fd < 0: a plain execve.
struct ExecLog {
  int fd = -1;
  bool json = false;
  std::string prefix, suffix;
};
int exec_sealed(int sealed_fd, const char* path, char* const argv[], char* const envp[], const ExecLog& log);

// The memfd has all four of F_SEAL_SEAL|SHRINK|GROW|WRITE.
bool is_fully_sealed(int fd);

// overlayfs lowerdir syntax: ':' separates layers, '\' escapes.
std::string escape_overlay_lowerdir(std::string_view path);

}  // namespace orun::security
