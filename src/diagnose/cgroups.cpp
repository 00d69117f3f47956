// The cgroup layout as orun will use it: which hierarchies are mounted where,
// which controllers the kernel has but nobody mounted, where the caller sits
// and whether it may write there, and whether systemd could be a driver.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "diagnose/mountinfo.hpp"
#include "diagnose/probes.hpp"
#include "diagnose/proc_status.hpp"
#include "orun/cgroups.hpp"
#include "sys/file.hpp"

namespace orun::diagnose {

namespace {

// The file's text, or "" when it cannot be read (a missing controller file).

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The controllers a v1 mount's super options name ("rw,cpu,cpuacct").
std::vector<std::string> v1_controllers(const std::string& super_options) {
  std::vector<std::string> out;
  std::istringstream in(super_options);
  std::string o;
  while (std::getline(in, o, ',')) {
    if (o.starts_with("name=")) out.push_back(o);  // a named hierarchy (name=systemd)
    else if (o.find('=') != std::string::npos) continue;  // release_agent=...
    else if (o == "rw" || o == "ro" || o == "noprefix" || o == "clone_children" || o == "xattr" || o == "nsdelegate") continue;
    else out.push_back(o);
  }
  return out;
}

// Controllers the kernel has (/proc/cgroups) in no v1 hierarchy.
std::vector<std::string> unmounted_v1(const std::string& proc_cgroups) {
  std::vector<std::string> out;
  std::istringstream in(proc_cgroups);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream w(line);
    std::string name;
    int hier = -1, num = 0, enabled = 0;
    if (w >> name >> hier >> num >> enabled && hier == 0 && enabled == 1) out.push_back(name);
  }
  return out;
}

void probe_layout(Items& out, const std::vector<MountEntry>& mounts) {
  std::vector<std::string> v1;
  std::string v2_at;
  std::set<std::string> v1_mounted;
  for (const auto& m : mounts) {
    if (m.fstype == "cgroup2") v2_at = m.mount_point;
    if (m.fstype != "cgroup") continue;
    auto ctrls = v1_controllers(m.super_options);
    for (auto& c : ctrls) v1_mounted.insert(c);
    v1.push_back(join(ctrls, ",") + " " + m.mount_point);
  }
  std::string v2_ctrls = v2_at.empty() ? "" : trim(sys::read_file_or_empty(v2_at + "/cgroup.controllers"));
  auto layout = cgroups::detect_layout();
  if (v1.empty() && v2_at.empty()) {
    out.push_back(fail_item("cgroup layout", "no cgroup filesystem mounted", "mount cgroup2 on /sys/fs/cgroup"));
    return;
  }
  std::string v2_text = "cgroup2 at " + v2_at + " (controllers: " + (v2_ctrls.empty() ? "none" : v2_ctrls) + ")";
  switch (layout) {
    case cgroups::Layout::v2: out.push_back(ok_item("cgroup layout", "v2: " + v2_text)); break;
    case cgroups::Layout::hybrid:
      out.push_back(ok_item("cgroup layout", "hybrid: " + std::to_string(v1.size()) + " v1 hierarchies + " + v2_text));
      break;
    case cgroups::Layout::v1:
      out.push_back(ok_item("cgroup layout", "v1: " + std::to_string(v1.size()) + " hierarchies, no cgroup2"));
      break;
  }
  if (layout == cgroups::Layout::v2) return;
  out.push_back(ok_item("cgroup v1 mounts", join(v1, ", ")));
  std::vector<std::string> missing;
  for (const char* need : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "pids", "blkio"})
    if (!v1_mounted.count(need)) missing.push_back(need);
  if (!missing.empty())
    out.push_back(warn_item("cgroup v1 controllers", "not mounted: " + join(missing),
                       "mount them under /sys/fs/cgroup; limits (and pause, for freezer) using them fail"));
  std::vector<std::string> absent, on_v2;
  for (const auto& c : unmounted_v1(sys::read_file_or_empty("/proc/cgroups")))
    ((" " + v2_ctrls + " ").find(" " + c + " ") != std::string::npos ? on_v2 : absent).push_back(c);
  if (!on_v2.empty()) out.push_back(ok_item("cgroup2 controllers", join(on_v2) + " on cgroup2 only (used there)"));
  if (!absent.empty())
    out.push_back(ok_item("cgroup unmounted", join(absent) + " in no hierarchy; configs setting them fail"));
}

void probe_caller(Items& out, const std::vector<MountEntry>& mounts) {
  auto mine = parse_proc_cgroup(sys::read_file_or_empty("/proc/self/cgroup"));
  std::vector<std::string> placed, unwritable;
  for (const auto& m : mounts) {
    if (m.fstype != "cgroup" && m.fstype != "cgroup2") continue;
    std::string key;
    if (m.fstype == "cgroup2") key = "";
    else {
      auto c = v1_controllers(m.super_options);
      if (c.empty()) continue;
      key = c.front();
    }
    auto it = mine.find(key);
    if (it == mine.end()) continue;
    std::string dir = m.mount_point + (it->second == "/" ? "" : it->second);
    if (it->second != "/") placed.push_back((key.empty() ? "cgroup2" : key) + ":" + it->second);
    if (::access(dir.c_str(), W_OK) != 0) unwritable.push_back(dir);
  }
  std::string where = placed.empty() ? "root cgroup everywhere" : join(placed, ", ") + ", root elsewhere";
  if (unwritable.empty()) {
    out.push_back(ok_item("caller cgroup", where + "; writable by uid " + std::to_string(::geteuid())));
  } else {
    std::string dirs = unwritable.size() > 2 ? unwritable.front() + " and " + std::to_string(unwritable.size() - 1) +
                                                   " more"
                                             : join(unwritable, ", ");
    out.push_back(warn_item("caller cgroup", where + "; not writable by uid " + std::to_string(::geteuid()) + ": " + dirs,
                       "run as root, or delegate a cgroup (rootless: limits are skipped)"));
  }
}

void probe_systemd(Items& out) {
  std::string comm = trim(sys::read_file_or_empty("/proc/1/comm"));
  if (comm != "systemd") {
    out.push_back(ok_item("systemd", "pid 1 is " + (comm.empty() ? std::string("unknown") : comm) +
                                    ", not systemd: cgroupfs driver (default); --systemd-cgroup unusable"));
    return;
  }
  struct stat st{};
  bool bus = ::stat("/run/systemd/private", &st) == 0 || ::stat("/run/dbus/system_bus_socket", &st) == 0;
  if (bus) out.push_back(ok_item("systemd", "pid 1, bus socket present"));
  else out.push_back(warn_item("systemd", "pid 1, but no bus socket", "start dbus, or do not use --systemd-cgroup"));
}

}  // namespace

std::map<std::string, std::string> parse_proc_cgroup(const std::string& content) {
  std::map<std::string, std::string> out;
  std::istringstream in(content);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a == std::string::npos ? 0 : a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (ctrls.empty()) {
      out[""] = path;
      continue;
    }
    std::istringstream c(ctrls);
    std::string one;
    while (std::getline(c, one, ',')) out[one] = path;
  }
  return out;
}

void probe_cgroups(Items& out) {
  auto mounts = parse_mountinfo(sys::read_file_or_empty("/proc/self/mountinfo"));
  probe_layout(out, mounts);
  probe_caller(out, mounts);
  probe_systemd(out);
}

}  // namespace orun::diagnose
