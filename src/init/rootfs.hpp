// The container's root filesystem, set up by the init (the fork that runs in
// the new namespaces) in kernel order:
//
//   prepare_rootfs     before the procHooks sync: propagation, the rootfs
//                      self-bind, spec mounts in config order, /dev
//   (hooks: prestart/createRuntime in the parent, createContainer here with
//    cwd = rootfs)
//   enter_rootfs       pivot_root (or MS_MOVE+chroot / chroot)
//   setup_dev_console  only with a terminal
//   (sysctls: written before finalize, which may make /proc/sys read-only)
//   finalize_rootfs    read-only remounts, readonlyPaths, maskedPaths, ro root
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

struct RootfsContext {
  const spec::Spec* spec = nullptr;  // validated spec
  std::string rootfs;                // absolute host path of the rootfs (symlinks resolved)
  std::string bundle;                // absolute bundle dir (relative bind sources join it)
  bool no_pivot = false;
  bool new_mount_ns = true;          // false: the container shares the host mount ns
  bool in_userns = false;            // container has a user ns: no mknod, bind host nodes
  uint32_t root_uid = 0, root_gid = 0;  // host ids of container root (informational)
  // v1 controller name ("cpu", "memory", "systemd" ...) -> host cgroup dir of
  // the container; key "" is the cgroup2 dir. Used by `cgroup` mounts without
  // a cgroup ns. Missing entries fall back to /proc/self/cgroup.
  std::map<std::string, std::string> cgroup_paths;
  bool cgroup_ns = false;            // container has its own cgroup namespace
  // Index in spec->mounts -> detached mount tree made on the host side
  // (prepare_mount_sources, mount_idmap.hpp), attached instead of mounting
  // the source path: id-mapped binds (only the host's user ns may set
  // MOUNT_ATTR_IDMAP on host filesystems) and, with a user ns, binds of
  // sources the container's root cannot reach.
  std::map<size_t, int> source_fds;
  int sync_fd = -1;                  // asks the parent for id-mapped trees (user ns)
};

// Before the hooks sync: `/` made rslave (or linux.rootfsPropagation), the
// rootfs parent mount made private, the rootfs bind-mounted onto itself,
// every spec mount in config order, then /dev (default nodes unless /dev is a
// bind mount, linux.devices, the /dev symlinks, /dev/ptmx -> pts/ptmx).
Result<void> prepare_rootfs(const RootfsContext& c);

// pivot_root(".", ".") and a lazy unmount of the old root (or MS_MOVE +
// chroot for --no-pivot; plain chroot without a mount ns), chdir("/"), then
// linux.rootfsPropagation re-applied to "/", and stdio that pointed at the
// host's /dev/null reopened on the container's (when /dev was set up).
Result<void> enter_rootfs(const RootfsContext& c);

// After the pivot, with a terminal: binds the pty peer over /dev/console.
// /dev/console is created O_CREAT|O_NOFOLLOW (CVE-2025-52565) and the peer is
// verified to be a devpts slave (char 136-143:N) before anything is mounted.
Result<void> setup_dev_console(const std::string& pty_slave_path);
Result<void> setup_dev_console_fd(int pty_slave_fd);

// After the pivot (and after sysctls): read-only remount of `ro` tmpfs and
// /dev mounts, readonlyPaths, maskedPaths (files: a verified /dev/null char
// 1:3 bound from one O_PATH fd; dirs: read-only tmpfs), then root.readonly.
Result<void> finalize_rootfs(const RootfsContext& c);

// The pieces of finalize_rootfs, for an orchestrator that needs another order.
Result<void> remount_readonly_mounts(const RootfsContext& c);
Result<void> apply_readonly_paths(const std::vector<std::string>& paths);
Result<void> apply_masked_paths(const std::vector<std::string>& paths);
Result<void> make_root_readonly();

}  // namespace orun::init
