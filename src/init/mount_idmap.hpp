// Id-mapped bind mounts (`idmap`/`ridmap` options or mount uid/gid mappings).
// Runs on the HOST side (the runtime parent, after the container's user ns
// exists): MOUNT_ATTR_IDMAP on a host filesystem needs privilege over the
// filesystem's user ns, which the container init no longer has. The detached
// trees are handed to the init (RootfsContext::idmap_fds), which attaches
// them with move_mount like any other bind.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orun/fd.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

// "/proc/PID/uid_map" text for the mappings: "container host size\n" lines.
std::string format_id_map(const std::vector<spec::IdMapping>& maps);

// For every id-mapped bind in s.mounts (by index), a detached clone of its
// source with the mapping applied. Mounts with explicit mappings get a user
// ns built from them; the others use container_userns_fd (the container's
// user ns, e.g. /proc/<init>/ns/user), which must then be >= 0.
Result<std::map<size_t, UniqueFd>> prepare_idmapped_mounts(const spec::Spec& s, const std::string& bundle,
                                                           int container_userns_fd);

}  // namespace orun::init
