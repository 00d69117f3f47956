// The pure part of checkpoint/restore: runc's option parsing and the lists
// of external mounts, inherited fds and cgroup roots CRIU is given, built
// from the spec and the container's state without touching the host.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "criu/rpc.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::criu {

// --manage-cgroups-mode: "" (CRIU's default), soft, full, strict, ignore.
Result<CgMode> parse_cg_mode(const std::string& mode);

// --empty-ns: CLONE_NEWNET is always in the mask (runc's); "network" is the
// only name accepted.
Result<uint32_t> empty_ns_mask(const std::vector<std::string>& names);

// --page-server ADDRESS:PORT (Go's net.SplitHostPort, then Atoi).
Result<std::pair<std::string, int>> parse_page_server(const std::string& value);

// The key CRIU knows an external namespace by: "extRootNetNS", "extRootPidNS".
std::string external_ns_key(spec::NamespaceType t);

// runc's `m.Device == "bind"`: type "bind", or a bind/rbind option.
bool is_bind_mount(const spec::Mount& m);

// A mount of the container as CRIU sees it: the destination inside the
// root (symlinks resolved, as the mount was made) and the host source.
struct MountRef {
  std::string destination;
  std::string source;
};

// The external mounts of a dump (key = value = destination) or a restore
// (key = destination, value = host source): every bind mount, the v1 cgroup
// binds (given by the caller: cgroupns and cgroup2 have none), the
// non-directory masked paths (dump: to /dev/null; restore: one /dev/null
// entry) and the device nodes.
struct MountInputs {
  std::vector<MountRef> binds;          // bind mounts and v1 cgroup binds, in config order
  std::vector<std::string> masked_files; // dump: masked paths that exist and are not dirs
  bool has_masked_paths = false;         // restore
  std::vector<std::string> device_paths;
};
std::vector<ExtMount> dump_ext_mounts(const MountInputs& in);
std::vector<ExtMount> restore_ext_mounts(const MountInputs& in);

// The device nodes runc's config has: linux.devices plus its default ones.
std::vector<std::string> device_paths(const spec::Spec& s);

// descriptors.json entries that are pipes, as inherit_fd (fd = position).
std::vector<InheritFd> pipe_inherit_fds(const std::vector<std::string>& descriptors);

// /proc/<pid>/cgroup as runc's ParseCgroupFile reads it: one root per
// controller ("cpu,cpuacct" gives two; "name=systemd" stays; "" for cgroup2).
std::vector<CgroupRoot> cgroup_roots(const std::string& proc_cgroup);

// The controllers CRIU can dump from /proc/<pid>/cgroup as read here: empty
// (all of them) unless some path leaves this cgroup namespace ("/.."); then
// every named controller whose path stays inside.
std::vector<std::string> dumpable_controllers(const std::string& proc_cgroup);

// runc's logCriuErrors: every line containing "Error" with up to five lines
// before it, numbered, "..." between separate groups, framed by
// `--- Quoting "PATH"` and `---`; empty when there is none.
std::vector<std::string> quote_errors(const std::string& log, const std::string& path);

}  // namespace orun::criu
