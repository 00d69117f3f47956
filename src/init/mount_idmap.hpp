// Id-mapped bind mounts (`idmap`/`ridmap` options or mount uid/gid mappings).
// Runs on the HOST side (the runtime parent, after the container's user ns
// exists): MOUNT_ATTR_IDMAP on a host filesystem needs privilege over the
// filesystem's user ns, which the container init no longer has. The detached
// trees are handed to the init (RootfsContext::idmap_fds), which attaches
// them with move_mount like any other bind.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "orun/fd.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

// "/proc/PID/uid_map" text for the mappings: "container host size\n" lines.
std::string format_id_map(const std::vector<spec::IdMapping>& maps);

// Detached trees for the init to attach (RootfsContext::source_fds), by
// index in s.mounts: every id-mapped bind, and, when the container has a
// user ns, every other bind whose source is outside the rootfs (the
// container's root may not be able to open it; sources inside the rootfs
// may name mounts the init makes earlier, so they stay paths). Call it
// before forking the init: the fds are inherited.
// Id-mapped binds with explicit mappings get a user ns built from them; the
// others use container_userns_fd, or when that is -1 a user ns built from
// linux.uidMappings/gidMappings.
Result<std::map<size_t, UniqueFd>> prepare_mount_sources(const spec::Spec& s, const std::string& bundle,
                                                         const std::string& rootfs, int container_userns_fd);

// ORUN_SYNC_MOUNT_REQ's payload: the bind the init asks the parent to
// id-map. On the wire its fields are separated by NUL bytes, which no config
// string can hold (the parser refuses them): no JSON in the child.
struct IdmapRequest {
  std::string source;
  bool recursive = false;        // rbind: clone the whole tree
  bool idmap_recursive = false;  // ridmap: map all of it
  std::string uid_map, gid_map;  // format_id_map text; both "": the init's user ns

  std::string encode() const;
  // "malformed mount request" unless it is what encode() makes.
  static Result<IdmapRequest> decode(std::string_view payload);
};

// Parent side of ORUN_SYNC_MOUNT_REQ: a helper joins the container init's
// mount ns (keeping the host's privileges), clones the requested source and
// id-maps it (explicit maps, or the init's user ns). `request` is an
// IdmapRequest::encode() the init sent.
Result<UniqueFd> idmapped_tree_in_container(pid_t init, const std::string& request);

}  // namespace orun::init
