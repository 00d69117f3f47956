// After pivot_root: /dev/console, read-only remounts, readonlyPaths,
// maskedPaths and the read-only root (runc's finalizeRootfs, readonlyPath,
// maskPaths and the console bind of setupConsole).
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <thread>

#include "init/mount_plan.hpp"
#include "init/rootfs.hpp"
#include "orun/fd.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

namespace orun::init {

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

Result<UniqueFd> open_root() {
  UniqueFd fd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno("open /");
  return fd;
}

// Unix98 pty slaves are char devices with majors 136-143 on a devpts mount.
Result<void> verify_pty_slave(int fd) {
  struct stat st{};
  struct statfs sf{};
  if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0) return fail_errno("stat pty peer");
  if (sf.f_type != DEVPTS_SUPER_MAGIC) return fail("pty peer is not on a real devpts mount");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) < 136 || major(st.st_rdev) > 143)
    return fail("pty peer is not a pty slave device");
  return {};
}

// EBUSY can be transient (a file still being closed): runc retries 5 times.
Result<void> remount_ro(const std::string& dest, unsigned long flags) {
  auto root = ORUN_TRY(open_root());
  auto fd = sys::open_in_root(root.get(), dest, O_PATH);
  for (int i = 0; i < 5; ++i) {
    if (fd && sys::mount_setattr_fd(fd->get(), false, MOUNT_ATTR_RDONLY, 0)) return {};
    // The classic call, which also works for an unprivileged user ns.
    unsigned long f = flags | MS_REMOUNT | MS_BIND | MS_RDONLY;
    if (::mount(nullptr, dest.c_str(), nullptr, f, nullptr) == 0) return {};
    if (errno != EBUSY) return fail_errno("mount dst=" + dest + ", flags=" + sys::mount_flags_string(f));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fail("unable to mount " + dest + " as readonly max retries reached");
}

}  // namespace

Result<void> setup_dev_console_fd(int pty_slave_fd) {
  ORUN_TRY_VOID(verify_pty_slave(pty_slave_fd));
  auto root = ORUN_TRY(open_root());
  auto [dev, name] = ORUN_TRY(sys::mkdir_all_parent_in_root(root.get(), "/dev/console", 0755));
  // O_NOFOLLOW: a symlink planted at /dev/console must not redirect the bind
  // onto, say, /proc/sys/kernel/core_pattern (CVE-2025-52565).
  UniqueFd target(openat(dev.get(), name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0666));
  if (!target && errno == EEXIST) {
    target.reset(openat(dev.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st{};
    if (target && fstat(target.get(), &st) == 0 && (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)))
      return fail("create /dev/console: not a regular file or device", ELOOP);
  }
  if (!target) return fail_errno("create /dev/console");
  auto r = sys::bind_fd_onto_fd(pty_slave_fd, target.get(), false);
  if (!r) return std::unexpected(std::move(r.error()).context("bind-mount console"));
  return {};
}

Result<void> setup_dev_console(const std::string& pty_slave_path) {
  UniqueFd peer(open(pty_slave_path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!peer) return fail_errno("open pty peer " + pty_slave_path);
  return setup_dev_console_fd(peer.get());
}

Result<void> remount_readonly_mounts(const RootfsContext& c) {
  for (const auto& m : c.spec->mounts) {
    auto plan = ORUN_TRY(plan_mount(m, c.bundle, c.rootfs));
    if (!plan.needs_late_readonly()) continue;
    ORUN_TRY_VOID(remount_ro(plan.destination, plan.opts.flags));
  }
  return {};
}

Result<void> apply_readonly_paths(const std::vector<std::string>& paths) {
  auto root = ORUN_TRY(open_root());
  for (const auto& p : paths) {
    auto fd = sys::open_in_root(root.get(), p, O_PATH);
    if (!fd) {
      if (fd.error().err == ENOENT) continue;
      return std::unexpected(std::move(fd.error()).context("can't make " + q(p) + " read-only"));
    }
    auto r = sys::bind_self_readonly(fd->get());
    if (!r) return std::unexpected(std::move(r.error()).context("can't make " + q(p) + " read-only"));
  }
  return {};
}

Result<void> apply_masked_paths(const std::vector<std::string>& paths) {
  if (paths.empty()) return {};
  // One handle on /dev/null, checked to be the real char 1:3, is the source
  // of every file mask: a /dev/null swapped for a symlink to a procfs file
  // would otherwise expose that file under every masked path (CVE-2025-31133).
  UniqueFd null(open("/dev/null", O_PATH | O_CLOEXEC));
  if (!null) return fail_errno("can't mask paths: open /dev/null");
  struct stat nst{};
  if (fstat(null.get(), &nst) < 0) return fail_errno("can't mask paths: fstat /dev/null");
  if (!S_ISCHR(nst.st_mode) || nst.st_rdev != makedev(1, 3))
    return fail("can't mask paths: container's /dev/null is invalid");
  auto root = ORUN_TRY(open_root());
  std::set<std::string> done;
  // The first masked directory gets a fresh read-only tmpfs; the others are
  // binds of it (binds keep its read-only flag), as in runc 1.5.
  UniqueFd shared_mask;
  for (const auto& p : paths) {
    auto fd = sys::open_in_root(root.get(), p, O_PATH);
    if (!fd) {
      if (fd.error().err == ENOENT) continue;  // only a missing target is fine
      return std::unexpected(std::move(fd.error()).context("can't mask path " + q(p)));
    }
    if (!done.insert(sys::clean_abs(p)).second) continue;
    struct stat st{};
    if (fstat(fd->get(), &st) < 0) return fail_errno("can't mask path " + q(p));
    if (S_ISDIR(st.st_mode)) {
      if (shared_mask && sys::bind_fd_onto_fd(shared_mask.get(), fd->get(), false)) continue;
      auto r = sys::mount_ro_tmpfs_onto_fd(fd->get(), "nr_blocks=1,nr_inodes=1");
      // Some distribution kernels refuse nr_inodes=1.
      if (!r) r = sys::mount_ro_tmpfs_onto_fd(fd->get(), "nr_blocks=1,nr_inodes=2");
      if (!r) return std::unexpected(std::move(r.error()).context("can't mask dir " + q(p)));
      if (!shared_mask) shared_mask = std::move(*r);
    } else {
      auto r = sys::bind_fd_onto_fd(null.get(), fd->get(), false);
      if (!r) return std::unexpected(std::move(r.error()).context("can't mask path " + q(p)));
    }
  }
  return {};
}

Result<void> make_root_readonly() {
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (::mount(nullptr, "/", nullptr, flags, nullptr) == 0) return {};
  // Locked flags (user ns): keep what the mount already has.
  struct statfs sf{};
  if (statfs("/", &sf) < 0) return fail_errno("statfs /");
  flags |= static_cast<unsigned long>(sf.f_flags) & ~0x20UL;  // minus ST_VALID
  if (::mount(nullptr, "/", nullptr, flags, nullptr) < 0)
    return fail_errno("mount dst=/, flags=" + sys::mount_flags_string(flags));
  return {};
}

Result<void> finalize_rootfs(const RootfsContext& c) {
  const auto& l = c.spec->linux;
  if (!c.new_mount_ns) {
    if (!l.masked_paths.empty() || !l.readonly_paths.empty())
      return fail("unable to restrict sys entries without a private MNT namespace");
    return {};
  }
  ORUN_TRY_VOID(remount_readonly_mounts(c));
  ORUN_TRY_VOID(apply_readonly_paths(l.readonly_paths));
  ORUN_TRY_VOID(apply_masked_paths(l.masked_paths));
  if (c.spec->root && c.spec->root->readonly) {
    auto r = make_root_readonly();
    if (!r) return std::unexpected(std::move(r.error()).context("error setting rootfs as readonly"));
  }
  return {};
}

}  // namespace orun::init
