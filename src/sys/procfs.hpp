// Verified access to procfs for every write the runtime makes under /proc
// (sysctls, oom_score_adj, uid_map/gid_map/setgroups, LSM attrs).
//
// A hostile container can make /proc a tmpfs, a symlink, or bind-mount one
// proc file over another, so that our writes land somewhere harmless (labels
// silently not applied) or somewhere dangerous (/proc/sys/kernel/core_pattern,
// /proc/sysrq-trigger). CVE-2019-16884, CVE-2019-19921, CVE-2023-27561,
// CVE-2023-28642, CVE-2025-52881. The defence: a private procfs instance that
// the container's mount tree cannot touch, paths resolved beneath it without
// symlinks or mount crossings, and the opened file checked to be on procfs and
// on that same mount before a byte is written.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::sys {

enum class ProcfsView {
  pids,  // subset=pid: only the pid directories (+ self, thread-self); enough
         // for <pid>/uid_map, self/oom_score_adj, self/attr/...
  full,  // the whole procfs; needed for sys/ (sysctls)
};

// Opens the root directory of a procfs, preferring (in order):
//   1. a fresh detached procfs: fsopen("proc") [+ subset=pid] + fsmount;
//   2. a detached non-recursive clone of /proc: open_tree(OPEN_TREE_CLONE),
//      which drops any submount a container placed over proc files;
//   3. /proc itself.
// Every result is verified: fstatfs f_type == PROC_SUPER_MAGIC and the fd is
// the procfs root inode. The fresh instance belongs to the caller's active
// pid namespace.
Result<UniqueFd> open_procfs(ProcfsView view = ProcfsView::pids);

// Opens <procfs root>/<relpath> with `flags` (O_CLOEXEC is always added),
// resolving with openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV)
// (falling back to a per-component O_NOFOLLOW walk on kernels without
// openat2), then verifies the result is on procfs and on the same mount as the
// root. A leading "self" or "thread-self" component is rewritten to the
// caller's pid (and tid), since those are symlinks.
Result<UniqueFd> open_proc_file(int procfs_fd, const std::string& relpath, int flags);

// open_proc_file(O_WRONLY) + one write(2) of all of `data` (procfs files such
// as uid_map must be written in a single call). Errors read
// "write /proc/<relpath>: <errno text>" (or "open /proc/<relpath>: ...").
Result<void> write_proc_file(int procfs_fd, const std::string& relpath, std::string_view data);

// open_proc_file(O_RDONLY) and read to the end.
Result<std::string> read_proc_file(int procfs_fd, const std::string& relpath);

// Pure helpers (exposed for tests).
// Rewrites a leading "self"/"thread-self" component to "<pid>" or
// "<pid>/task/<tid>"; other paths are returned unchanged.
std::string resolve_self_path(std::string_view relpath, pid_t pid, pid_t tid);
// A relative path with no empty, "." or ".." components and no leading '/'.
bool is_plain_relative_path(std::string_view relpath);

}  // namespace orun::sys
