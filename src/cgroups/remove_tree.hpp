// Removal of a cgroup directory together with the sub-cgroups made inside it
// (by a nested runtime, or by systemd running in the container).
#pragma once

#include <string>

namespace orun::cgroups {

// rmdir(path), removing its sub-cgroups first, deepest first, as runc's
// RemovePath. Returns 0, or -1 with errno from the first rmdir that failed.
int rmdir_tree(const std::string& path);

}  // namespace orun::cgroups
