// The container's filesystem: masked and read-only paths, /dev, mounts.
#include <filesystem>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using FilesystemTest = ContainerTest;

// The mount options field (6th) of the mountinfo line for `target`, or "".
const char* kMountOpts = "awk -v t=\"$1\" '$5 == t { print $6 }' /proc/self/mountinfo";

TEST_F(FilesystemTest, MaskedPathsAreEmpty) {
  // A file is masked by /dev/null, a directory by an empty read-only tmpfs.
  config_["linux"]["maskedPaths"].push_back("/etc/issue");
  config_["linux"]["maskedPaths"].push_back("/home");
  config_["linux"]["maskedPaths"].push_back("/no/such/path");  // ignored
  auto r = run_sh(
      "for f in /etc/issue /proc/timer_list /proc/keys /proc/kcore; do "
      "  [ -e $f ] && echo $f $(cat $f 2>/dev/null | wc -c); done; "
      "for d in /home /sys/firmware /proc/acpi; do "
      "  [ -e $d ] && echo $d $(ls -A $d | wc -l); done; "
      "touch /home/x 2>/dev/null && echo WROTE || echo REFUSED");
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 3u) << r;
  EXPECT_EQ(lines[0], "/etc/issue 0");
  for (const auto& line : lines) {
    if (line == "REFUSED" || line == "WROTE") continue;
    EXPECT_TRUE(line.ends_with(" 0")) << "not masked: " << line;
  }
  EXPECT_EQ(lines.back(), "REFUSED");
  EXPECT_THAT(r.out, HasSubstr("/home 0\n"));
}

TEST_F(FilesystemTest, ReadonlyPathsAreMountedReadOnly) {
  auto r = run_sh(
      "for p in /proc/sys /proc/sysrq-trigger /proc/bus /proc/fs /proc/irq; do "
      "  [ -e $p ] || continue; set -- $p; echo $p $(" + std::string(kMountOpts) + "); done; "
      "echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && echo WROTE || echo REFUSED");
  EXPECT_EQ(r.exit_code, 0) << r;
  for (const auto& line : split_lines(r.out)) {
    if (line == "REFUSED" || line == "WROTE") continue;
    EXPECT_THAT(line, HasSubstr(" ro")) << "not read-only: " << line;
  }
  EXPECT_THAT(r.out, HasSubstr("REFUSED"));
}

TEST_F(FilesystemTest, ReadonlyRootCannotBeWritten) {
  auto r = run_sh("set -- /; " + std::string(kMountOpts) +
                  "; touch /newfile 2>/dev/null && echo WROTE || echo REFUSED");
  EXPECT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r;
  EXPECT_TRUE(lines[0].starts_with("ro")) << lines[0];
  EXPECT_EQ(lines[1], "REFUSED");
  EXPECT_FALSE(path_exists(in_rootfs(bundle_, "/newfile")));
}

TEST_F(FilesystemTest, WritableRootWhenNotReadonly) {
  config_["root"]["readonly"] = false;
  auto r = run_sh("echo data > /newfile && echo WROTE");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(read_file(in_rootfs(bundle_, "/newfile")), "data\n");
}

TEST_F(FilesystemTest, DevHasTheDefaultNodesAndLinks) {
  auto r = run_sh(
      "for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo missing $d; done; "
      "for l in fd stdin stdout stderr ptmx; do [ -L /dev/$l ] || echo nolink $l; done; "
      "for d in pts shm mqueue; do [ -d /dev/$d ] || echo nodir $d; done; "
      "echo x > /dev/null || echo cannot write null; "
      "readlink /dev/fd; readlink /dev/ptmx; "
      "head -c 4 /dev/zero | wc -c");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "/proc/self/fd\npts/ptmx\n4\n");
}

TEST_F(FilesystemTest, HostDevicesAreNotVisible) {
  auto r = run_sh("ls /dev | grep -E '^(sd|vd|nvme|loop|mem|kmsg)' || echo none");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "none\n");
}

TEST_F(FilesystemTest, TmpfsMountHonoursOptions) {
  config_["mounts"].push_back({{"destination", "/scratch"},
                               {"type", "tmpfs"},
                               {"source", "tmpfs"},
                               {"options", {"nosuid", "nodev", "noexec", "mode=700", "size=1m"}}});
  auto r = run_sh("set -- /scratch; " + std::string(kMountOpts) +
                  "; grep ' /scratch ' /proc/mounts; stat -c %a /scratch");
  EXPECT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r;
  EXPECT_THAT(lines[0], HasSubstr("nosuid"));
  EXPECT_THAT(lines[0], HasSubstr("nodev"));
  EXPECT_THAT(lines[0], HasSubstr("noexec"));
  EXPECT_THAT(lines[1], HasSubstr("tmpfs"));
  EXPECT_THAT(lines[1], HasSubstr("size=1024k"));
  EXPECT_EQ(lines[2], "700");
}

TEST_F(FilesystemTest, ReadOnlyBindMountOfHostDir) {
  std::string host = tmp_ + "/share";
  std::filesystem::create_directories(host);
  write_file(host + "/hello.txt", "shared\n");
  config_["mounts"].push_back({{"destination", "/share"},
                               {"type", "bind"},
                               {"source", host},
                               {"options", {"rbind", "ro"}}});
  auto r = run_sh("cat /share/hello.txt; touch /share/new 2>/dev/null && echo WROTE || echo REFUSED");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "shared\nREFUSED\n");
  EXPECT_FALSE(path_exists(host + "/new"));
}

TEST_F(FilesystemTest, ReadWriteBindMountIsSharedWithHost) {
  std::string host = tmp_ + "/rw";
  std::filesystem::create_directories(host);
  config_["mounts"].push_back(
      {{"destination", "/rw"}, {"type", "none"}, {"source", host}, {"options", {"bind"}}});
  auto r = run_sh("echo from-container > /rw/out");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(read_file(host + "/out"), "from-container\n");
}

TEST_F(FilesystemTest, MountsDoNotLeakToTheHost) {
  config_["mounts"].push_back({{"destination", "/scratch"},
                               {"type", "tmpfs"},
                               {"source", "tmpfs"},
                               {"options", {"size=1m"}}});
  auto r = run_sh("true");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(read_file("/proc/self/mountinfo"), Not(HasSubstr(tmp_)));
}

}  // namespace
}  // namespace orun::itest
