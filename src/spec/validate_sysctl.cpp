// linux.sysctl: /proc/sys is only partly namespaced, so each key is allowed
// only when the namespace that owns it is private to the container (runc's
// validate.sysctl, same messages).
#include <sys/stat.h>

#include <cerrno>
#include <optional>

#include "orun/spec.hpp"
#include "spec/json_field.hpp"

namespace orun::spec {

namespace {

// "net/ipv4/conf/eno2.100/rp_filter" -> "net.ipv4.conf.eno2/100.rp_filter":
// a key whose first separator is '/' uses '/' as separator, and any '.' in
// it belongs to a name.
std::string to_dots(std::string s) {
  auto first = s.find_first_of("./");
  if (first == std::string::npos || s[first] == '.') return s;
  for (auto& ch : s) {
    if (ch == '.')
      ch = '/';
    else if (ch == '/')
      ch = '.';
  }
  return s;
}

bool is_ipc_sysctl(const std::string& s) {
  static const char* kIpc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                               "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                               "kernel.shmmni", "kernel.shm_rmid_forced"};
  for (const char* k : kIpc)
    if (s == k) return true;
  return s.starts_with("fs.mqueue.");
}

// Whether the configured network namespace is the one we run in ("host"
// meaning current, not initial).
Result<bool> uses_host_netns(const Linux& l) {
  const Namespace* net = l.find_namespace(NamespaceType::network);
  if (!net) return true;
  if (net->path.empty()) return false;
  struct stat self {}, target {};
  if (::stat("/proc/self/ns/net", &self) < 0)
    return fail("invalid netns path: stat /proc/self/ns/net: " + errno_text(errno), errno);
  if (::stat(net->path.c_str(), &target) < 0)
    return fail("invalid netns path: stat " + net->path + ": " + errno_text(errno), errno);
  return self.st_dev == target.st_dev && self.st_ino == target.st_ino;
}

}  // namespace

Result<void> validate_sysctl(const Spec& spec) {
  const Linux& l = spec.linux;
  std::optional<bool> hostnet;
  for (const auto& [key, value] : l.sysctl) {
    (void)value;
    std::string s = to_dots(key);
    std::string q = detail::go_quote(s);
    if (is_ipc_sysctl(s)) {
      if (l.has_namespace(NamespaceType::ipc)) continue;
      return fail("sysctl " + q + " is not allowed in the hosts ipc namespace");
    }
    if (s.starts_with("net.")) {
      if (!hostnet) hostnet = ORUN_TRY(uses_host_netns(l));
      if (*hostnet) return fail("sysctl " + q + " not allowed in host network namespace");
      continue;
    }
    if (l.has_namespace(NamespaceType::uts)) {
      if (s == "kernel.domainname") continue;
      if (s == "kernel.hostname")
        return fail("sysctl " + q + " is not allowed as it conflicts with the OCI \"hostname\" field");
    }
    if (s.starts_with("user.")) {
      // Without a user namespace these limits are the host's own.
      if (!l.has_namespace(NamespaceType::user))
        return fail("setting ucounts without a user namespace not allowed: " + s);
      continue;
    }
    return fail("sysctl " + q + " is not in a separate kernel namespace");
  }
  return {};
}

}  // namespace orun::spec
