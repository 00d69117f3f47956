// prepare_rootfs and enter_rootfs: everything up to and including the switch
// to the container's root (runc's prepareRootfs).
#include "init/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "init/devices.hpp"
#include "init/mount_exec.hpp"
#include "init/mount_plan.hpp"
#include "orun/fd.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

namespace orun::init {

namespace {

Result<void> mount_path(const char* src, const std::string& dst, const char* type, unsigned long flags) {
  if (::mount(src, dst.c_str(), type, flags, nullptr) < 0) {
    int e = errno;
    std::string m = "mount ";
    if (src) m += std::string("src=") + src + ", ";
    m += "dst=" + dst + ", flags=" + sys::mount_flags_string(flags);
    return fail(m + ": " + errno_text(e), e);
  }
  return {};
}

// pivot_root fails under a shared parent, and the rootfs self-bind would
// propagate (leak) into the host under one: make the mount holding the rootfs
// private, walking up to the nearest mount point.
Result<void> make_parent_mount_private(std::string path) {
  for (;;) {
    if (::mount(nullptr, path.c_str(), nullptr, MS_PRIVATE, nullptr) == 0) return {};
    if (errno != EINVAL || path == "/") break;
    path = sys::split_path(path).first;
  }
  return fail_errno("remount-private dst=" + path + ", flags=MS_PRIVATE");
}

Result<void> prepare_root(const RootfsContext& c, unsigned long propagation) {
  ORUN_TRY_VOID(mount_path(nullptr, "/", nullptr, propagation ? propagation : MS_SLAVE | MS_REC));
  ORUN_TRY_VOID(make_parent_mount_private(c.rootfs));
  return mount_path(c.rootfs.c_str(), c.rootfs, "bind", MS_BIND | MS_REC);
}

Result<UniqueFd> open_rootfs(const std::string& rootfs) {
  UniqueFd fd(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno("open rootfs handle");
  return fd;
}

Result<void> pivot_root(int root_fd) {
  UniqueFd old_root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!old_root) return fail_errno("open /");
  if (fchdir(root_fd) < 0) return fail_errno("chdir rootfs");
  // pivot_root(".", ".") stacks the old root on top of the new one; no
  // directory in the rootfs is needed to hold it.
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail_errno("pivot_root .");
  if (fchdir(old_root.get()) < 0) return fail_errno("fchdir old root");
  // rslave first so the lazy unmount below never propagates to the host.
  ORUN_TRY_VOID(mount_path(nullptr, ".", nullptr, MS_SLAVE | MS_REC));
  if (umount2(".", MNT_DETACH) < 0) return fail_errno("unmount old root");
  if (chdir("/") < 0) return fail_errno("chdir /");
  return {};
}

Result<void> chroot_here() {
  if (chroot(".") < 0) return fail_errno("chroot .");
  if (chdir("/") < 0) return fail_errno("chdir /");
  return {};
}

// --no-pivot: a chroot leaves the host's full procfs and sysfs mounts
// reachable, and the kernel lets a container mount a new procfs while one is
// visible. Hide them (unmount, or cover with tmpfs) before moving the rootfs.
Result<void> ms_move_root(const std::string& rootfs) {
  std::vector<std::string> hide;
  {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ss(line);
      std::vector<std::string> f;
      for (std::string w; ss >> w;) f.push_back(w);
      size_t dash = 0;
      while (dash < f.size() && f[dash] != "-") ++dash;
      if (dash < 5 || dash + 1 >= f.size()) continue;
      const std::string& fstype = f[dash + 1];
      if (f[3] != "/" || (fstype != "proc" && fstype != "sysfs")) continue;
      if (f[4].rfind(rootfs, 0) == 0) continue;
      hide.push_back(f[4]);
    }
  }
  for (const auto& p : hide) {
    if (::mount(nullptr, p.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
      if (errno == ENOENT) continue;  // a parent was already unmounted
      return fail_errno("mount dst=" + p + ", flags=MS_SLAVE|MS_REC");
    }
    if (umount2(p.c_str(), MNT_DETACH) < 0) {
      if (errno != EINVAL && errno != EPERM) return fail_errno("unmount " + p);
      ORUN_TRY_VOID(mount_path("tmpfs", p, "tmpfs", 0));
    }
  }
  ORUN_TRY_VOID(mount_path(rootfs.c_str(), "/", nullptr, MS_MOVE));
  return chroot_here();
}

// Stdio that pointed at the host's /dev/null now points at the container's.
Result<void> reopen_dev_null() {
  UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) return fail_errno("open /dev/null");
  struct stat st{};
  if (fstat(null.get(), &st) < 0) return fail_errno("fstat /dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    return fail("can't reopen /dev/null: container's /dev/null is invalid");
  for (int fd = 0; fd < 3; ++fd) {
    struct stat s{};
    if (fstat(fd, &s) < 0) return fail_errno("fstat fd " + std::to_string(fd));
    if (S_ISCHR(s.st_mode) && s.st_rdev == makedev(1, 3) && dup3(null.get(), fd, 0) < 0)
      return fail_errno("dup3");
  }
  return {};
}

}  // namespace

Result<void> prepare_rootfs(const RootfsContext& c) {
  const spec::Spec& s = *c.spec;
  auto prop = ORUN_TRY(parse_rootfs_propagation(s.linux.rootfs_propagation));
  if (c.no_pivot && (prop & MS_PRIVATE))
    return fail("rootfsPropagation of [r]private is not safe without pivot_root");
  // Without a mount ns every mount lands on the host: leave the host's
  // propagation alone and do not stack a self-bind there.
  if (c.new_mount_ns) {
    auto r = prepare_root(c, prop);
    if (!r) return std::unexpected(std::move(r.error()).context("error preparing rootfs"));
  }
  auto root_fd = ORUN_TRY(open_rootfs(c.rootfs));
  MountEnv env{&c, root_fd.get(), ORUN_TRY(sys::fd_readlink(root_fd.get()))};
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    auto plan = ORUN_TRY(plan_mount(s.mounts[i], c.bundle, c.rootfs));
    if (auto it = c.source_fds.find(i); it != c.source_fds.end()) plan.source_fd = it->second;
    ORUN_TRY_VOID(mount_into_rootfs(env, plan));
  }
  if (needs_dev_setup(s)) {
    auto r = setup_dev(root_fd.get(), s, c.in_userns);
    if (!r) return std::unexpected(std::move(r.error()).context("configuring container /dev"));
  }
  return {};
}

Result<void> enter_rootfs(const RootfsContext& c) {
  const spec::Spec& s = *c.spec;
  auto prop = ORUN_TRY(parse_rootfs_propagation(s.linux.rootfs_propagation));
  auto root_fd = ORUN_TRY(open_rootfs(c.rootfs));
  if (fchdir(root_fd.get()) < 0) return fail_errno("chdir " + c.rootfs);
  Result<void> jailed;
  if (c.no_pivot) jailed = ms_move_root(c.rootfs);
  else if (c.new_mount_ns) jailed = pivot_root(root_fd.get());
  else jailed = chroot_here();
  if (!jailed) return std::unexpected(std::move(jailed.error()).context("error jailing process inside rootfs"));
  // Applied to the new "/" only now: before the pivot it was the host's
  // root, and a shared flag there would reach the host. Private was already
  // applied to the rootfs parent.
  if (c.new_mount_ns && prop && !(prop & MS_PRIVATE)) {
    auto r = mount_path(nullptr, "/", nullptr, prop);
    if (!r) return std::unexpected(std::move(r.error()).context("unable to apply root propagation flags"));
  }
  if (needs_dev_setup(s)) {
    auto r = reopen_dev_null();
    if (!r) return std::unexpected(std::move(r.error()).context("error reopening /dev/null inside container"));
  }
  return {};
}

}  // namespace orun::init
