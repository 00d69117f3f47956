// Paths inside a container rootfs, resolved without escaping it.
//
// A hostile rootfs (or a second container sharing a volume) can swap
// directories for symlinks while the runtime works (CVE-2021-30465,
// CVE-2024-45310, CVE-2026-41579). So a container path is resolved once,
// relative to an O_PATH fd of the rootfs, with every symlink confined to that
// root (openat2 RESOLVE_IN_ROOT, or a userspace walk when openat2 is missing),
// and the caller keeps working on the returned fd, never on the string again.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::sys {

// --- lexical helpers (pure, no syscalls) ---

// Like Go's filepath.Clean: collapses "//", "." and "..", drops a trailing
// "/". An absolute path never climbs above "/"; "" becomes ".".
std::string clean_path(std::string_view p);
// clean_path("/" + p): the absolute container path that `p` names.
std::string clean_abs(std::string_view p);
// Is `path` equal to `root` or below it (both cleaned, lexically)?
bool is_lexically_in_root(std::string_view root, std::string_view path);
// `path` with the `root` prefix removed, as an absolute path ("/" for root).
// `path` outside `root` is returned cleaned and unchanged.
std::string strip_root(std::string_view root, std::string_view path);
// a + "/" + b, cleaned. An absolute b is still joined below a.
std::string join_path(std::string_view a, std::string_view b);
// Splits "/a/b/c" into {"/a/b", "c"} (dirname, basename) of the cleaned path.
std::pair<std::string, std::string> split_path(std::string_view p);

// --- fd helpers ---

// "/proc/self/fd/N": lets path-taking syscalls (mount(2)) act on an fd.
std::string fd_path(int fd);
// The kernel's name for what `fd` refers to (readlink of fd_path).
Result<std::string> fd_readlink(int fd);

// --- resolution inside a root (root_fd: O_PATH or O_DIRECTORY fd of it) ---

// Opens `path` (relative to the root; a leading "/" is the root) with
// `flags` (O_CLOEXEC is always added). Symlinks are followed but stay inside
// the root; magic links (/proc/self/fd/N and alike) are refused. The last
// component is followed too unless flags has O_NOFOLLOW.
Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags);

// The container path `path` names once every symlink that exists along it
// is resolved inside the root, including a dangling last one: where a
// mountpoint would be created. What does not exist is appended lexically.
Result<std::string> resolve_partial_in_root(int root_fd, std::string_view path);

// Creates every missing directory of `path` (mode before umask), following
// symlinks that exist inside the root, and returns an O_PATH fd of the last.
Result<UniqueFd> mkdir_all_in_root(int root_fd, std::string_view path, unsigned mode);

// Creates the parent directories of `path` and returns an O_PATH fd of the
// parent plus the last component's name, for the *at() syscalls (mknodat,
// symlinkat, unlinkat) that must never follow a symlink in the last spot.
Result<std::pair<UniqueFd, std::string>> mkdir_all_parent_in_root(int root_fd, std::string_view path,
                                                                  unsigned dir_mode);

// Creates a regular file exclusively (O_CREAT|O_EXCL|O_NOFOLLOW), its
// parents as directories 0755, and returns it opened O_RDONLY.
Result<UniqueFd> create_in_root(int root_fd, std::string_view path, unsigned mode);

// Whether the kernel has openat2(2) (probed once).
bool have_openat2();
// For tests: force the userspace fallback.
void set_openat2_disabled(bool disabled);

}  // namespace orun::sys
