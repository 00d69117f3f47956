// checkpoint and restore through CRIU. CRIU is taken from $ORUN_TEST_CRIU
// (the binary) or $PATH; the tests skip, naming the reason, when there is
// none or `criu check` fails on this kernel.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

// The container counts in /dev/shm (a tmpfs CRIU saves with the process).
const std::vector<std::string> kCounter{"sh", "-c",
                                        "i=0; while :; do i=$((i+1)); echo $i > /dev/shm/n; sleep 0.05; done"};

std::string find_in_path(const std::string& name) {
  const char* p = getenv("PATH");
  std::string dirs = p ? p : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string c = dirs.substr(start, end - start) + "/" + name;
    if (access(c.c_str(), X_OK) == 0) return c;
    start = end + 1;
  }
  return "";
}

class CheckpointTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    const char* env = getenv("ORUN_TEST_CRIU");
    criu_ = env && *env ? env : find_in_path("criu");
    if (criu_.empty()) GTEST_SKIP() << "no criu on $PATH and $ORUN_TEST_CRIU unset";
    auto check = run_command({criu_, "check"});
    if (check.exit_code != 0)
      GTEST_SKIP() << criu_ << " check fails here: " << trim(check.err.empty() ? check.out : check.err);
    // The runtime finds CRIU on its PATH, as runc does.
    env_.extra_env["PATH"] = std::filesystem::path(criu_).parent_path().string() + ":" + getenv("PATH");
    images_ = tmp_ + "/images";
    work_ = tmp_ + "/work";
  }

  CommandResult crt(const std::vector<std::string>& args) { return rt(args, env_); }

  void run_counter() {
    set_args(kCounter);
    auto r = crt({"run", "-d", "--bundle", bundle_, id_});
    ASSERT_EQ(r.exit_code, 0) << r;
    ASSERT_TRUE(wait_for_status(id_, "running"));
  }

  // The file is empty for a moment while the shell rewrites it.
  long counter() {
    for (int i = 0; i < 20; i++) {
      auto r = crt({"exec", id_, "cat", "/dev/shm/n"});
      EXPECT_EQ(r.exit_code, 0) << r;
      if (r.exit_code != 0) return -1;
      std::string v = trim(r.out);
      if (!v.empty()) return std::stol(v);
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  long counter_after(long floor) {
    for (int i = 0; i < 100; i++) {
      long v = counter();
      if (v > floor) return v;
      std::this_thread::sleep_for(50ms);
    }
    return -1;
  }

  std::string criu_;
  CommandOptions env_;
  std::string images_, work_;
};

TEST_F(CheckpointTest, CheckpointAndRestoreKeepTheProcessState) {
  run_counter();
  long before = counter_after(5);
  ASSERT_GT(before, 5);

  auto cp = crt({"checkpoint", "--image-path", images_, "--work-path", work_, id_});
  ASSERT_EQ(cp.exit_code, 0) << cp;
  // The container is gone after a plain checkpoint; its images and log stay.
  EXPECT_THAT(crt({"state", id_}).err, HasSubstr("container does not exist"));
  EXPECT_TRUE(path_exists(images_ + "/inventory.img"));
  EXPECT_TRUE(path_exists(images_ + "/descriptors.json"));
  EXPECT_TRUE(path_exists(work_ + "/dump.log"));

  auto rs = crt({"restore", "-d", "--bundle", bundle_, "--image-path", images_, "--work-path", work_, id_});
  ASSERT_EQ(rs.exit_code, 0) << rs;
  EXPECT_TRUE(path_exists(work_ + "/restore.log"));
  EXPECT_EQ(status(id_), "running");
  // The count goes on from where it was, not from 0.
  long after = counter();
  EXPECT_GE(after, before);
  EXPECT_GT(counter_after(after), after);

  // A normal container afterwards: exec, kill, delete.
  auto ps = crt({"exec", id_, "ps", "-o", "pid,args"});
  EXPECT_EQ(ps.exit_code, 0) << ps;
  EXPECT_THAT(ps.out, HasSubstr("/dev/shm/n"));
  EXPECT_EQ(crt({"kill", id_, "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped"));
  EXPECT_EQ(crt({"delete", id_}).exit_code, 0);
  expect_nothing_left(id_);
}

TEST_F(CheckpointTest, LeaveRunningKeepsTheContainer) {
  run_counter();
  long before = counter_after(2);
  auto cp = crt({"checkpoint", "--leave-running", "--image-path", images_, "--work-path", work_, id_});
  ASSERT_EQ(cp.exit_code, 0) << cp;
  EXPECT_EQ(status(id_), "running");
  EXPECT_GT(counter_after(before), before);
  EXPECT_TRUE(path_exists(images_ + "/inventory.img"));
}

TEST_F(CheckpointTest, ImageAndWorkPathsDefaultAndSeparate) {
  run_counter();
  // Without --image-path the images go to ./checkpoint; the log goes to the
  // work path when there is one, else next to the images.
  CommandOptions o = env_;
  o.cwd = tmp_;
  auto cp = rt({"checkpoint", "--leave-running", id_}, o);
  ASSERT_EQ(cp.exit_code, 0) << cp;
  EXPECT_TRUE(path_exists(tmp_ + "/checkpoint/inventory.img"));
  EXPECT_TRUE(path_exists(tmp_ + "/checkpoint/dump.log"));
  auto cp2 = crt({"checkpoint", "--leave-running", "--image-path", images_, "--work-path", work_, id_});
  ASSERT_EQ(cp2.exit_code, 0) << cp2;
  EXPECT_TRUE(path_exists(work_ + "/dump.log"));
  EXPECT_FALSE(path_exists(images_ + "/dump.log"));
}

TEST_F(CheckpointTest, PreDumpWithoutDirtyTrackingFailsCleanly) {
  if (run_command({criu_, "check", "--feature", "mem_dirty_track"}).exit_code == 0)
    GTEST_SKIP() << "this kernel tracks dirty memory: pre-dump works here";
  run_counter();
  auto r = crt({"checkpoint", "--pre-dump", "--image-path", images_, id_});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("criu is missing features: [MemTrack]"));
  EXPECT_EQ(status(id_), "running");
  EXPECT_FALSE(path_exists(images_ + "/inventory.img"));
}

TEST_F(CheckpointTest, BadParentPathIsRefused) {
  run_counter();
  auto abs = crt({"checkpoint", "--parent-path", tmp_ + "/parent", "--image-path", images_, id_});
  EXPECT_NE(abs.exit_code, 0);
  EXPECT_THAT(abs.err, HasSubstr("--parent-path must be relative"));
  auto missing = crt({"checkpoint", "--parent-path", "../parent", "--image-path", images_, id_});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("invalid --parent-path"));
  EXPECT_EQ(status(id_), "running");
}

TEST_F(CheckpointTest, RestoreOfAnExistingIdFails) {
  run_counter();
  ASSERT_EQ(crt({"checkpoint", "--leave-running", "--image-path", images_, id_}).exit_code, 0);
  auto r = crt({"restore", "-d", "--bundle", bundle_, "--image-path", images_, id_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("container with given ID already exists"));
  EXPECT_EQ(status(id_), "running");
}

// Without a usable CRIU: one error line naming the problem, nothing made.
class NoCriuTest : public ContainerTest {};

TEST_F(NoCriuTest, MissingCriuIsOneClearLineAndLeavesNothing) {
  if (runtime_is_runc()) GTEST_SKIP() << "runc makes the image dir before it looks for criu";
  CommandOptions o;
  o.extra_env["PATH"] = tmp_ + "/no-such-dir";
  o.cwd = tmp_;
  std::string images = tmp_ + "/images";
  set_args(kCounter);
  auto rs = rt({"restore", "-d", "--bundle", bundle_, "--image-path", images, id_}, o);
  EXPECT_NE(rs.exit_code, 0);
  EXPECT_EQ(split_lines(rs.err).size(), 1u) << rs;
  EXPECT_THAT(rs.err, HasSubstr("CRIU version check failed: exec: \\\"criu\\\": executable file not found in $PATH"));
  EXPECT_FALSE(path_exists(images));
  expect_nothing_left(id_);

  auto r0 = rt({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r0.exit_code, 0) << r0;
  auto cp = rt({"checkpoint", "--image-path", images, id_}, o);
  EXPECT_NE(cp.exit_code, 0);
  EXPECT_EQ(split_lines(cp.err).size(), 1u) << cp;
  EXPECT_THAT(cp.err, HasSubstr("executable file not found in $PATH"));
  EXPECT_FALSE(path_exists(images));
  EXPECT_EQ(status(id_), "running");
}

TEST_F(NoCriuTest, UnusableCriuIsNamedWithItsOwnWords) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's --criu and its wording";
  set_args(kCounter);
  auto r0 = rt({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r0.exit_code, 0) << r0;
  std::string broken = std::string(ORUN_TEST_DATA) + "/criu/broken-criu";
  auto cp = rt({"--criu", broken, "checkpoint", "--image-path", tmp_ + "/images", id_});
  EXPECT_NE(cp.exit_code, 0);
  EXPECT_EQ(split_lines(cp.err).size(), 1u) << cp;
  EXPECT_THAT(cp.err, HasSubstr("CRIU version check failed"));
  EXPECT_THAT(cp.err, HasSubstr("criu exit status 127: criu: error while loading shared libraries: libnftables.so.1"));
  EXPECT_FALSE(path_exists(tmp_ + "/images"));
  EXPECT_EQ(status(id_), "running");
}

}  // namespace
}  // namespace orun::itest
