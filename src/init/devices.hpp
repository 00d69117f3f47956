// The container's /dev before pivot_root: device nodes (the default six plus
// linux.devices), the /dev symlinks and /dev/ptmx. Everything is created
// relative to directory fds resolved inside the rootfs, never by path
// (CVE-2026-41579), and new nodes are verified before chmod/chown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

struct DeviceNode {
  char type = 'c';  // 'c' (also for 'u'), 'b', 'p'
  std::string path;  // cleaned, absolute container path
  uint32_t major = 0, minor = 0;
  uint32_t mode = 0666;  // permission bits only
  uint32_t uid = 0, gid = 0;
};

// Pure: linux.devices (type 'u' as 'c', mode default 0666 with type bits
// stripped, /dev/ptmx skipped: it becomes a symlink) followed by the default
// nodes null, zero, full, random, urandom, tty whose path the config does not
// already list.
std::vector<DeviceNode> plan_devices(const spec::Spec& s);

// Creates the nodes (mknodat; in a user ns, or on EPERM, the host node is
// bind-mounted over an empty file instead).
Result<void> create_devices(int root_fd, const std::vector<DeviceNode>& nodes, bool bind_host_nodes);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr (and /dev/core if the host
// has /proc/kcore); existing entries are left alone.
Result<void> setup_dev_symlinks(int root_fd);

// /dev/ptmx removed, then a symlink to pts/ptmx.
Result<void> setup_ptmx(int root_fd);

// All of the above, with runc's error texts.
Result<void> setup_dev(int root_fd, const spec::Spec& s, bool in_userns);

}  // namespace orun::init
