// Device access rules for the devices cgroup (v1) and the eBPF device
// program (v2). The rules a container gets are its config's, then runc's
// default allow-list; an emulator of the kernel's v1 semantics reduces them
// to a default (allow or deny) plus exceptions, which both drivers apply.
#pragma once

#include <linux/bpf.h>

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "orun/resources.hpp"
#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::cgroups {

// runc's AllowedDevices rules (mknod anything; /dev/null, zero, full,
// random, urandom, tty, console, ptmx, pts/*, net/tun), appended after the
// config's own rules. A default for a path the config lists in linux.devices
// is left out, as runc does.
std::vector<spec::DeviceRule> default_device_rules(const std::vector<std::string>& config_device_paths);

// The kernel's view after a sequence of rules: default allow (blacklist) or
// deny (whitelist) plus exceptions, keyed by (type, major, minor).
struct DeviceState {
  bool default_allow = false;
  std::map<std::tuple<char, int64_t, int64_t>, std::string> exceptions;  // perms "rwm" subset
};

// Applies rules in order. Fails where cgroup v1 would silently ignore a rule
// (punching a hole in a wildcard exception), as runc does.
Result<DeviceState> emulate(const std::vector<spec::DeviceRule>& rules);

// v1: (file, line) writes that bring a fresh cgroup to `s`.
std::vector<std::pair<std::string, std::string>> v1_device_writes(const DeviceState& s);

// v2: a BPF_PROG_TYPE_CGROUP_DEVICE program returning 1 (allow) or 0 (deny).
std::vector<bpf_insn> device_program(const DeviceState& s);

// Loads the program and attaches it to the cgroup dir with
// BPF_F_ALLOW_MULTI, replacing the one program a previous call attached (or
// detaching any others after the new one is in place).
Result<void> attach_device_program(int cgroup_dir_fd, const std::vector<bpf_insn>& prog);

}  // namespace orun::cgroups
