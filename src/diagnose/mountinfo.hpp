// /proc/<pid>/mountinfo as a list, and how a container's mounts differ from
// its config (pure, for `diagnose` and the unit tests).
#pragma once

#include <string>
#include <vector>

namespace orun::diagnose {

struct MountEntry {
  std::string mount_point;  // as the process sees it (inside its root)
  std::string fstype;
  std::string source;
  std::string super_options;  // "rw,memory" (a v1 cgroup's controllers)
};

// Lines "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw"; the
// octal escapes (\040 for a space) are decoded.
std::vector<MountEntry> parse_mountinfo(const std::string& content);

struct MountDiff {
  std::vector<std::string> missing;  // in the config, not mounted
  std::vector<std::string> extra;    // mounted, not explained by the config
};

// `configured`: the config's mounts[].destination; `explained`: other paths
// orun mounts on purpose (maskedPaths, readonlyPaths, device binds,
// /dev/console, "/"); `trees`: configured destinations whose submounts come
// with them (a v1 "cgroup" mount's hierarchies, an rbind's submounts).
// Paths are compared cleaned ("/a//b/" == "/a/b").
MountDiff diff_mounts(const std::vector<std::string>& configured, const std::vector<std::string>& explained,
                      const std::vector<std::string>& trees, const std::vector<MountEntry>& mounted);

}  // namespace orun::diagnose
