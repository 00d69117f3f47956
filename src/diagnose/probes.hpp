// The host probes of `orun check`, one function per family, each appending
// its items. All read-only and safe as a normal user: they read /proc and
// /sys, and probe syscalls with arguments the kernel must refuse (a bad fd,
// bad flags), telling ENOSYS apart from any other error.
#pragma once

#include <map>
#include <string>

#include "diagnose/report.hpp"

namespace orun::diagnose {

// kernel.cpp: kernel release, namespaces, user namespace limits,
// newuidmap/newgidmap, the caller's capability bounding set.
void probe_kernel(Items& out);
// syscalls.cpp: clone3, CLONE_INTO_CGROUP, openat2, the mount API, pidfd,
// seccomp (kernel actions, notify) and libseccomp.
void probe_syscalls(Items& out);
// cgroups.cpp: layout, each controller's mount, the caller's cgroup and its
// delegation, systemd as pid 1 and its bus.
void probe_cgroups(Items& out);
// lsm.cpp: AppArmor and SELinux.
void probe_lsm(Items& out);
// criu.cpp: CRIU on PATH (or in the sbin dirs) and its version.
void probe_criu(Items& out);
// state_root.cpp: the state root (exists, tmpfs, writable, stale entries)
// and the other known roots that hold containers.
void probe_state_root(Items& out, const std::string& root);
// binary.cpp: the running binary (static?) and the sealed-exe method.
void probe_binary(Items& out);

// Pure pieces, unit-tested.
// "Version: 3.17\nGitID: v3.17\n" -> "3.17" ("" when absent).
std::string parse_criu_version(const std::string& output);
// "2:freezer:/a\n0::/b\n" -> {"freezer":"/a", "":"/b"} (comma lists split).
std::map<std::string, std::string> parse_proc_cgroup(const std::string& content);

}  // namespace orun::diagnose
