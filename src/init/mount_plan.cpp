#include "init/mount_plan.hpp"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <string_view>

#include "sys/path.hpp"

namespace orun::init {

namespace {

struct FlagOpt {
  std::string_view name;
  bool clear;
  unsigned long flag;
};

// runc's mountFlags table. "defaults" is absent on purpose: runc's entry has
// flag 0, so it ends up in the data string.
constexpr FlagOpt kFlagOpts[] = {
    {"async", true, MS_SYNCHRONOUS},    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},           {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},  {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},          {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},   {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},       {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},         {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},       {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},  {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},  {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},       {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"rbind", false, MS_BIND | MS_REC}, {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},     {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},            {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME}, {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},    {"symfollow", true, MS_NOSYMFOLLOW},
};

struct PropOpt {
  std::string_view name;
  unsigned long flags;
};
constexpr PropOpt kPropOpts[] = {
    {"rprivate", MS_PRIVATE | MS_REC},       {"private", MS_PRIVATE},
    {"rslave", MS_SLAVE | MS_REC},           {"slave", MS_SLAVE},
    {"rshared", MS_SHARED | MS_REC},         {"shared", MS_SHARED},
    {"runbindable", MS_UNBINDABLE | MS_REC}, {"unbindable", MS_UNBINDABLE},
};

struct RecOpt {
  std::string_view name;
  bool clear;
  uint64_t attr;
};
constexpr RecOpt kRecOpts[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},           {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},       {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},         {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},       {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},   {"rnorelatime", true, MOUNT_ATTR_RELATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},     {"ratime", true, MOUNT_ATTR_NOATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

template <typename T, size_t N>
const T* find_opt(const T (&table)[N], std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions o;
  for (const auto& opt : options) {
    if (const auto* f = find_opt(kFlagOpts, opt)) {
      if (f->clear) {
        o.flags &= ~f->flag;
        o.cleared_flags |= f->flag;
      } else {
        o.flags |= f->flag;
        o.cleared_flags &= ~f->flag;
      }
    } else if (const auto* p = find_opt(kPropOpts, opt)) {
      o.propagation.push_back(p->flags);
    } else if (const auto* r = find_opt(kRecOpts, opt)) {
      o.has_rec_attr = true;
      if (r->clear) {
        o.rec_attr_clr |= r->attr;
        o.rec_attr_set &= ~r->attr;
      } else {
        o.rec_attr_set |= r->attr;
        o.rec_attr_clr &= ~r->attr;
      }
      // mount_setattr(2): an atime mode in attr_set needs MOUNT_ATTR__ATIME
      // in attr_clr. MOUNT_ATTR_RELATIME is 0, so every atime option counts.
      if ((r->attr & MOUNT_ATTR__ATIME) == r->attr) o.rec_attr_clr |= MOUNT_ATTR__ATIME;
    } else if (opt == "tmpcopyup") {
      o.tmpcopyup = true;
    } else if (opt == "idmap" || opt == "ridmap") {
      o.idmap = true;
      o.idmap_recursive = opt == "ridmap";
    } else {
      if (!o.data.empty()) o.data += ',';
      o.data += opt;
    }
  }
  return o;
}

bool MountPlan::recursive_bind() const { return (opts.flags & MS_REC) != 0; }

bool MountPlan::needs_bind_remount() const {
  return (opts.flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) != 0 || opts.cleared_flags != 0;
}

unsigned long MountPlan::initial_flags() const {
  unsigned long f = opts.flags;
  if (kind == MountKind::tmpfs || destination == "/dev") f &= ~MS_RDONLY;
  return f;
}

bool MountPlan::needs_late_readonly() const {
  return (opts.flags & MS_RDONLY) && (kind == MountKind::tmpfs || destination == "/dev");
}

Result<MountPlan> plan_mount(const spec::Mount& m, const std::string& bundle, const std::string& rootfs) {
  auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  if (has_nul(m.source) || has_nul(m.destination) || has_nul(m.type))
    return fail("mount field contains null byte");
  MountPlan p;
  p.opts = parse_mount_options(m.options);
  // A relative destination is taken as relative to "/" (runc warns).
  p.destination = sys::clean_abs(m.destination);
  if (!rootfs.empty() && sys::clean_path(rootfs) != "/" && sys::is_lexically_in_root(rootfs, p.destination))
    p.destination = sys::strip_root(rootfs, p.destination);
  p.source = m.source;
  p.fstype = m.type;
  p.uid_mappings = m.uid_mappings;
  p.gid_mappings = m.gid_mappings;
  if (p.opts.flags & MS_BIND) {
    p.kind = MountKind::bind;
    p.fstype = "bind";
    if (p.source.empty() || p.source[0] != '/') p.source = sys::join_path(bundle, p.source);
    if (!p.opts.data.empty())
      return fail("invalid mount " + m.destination +
                  ": bind mounts cannot have any filesystem-specific options applied");
  } else if (m.type == "proc") {
    p.kind = MountKind::proc;
  } else if (m.type == "sysfs") {
    p.kind = MountKind::sysfs;
  } else if (m.type == "tmpfs") {
    p.kind = MountKind::tmpfs;
  } else if (m.type == "devpts") {
    p.kind = MountKind::devpts;
  } else if (m.type == "mqueue") {
    p.kind = MountKind::mqueue;
  } else if (m.type == "cgroup") {
    p.kind = MountKind::cgroup;
  } else if (m.type == "bind") {
    // type "bind" without a bind option: runc passes it to mount(2) as a
    // filesystem type, which fails with ENODEV. Keep that behaviour.
    p.kind = MountKind::other;
  }
  if (p.idmapped() && !p.is_bind())
    return fail("invalid mount " + m.destination + ": id-mapped mounts are only supported for bind-mounts");
  return p;
}

Result<unsigned long> parse_rootfs_propagation(const std::string& value) {
  if (value.empty()) return 0UL;
  if (const auto* p = find_opt(kPropOpts, value)) return p->flags;
  return fail("rootfsPropagation=" + value + " is not supported");
}

ProcTarget classify_proc_target(std::string_view container_path) {
  std::string p = sys::clean_abs(container_path);
  if (p == "/proc") return ProcTarget::proc_root;
  if (!sys::is_lexically_in_root("/proc", p)) return ProcTarget::outside;
  // The files lxcfs emulates.
  static constexpr std::string_view kAllowed[] = {
      "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
      "/proc/swaps",   "/proc/uptime",    "/proc/loadavg", "/proc/slabinfo",
      "/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
  };
  for (auto a : kAllowed)
    if (p == a) return ProcTarget::allowed;
  return ProcTarget::forbidden;
}

bool needs_dev_setup(const spec::Spec& s) {
  for (const auto& m : s.mounts) {
    bool bind = false;
    for (const auto& o : m.options) bind = bind || o == "bind" || o == "rbind";
    if (bind && sys::clean_abs(m.destination) == "/dev") return false;
  }
  return true;
}

unsigned long statfs_to_mount_flags(unsigned long st) {
  constexpr unsigned long kStNoSymfollow = 0x2000;  // <linux/statfs.h>
  static constexpr struct {
    unsigned long st, ms;
  } kMap[] = {
      {ST_RDONLY, MS_RDONLY},       {ST_NOSUID, MS_NOSUID},     {ST_NODEV, MS_NODEV},
      {ST_NOEXEC, MS_NOEXEC},       {ST_MANDLOCK, MS_MANDLOCK}, {ST_SYNCHRONOUS, MS_SYNCHRONOUS},
      {ST_NOATIME, MS_NOATIME},     {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
      {kStNoSymfollow, MS_NOSYMFOLLOW},
  };
  unsigned long flags = 0;
  for (const auto& e : kMap)
    if ((st & e.st) == e.st) flags |= e.ms;
  // MS_STRICTATIME is not stored in the mount: no atime flag means strict.
  if (!(flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))) flags |= MS_STRICTATIME;
  return flags;
}

namespace {
constexpr unsigned long kMountAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;
constexpr unsigned long kMountLockFlags = MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID | kMountAtimeFlags;
}  // namespace

unsigned long mount_lock_flags() { return kMountLockFlags; }

bool locked_remount_refused(unsigned long src, unsigned long set) {
  for (unsigned long f : {MS_RDONLY, MS_NODEV, MS_NOSUID, MS_NOEXEC})
    if ((src & f) && !(set & f)) return true;
  // A remount without atime flags keeps the mount's atime setting.
  if (!(set & kMountAtimeFlags)) return false;
  // The kernel's translation (path_mount): relatime unless noatime, and
  // strictatime drops both. MS_STRICTATIME itself is never stored.
  unsigned long want = (set & MS_NOATIME) ? MS_NOATIME : MS_RELATIME;
  if (set & MS_NODIRATIME) want |= MS_NODIRATIME;
  if (set & MS_STRICTATIME) want &= ~(MS_RELATIME | MS_NOATIME);
  constexpr unsigned long kStored = MS_NOATIME | MS_RELATIME | MS_NODIRATIME;
  return want != (src & kStored);
}

LockedRemount locked_remount_fallback(unsigned long src, unsigned long set, unsigned long cleared) {
  if (unsigned long locked = src & cleared & kMountLockFlags) return {LockedVerdict::cannot_clear, 0, locked};
  // Asked-for atime flags must be exactly the source's: the kernel would
  // otherwise silently let strictatime or noatime win over the others.
  if ((set & kMountAtimeFlags) && (set & kMountAtimeFlags) != (src & kMountAtimeFlags))
    return {LockedVerdict::cannot_change_atime, 0, src & kMountAtimeFlags};
  return {LockedVerdict::locked_kept, set | (src & kMountLockFlags), 0};
}

LockedRemount resolve_locked_remount(unsigned long src, unsigned long set, unsigned long cleared) {
  if (!locked_remount_refused(src, set)) return {LockedVerdict::as_requested, set, 0};
  return locked_remount_fallback(src, set, cleared);
}

}  // namespace orun::init
