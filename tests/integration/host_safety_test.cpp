// A container cannot change the host through the runtime (issue 14, item 6):
// symlinks in the rootfs that point at host paths stay inside the rootfs,
// stdio on the host's /dev/null keeps its owner and mode, and the host's
// hostname and sysctls are untouched. The path-resolution logic itself is
// unit-tested in tests/unit/mount_exec_test.cpp; these run the whole binary.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

namespace fs = std::filesystem;

using HostSafetyTest = ContainerTest;

int mounts_on(const std::string& dir) {
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  int n = 0;
  while (std::getline(f, line)) n += line.find(" " + dir + " ") != std::string::npos;
  return n;
}

// The rootfs's /dev (or /proc) is an absolute symlink to a host directory:
// it must be resolved inside the rootfs, so the host directory stays empty
// and nothing is mounted on it.
void expect_symlinked_dir_stays_in_rootfs(const std::string& name, const std::string& host_dir,
                                          const CommandResult& r) {
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.signal, 0) << r;
  EXPECT_TRUE(fs::is_empty(host_dir)) << name << " made entries in the host dir: " << r;
  EXPECT_EQ(mounts_on(host_dir), 0) << name << " mounted on the host dir";
}

TEST_F(HostSafetyTest, RootfsDevSymlinkToHostPathStaysInsideRootfs) {
  std::string host_dir = tmp_ + "/host-dev";
  fs::create_directory(host_dir);
  fs::remove_all(bundle_ + "/rootfs/dev");
  fs::create_symlink(host_dir, bundle_ + "/rootfs/dev");
  auto r = run_sh("ls /dev >/dev/null; echo done");
  expect_symlinked_dir_stays_in_rootfs("/dev", host_dir, r);
  rt({"delete", "--force", id_});
  EXPECT_TRUE(fs::is_empty(host_dir));
}

TEST_F(HostSafetyTest, RootfsProcSymlinkToHostPathStaysInsideRootfs) {
  std::string host_dir = tmp_ + "/host-proc";
  fs::create_directory(host_dir);
  fs::remove_all(bundle_ + "/rootfs/proc");
  fs::create_symlink(host_dir, bundle_ + "/rootfs/proc");
  auto r = run_sh("echo done");
  expect_symlinked_dir_stays_in_rootfs("/proc", host_dir, r);
  rt({"delete", "--force", id_});
  EXPECT_TRUE(fs::is_empty(host_dir));
}

TEST_F(HostSafetyTest, BindDestinationSymlinkOutOfRootfsStaysInside) {
  std::string host_dir = tmp_ + "/host-target";
  std::string src = tmp_ + "/bind-src";
  fs::create_directory(host_dir);
  fs::create_directory(src);
  write_file(src + "/marker", "x");
  // Relative and absolute escapes, both must land inside the rootfs.
  fs::create_symlink("../../../../../../../../../.." + host_dir, bundle_ + "/rootfs/mnt/rel");
  fs::create_symlink(host_dir, bundle_ + "/rootfs/mnt/abs");
  for (const char* dst : {"/mnt/rel", "/mnt/abs"}) {
    config_["mounts"].push_back({{"destination", dst}, {"source", src}, {"options", {"bind", "ro"}}});
  }
  save_config();
  auto r = run_sh("cat /mnt/rel/marker /mnt/abs/marker");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "xx") << r;
  EXPECT_TRUE(fs::is_empty(host_dir)) << r;
  EXPECT_EQ(mounts_on(host_dir), 0) << "bind mounted onto the host dir";
  rt({"delete", "--force", id_});
}

TEST_F(HostSafetyTest, UnprivilegedContainerLeavesHostDevNullAlone) {
  struct stat before {};
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  config_["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  config_["process"]["args"] = {"sh", "-c", "echo hi; ls /proc/self/fd >/dev/null"};
  save_config();
  std::string cmd = "'" + runtime_binary() + "' --root '" + root_ + "' run --bundle '" + bundle_ +
                    "' " + id_ + " </dev/null >/dev/null 2>/dev/null";
  auto r = run_command({"sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << r;
  struct stat after {};
  ASSERT_EQ(::stat("/dev/null", &after), 0);
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_gid, before.st_gid);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_rdev, before.st_rdev);
}

TEST_F(HostSafetyTest, HostHostnameAndSysctlsAreUnchanged) {
  char host_name[256] = {};
  ASSERT_EQ(::gethostname(host_name, sizeof host_name - 1), 0);
  std::string fwd_path = "/proc/sys/net/ipv4/ip_forward";
  std::string host_fwd = trim(read_file(fwd_path));
  ASSERT_FALSE(host_fwd.empty());
  std::string want = host_fwd == "1" ? "0" : "1";
  config_["hostname"] = "orun-host-safety";
  config_["linux"]["sysctl"] = {{"net.ipv4.ip_forward", want}};
  save_config();
  auto r = run_sh("hostname; cat " + fwd_path);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "orun-host-safety\n" + want + "\n");
  char now[256] = {};
  ASSERT_EQ(::gethostname(now, sizeof now - 1), 0);
  EXPECT_STREQ(now, host_name);
  EXPECT_EQ(trim(read_file(fwd_path)), host_fwd);
}

}  // namespace
}  // namespace orun::itest
