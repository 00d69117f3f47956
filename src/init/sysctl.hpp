// linux.sysctl: written after pivot_root, inside the container's namespaces,
// through one private procfs handle (CVE-2025-52881: a container could
// otherwise redirect /proc/sys/... to /proc/sys/kernel/core_pattern).
// Which keys are allowed is decided at config validation (src/spec/).
#pragma once

#include <map>
#include <string>

#include "orun/result.hpp"

namespace orun::init {

// "net.ipv4.ip_forward" -> "sys/net/ipv4/ip_forward". A key that already uses
// '/' separators is kept as written, so dots inside a component survive
// ("net/ipv4/conf/eth0.100/rp_filter").
std::string sysctl_proc_path(const std::string& key);

// Errors: "open sysctl KEY file: ..." / "failed to write sysctl KEY = \"V\": ...".
Result<void> apply_sysctls(const std::map<std::string, std::string>& sysctls);

}  // namespace orun::init
