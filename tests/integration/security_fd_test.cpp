// CVE-2024-21626 / CVE-2016-9962: no runtime fd reaches the container, and
// a cwd of /proc/self/fd/N (a leaked host directory fd, in the attack) fails
// cleanly instead of starting a process outside the container's root.
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

using SecurityFdTest = ContainerTest;

std::vector<std::string> fd_list(const std::string& out) {
  std::vector<std::string> fds;
  for (auto& l : split_lines(out))
    if (!trim(l).empty()) fds.push_back(trim(l));
  return fds;
}

TEST_F(SecurityFdTest, ContainerProcessGetsOnlyStdio) {
  // ls opens /proc/self/fd itself: that is fd 3.
  set_args({"ls", "-1", "/proc/self/fd"});
  auto r = run_fg();
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(fd_list(r.out), (std::vector<std::string>{"0", "1", "2", "3"})) << r;
}

TEST_F(SecurityFdTest, ExecProcessGetsOnlyStdio) {
  set_args({"sleep", "30"});
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto r = rt({"exec", id_, "ls", "-1", "/proc/self/fd"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(fd_list(r.out), (std::vector<std::string>{"0", "1", "2", "3"})) << r;
  // An explicit --preserve-fds 0 passes nothing more either.
  r = rt({"exec", "--preserve-fds", "0", id_, "ls", "-1", "/proc/self/fd"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(fd_list(r.out), (std::vector<std::string>{"0", "1", "2", "3"})) << r;
}

TEST_F(SecurityFdTest, CreatedInitHoldsNoHostFile) {
  set_args({"true"});
  ASSERT_EQ(create().exit_code, 0);
  pid_t pid = state_pid(id_);
  ASSERT_GT(pid, 0);
  // What a created init may hold until `start` (runc's create.bats list):
  // stdio, sockets/pipes, exec.fifo, the sealed clone of the runtime (on its
  // detached overlayfs, where it is "/<name>", or as runc's memfd; in the
  // sanitizer build the clone is of orun-exec-trampoline, docs/sanitizers.md).
  std::string name = std::filesystem::path(runtime_binary()).filename().string();
  std::regex allowed(R"(^(/dev/null|/dev/pts/[0-9]+|socket:\[[0-9]+\]|pipe:\[[0-9]+\]|anon_inode:\[.+\]|.*/exec\.fifo|/memfd:runc_cloned:/proc/self/exe \(deleted\)|/orun-exec-trampoline|/)" +
                     name + ")$");
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(e.path(), ec).string();
    if (ec) continue;
    n++;
    EXPECT_TRUE(std::regex_match(target, allowed)) << "fd " << e.path().filename() << " -> " << target;
  }
  EXPECT_GE(n, 3);
}

TEST_F(SecurityFdTest, CwdThroughProcSelfFdFailsCleanly) {
  set_args({"pwd"});
  for (int n = 3; n <= 9; n++) {
    std::string id = new_id("cwd");
    config_["process"]["cwd"] = "/proc/self/fd/" + std::to_string(n);
    save_config();
    auto r = rt({"run", "--bundle", bundle_, id});
    EXPECT_NE(r.exit_code, 0) << "cwd fd " << n << ": " << r;
    EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("cwd"), HasSubstr("breakout"), HasSubstr("/proc/self/fd/")))
        << r;
    // The process never ran: pwd printed nothing.
    EXPECT_EQ(r.out, "") << r;
    expect_nothing_left(id);
  }
}

TEST_F(SecurityFdTest, ExecCwdThroughProcSelfFdFailsCleanly) {
  set_args({"sleep", "30"});
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  for (int n = 3; n <= 9; n++) {
    auto r = rt({"exec", "--cwd", "/proc/self/fd/" + std::to_string(n), id_, "pwd"});
    EXPECT_NE(r.exit_code, 0) << "cwd fd " << n << ": " << r;
    EXPECT_EQ(r.out, "") << r;
  }
  EXPECT_EQ(status(id_), "running");
}

}  // namespace
}  // namespace orun::itest
