// Applies one planned mount inside the rootfs (runc's mountToRootfs order).
#include "init/mount_exec.hpp"

#include "init/mount_idmap.hpp"
#include "process/spawn.hpp"
extern "C" {
#include "sync.h"
}

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "init/mount_idmap.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

namespace orun::init {

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

const char* kind_name(MountKind k) { return k == MountKind::proc ? "proc" : "sysfs"; }

// The bind source as the runtime prepared it (a detached tree) or by path.
int source_statfs(const MountPlan& plan, struct statfs* sf) {
  return plan.source_fd >= 0 ? fstatfs(plan.source_fd, sf) : statfs(plan.source.c_str(), sf);
}
int source_stat(const MountPlan& plan, struct stat* st) {
  return plan.source_fd >= 0 ? fstat(plan.source_fd, st) : stat(plan.source.c_str(), st);
}

// runc's checkProcMount, on the container path the target resolved to.
Result<void> check_proc_target(const MountEnv& env, const MountPlan& plan, const std::string& cpath) {
  std::string full = sys::join_path(env.rootfs, cpath);
  switch (classify_proc_target(cpath)) {
    case ProcTarget::outside:
    case ProcTarget::allowed:
      return {};
    case ProcTarget::forbidden:
      return fail(q(full) + " cannot be mounted because it is inside /proc");
    case ProcTarget::proc_root:
      break;
  }
  if (plan.kind == MountKind::proc) return {};  // a fresh procfs is always fine on /proc
  if (plan.is_bind()) {
    struct statfs sf{};
    if (source_statfs(plan, &sf) < 0) return fail_errno("statfs " + plan.source);
    if (sf.f_type == PROC_SUPER_MAGIC) return {};
  }
  return fail(q(full) + " cannot be mounted because it is not of type proc");
}

// The target of a proc or sysfs mount must be a real directory, never a
// symlink (CVE-2019-16884): the last component is looked at without
// following it, the parents are resolved inside the root.
Result<UniqueFd> open_proc_sys_target(const MountEnv& env, const MountPlan& plan) {
  ORUN_TRY_VOID(check_proc_target(env, plan, plan.destination));
  auto [parent, name] = ORUN_TRY(sys::mkdir_all_parent_in_root(env.root_fd, plan.destination, 0755));
  struct stat st{};
  if (fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISDIR(st.st_mode))
      return fail("filesystem " + q(kind_name(plan.kind)) + " must be mounted on ordinary directory");
  } else if (errno != ENOENT) {
    return fail_errno("lstat " + plan.destination);
  } else if (mkdirat(parent.get(), name.c_str(), 0755) < 0 && errno != EEXIST) {
    return fail_errno("mkdir " + plan.destination);
  }
  UniqueFd fd(openat(parent.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOTDIR || errno == ELOOP)
      return fail("filesystem " + q(kind_name(plan.kind)) + " must be mounted on ordinary directory");
    return fail_errno("open " + plan.destination);
  }
  // The parents may hold symlinks: check where the target really is.
  auto real = ORUN_TRY(sys::fd_readlink(fd.get()));
  if (!sys::is_lexically_in_root(env.rootfs, real))
    return fail("mountpoint " + q(real) + " is outside of rootfs " + q(env.rootfs));
  ORUN_TRY_VOID(check_proc_target(env, plan, sys::strip_root(env.rootfs, real)));
  return fd;
}

// runc's createOpenMountpoint: find or create the target (a file for a file
// bind source, else a directory), then verify it is inside the rootfs and is
// not the rootfs itself. For tmpfs over an existing target, its mode is kept.
Result<UniqueFd> open_mountpoint(const MountEnv& env, MountPlan& plan) {
  auto found = sys::open_in_root(env.root_fd, plan.destination, O_PATH);
  UniqueFd dst;
  if (found) {
    dst = std::move(*found);
    if (plan.kind == MountKind::tmpfs) {
      struct stat st{};
      if (fstat(dst.get(), &st) < 0) return fail_errno("check tmpfs source mode");
      char mode[32];
      std::snprintf(mode, sizeof mode, "mode=%04o", st.st_mode & 07777);
      plan.opts.data = plan.opts.data.empty() ? mode : std::string(mode) + "," + plan.opts.data;
    }
  } else {
    if (found.error().err != ENOENT)
      return std::unexpected(std::move(found.error()).context("lookup mountpoint target"));
    bool is_file = false;
    if (plan.is_bind()) {
      struct stat st{};
      if (source_stat(plan, &st) < 0) return fail_errno("stat " + plan.source);
      is_file = !S_ISDIR(st.st_mode);
    }
    auto made = is_file ? sys::create_in_root(env.root_fd, plan.destination, 0644)
                        : sys::mkdir_all_in_root(env.root_fd, plan.destination, 0755);
    if (!made) return std::unexpected(std::move(made.error()).context("make mountpoint " + q(plan.destination)));
    dst = std::move(*made);
  }
  auto real = ORUN_TRY(sys::fd_readlink(dst.get()));
  if (!sys::is_lexically_in_root(env.rootfs, real))
    return fail("mountpoint " + q(real) + " is outside of rootfs " + q(env.rootfs));
  if (sys::clean_path(real) == sys::clean_path(env.rootfs))
    return fail("mountpoint " + q(real) + " is on the top of rootfs " + q(env.rootfs));
  auto checked = check_proc_target(env, plan, sys::strip_root(env.rootfs, real));
  if (!checked)
    return std::unexpected(std::move(checked.error()).context("check proc-safety of " + plan.destination + " mount"));
  return dst;
}

// "mount --bind -o flags": remount the new bind with the requested flags.
// Inside a user ns some flags of the source are locked; then retry with the
// source's locked flags kept, unless the user explicitly cleared one of them.
//
// `emulate_locks`: the mount is a clone the runtime made on the host side
// (prepare_mount_sources), which the kernel did not lock, where runc binds
// the source from the container's mount ns, which it did. The decision the
// kernel would make is taken from the clone's own flags (they are the
// source's) so the result is the same as runc's.
Result<void> remount_bind(const MountPlan& plan, int fd, bool emulate_locks = false) {
  unsigned long flags = plan.opts.flags | MS_BIND | MS_REMOUNT;
  auto reapply = [&](unsigned long src, unsigned long with) -> Result<void> {
    auto again = sys::mount_onto_fd("", fd, plan.destination, "", with | MS_BIND | MS_REMOUNT, "");
    if (!again)
      return std::unexpected(std::move(again.error())
                                 .context("remount with locked flags " +
                                          sys::mount_flags_string(src & mount_lock_flags()) + " re-applied"));
    return {};
  };
  // After a refusal: runc's retry with the source's locked flags kept, or
  // its error when the user asked to clear or change one of them.
  auto after_refusal = [&](unsigned long src, const std::string& first_err, int err) -> Result<void> {
    auto r = locked_remount_fallback(src, plan.opts.flags, plan.opts.cleared_flags);
    if (r.verdict == LockedVerdict::cannot_clear)
      return fail("cannot clear locked flags " + sys::mount_flags_string(r.offending) + ": " + first_err, err);
    if (r.verdict == LockedVerdict::cannot_change_atime)
      return fail("cannot change locked atime flags " + sys::mount_flags_string(r.offending) + ": " + first_err,
                  err);
    return reapply(src, r.flags);
  };
  if (emulate_locks) {
    struct statfs sf{};
    if (fstatfs(fd, &sf) < 0) return fail_errno("fstatfs " + plan.destination);
    unsigned long src = statfs_to_mount_flags(static_cast<unsigned long>(sf.f_flags));
    if (locked_remount_refused(src, plan.opts.flags)) {
      std::string first = "mount dst=" + plan.destination + ", dstFd=" + sys::fd_path(fd) +
                          ", flags=" + sys::mount_flags_string(flags) + ": " + errno_text(EPERM);
      return after_refusal(src, first, EPERM);
    }
  }
  auto first = sys::mount_onto_fd("", fd, plan.destination, "", flags, "");
  if (first) return {};
  struct statfs sf{};
  if (source_statfs(plan, &sf) < 0) return fail_errno("statfs " + plan.source);
  unsigned long src = statfs_to_mount_flags(static_cast<unsigned long>(sf.f_flags));
  return after_refusal(src, first.error().msg, first.error().err);
}

// A private scratch dir on the host side of the mount tree for tmpcopyup:
// MS_MOVE refuses to move a mount whose parent is shared.
struct ScratchDir {
  std::string outer, inner;
  ~ScratchDir() {
    if (!inner.empty()) rmdir(inner.c_str());
    if (!outer.empty()) {
      umount2(outer.c_str(), MNT_DETACH);
      rmdir(outer.c_str());
    }
  }
};

Result<void> tmpfs_copyup(const MountPlan& plan, int dst_fd) {
  ScratchDir s;
  char tmpl[] = "/tmp/orun-copyup.XXXXXX";
  if (!mkdtemp(tmpl)) return fail_errno("tmpcopyup: failed to setup tmpdir");
  s.outer = tmpl;
  if (mount(s.outer.c_str(), s.outer.c_str(), nullptr, MS_BIND, nullptr) < 0 ||
      mount(nullptr, s.outer.c_str(), nullptr, MS_PRIVATE, nullptr) < 0)
    return fail_errno("tmpcopyup: failed to setup tmpdir");
  s.inner = s.outer + "/tmpdir";
  if (mkdir(s.inner.c_str(), 0700) < 0) return fail_errno("tmpcopyup: failed to create tmpdir");
  if (mount(plan.source.c_str(), s.inner.c_str(), plan.fstype.c_str(), plan.initial_flags(),
            plan.opts.data.empty() ? nullptr : plan.opts.data.c_str()) < 0)
    return fail_errno("tmpcopyup: mount tmpfs on " + s.inner);
  bool moved = false;
  ScopeGuard undo([&] {
    if (!moved) umount2(s.inner.c_str(), MNT_DETACH);
  });
  {
    UniqueFd src(open(sys::fd_path(dst_fd).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src) return fail_errno("tmpcopyup: open " + plan.destination);
    UniqueFd dst(open(s.inner.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dst) return fail_errno("tmpcopyup: open " + s.inner);
    auto copied = copy_tree(src.get(), dst.get());
    if (!copied)
      return std::unexpected(std::move(copied.error())
                                 .context("tmpcopyup: failed to copy " + plan.destination + " to " + s.inner));
  }
  auto moved_r = sys::mount_onto_fd(s.inner, dst_fd, plan.destination, "", MS_MOVE, "");
  if (!moved_r) return std::unexpected(std::move(moved_r.error()).context("tmpcopyup: failed to move mount"));
  moved = true;
  return {};
}

// Re-open a mountpoint after something was mounted on it: the old fd still
// names the covered inode. Re-resolve the same path and insist it did not move.
Result<UniqueFd> reopen_after_mount(const MountEnv& env, int old_fd) {
  auto real = ORUN_TRY(sys::fd_readlink(old_fd));
  if (!sys::is_lexically_in_root(env.rootfs, real))
    return fail("mountpoint " + q(real) + " is outside of rootfs " + q(env.rootfs));
  std::string rel = sys::strip_root(env.rootfs, real);
  auto fd = sys::open_in_root(env.root_fd, rel, O_PATH);
  if (!fd) return std::unexpected(std::move(fd.error()).context("re-open mountpoint " + q(rel)));
  auto again = ORUN_TRY(sys::fd_readlink(fd->get()));
  if (again != real) return fail("mountpoint " + q(rel) + " was moved while re-opening");
  return fd;
}

Result<void> apply_propagation(const MountPlan& plan, int fd) {
  for (unsigned long p : plan.opts.propagation) {
    auto r = sys::mount_onto_fd("", fd, plan.destination, "", p, "");
    if (!r) return std::unexpected(std::move(r.error()).context("change mount propagation through procfd"));
  }
  return {};
}

Result<void> apply_rec_attr(const MountPlan& plan, int fd) {
  if (!plan.opts.has_rec_attr) return {};
  return sys::mount_setattr_fd(fd, true, plan.opts.rec_attr_set, plan.opts.rec_attr_clr);
}

}  // namespace

Result<UniqueFd> make_idmapped_tree(const spec::Spec& s, const MountPlan& plan) {
  bool own = !plan.uid_mappings.empty() || !plan.gid_mappings.empty();
  auto ns = ORUN_TRY(sys::userns_with_maps(format_id_map(own ? plan.uid_mappings : s.linux.uid_mappings),
                                           format_id_map(own ? plan.gid_mappings : s.linux.gid_mappings)));
  auto tree = sys::open_idmapped_tree(plan.source, plan.recursive_bind(), plan.opts.idmap_recursive, ns.get());
  if (!tree) return std::unexpected(std::move(tree.error()).context("id-mapped mount " + plan.destination));
  return tree;
}

Result<UniqueFd> mount_propagate(const MountEnv& env, const MountPlan& plan, int dst_fd) {
  if (plan.kind == MountKind::tmpfs && plan.opts.tmpcopyup) {
    ORUN_TRY_VOID(tmpfs_copyup(plan, dst_fd));
  } else if (plan.source_fd >= 0) {
    ORUN_TRY_VOID(sys::attach_tree_onto_fd(plan.source_fd, dst_fd));
  } else {
    ORUN_TRY_VOID(sys::mount_onto_fd(plan.source, dst_fd, plan.destination, plan.fstype, plan.initial_flags(),
                                     plan.opts.data));
  }
  auto fd = reopen_after_mount(env, dst_fd);
  if (!fd) return std::unexpected(std::move(fd.error()).context("reopen mountpoint after mount"));
  ORUN_TRY_VOID(apply_propagation(plan, fd->get()));
  return fd;
}

Result<void> mount_plan_unwrapped(const MountEnv& env, MountPlan plan) {
  if (plan.kind == MountKind::proc || plan.kind == MountKind::sysfs) {
    auto dst = ORUN_TRY(open_proc_sys_target(env, plan));
    auto mounted = mount_propagate(env, plan, dst.get());
    if (!mounted && plan.kind == MountKind::sysfs && mounted.error().err == EPERM && env.ctx->in_userns &&
        !(env.ctx->spec && env.ctx->spec->linux.has_namespace(spec::NamespaceType::network))) {
      // A user ns that does not own the network ns may not mount sysfs:
      // bind the host's /sys instead, as runc does for rootless containers.
      MountPlan b = plan;
      b.kind = MountKind::bind;
      b.fstype = "bind";
      b.source = "/sys";
      b.opts.flags |= MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV;
      auto fd = ORUN_TRY(mount_propagate(env, b, dst.get()));
      if (b.needs_bind_remount()) ORUN_TRY_VOID(remount_bind(b, fd.get()));
      return apply_rec_attr(b, fd.get());
    }
    if (!mounted) return std::unexpected(std::move(mounted.error()));
    return apply_rec_attr(plan, mounted->get());
  }
  auto opened = open_mountpoint(env, plan);
  if (!opened)
    return std::unexpected(std::move(opened.error()).context("create mountpoint for " + plan.destination + " mount"));
  UniqueFd dst = std::move(*opened);
  UniqueFd local_tree;
  if (plan.idmapped() && plan.source_fd < 0) {
    // Outside a user ns the init still holds the host's privileges and can
    // build the id-mapped tree itself, also from a source that only exists
    // in its own mount ns (an earlier mount of the container).
    if (env.ctx->in_userns) {
      // In a user ns the init can't make it: the parent joins our mount ns
      // with the host's privileges and sends the tree back.
      if (env.ctx->sync_fd < 0)
        return fail("id-mapped mount of " + plan.source + " needs a mount fd prepared by the runtime");
      IdmapRequest req{plan.source, plan.recursive_bind(), plan.opts.idmap_recursive,
                       format_id_map(plan.uid_mappings), format_id_map(plan.gid_mappings)};
      local_tree = ORUN_TRY(process::child_request_fd(env.ctx->sync_fd, ORUN_SYNC_MOUNT_REQ, req.encode()));
    } else {
      local_tree = ORUN_TRY(make_idmapped_tree(*env.ctx->spec, plan));
    }
    plan.source_fd = local_tree.get();
  }
  if (plan.kind == MountKind::cgroup) return mount_cgroup(env, plan, dst.get());
  auto fd = ORUN_TRY(mount_propagate(env, plan, dst.get()));
  if (plan.is_bind() && plan.needs_bind_remount()) {
    // Host-made clones of plain binds stand in for runc's bind from inside
    // the user ns, whose locked flags must be honoured; id-mapped trees are
    // host-made in runc too, so they are not locked there either.
    bool emulate_locks = env.ctx->in_userns && plan.source_fd >= 0 && !plan.idmapped();
    auto r = remount_bind(plan, fd.get(), emulate_locks);
    if (!r) return std::unexpected(std::move(r.error()).context("failed to set user-requested vfs flags on bind-mount"));
  }
  return apply_rec_attr(plan, fd.get());
}

Result<void> mount_into_rootfs(const MountEnv& env, const MountPlan& plan) {
  auto r = mount_plan_unwrapped(env, plan);
  if (!r)
    return std::unexpected(std::move(r.error()).context("error mounting " + q(plan.source) + " to rootfs at " +
                                                        q(plan.destination)));
  return {};
}

}  // namespace orun::init
