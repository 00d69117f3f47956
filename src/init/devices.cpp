#include "init/devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "orun/fd.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

namespace orun::init {

namespace {

mode_t type_bits(char type) {
  switch (type) {
    case 'b': return S_IFBLK;
    case 'p': return S_IFIFO;
    default: return S_IFCHR;
  }
}

// The target inode for a bind of a host node: an existing entry that is not
// a symlink, or a new empty file. Never opened for I/O: opening a device node
// may have side effects.
Result<UniqueFd> open_bind_target(int dir_fd, const std::string& name, const std::string& path) {
  int fd = openat(dir_fd, name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0000);
  if (fd >= 0) return UniqueFd(fd);
  if (errno != EEXIST) return fail_errno("create device inode " + path);
  fd = openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail_errno("open device inode " + path);
  UniqueFd owned(fd);
  struct stat st{};
  if (fstat(fd, &st) < 0) return fail_errno("fstat " + path);
  if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
    return fail("create device inode " + path + ": not a regular file or device", ELOOP);
  return owned;
}

Result<void> bind_host_node(int dir_fd, const std::string& name, const DeviceNode& n) {
  auto dst = ORUN_TRY(open_bind_target(dir_fd, name, n.path));
  // The host node at the same path, seen before pivot_root.
  UniqueFd src(open(n.path.c_str(), O_PATH | O_CLOEXEC));
  if (!src) return fail_errno("open host device " + n.path);
  auto r = sys::bind_fd_onto_fd(src.get(), dst.get(), false);
  if (!r) return std::unexpected(std::move(r.error()).context("bind device " + n.path));
  return {};
}

Result<void> mknod_verified(int dir_fd, const std::string& name, const DeviceNode& n) {
  mode_t mode = type_bits(n.type) | (n.mode & 07777);
  dev_t dev = makedev(n.major, n.minor);
  if (mknodat(dir_fd, name.c_str(), mode, dev) < 0) return fail_errno("mknodat " + n.path);
  UniqueFd fd(openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open new device inode " + n.path);
  struct stat st{};
  if (fstat(fd.get(), &st) < 0) return fail_errno("fstat " + n.path);
  if ((st.st_mode & S_IFMT) != (mode & S_IFMT))
    return fail("new " + std::string(1, n.type) + " device inode " + n.path + " has incorrect ftype");
  if (n.type != 'p' && st.st_rdev != dev)
    return fail("new " + std::string(1, n.type) + " device inode " + n.path + " has incorrect major:minor: " +
                std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) +
                " doesn't match expected " + std::to_string(n.major) + ":" + std::to_string(n.minor));
  // The umask trimmed the mode; set it through the verified handle. fchmod
  // does not take O_PATH fds, the procfs link of the handle does.
  if (chmod(sys::fd_path(fd.get()).c_str(), mode & 07777) < 0)
    return fail_errno("update new device inode " + n.path + " file mode");
  if (fchownat(fd.get(), "", n.uid, n.gid, AT_EMPTY_PATH) < 0)
    return fail_errno("update new device inode " + n.path + " owner");
  return {};
}

}  // namespace

std::vector<DeviceNode> plan_devices(const spec::Spec& s) {
  std::vector<DeviceNode> out;
  for (const auto& d : s.linux.devices) {
    DeviceNode n;
    n.type = d.type == 'u' ? 'c' : d.type;
    n.path = sys::clean_abs(d.path);
    if (n.path == "/dev/ptmx") continue;
    n.major = static_cast<uint32_t>(d.major);
    n.minor = static_cast<uint32_t>(d.minor);
    n.mode = d.file_mode ? (*d.file_mode & 07777) : 0666;
    n.uid = d.uid.value_or(0);
    n.gid = d.gid.value_or(0);
    out.push_back(std::move(n));
  }
  static constexpr struct {
    const char* path;
    uint32_t major, minor;
  } kDefaults[] = {
      {"/dev/null", 1, 3}, {"/dev/random", 1, 8}, {"/dev/full", 1, 7},
      {"/dev/tty", 5, 0},  {"/dev/zero", 1, 5},   {"/dev/urandom", 1, 9},
  };
  for (const auto& d : kDefaults) {
    bool listed = false;
    for (const auto& c : s.linux.devices) listed = listed || sys::clean_abs(c.path) == d.path;
    if (listed) continue;
    out.push_back(DeviceNode{'c', d.path, d.major, d.minor, 0666, 0, 0});
  }
  return out;
}

Result<void> create_devices(int root_fd, const std::vector<DeviceNode>& nodes, bool bind_host_nodes) {
  for (const auto& n : nodes) {
    if (n.type != 'c' && n.type != 'b' && n.type != 'p')
      return fail(std::string(1, n.type) + " is not a valid device type for device " + n.path);
    auto parent = sys::mkdir_all_parent_in_root(root_fd, n.path, 0755);
    if (!parent)
      return std::unexpected(std::move(parent.error()).context("mkdir parent of device inode \"" + n.path + "\""));
    auto& [dir, name] = *parent;
    if (bind_host_nodes) {
      ORUN_TRY_VOID(bind_host_node(dir.get(), name, n));
      continue;
    }
    auto made = mknod_verified(dir.get(), name, n);
    if (made) continue;
    if (made.error().err == EEXIST) continue;
    if (made.error().err == EPERM) {
      ORUN_TRY_VOID(bind_host_node(dir.get(), name, n));
      continue;
    }
    return made;
  }
  return {};
}

Result<void> setup_dev_symlinks(int root_fd) {
  std::vector<std::pair<const char*, const char*>> links = {
      {"/proc/self/fd", "/dev/fd"},
      {"/proc/self/fd/0", "/dev/stdin"},
      {"/proc/self/fd/1", "/dev/stdout"},
      {"/proc/self/fd/2", "/dev/stderr"},
  };
  // CONFIG_PROC_KCORE may be off; link only what exists.
  if (access("/proc/kcore", F_OK) == 0) links.emplace_back("/proc/kcore", "/dev/core");
  for (const auto& [target, link] : links) {
    auto [dir, name] = ORUN_TRY(sys::mkdir_all_parent_in_root(root_fd, link, 0755));
    if (symlinkat(target, dir.get(), name.c_str()) < 0 && errno != EEXIST)
      return fail_errno(std::string("symlink ") + target + " " + link);
  }
  return {};
}

Result<void> setup_ptmx(int root_fd) {
  auto [dir, name] = ORUN_TRY(sys::mkdir_all_parent_in_root(root_fd, "/dev/ptmx", 0755));
  if (unlinkat(dir.get(), name.c_str(), 0) < 0 && errno != ENOENT) return fail_errno("unlink /dev/ptmx");
  if (symlinkat("pts/ptmx", dir.get(), name.c_str()) < 0) return fail_errno("symlink pts/ptmx /dev/ptmx");
  return {};
}

Result<void> setup_dev(int root_fd, const spec::Spec& s, bool in_userns) {
  auto r = create_devices(root_fd, plan_devices(s), in_userns);
  if (!r) return std::unexpected(std::move(r.error()).context("error creating device nodes"));
  r = setup_ptmx(root_fd);
  if (!r) return std::unexpected(std::move(r.error()).context("error setting up ptmx"));
  r = setup_dev_symlinks(root_fd);
  if (!r) return std::unexpected(std::move(r.error()).context("error setting up /dev symlinks"));
  return {};
}

}  // namespace orun::init
