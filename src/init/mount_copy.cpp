// tmpcopyup: the directory a tmpfs is about to cover is copied into it first,
// keeping modes and owners (what mrunalp/fileutils.CopyDirectory does for runc).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "init/mount_exec.hpp"

namespace orun::init {

namespace {

Result<void> copy_file(int src_dir, int dst_dir, const std::string& name, const struct stat& st) {
  UniqueFd in(openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return fail_errno("open " + name);
  UniqueFd out(openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                      st.st_mode & 07777));
  if (!out) return fail_errno("create " + name);
  char buf[65536];
  for (;;) {
    ssize_t n = read(in.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read " + name);
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out.get(), buf + off, static_cast<size_t>(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        return fail_errno("write " + name);
      }
      off += w;
    }
  }
  return {};
}

Result<void> copy_entry(int src_dir, int dst_dir, const std::string& name) {
  struct stat st{};
  if (fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno("lstat " + name);
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(dst_dir, name.c_str(), st.st_mode & 07777) < 0 && errno != EEXIST)
      return fail_errno("mkdir " + name);
    UniqueFd s(openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd d(openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!s || !d) return fail_errno("open " + name);
    auto r = copy_tree(s.get(), d.get());
    if (!r) return std::unexpected(std::move(r.error()).context(name));
  } else if (S_ISREG(st.st_mode)) {
    ORUN_TRY_VOID(copy_file(src_dir, dst_dir, name, st));
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlinkat(src_dir, name.c_str(), target.data(), target.size());
    if (n < 0) return fail_errno("readlink " + name);
    target.resize(static_cast<size_t>(n));
    if (symlinkat(target.c_str(), dst_dir, name.c_str()) < 0) return fail_errno("symlink " + name);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
    if (mknodat(dst_dir, name.c_str(), st.st_mode, st.st_rdev) < 0) return fail_errno("mknod " + name);
  } else {
    return {};  // sockets are not copied
  }
  if (fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM &&
      errno != EINVAL)
    return fail_errno("chown " + name);
  if (!S_ISLNK(st.st_mode) && fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0) < 0)
    return fail_errno("chmod " + name);
  return {};
}

}  // namespace

Result<void> copy_tree(int src_dir_fd, int dst_dir_fd) {
  int dup_fd = fcntl(src_dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return fail_errno("dup");
  DIR* dir = fdopendir(dup_fd);
  if (!dir) {
    close(dup_fd);
    return fail_errno("opendir");
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  closedir(dir);
  for (const auto& n : names) ORUN_TRY_VOID(copy_entry(src_dir_fd, dst_dir_fd, n));
  return {};
}

}  // namespace orun::init
