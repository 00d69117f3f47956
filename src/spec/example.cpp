// The `spec` command's template: runc 1.5.1's specconv.Example() and
// ToRootless(), written the way Go's json.MarshalIndent(spec, "", "\t") does.
// Keys follow the Go struct field order, hence ordered_json.
#include <unistd.h>

#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "orun/spec.hpp"

namespace orun::spec {

namespace {

using ojson = nlohmann::ordered_json;

ojson strings(std::initializer_list<const char*> l) {
  ojson a = ojson::array();
  for (const char* s : l) a.push_back(s);
  return a;
}

ojson mount(const char* dest, const char* type, const char* src, ojson options) {
  ojson m;
  m["destination"] = dest;
  m["type"] = type;
  m["source"] = src;
  if (!options.is_null() && !options.empty()) m["options"] = std::move(options);
  return m;
}

ojson example_process() {
  ojson p;
  p["terminal"] = true;
  p["user"] = {{"uid", 0}, {"gid", 0}};
  p["args"] = strings({"sh"});
  p["env"] = strings({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                      "TERM=xterm"});
  p["cwd"] = "/";
  ojson caps_list = strings({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  // Go field order of LinuxCapabilities: bounding, effective, inheritable,
  // permitted, ambient (inheritable and ambient unset since 1.1.2).
  ojson caps;
  caps["bounding"] = caps_list;
  caps["effective"] = caps_list;
  caps["permitted"] = caps_list;
  p["capabilities"] = std::move(caps);
  ojson rl;
  rl["type"] = "RLIMIT_NOFILE";
  rl["hard"] = 1024;
  rl["soft"] = 1024;
  p["rlimits"] = ojson::array({rl});
  p["noNewPrivileges"] = true;
  return p;
}

ojson example_mounts() {
  ojson m = ojson::array();
  m.push_back(mount("/proc", "proc", "proc", nullptr));
  m.push_back(mount("/dev", "tmpfs", "tmpfs",
                    strings({"nosuid", "strictatime", "mode=755", "size=65536k"})));
  m.push_back(mount("/dev/pts", "devpts", "devpts",
                    strings({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                             "gid=5"})));
  m.push_back(mount("/dev/shm", "tmpfs", "shm",
                    strings({"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"})));
  m.push_back(mount("/dev/mqueue", "mqueue", "mqueue", strings({"nosuid", "noexec", "nodev"})));
  m.push_back(mount("/sys", "sysfs", "sysfs", strings({"nosuid", "noexec", "nodev", "ro"})));
  m.push_back(mount("/sys/fs/cgroup", "cgroup", "cgroup",
                    strings({"nosuid", "noexec", "nodev", "relatime", "ro"})));
  return m;
}

ojson ns(const char* type) { return ojson{{"type", type}}; }

ojson id_map(unsigned host) {
  ojson m;
  m["containerID"] = 0;
  m["hostID"] = host;
  m["size"] = 1;
  return ojson::array({m});
}

// ToRootless: no network/user namespace then a user one appended, mappings
// for the caller, /sys as an rbind, no uid=/gid= options, no resources.
void to_rootless(ojson& mounts, ojson& namespaces) {
  ojson kept = ojson::array();
  for (auto& n : namespaces)
    if (n["type"] != "network" && n["type"] != "user") kept.push_back(n);
  kept.push_back(ns("user"));
  namespaces = std::move(kept);

  ojson out = ojson::array();
  for (auto& m : mounts) {
    if (m["destination"] == "/sys") {
      out.push_back(mount("/sys", "none", "/sys",
                          strings({"rbind", "nosuid", "noexec", "nodev", "ro"})));
      continue;
    }
    if (m.contains("options")) {
      ojson opts = ojson::array();
      for (auto& o : m["options"]) {
        auto s = o.get<std::string>();
        if (s.rfind("gid=", 0) != 0 && s.rfind("uid=", 0) != 0) opts.push_back(o);
      }
      if (opts.empty())
        m.erase("options");
      else
        m["options"] = std::move(opts);
    }
    out.push_back(m);
  }
  mounts = std::move(out);
}

}  // namespace

std::string example_config(bool rootless, bool cgroup_v2_unified) {
  ojson mounts = example_mounts();
  ojson namespaces = ojson::array({ns("pid"), ns("network"), ns("ipc"), ns("uts"), ns("mount")});
  if (cgroup_v2_unified) namespaces.push_back(ns("cgroup"));
  if (rootless) to_rootless(mounts, namespaces);

  ojson doc;
  doc["ociVersion"] = kOciVersion;
  doc["process"] = example_process();
  doc["root"] = {{"path", "rootfs"}, {"readonly", true}};
  doc["hostname"] = "runc";
  doc["mounts"] = std::move(mounts);

  // specs.Linux field order: uidMappings, gidMappings, sysctl, resources,
  // cgroupsPath, namespaces, devices, ..., maskedPaths, readonlyPaths.
  ojson linux_section;
  if (rootless) {
    linux_section["uidMappings"] = id_map(::geteuid());
    linux_section["gidMappings"] = id_map(::getegid());
  } else {
    ojson dev;
    dev["allow"] = false;
    dev["access"] = "rwm";
    linux_section["resources"] = {{"devices", ojson::array({dev})}};
  }
  linux_section["namespaces"] = std::move(namespaces);
  linux_section["maskedPaths"] =
      strings({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
               "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
               "/proc/scsi"});
  linux_section["readonlyPaths"] =
      strings({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  doc["linux"] = std::move(linux_section);
  return doc.dump(1, '\t');
}

}  // namespace orun::spec
