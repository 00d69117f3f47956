// The checks runc 1.5.1 makes between reading config.json and creating the
// container, in runc's order and with its messages: loadSpec's process
// checks, specconv's conversion errors, then libcontainer's validator.
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>

#include "orun/log.hpp"
#include "orun/spec.hpp"
#include "spec/json_field.hpp"
#include "spec/validate_internal.hpp"
#include "sys/path.hpp"

namespace orun::spec {

using namespace detail;

namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

// go-selinux's GetEnabled: selinuxfs is mounted and our label is not
// "kernel".
bool selinux_enabled() {
  bool mounted = false;
  for (const char* p : {"/sys/fs/selinux", "/selinux"}) {
    struct statfs st {};
    if (::statfs(p, &st) == 0 && static_cast<long>(st.f_type) == kSelinuxMagic) {
      mounted = true;
      break;
    }
  }
  if (!mounted) return false;
  std::ifstream f("/proc/self/attr/current");
  std::string label;
  std::getline(f, label, '\0');
  while (!label.empty() && (label.back() == '\n' || label.back() == '\0')) label.pop_back();
  return label != "kernel";
}

bool path_exists(const char* p) {
  struct stat st {};
  return ::stat(p, &st) == 0 || errno != ENOENT;
}

std::string stat_error(const char* op, const std::string& path, int err) {
  return std::string(op) + " " + path + ": " + errno_text(err);
}

// specconv: rootfsPropagation must be one of the propagation names.
Result<void> check_rootfs_propagation(const Linux& l) {
  static const char* kValues[] = {"private", "rprivate", "slave",      "rslave",
                                  "shared",  "rshared",  "unbindable", "runbindable"};
  if (l.rootfs_propagation.empty()) return {};
  for (const char* v : kValues)
    if (l.rootfs_propagation == v) return {};
  return fail("rootfsPropagation=" + l.rootfs_propagation + " is not supported");
}

bool same_maps(const std::vector<IdMapping>& a, const std::vector<IdMapping>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].container_id != b[i].container_id || a[i].host_id != b[i].host_id ||
        a[i].size != b[i].size)
      return false;
  return true;
}

// specconv's setupUserNamespace: the effective maps, then container root
// must map to a host id.
Result<void> setup_user_namespace(ValidateContext& c) {
  const Linux& l = c.spec.linux;
  const Namespace* user = l.find_namespace(NamespaceType::user);
  if (!user) return {};
  c.uid_maps = l.uid_mappings;
  c.gid_maps = l.gid_mappings;
  if (!user->path.empty()) {
    auto maps = read_userns_mappings(user->path);
    if (!maps) return fail("failed to cache mappings for userns: " + maps.error().msg);
    if (!l.uid_mappings.empty() || !l.gid_mappings.empty()) {
      if (!same_maps(maps->uid, l.uid_mappings) || !same_maps(maps->gid, l.gid_mappings))
        return fail(
            "user namespaces enabled, but both namespace path and non-matching mapping "
            "specified -- you may only provide one");
    }
    c.uid_maps = std::move(maps->uid);
    c.gid_maps = std::move(maps->gid);
  }
  ORUN_TRY_VOID(host_id(c, 0, true));
  ORUN_TRY_VOID(host_id(c, 0, false));
  return {};
}

// validate.rootfs: the rootfs exists and its path has no symlink in it.
Result<void> check_rootfs(const ValidateContext& c) {
  const std::string& p = c.spec.root->path;
  std::string rootfs = !p.empty() && p[0] == '/' ? p : join_path_clean(c.bundle, p);
  struct stat st {};
  if (::stat(rootfs.c_str(), &st) < 0)
    return fail("invalid rootfs: " + stat_error("stat", rootfs, errno), errno);
  std::string cleaned = sys::clean_path(rootfs);
  char resolved[PATH_MAX];
  if (!::realpath(cleaned.c_str(), resolved))
    return fail("invalid rootfs: " + stat_error("lstat", cleaned, errno), errno);
  if (cleaned != resolved) return fail("invalid rootfs: not an absolute path, or a symlink");
  return {};
}

Result<void> check_uts(const Spec& s) {
  bool uts = s.linux.has_namespace(NamespaceType::uts);
  if (!s.hostname.empty() && !uts)
    return fail("unable to set hostname without a private UTS namespace");
  if (!s.domainname.empty() && !uts)
    return fail("unable to set domainname without a private UTS namespace");
  return {};
}

Result<void> check_security(const Spec& s) {
  if ((!s.linux.masked_paths.empty() || !s.linux.readonly_paths.empty()) &&
      !s.linux.has_namespace(NamespaceType::mount))
    return fail("unable to restrict sys entries without a private MNT namespace");
  if (s.process && !s.process->selinux_label.empty() && !selinux_enabled())
    return fail("selinux label is specified in config, but selinux is disabled or not supported");
  return {};
}

Result<void> check_namespaces(const ValidateContext& c) {
  const Linux& l = c.spec.linux;
  if (const Namespace* user = l.find_namespace(NamespaceType::user)) {
    if (!path_exists("/proc/self/ns/user")) return fail("user namespaces aren't enabled in the kernel");
    if (user->path.empty() && c.uid_maps.empty() && c.gid_maps.empty())
      return fail(
          "user namespaces enabled, but no namespace path to join nor mappings to apply "
          "specified");
  } else if (!l.uid_mappings.empty() || !l.gid_mappings.empty()) {
    // runc's validator has this check, but its specconv only copies the
    // mappings with a user namespace, so runc ignores them: the container
    // then runs with host ids the config asked to remap.
    return fail("user namespace mappings specified, but user namespace isn't enabled in the config");
  }
  if (l.has_namespace(NamespaceType::cgroup) && !path_exists("/proc/self/ns/cgroup"))
    return fail("cgroup namespaces aren't enabled in the kernel");
  if (const Namespace* time = l.find_namespace(NamespaceType::time)) {
    if (!path_exists("/proc/self/timens_offsets"))
      return fail("time namespaces aren't enabled in the kernel");
    if (!time->path.empty() && !l.time_offsets.empty())
      return fail(
          "time namespace enabled, but both namespace path and time offsets specified -- you "
          "may only provide one");
  } else if (!l.time_offsets.empty()) {
    return fail(
        "time namespace offsets specified, but time namespace isn't enabled in the config");
  }
  return {};
}

// validate.intelrdtCheck, the parts that need no resctrl probing beyond
// "is it mounted".
Result<void> check_intel_rdt(const Linux& l) {
  if (!l.intel_rdt) return {};
  constexpr long kResctrlMagic = 0x7655821;
  struct statfs st {};
  if (::statfs("/sys/fs/resctrl", &st) != 0 || static_cast<long>(st.f_type) != kResctrlMagic)
    return fail("intelRdt is specified in config, but Intel RDT is not enabled");
  const std::string& clos = l.intel_rdt->clos_id;
  if (clos == "." || clos == ".." || (clos.size() > 1 && clos.find('/') != std::string::npos))
    return fail("invalid intelRdt.ClosID " + go_quote(clos));
  return {};
}

Result<void> check_rootless_euid(const ValidateContext& c) {
  if (!c.rootless_euid) return {};
  const Namespace* user = c.spec.linux.find_namespace(NamespaceType::user);
  if (!user) return fail("rootless container requires user namespaces");
  if (user->path.empty()) {
    if (c.uid_maps.empty()) return fail("rootless containers requires at least one UID mapping");
    if (c.gid_maps.empty()) return fail("rootless containers requires at least one GID mapping");
  }
  return validate_rootless_mounts(c);
}

// The namespace-path checks runc makes when it starts init
// (orderNamespacePaths), in its join order.
Result<void> check_namespace_paths(const Linux& l) {
  // runc names namespaces by its internal constants in this message.
  static const std::pair<NamespaceType, const char*> kOrder[] = {
      {NamespaceType::user, "NEWUSER"},  {NamespaceType::ipc, "NEWIPC"},
      {NamespaceType::uts, "NEWUTS"},    {NamespaceType::network, "NEWNET"},
      {NamespaceType::pid, "NEWPID"},    {NamespaceType::mount, "NEWNS"},
      {NamespaceType::cgroup, "NEWCGROUP"}, {NamespaceType::time, "NEWTIME"}};
  for (const auto& [t, const_name] : kOrder) {
    const Namespace* ns = l.find_namespace(t);
    if (!ns || ns->path.empty()) continue;
    std::string self = std::string("/proc/self/ns/") + proc_ns_name(t);
    if (!path_exists(self.c_str()))
      return fail(std::string("namespace ") + const_name + " is not supported");
    struct stat st {};
    if (::lstat(ns->path.c_str(), &st) < 0)
      return fail("namespace path: " + stat_error("lstat", ns->path, errno), errno);
    if (ns->path.find(',') != std::string::npos)
      return fail("invalid namespace path " + ns->path);
  }
  return {};
}

}  // namespace

namespace detail {

std::string join_path_clean(std::string_view a, std::string_view b) {
  if (a.empty()) return b.empty() ? std::string() : sys::clean_path(b);
  if (b.empty()) return sys::clean_path(a);
  std::string s(a);
  s += '/';
  s += b;
  return sys::clean_path(s);
}

Result<int64_t> host_id(const ValidateContext& c, int64_t id, bool uid) {
  if (!c.spec.linux.has_namespace(NamespaceType::user)) return id;
  const auto& maps = uid ? c.uid_maps : c.gid_maps;
  const char* kind = uid ? "uid" : "gid";
  if (maps.empty())
    return fail(std::string("user namespaces enabled, but no ") + kind + " mappings found");
  for (const auto& m : maps) {
    int64_t cid = m.container_id, size = m.size;
    if (id >= cid && id <= cid + size - 1) return static_cast<int64_t>(m.host_id) + (id - cid);
  }
  return fail(std::string("user namespaces enabled, but no mapping found for ") + kind + " " +
              std::to_string(id));
}

}  // namespace detail

Result<void> validate_process(const Process& p) {
  if (p.cwd.empty()) return fail("Cwd property must not be empty");
  if (p.cwd[0] != '/') return fail("Cwd must be an absolute path");
  if (p.args.empty()) return fail("args must not be empty");
  // runc's init refuses these (prepareEnv); here nothing has been made yet.
  for (const auto& kv : p.env) {
    if (kv.find('\0') == std::string::npos) continue;
    std::string key = kv.substr(0, kv.find('='));
    return fail("invalid environment variable " + go_quote(key) + ": contains nul byte (\\x00)",
                EINVAL);
  }
  if (!p.selinux_label.empty() && !selinux_enabled())
    return fail("selinux label is specified in config, but selinux is disabled or not supported");
  return {};
}

Result<void> validate(const Spec& s, const std::string& bundle, std::vector<std::string>* warnings) {
  ORUN_TRY_VOID(check_oci_version(s));
  // runc's loadSpec.
  if (!s.process) return fail("process property must not be empty");
  ORUN_TRY_VOID(validate_process(*s.process));

  // specconv.CreateLibcontainerConfig.
  if (!s.root) return fail("root must be specified");
  std::vector<std::string> own_warnings;
  ValidateContext c{s, bundle, ::geteuid() != 0, {}, {}, warnings ? warnings : &own_warnings};
  ORUN_TRY_VOID(validate_mounts_specconv(c));
  // Printed as runc does, before any later check can fail.
  if (!warnings)
    for (const auto& w : own_warnings) log::warn(w);
  ORUN_TRY_VOID(check_device_paths(s.linux));
  ORUN_TRY_VOID(check_rootfs_propagation(s.linux));
  ORUN_TRY_VOID(setup_user_namespace(c));
  ORUN_TRY_VOID(validate_memory_policy(s.linux.memory_policy));
  ORUN_TRY_VOID(validate_personality(s.linux.personality));
  // What runc leaves to the kernel's cgroup writes, checked before anything
  // is made.
  ORUN_TRY_VOID(validate_resources(s.linux.resources));

  // validate.Validate.
  ORUN_TRY_VOID(check_rootfs(c));
  ORUN_TRY_VOID(validate_net_devices(c));
  ORUN_TRY_VOID(check_uts(s));
  ORUN_TRY_VOID(check_security(s));
  ORUN_TRY_VOID(check_namespaces(c));
  ORUN_TRY_VOID(validate_sysctl(s));
  ORUN_TRY_VOID(check_intel_rdt(s.linux));
  ORUN_TRY_VOID(check_rootless_euid(c));
  ORUN_TRY_VOID(validate_mounts_strict(c));
  ORUN_TRY_VOID(validate_scheduler(s.process->scheduler));
  ORUN_TRY_VOID(validate_io_priority(s.process->io_priority));
  ORUN_TRY_VOID(validate_exec_cpu_affinity(s.process->exec_cpu_affinity));

  // Made by runc when it starts init; failing here is earlier and cleaner.
  ORUN_TRY_VOID(check_namespace_paths(s.linux));
  return {};
}

}  // namespace orun::spec
