// The mount executor: applies one MountPlan inside the rootfs. Every target
// is resolved once inside the root to an O_PATH fd (sys/path.hpp), checked,
// and mounted through that fd.
#pragma once

#include <string>

#include "init/mount_plan.hpp"
#include "init/rootfs.hpp"
#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::init {

struct MountEnv {
  const RootfsContext* ctx = nullptr;
  int root_fd = -1;     // O_PATH fd of the rootfs
  std::string rootfs;   // its real path (readlink of root_fd)
};

// Performs the mount. Errors read like runc's:
// `error mounting "SRC" to rootfs at "DEST": ...`.
Result<void> mount_into_rootfs(const MountEnv& env, const MountPlan& plan);

// Steps shared with the cgroup mounts (mount_cgroup.cpp).
Result<void> mount_plan_unwrapped(const MountEnv& env, MountPlan plan);
// Mounts plan onto dst (a resolved target), then re-opens the new mount's
// root and applies the propagation options. Returns the new mount's fd.
Result<UniqueFd> mount_propagate(const MountEnv& env, const MountPlan& plan, int dst_fd);

// A detached id-mapped clone of plan.source, with the mount's own mappings
// or else the container's (linux.uidMappings/gidMappings).
Result<UniqueFd> make_idmapped_tree(const spec::Spec& s, const MountPlan& plan);

// cgroup-type mounts (v2, or the v1 tmpfs with one entry per hierarchy).
Result<void> mount_cgroup(const MountEnv& env, const MountPlan& plan, int dst_fd);

// The bind mounts a `cgroup` mount at `destination` is made of on a v1 or
// hybrid host without a cgroup namespace: (container path, host cgroup dir)
// per hierarchy, as mount_cgroup makes them. Checkpoint and restore name
// them to CRIU as external mounts (runc's getCgroupMounts).
Result<std::vector<std::pair<std::string, std::string>>> v1_cgroup_binds(
    const std::string& rootfs, const std::map<std::string, std::string>& cgroup_paths, const std::string& destination);
bool host_is_cgroup2();

// Recursive copy of a directory tree (tmpcopyup): files, dirs, symlinks,
// device nodes and fifos, with modes and owners.
Result<void> copy_tree(int src_dir_fd, int dst_dir_fd);

}  // namespace orun::init
