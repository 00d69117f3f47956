// Mount planning: turns one config.json `mounts[]` entry into the operations
// the executor (mount_exec.cpp) performs. Pure: no syscalls, unit-tested
// without root. The option table is runc's `parseMountOptions`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

enum class MountKind { bind, proc, sysfs, tmpfs, devpts, mqueue, cgroup, other };

// What the options of one mount ask for.
struct MountOptions {
  unsigned long flags = 0;          // MS_* to set (bind, rbind, ro, nosuid, ...)
  unsigned long cleared_flags = 0;  // MS_* the user cleared explicitly (rw, suid, dev, ...)
  std::vector<unsigned long> propagation;  // MS_PRIVATE|MS_REC ..., in option order
  uint64_t rec_attr_set = 0;        // MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE)
  uint64_t rec_attr_clr = 0;
  bool has_rec_attr = false;
  bool tmpcopyup = false;
  bool idmap = false;               // idmap or ridmap given
  bool idmap_recursive = false;     // ridmap
  std::string data;                 // everything else, joined with ','
};

struct MountPlan {
  MountKind kind = MountKind::other;
  std::string source;       // binds: absolute (a relative source joined to the bundle)
  std::string destination;  // cleaned, absolute container path
  std::string fstype;       // "bind" for binds (the configured type is ignored)
  MountOptions opts;
  std::vector<spec::IdMapping> uid_mappings, gid_mappings;
  int source_fd = -1;       // a detached mount to attach instead of mounting `source`

  bool is_bind() const { return kind == MountKind::bind; }
  bool recursive_bind() const;
  // Binds are remounted with the flags when any flag other than
  // bind/rec/remount is set, or any flag was explicitly cleared.
  bool needs_bind_remount() const;
  bool idmapped() const { return opts.idmap || !uid_mappings.empty() || !gid_mappings.empty(); }
  // Flags for the first mount(2) call: tmpfs and /dev are mounted writable
  // (files are made in them) and remounted read-only in finalize.
  unsigned long initial_flags() const;
  // Whether finalize must remount this mount read-only (tmpfs or /dev with ro).
  bool needs_late_readonly() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// Errors: "mount field contains null byte", and for binds with data options
// "bind mounts cannot have any filesystem-specific options applied".
// A destination spelled as a host path inside `rootfs` ("/run/b/rootfs/mnt")
// is taken as the container path below it ("/mnt"), as runc does.
Result<MountPlan> plan_mount(const spec::Mount& m, const std::string& bundle, const std::string& rootfs = "");

// linux.rootfsPropagation -> MS_* flags; "" -> 0 (use the default rslave).
// Unknown: "rootfsPropagation=X is not supported".
Result<unsigned long> parse_rootfs_propagation(const std::string& value);

// Where a resolved container path sits relative to /proc (runc's
// checkProcMount, on the path as seen inside the container).
enum class ProcTarget { outside, proc_root, allowed, forbidden };
ProcTarget classify_proc_target(std::string_view container_path);

// /dev is set up (default nodes, devices, symlinks) unless a bind mount
// covers it.
bool needs_dev_setup(const spec::Spec& s);

// MS_* flags the kernel reports through statfs f_flags (ST_*), runc's
// statfsToMountFlags: ST_RDONLY -> MS_RDONLY ..., strictatime when no atime flag.
unsigned long statfs_to_mount_flags(unsigned long st_flags);

// MS_* flags the kernel locks (MNT_LOCK_*) on the mounts a mount ns copy
// hands to a less privileged user ns: ro, nodev, noexec, nosuid and every
// atime flag (nosymfollow is not lockable).
unsigned long mount_lock_flags();

// Whether the kernel refuses an MS_BIND|MS_REMOUNT with `set` on a mount
// whose flags (statfs_to_mount_flags) are `src` and locked: a set locked
// flag left out, or atime flags asked for that differ from the mount's
// (can_change_locked_flags; no atime flag asked keeps the mount's).
bool locked_remount_refused(unsigned long src, unsigned long set);

// runc's bind remount of a mount with locked flags: the requested flags as
// they are when the kernel takes them, else the source's lockable flags kept
// on top, unless the user explicitly cleared one of them or asked for other
// atime flags (then the mount fails, as runc's does).
enum class LockedVerdict { as_requested, locked_kept, cannot_clear, cannot_change_atime };
struct LockedRemount {
  LockedVerdict verdict = LockedVerdict::as_requested;
  unsigned long flags = 0;      // MS_* for the remount (without MS_BIND|MS_REMOUNT)
  unsigned long offending = 0;  // errors: the locked flags named in the message
};
LockedRemount resolve_locked_remount(unsigned long src, unsigned long set, unsigned long cleared);
// The part after a refusal (never as_requested): runc's retry when the
// kernel refused the remount.
LockedRemount locked_remount_fallback(unsigned long src, unsigned long set, unsigned long cleared);

}  // namespace orun::init
