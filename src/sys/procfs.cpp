#include "sys/procfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace orun::sys {

namespace {

// The procfs root directory always has inode number 1 (PROC_ROOT_INO).
constexpr ino_t kProcRootIno = 1;

// openat2 is missing from glibc 2.36.
int sys_openat2(int dirfd, const char* path, const struct open_how* how) {
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, how, sizeof(*how)));
}

Result<void> check_on_procfs(int fd, std::string_view what) {
  struct statfs sfs{};
  if (::fstatfs(fd, &sfs) < 0) return fail_errno("fstatfs " + std::string(what));
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return fail(std::string(what) + " is not on procfs", EXDEV);
  return {};
}

// The mount id of fd (statx STATX_MNT_ID, Linux 5.8), or 0 when unknown.
uint64_t mount_id(int fd) {
  struct statx stx{};
  if (::statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0) return 0;
  if (!(stx.stx_mask & STATX_MNT_ID)) return 0;
  return stx.stx_mnt_id;
}

Result<void> verify_procfs_root(int fd) {
  ORUN_TRY_VOID(check_on_procfs(fd, "procfs root"));
  struct stat st{};
  if (::fstat(fd, &st) < 0) return fail_errno("fstat procfs root");
  if (st.st_ino != kProcRootIno || !S_ISDIR(st.st_mode))
    return fail("procfs handle is not the root of a proc mount", EXDEV);
  return {};
}

Result<UniqueFd> fresh_procfs(ProcfsView view) {
  UniqueFd fsfd(::fsopen("proc", FSOPEN_CLOEXEC));
  if (!fsfd) return fail_errno("fsopen proc");
  if (view == ProcfsView::pids &&
      ::fsconfig(fsfd.get(), FSCONFIG_SET_STRING, "subset", "pid", 0) < 0)
    return fail_errno("fsconfig proc subset=pid");
  if (::fsconfig(fsfd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
    return fail_errno("fsconfig proc create");
  UniqueFd mnt(::fsmount(fsfd.get(), FSMOUNT_CLOEXEC,
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  if (!mnt) return fail_errno("fsmount proc");
  return mnt;
}

Result<UniqueFd> cloned_procfs() {
  // Non-recursive on purpose: a clone without submounts cannot carry a
  // container's bind mount over a proc file.
  UniqueFd fd(::open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (!fd) return fail_errno("open_tree /proc");
  return fd;
}

Result<UniqueFd> host_procfs() {
  UniqueFd fd(::open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open /proc");
  return fd;
}

// Per-component walk with O_NOFOLLOW, for kernels without openat2. Mount
// crossings are caught afterwards by the mount id comparison.
Result<UniqueFd> walk_nofollow(int root, const std::string& rel, int flags) {
  UniqueFd cur;
  int dir = root;
  size_t pos = 0;
  while (true) {
    size_t slash = rel.find('/', pos);
    std::string comp = rel.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    bool last = slash == std::string::npos;
    int f = last ? (flags | O_NOFOLLOW | O_CLOEXEC) : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int fd = ::openat(dir, comp.c_str(), f);
    if (fd < 0) return fail_errno("open /proc/" + rel);
    cur.reset(fd);
    dir = cur.get();
    if (last) return cur;
    pos = slash + 1;
  }
}

}  // namespace

bool is_plain_relative_path(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t slash = p.find('/', pos);
    std::string_view comp = p.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (comp.empty() || comp == "." || comp == "..") return false;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return true;
}

std::string resolve_self_path(std::string_view rel, pid_t pid, pid_t tid) {
  auto first_is = [&](std::string_view name) {
    return rel.substr(0, name.size()) == name && (rel.size() == name.size() || rel[name.size()] == '/');
  };
  if (first_is("thread-self"))
    return std::to_string(pid) + "/task/" + std::to_string(tid) + std::string(rel.substr(11));
  if (first_is("self")) return std::to_string(pid) + std::string(rel.substr(4));
  return std::string(rel);
}

Result<UniqueFd> open_procfs(ProcfsView view) {
  // Each fallback is tried on any error: fsopen can be denied by LSMs or, in a
  // user namespace, by the "proc must be fully visible" rule; open_tree of a
  // proc mount with locked submounts fails with EINVAL in a user namespace.
  auto fd = fresh_procfs(view);
  if (!fd) fd = cloned_procfs();
  if (!fd) fd = host_procfs();
  if (!fd) return std::unexpected(fd.error());
  ORUN_TRY_VOID(verify_procfs_root(fd->get()));
  return std::move(*fd);
}

Result<UniqueFd> open_proc_file(int procfs_fd, const std::string& relpath, int flags) {
  if (!is_plain_relative_path(relpath))
    return fail("invalid procfs path " + relpath, EINVAL);
  std::string rel = resolve_self_path(relpath, ::getpid(), ::gettid());
  std::string what = "/proc/" + relpath;

  struct open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
  UniqueFd fd(sys_openat2(procfs_fd, rel.c_str(), &how));
  if (!fd) {
    if (errno != ENOSYS) return fail_errno("open " + what);
    fd = ORUN_TRY(walk_nofollow(procfs_fd, rel, flags));
  }
  ORUN_TRY_VOID(check_on_procfs(fd.get(), what));
  // Same mount as the root: nothing was mounted over the file (CVE-2025-52881).
  uint64_t root_mnt = mount_id(procfs_fd);
  uint64_t file_mnt = mount_id(fd.get());
  if (root_mnt != 0 && file_mnt != 0 && root_mnt != file_mnt)
    return fail(what + " is over-mounted", EXDEV);
  return fd;
}

Result<void> write_proc_file(int procfs_fd, const std::string& relpath, std::string_view data) {
  UniqueFd fd = ORUN_TRY(open_proc_file(procfs_fd, relpath, O_WRONLY));
  ssize_t n;
  do {
    n = ::write(fd.get(), data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("write /proc/" + relpath);
  if (static_cast<size_t>(n) != data.size())
    return fail("write /proc/" + relpath + ": short write", EIO);
  return {};
}

Result<std::string> read_proc_file(int procfs_fd, const std::string& relpath) {
  UniqueFd fd = ORUN_TRY(open_proc_file(procfs_fd, relpath, O_RDONLY));
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read /proc/" + relpath);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace orun::sys
