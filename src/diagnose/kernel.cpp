// Kernel release, namespaces, user namespace limits, the id-map helpers and
// the capability bounding set orun (and so every container) inherits.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "diagnose/probes.hpp"
#include "diagnose/proc_status.hpp"
#include "security/capabilities.hpp"

namespace orun::diagnose {

namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  if (!f || !std::getline(f, line)) return "";
  return line;
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

void probe_namespaces(Items& out) {
  std::vector<std::string> have, missing_core, missing_opt;
  for (const char* ns : {"mnt", "pid", "net", "ipc", "uts", "user", "cgroup", "time"}) {
    if (exists(std::string("/proc/self/ns/") + ns)) {
      have.push_back(ns);
      continue;
    }
    bool core = std::string_view(ns) == "mnt" || std::string_view(ns) == "pid" || std::string_view(ns) == "net" ||
                std::string_view(ns) == "ipc" || std::string_view(ns) == "uts";
    (core ? missing_core : missing_opt).push_back(ns);
  }
  if (!missing_core.empty()) {
    out.push_back(fail_item("namespaces", "missing: " + join(missing_core), "a kernel with CONFIG_NAMESPACES and each *_NS"));
  } else if (!missing_opt.empty()) {
    out.push_back(warn_item("namespaces", join(have) + "; missing: " + join(missing_opt),
                       "configs asking for them fail (time needs kernel 5.6+)"));
  } else {
    out.push_back(ok_item("namespaces", join(have)));
  }
}

void probe_userns(Items& out) {
  std::string max = read_first_line("/proc/sys/user/max_user_namespaces");
  std::string clone = read_first_line("/proc/sys/kernel/unprivileged_userns_clone");  // Debian's patch
  std::string aa = read_first_line("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");  // Ubuntu
  std::string detail = "max_user_namespaces=" + (max.empty() ? std::string("?") : max);
  if (!clone.empty()) detail += ", unprivileged_userns_clone=" + clone;
  if (!aa.empty()) detail += ", apparmor_restrict_unprivileged_userns=" + aa;
  if (max == "0") {
    out.push_back(warn_item("user namespaces", detail, "sysctl user.max_user_namespaces=15000 (userns configs, rootless)"));
  } else if (clone == "0") {
    out.push_back(warn_item("user namespaces", detail + " (root only)", "sysctl kernel.unprivileged_userns_clone=1 for rootless"));
  } else if (aa == "1") {
    out.push_back(warn_item("user namespaces", detail, "an AppArmor profile allowing userns for rootless orun"));
  } else {
    out.push_back(ok_item("user namespaces", detail));
  }
}

// newuidmap/newgidmap on PATH (or the usual dirs), setuid root or with file
// capabilities: what rootless containers need for more than one mapped id.
std::string find_in_path(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/bin:/bin:/usr/sbin:/sbin";
  std::istringstream in(path);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    std::string p = dir + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

void probe_idmap_tools(Items& out) {
  std::vector<std::string> found, missing;
  for (const char* tool : {"newuidmap", "newgidmap"}) {
    std::string p = find_in_path(tool);
    (p.empty() ? missing : found).push_back(p.empty() ? tool : p);
  }
  if (missing.empty()) out.push_back(ok_item("newuidmap/newgidmap", join(found)));
  else
    out.push_back(warn_item("newuidmap/newgidmap", "not found: " + join(missing),
                       "apt install uidmap (rootless maps with more than one id)"));
}

// Capabilities missing from the bounding set cannot be given to any
// container, whatever its config says.
void probe_bounding_set(Items& out) {
  std::ifstream f("/proc/self/status");
  std::stringstream ss;
  ss << f.rdbuf();
  auto status = parse_status(ss.str());
  auto mask = parse_cap_mask(status["CapBnd"]);
  int last = security::last_supported_capability();
  if (!mask || last < 0) {
    out.push_back(warn_item("bounding set", "unreadable", "check /proc/self/status"));
    return;
  }
  auto missing = missing_caps(*mask, last);
  if (missing.empty()) {
    out.push_back(ok_item("bounding set", "complete (CAP_CHOWN..." + security::capability_name(last) + ")"));
    return;
  }
  std::string detail = "lacks " + join(missing) + ": no container can have it";
  for (const auto& m : missing)
    if (m == "CAP_SYS_RESOURCE") detail += " (nor lower oom_score_adj or raise rlimits above the hard limit)";
  out.push_back(warn_item("bounding set", detail, "run orun from a process that keeps them, or drop them from configs"));
}

}  // namespace

void probe_kernel(Items& out) {
  struct utsname u{};
  if (::uname(&u) == 0) out.push_back(ok_item("kernel", std::string(u.release) + " " + u.machine));
  probe_namespaces(out);
  probe_userns(out);
  probe_idmap_tools(out);
  probe_bounding_set(out);
}

}  // namespace orun::diagnose
