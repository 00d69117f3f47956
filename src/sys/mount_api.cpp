#include "sys/mount_api.hpp"
#include "sys/procfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

#include "sys/path.hpp"

namespace orun::sys {

namespace {

int g_new_api = -1;  // -1 unknown, 0 missing, 1 present

void note_enosys(int err) {
  if (err == ENOSYS) g_new_api = 0;
}

std::string mount_error(const std::string& source, const std::string& dst, int dst_fd,
                        unsigned long flags, const std::string& data, int err) {
  std::string out = "mount ";
  if (!source.empty()) out += "src=" + source + ", ";
  out += "dst=" + dst;
  if (dst_fd >= 0) out += ", dstFd=" + fd_path(dst_fd);
  if (flags) out += ", flags=" + mount_flags_string(flags);
  if (!data.empty()) out += ", data=" + data;
  return out + ": " + errno_text(err);
}

}  // namespace

std::string mount_flags_string(unsigned long flags) {
  static constexpr struct {
    std::string_view name;
    unsigned long bits;
  } kNames[] = {
      {"MS_RDONLY", MS_RDONLY},     {"MS_NOSUID", MS_NOSUID},
      {"MS_NODEV", MS_NODEV},       {"MS_NOEXEC", MS_NOEXEC},
      {"MS_SYNCHRONOUS", MS_SYNCHRONOUS}, {"MS_REMOUNT", MS_REMOUNT},
      {"MS_MANDLOCK", MS_MANDLOCK}, {"MS_DIRSYNC", MS_DIRSYNC},
      {"MS_NOSYMFOLLOW", MS_NOSYMFOLLOW}, {"MS_NOATIME", MS_NOATIME},
      {"MS_NODIRATIME", MS_NODIRATIME}, {"MS_BIND", MS_BIND},
      {"MS_MOVE", MS_MOVE},         {"MS_REC", MS_REC},
      {"MS_SILENT", MS_SILENT},     {"MS_POSIXACL", MS_POSIXACL},
      {"MS_UNBINDABLE", MS_UNBINDABLE}, {"MS_PRIVATE", MS_PRIVATE},
      {"MS_SLAVE", MS_SLAVE},       {"MS_SHARED", MS_SHARED},
      {"MS_RELATIME", MS_RELATIME}, {"MS_I_VERSION", MS_I_VERSION},
      {"MS_STRICTATIME", MS_STRICTATIME}, {"MS_LAZYTIME", MS_LAZYTIME},
  };
  std::string out;
  unsigned long seen = 0;
  for (const auto& n : kNames) {
    if ((flags & n.bits) == n.bits) {
      seen |= n.bits;
      if (!out.empty()) out += '|';
      out += n.name;
    }
  }
  if (unsigned long rest = flags & ~seen) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", rest);
    if (!out.empty()) out += '|';
    out += buf;
  }
  return out;
}

Result<void> mount_onto_fd(const std::string& source, int dst_fd, const std::string& dst_name,
                           const std::string& fstype, unsigned long flags, const std::string& data) {
  std::string target = fd_path(dst_fd);
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(),
              fstype.empty() ? nullptr : fstype.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) < 0) {
    int e = errno;
    return fail(mount_error(source, dst_name, dst_fd, flags, data, e), e);
  }
  return {};
}

Result<void> mount_setattr_fd(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                              uint64_t propagation) {
  struct mount_attr attr{};
  attr.attr_set = attr_set;
  attr.attr_clr = attr_clr;
  attr.propagation = propagation;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(fd, "", flags, &attr, sizeof attr) < 0) return fail_errno("mount_setattr");
  return {};
}

bool have_new_mount_api() {
  if (g_new_api < 0) {
    // open_tree without OPEN_TREE_CLONE just opens a path: a cheap probe.
    int fd = ::open_tree(AT_FDCWD, "/", OPEN_TREE_CLOEXEC);
    if (fd >= 0) close(fd);
    g_new_api = (fd < 0 && errno == ENOSYS) ? 0 : 1;
  }
  return g_new_api == 1;
}

Result<void> bind_fd_onto_fd(int src_fd, int dst_fd, bool recursive) {
  if (have_new_mount_api()) {
    UniqueFd tree(::open_tree(src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                              (recursive ? AT_RECURSIVE : 0)));
    if (!tree) {
      note_enosys(errno);
      if (errno != ENOSYS) return fail_errno("open_tree(OPEN_TREE_CLONE) " + fd_path(src_fd));
    } else {
      if (::move_mount(tree.get(), "", dst_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return fail_errno("move_mount onto " + fd_path(dst_fd));
      return {};
    }
  }
  unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
  return mount_onto_fd(fd_path(src_fd), dst_fd, fd_path(dst_fd), "", flags, "");
}

Result<void> attach_tree_onto_fd(int tree_fd, int dst_fd) {
  if (::move_mount(tree_fd, "", dst_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return fail_errno("move_mount onto " + fd_path(dst_fd));
  return {};
}

Result<UniqueFd> open_idmapped_tree(const std::string& source, bool clone_recursive, bool idmap_recursive,
                                    int userns_fd) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (clone_recursive ? AT_RECURSIVE : 0);
  UniqueFd tree(::open_tree(AT_FDCWD, source.c_str(), flags));
  if (!tree) return fail_errno("open_tree(OPEN_TREE_CLONE) " + source);
  struct mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | (idmap_recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return fail_errno("mount_setattr(MOUNT_ATTR_IDMAP) " + source);
  return tree;
}

Result<UniqueFd> userns_with_maps(const std::string& uid_map, const std::string& gid_map) {
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd rd(sync[0]), wr(sync[1]);
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    // Only async-signal-safe calls here: unshare, then wait for the parent.
    wr.reset();
    char c;
    if (::unshare(CLONE_NEWUSER) < 0) _exit(1);
    while (::read(rd.get(), &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  rd.reset();
  auto reap = [&] {
    wr.reset();  // EOF wakes the child
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };
  // A procfs of our own pid namespace: in a container init before pivot,
  // "/proc" is still the host's and "/proc/<pid>" would name a host process.
  auto procfs = open_procfs();
  if (!procfs) {
    reap();
    return std::unexpected(std::move(procfs.error()));
  }
  std::string base = std::to_string(pid);
  // Wait until the child is in its own user ns (its ns link changes).
  struct stat self{}, child{};
  if (stat("/proc/self/ns/user", &self) < 0) {
    reap();
    return fail_errno("stat /proc/self/ns/user");
  }
  for (int i = 0; i < 10000; ++i) {
    if (fstatat(procfs->get(), (base + "/ns/user").c_str(), &child, 0) < 0) break;
    if (child.st_ino != self.st_ino) break;
    usleep(100);
  }
  auto r = write_proc_file(procfs->get(), base + "/uid_map", uid_map);
  if (r) r = write_proc_file(procfs->get(), base + "/gid_map", gid_map);
  UniqueFd ns;
  if (r) {
    ns.reset(openat(procfs->get(), (base + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) r = fail_errno("open " + base + "/ns/user");
  }
  reap();
  if (!r) return std::unexpected(std::move(r.error()));
  return ns;
}

Result<void> bind_self_readonly(int fd) {
  if (have_new_mount_api()) {
    UniqueFd tree(::open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
    if (tree) {
      // Read-only before it is attached: nothing ever sees it writable.
      ORUN_TRY_VOID(mount_setattr_fd(tree.get(), false, MOUNT_ATTR_RDONLY, 0));
      if (::move_mount(tree.get(), "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return fail_errno("move_mount onto " + fd_path(fd));
      return {};
    }
    note_enosys(errno);
    if (errno != ENOSYS) return fail_errno("open_tree(OPEN_TREE_CLONE) " + fd_path(fd));
  }
  auto path = ORUN_TRY(fd_readlink(fd));
  if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
    return fail_errno("mount src=" + path + ", dst=" + path + ", flags=MS_BIND|MS_REC");
  struct statfs sf{};
  if (::statfs(path.c_str(), &sf) < 0) return fail_errno("statfs " + path);
  unsigned long flags = (static_cast<unsigned long>(sf.f_flags) & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) |
                        MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (::mount(path.c_str(), path.c_str(), nullptr, flags, nullptr) < 0)
    return fail_errno("mount src=" + path + ", dst=" + path + ", flags=" + mount_flags_string(flags));
  return {};
}

Result<UniqueFd> mount_ro_tmpfs_onto_fd(int dst_fd, const std::string& options) {
  if (have_new_mount_api()) {
    UniqueFd fs(::fsopen("tmpfs", FSOPEN_CLOEXEC));
    if (fs) {
      // As mount(2) would: named "tmpfs", and the superblock read-only too.
      bool ok = ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", "tmpfs", 0) == 0 &&
                ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0) == 0;
      size_t i = 0;
      while (ok && i < options.size()) {
        size_t j = options.find(',', i);
        if (j == std::string::npos) j = options.size();
        std::string opt = options.substr(i, j - i);
        i = j + 1;
        if (opt.empty()) continue;
        auto eq = opt.find('=');
        int r = eq == std::string::npos
                    ? ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0)
                    : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, opt.substr(0, eq).c_str(),
                                 opt.substr(eq + 1).c_str(), 0);
        ok = r == 0;
      }
      if (ok && ::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0) {
        UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
        if (!mnt) return fail_errno("fsmount tmpfs");
        if (::move_mount(mnt.get(), "", dst_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
          return fail_errno("move_mount tmpfs onto " + fd_path(dst_fd));
        return mnt;  // now attached: names the new mount's root
      }
      // A refused option (old kernels reject nr_inodes=1): let mount(2) report it.
    } else {
      note_enosys(errno);
    }
  }
  auto path = ORUN_TRY(fd_readlink(dst_fd));
  ORUN_TRY_VOID(mount_onto_fd("tmpfs", dst_fd, path, "tmpfs", MS_RDONLY, options));
  // The old fd still names the covered directory; the path now crosses
  // into the new mount.
  UniqueFd root(open(path.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return fail_errno("open " + path);
  return root;
}

}  // namespace orun::sys
