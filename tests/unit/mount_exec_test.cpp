// The rootfs executor for real, as root: every scenario runs in a forked
// child that first unshares its mount namespace and makes "/" rprivate, so
// nothing here can change the host's mount table (checked after each run).
// The child reports failures as text through a pipe.
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>

#include "init/mount_idmap.hpp"
#include "init/rootfs.hpp"
#include "sys/path.hpp"

using namespace orun;
using namespace orun::init;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

spec::Mount mnt(std::string dest, std::string type, std::string src, std::vector<std::string> o) {
  spec::Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(src);
  m.options = std::move(o);
  return m;
}

// Runs fn in a child with a private mount namespace; returns its error text
// ("" on success).
std::string in_private_mount_ns(const std::function<std::string()>& fn) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    std::string err;
    if (unshare(CLONE_NEWNS) < 0) err = "unshare(CLONE_NEWNS) failed";
    else if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) err = "make / rprivate failed";
    else err = fn();
    if (!err.empty()) (void)!write(p[1], err.data(), err.size());
    _exit(err.empty() ? 0 : 1);
  }
  close(p[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) out = "child died";
  return out;
}

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) return std::string("check failed: ") + #cond + " (line " + \
                        std::to_string(__LINE__) + ", errno " + std::to_string(errno) + ")"; \
  } while (0)

bool is_char(const char* path, unsigned ma, unsigned mi) {
  struct stat st{};
  return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(ma, mi);
}

long fs_type(const char* path) {
  struct statfs sf{};
  return statfs(path, &sf) == 0 ? static_cast<long>(sf.f_type) : -1;
}

bool is_readonly(const char* path) {
  struct statfs sf{};
  return statfs(path, &sf) == 0 && (sf.f_flags & ST_RDONLY);
}

class MountExec : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/orun-mount-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    bundle_ = base_ + "/bundle";
    rootfs_ = bundle_ + "/rootfs";
    for (auto d : {"bin", "etc", "proc", "sys", "dev", "tmp", "data"}) fs::create_directories(rootfs_ + "/" + d);
    fs::copy_file("/bin/busybox", rootfs_ + "/bin/busybox");
    std::ofstream(rootfs_ + "/etc/hostname") << "container\n";
    fs::create_directories(bundle_ + "/vol");
    std::ofstream(bundle_ + "/vol/hello") << "hello";
    std::ofstream(bundle_ + "/file.txt") << "file";
    mounts_before_ = count_host_mounts();
  }
  void TearDown() override {
    if (base_.empty()) return;
    // The host mount table must not have changed.
    EXPECT_EQ(count_host_mounts(), mounts_before_);
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  // Host mounts under the test's temp dir (others may mount elsewhere
  // concurrently, so only ours are counted).
  int count_host_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    int n = 0;
    for (std::string l; std::getline(in, l);) n += l.find(base_) != std::string::npos;
    return n;
  }
  RootfsContext ctx(const spec::Spec& s) {
    RootfsContext c;
    c.spec = &s;
    c.rootfs = rootfs_;
    c.bundle = bundle_;
    return c;
  }
  static spec::Spec base_spec() {
    spec::Spec s;
    s.root = spec::Root{"rootfs", false};
    s.mounts = {
        mnt("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
        mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mnt("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}),
        mnt("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
    };
    return s;
  }

  std::string base_, bundle_, rootfs_;
  int mounts_before_ = 0;
};

}  // namespace

TEST_F(MountExec, FullSetupPivotAndFinalize) {
  spec::Spec s = base_spec();
  s.root->readonly = true;
  s.mounts.push_back(mnt("/data", "none", "vol", {"rbind", "ro"}));  // relative to the bundle
  s.mounts.push_back(mnt("/etc/file.txt", "bind", bundle_ + "/file.txt", {"bind"}));
  s.mounts.push_back(mnt("/tmp", "tmpfs", "tmpfs", {"ro", "nosuid"}));
  s.mounts.push_back(mnt("/run/deep/dir", "tmpfs", "tmpfs", {"rro"}));
  s.linux.devices.push_back(spec::Device{'c', "/dev/fuse", 10, 229, 0640u, 0u, 7u});
  s.linux.masked_paths = {"/proc/timer_list", "/sys/firmware", "/proc/does-not-exist", "/proc/timer_list", "/proc/acpi"};
  s.linux.readonly_paths = {"/proc/sys", "/proc/nope"};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    // Before the pivot, from the host side of the new mount ns.
    CHECK(fs_type((rootfs_ + "/proc").c_str()) == PROC_SUPER_MAGIC);
    CHECK(fs_type((rootfs_ + "/dev").c_str()) == TMPFS_MAGIC);
    if (auto r = enter_rootfs(c); !r) return "enter: " + r.error().msg;
    CHECK(access("/bin/busybox", X_OK) == 0);
    CHECK(access("/bundle", F_OK) != 0);
    CHECK(slurp("/etc/hostname") == "container\n");
    CHECK(slurp("/etc/file.txt") == "file");
    CHECK(slurp("/data/hello") == "hello");
    CHECK(is_char("/dev/null", 1, 3));
    CHECK(is_char("/dev/zero", 1, 5));
    CHECK(is_char("/dev/tty", 5, 0));
    CHECK(is_char("/dev/fuse", 10, 229));
    struct stat st{};
    CHECK(stat("/dev/fuse", &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_gid == 7);
    CHECK(stat("/dev/null", &st) == 0 && (st.st_mode & 07777) == 0666);
    CHECK(fs::read_symlink("/dev/ptmx") == "pts/ptmx");
    CHECK(fs::read_symlink("/dev/fd") == "/proc/self/fd");
    CHECK(fs::read_symlink("/dev/stderr") == "/proc/self/fd/2");
    CHECK(fs_type("/dev/pts") == DEVPTS_SUPER_MAGIC);
    CHECK(fs_type("/sys") == SYSFS_MAGIC);
    CHECK(is_readonly("/sys"));
    CHECK(is_readonly("/data"));
    CHECK(!is_readonly("/tmp"));  // tmpfs stays writable until finalize
    CHECK(fs_type("/run/deep/dir") == TMPFS_MAGIC);
    CHECK(is_readonly("/run/deep/dir"));  // rro via mount_setattr
    if (auto r = finalize_rootfs(c); !r) return "finalize: " + r.error().msg;
    CHECK(is_readonly("/tmp"));
    CHECK(is_readonly("/"));
    CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS);
    CHECK(slurp("/proc/timer_list").empty());
    CHECK(is_char("/proc/timer_list", 1, 3));
    CHECK(fs_type("/sys/firmware") == TMPFS_MAGIC);
    CHECK(is_readonly("/sys/firmware"));
    CHECK(fs::is_empty("/sys/firmware"));
    struct stat m1{}, m2{};  // masked dirs share one tmpfs
    CHECK(stat("/sys/firmware", &m1) == 0 && stat("/proc/acpi", &m2) == 0 && m1.st_dev == m2.st_dev);
    CHECK(is_readonly("/proc/acpi"));
    CHECK(is_readonly("/proc/sys"));
    CHECK(open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
    CHECK(!is_readonly("/proc"));
    return "";
  });
  EXPECT_EQ(err, "");
}

TEST_F(MountExec, SymlinkToHostDirDoesNotRedirectTheMount) {
  std::string host_dir = base_ + "/host-dir";
  fs::create_directories(host_dir);
  fs::create_symlink(host_dir, rootfs_ + "/mnt");  // absolute: must stay inside the rootfs
  spec::Spec s;
  s.mounts = {mnt("/mnt/x", "tmpfs", "tmpfs", {"size=1m"}), mnt("/mnt/file", "bind", bundle_ + "/file.txt", {"bind"})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    CHECK(!fs::exists(host_dir + "/x"));
    CHECK(!fs::exists(host_dir + "/file"));
    std::string inside = rootfs_ + host_dir;
    CHECK(fs_type((inside + "/x").c_str()) == TMPFS_MAGIC);
    CHECK(slurp(inside + "/file") == "file");
    return "";
  });
  EXPECT_EQ(err, "");
  EXPECT_TRUE(fs::is_empty(host_dir));
}

TEST_F(MountExec, SymlinkEscapeBlockedWithoutOpenat2Too) {
  std::string host_dir = base_ + "/host-dir";
  fs::create_directories(host_dir);
  fs::create_symlink("../../../../../../../.." + host_dir, rootfs_ + "/mnt");
  spec::Spec s;
  s.mounts = {mnt("/mnt/x", "tmpfs", "tmpfs", {"size=1m"})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    orun::sys::set_openat2_disabled(true);
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    CHECK(!fs::exists(host_dir + "/x"));
    CHECK(fs_type((rootfs_ + host_dir + "/x").c_str()) == TMPFS_MAGIC);
    return "";
  });
  EXPECT_EQ(err, "");
  EXPECT_TRUE(fs::is_empty(host_dir));
}

TEST_F(MountExec, UserNsModeBindsHostDeviceNodes) {
  spec::Spec s;
  s.mounts = {mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"})};
  auto c = ctx(s);
  c.in_userns = true;
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    CHECK(is_char((rootfs_ + "/dev/null").c_str(), 1, 3));
    CHECK(is_char((rootfs_ + "/dev/urandom").c_str(), 1, 9));
    // A bind mount of the host's node, not a node made on the tmpfs.
    struct stat host{}, cont{};
    CHECK(stat("/dev/null", &host) == 0 && stat((rootfs_ + "/dev/null").c_str(), &cont) == 0);
    CHECK(host.st_dev == cont.st_dev && host.st_ino == cont.st_ino);
    return "";
  });
  EXPECT_EQ(err, "");
}

TEST_F(MountExec, IdmappedBindFromAHostPreparedTree) {
  std::ofstream(bundle_ + "/vol/owned") << "x";
  ASSERT_EQ(chown((bundle_ + "/vol/owned").c_str(), 0, 0), 0);
  spec::Spec s;
  auto m = mnt("/data", "bind", "vol", {"rbind", "idmap"});
  m.uid_mappings.push_back({0, 1000, 1});
  m.gid_mappings.push_back({0, 2000, 1});
  s.mounts = {m, mnt("/plain", "bind", "vol", {"rbind"})};
  EXPECT_EQ(format_id_map(m.uid_mappings), "0 1000 1\n");
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    auto fds = prepare_mount_sources(s, bundle_, rootfs_, -1);
    if (!fds) return "idmap: " + fds.error().msg;
    CHECK(fds->size() == 1 && fds->count(0) == 1);
    c.source_fds[0] = fds->at(0).get();
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    struct stat st{};
    CHECK(stat((rootfs_ + "/data/owned").c_str(), &st) == 0 && st.st_uid == 1000 && st.st_gid == 2000);
    CHECK(stat((rootfs_ + "/plain/owned").c_str(), &st) == 0 && st.st_uid == 0);
    return "";
  });
  EXPECT_EQ(err, "");
  // Without a prepared tree, outside a user ns the init builds it itself...
  err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    struct stat st{};
    CHECK(stat((rootfs_ + "/data/owned").c_str(), &st) == 0 && st.st_uid == 1000 && st.st_gid == 2000);
    return "";
  });
  EXPECT_EQ(err, "");
  // ...and inside one it refuses instead of silently binding unmapped.
  c.in_userns = true;
  err = in_private_mount_ns([&]() -> std::string {
    auto r = prepare_rootfs(c);
    return r ? "prepare succeeded" : r.error().msg;
  });
  EXPECT_NE(err.find("needs a mount fd prepared by the runtime"), std::string::npos) << err;
}

TEST_F(MountExec, DanglingSymlinksAndHostSpelledDestinations) {
  fs::create_symlink("/tmp/foo/bar", rootfs_ + "/jump");
  fs::remove(rootfs_ + "/etc/hostname");
  fs::create_symlink("/jump/baz/hosts", rootfs_ + "/etc/hostname");
  spec::Spec s;
  s.mounts = {mnt("/etc/hostname", "bind", bundle_ + "/file.txt", {"bind"}),
              mnt(rootfs_ + "/data/x", "tmpfs", "tmpfs", {})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    CHECK(slurp(rootfs_ + "/tmp/foo/bar/baz/hosts") == "file");
    CHECK(fs_type((rootfs_ + "/data/x").c_str()) == TMPFS_MAGIC);
    CHECK(!fs::exists(rootfs_ + rootfs_));
    return "";
  });
  EXPECT_EQ(err, "");
  EXPECT_FALSE(fs::exists("/tmp/foo/bar/baz"));
}

TEST_F(MountExec, ProcOnASymlinkIsRefused) {
  fs::remove(rootfs_ + "/proc");
  fs::create_symlink("/etc", rootfs_ + "/proc");
  spec::Spec s;
  s.mounts = {mnt("/proc", "proc", "proc", {})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    auto r = prepare_rootfs(c);
    if (r) return "prepare succeeded";
    return r.error().msg;
  });
  EXPECT_NE(err.find("filesystem \"proc\" must be mounted on ordinary directory"), std::string::npos) << err;
}

TEST_F(MountExec, MountsInsideProcAreLimited) {
  spec::Spec s;
  s.mounts = {mnt("/proc", "proc", "proc", {}),
              mnt("/proc/sys/kernel/core_pattern", "bind", bundle_ + "/file.txt", {"bind"})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    auto r = prepare_rootfs(c);
    return r ? "prepare succeeded" : r.error().msg;
  });
  EXPECT_NE(err.find("cannot be mounted because it is inside /proc"), std::string::npos) << err;

  s.mounts = {mnt("/proc", "proc", "proc", {}), mnt("/proc/uptime", "bind", bundle_ + "/file.txt", {"bind"})};
  err = in_private_mount_ns([&]() -> std::string {
    auto r = prepare_rootfs(c);
    if (!r) return r.error().msg;
    CHECK(slurp(rootfs_ + "/proc/uptime") == "file");
    return "";
  });
  EXPECT_EQ(err, "");
}

TEST_F(MountExec, MountOnTopOfRootfsIsRefused) {
  spec::Spec s;
  s.mounts = {mnt("/", "tmpfs", "tmpfs", {})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    auto r = prepare_rootfs(c);
    return r ? "prepare succeeded" : r.error().msg;
  });
  EXPECT_NE(err.find("is on the top of rootfs"), std::string::npos) << err;
}

TEST_F(MountExec, TmpfsCopyupAndModeOfExistingTarget) {
  fs::create_directories(rootfs_ + "/opt/sub");
  std::ofstream(rootfs_ + "/opt/sub/f") << "copied";
  fs::create_symlink("sub/f", rootfs_ + "/opt/link");
  chmod((rootfs_ + "/opt").c_str(), 0710);
  fs::create_directories(rootfs_ + "/var");
  chmod((rootfs_ + "/var").c_str(), 0751);
  spec::Spec s;
  s.mounts = {mnt("/opt", "tmpfs", "tmpfs", {"tmpcopyup"}), mnt("/var", "tmpfs", "tmpfs", {"size=1m"})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    CHECK(fs_type((rootfs_ + "/opt").c_str()) == TMPFS_MAGIC);
    CHECK(slurp(rootfs_ + "/opt/sub/f") == "copied");
    CHECK(fs::read_symlink(rootfs_ + "/opt/link") == "sub/f");
    struct stat st{};
    CHECK(stat((rootfs_ + "/opt").c_str(), &st) == 0 && (st.st_mode & 07777) == 0710);
    CHECK(stat((rootfs_ + "/var").c_str(), &st) == 0 && (st.st_mode & 07777) == 0751);
    CHECK(fs_type((rootfs_ + "/var").c_str()) == TMPFS_MAGIC);
    return "";
  });
  EXPECT_EQ(err, "");
}

TEST_F(MountExec, CgroupV1HierarchiesAreBoundReadOnly) {
  struct statfs sf{};
  if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != TMPFS_MAGIC) GTEST_SKIP() << "not a cgroup v1 host";
  spec::Spec s;
  s.mounts = {mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
              mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"})};
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    std::string cg = rootfs_ + "/sys/fs/cgroup";
    CHECK(fs_type(cg.c_str()) == TMPFS_MAGIC);
    CHECK(fs_type((cg + "/memory").c_str()) == CGROUP_SUPER_MAGIC);
    CHECK(is_readonly((cg + "/memory").c_str()));
    CHECK(fs::exists(cg + "/memory/memory.limit_in_bytes"));
    CHECK(fs::exists(cg + "/systemd"));
    return "";
  });
  EXPECT_EQ(err, "");
}

TEST_F(MountExec, CgroupV1WithCgroupNsMountsEachHierarchy) {
  struct statfs sf{};
  if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != TMPFS_MAGIC) GTEST_SKIP() << "not a cgroup v1 host";
  spec::Spec s;
  s.mounts = {mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev"}),
              mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"})};
  auto c = ctx(s);
  c.cgroup_ns = true;
  std::string err = in_private_mount_ns([&]() -> std::string {
    CHECK(unshare(CLONE_NEWCGROUP) == 0);
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    std::string cg = rootfs_ + "/sys/fs/cgroup";
    CHECK(fs_type((cg + "/pids").c_str()) == CGROUP_SUPER_MAGIC);
    CHECK(is_readonly((cg + "/pids").c_str()));
    CHECK(fs_type((cg + "/systemd").c_str()) == CGROUP_SUPER_MAGIC);
    CHECK(fs::exists(cg + "/pids/pids.max") || fs::exists(cg + "/pids/cgroup.procs"));
    return "";
  });
  EXPECT_EQ(err, "");
}

TEST_F(MountExec, NoPivotMovesTheRoot) {
  spec::Spec s = base_spec();
  auto c = ctx(s);
  c.no_pivot = true;
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    if (auto r = enter_rootfs(c); !r) return "enter: " + r.error().msg;
    CHECK(access("/bin/busybox", X_OK) == 0);
    CHECK(is_char("/dev/null", 1, 3));
    CHECK(fs_type("/proc") == PROC_SUPER_MAGIC);
    return "";
  });
  EXPECT_EQ(err, "");
  s.linux.rootfs_propagation = "rprivate";
  err = in_private_mount_ns([&]() -> std::string {
    auto r = prepare_rootfs(c);
    return r ? "prepare succeeded" : r.error().msg;
  });
  EXPECT_EQ(err, "rootfsPropagation of [r]private is not safe without pivot_root");
}

TEST_F(MountExec, ConsoleIsBoundFromAVerifiedPty) {
  spec::Spec s = base_spec();
  auto c = ctx(s);
  std::string err = in_private_mount_ns([&]() -> std::string {
    if (auto r = prepare_rootfs(c); !r) return "prepare: " + r.error().msg;
    if (auto r = enter_rootfs(c); !r) return "enter: " + r.error().msg;
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(master >= 0);
    int unlock = 0;
    CHECK(ioctl(master, TIOCSPTLCK, &unlock) == 0);
    int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(peer >= 0);
    if (auto r = setup_dev_console_fd(peer); !r) return "console: " + r.error().msg;
    struct stat a{}, b{};
    CHECK(fstat(peer, &a) == 0 && stat("/dev/console", &b) == 0 && a.st_rdev == b.st_rdev);
    // Not a pty: refused.
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK(!setup_dev_console_fd(null));
    return "";
  });
  EXPECT_EQ(err, "");
}
