// Mount syscalls that act on file descriptors, so the target is the inode the
// runtime verified and not whatever a path names by the time the kernel looks
// (CVE-2021-30465). Two ways: classic mount(2) on "/proc/self/fd/N", and the
// new mount API (open_tree/move_mount/fsopen/fsmount/mount_setattr, 5.2+ and
// 5.12+), which needs no /proc at all.
#pragma once

#include <cstdint>
#include <string>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::sys {

// "MS_BIND|MS_REC|MS_RDONLY" (runc's rendering, unknown bits as 0x...).
std::string mount_flags_string(unsigned long flags);

// mount(2) onto the inode behind dst_fd through /proc/self/fd/N. `dst_name`
// is only for the error text, which reads like runc's:
// "mount src=S, dst=D, dstFd=/proc/self/fd/N, flags=MS_BIND: no such device".
Result<void> mount_onto_fd(const std::string& source, int dst_fd, const std::string& dst_name,
                           const std::string& fstype, unsigned long flags, const std::string& data);

// mount_setattr(2) on the mount whose root is fd (AT_EMPTY_PATH).
Result<void> mount_setattr_fd(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                              uint64_t propagation = 0);

// Binds the inode of src_fd onto the inode of dst_fd (recursively when asked):
// open_tree(OPEN_TREE_CLONE) + move_mount, falling back to mount(2) with
// MS_BIND through /proc/self/fd when the new API is missing.
Result<void> bind_fd_onto_fd(int src_fd, int dst_fd, bool recursive);

// readonlyPaths: binds the tree at fd onto itself (recursively) and makes the
// top mount of the new bind read-only, keeping its nosuid/nodev/noexec.
Result<void> bind_self_readonly(int fd);

// A fresh read-only tmpfs with `options` ("nr_blocks=1,nr_inodes=1") on top
// of dst_fd: fsopen/fsconfig/fsmount/move_mount, falling back to mount(2).
// Returns an O_PATH fd of the new mount's root (to bind it elsewhere).
Result<UniqueFd> mount_ro_tmpfs_onto_fd(int dst_fd, const std::string& options);

// Attaches a detached mount (from open_tree/fsmount) onto dst_fd.
Result<void> attach_tree_onto_fd(int tree_fd, int dst_fd);

// Host side, for idmapped bind mounts: a detached clone of `source` (its
// whole tree with clone_recursive) with MOUNT_ATTR_IDMAP set to userns_fd on
// the top mount, or on every mount of the clone with idmap_recursive.
Result<UniqueFd> open_idmapped_tree(const std::string& source, bool clone_recursive, bool idmap_recursive,
                                    int userns_fd);

// A user namespace with the given maps ("/proc/PID/uid_map" text, one
// "inside outside count" line per range), held by an O_RDONLY fd of its ns
// file. A short-lived child creates it and is reaped before returning.
Result<UniqueFd> userns_with_maps(const std::string& uid_map, const std::string& gid_map);

// Whether the new mount API (open_tree, move_mount) is usable (probed once).
bool have_new_mount_api();

}  // namespace orun::sys
