// Failing hooks, by kind: what the command prints and exits with, and that a
// hook failure that ends the container leaves nothing behind (state dir,
// cgroup, process) after running the poststop hooks, as runc's does.
#include <sys/stat.h>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Prints on both streams, then fails with status 3.
const char* kFailingHook =
    "#!/bin/sh\n"
    "echo hook-out\n"
    "echo hook-err >&2\n"
    "exit 3\n";

class HookFailuresTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    failing_ = tmp_ + "/fail.sh";
    write_file(failing_, kFailingHook);
    ASSERT_EQ(::chmod(failing_.c_str(), 0755), 0);
    // startContainer hooks resolve their path in the container.
    std::string in_box = in_rootfs(bundle_, "/fail.sh");
    write_file(in_box, kFailingHook);
    ASSERT_EQ(::chmod(in_box.c_str(), 0755), 0);
    poststop_log_ = tmp_ + "/poststop.log";
  }

  void add_failing(const std::string& kind) {
    std::string path = kind == "startContainer" ? "/fail.sh" : failing_;
    config_["hooks"][kind] = Json::array({{{"path", path}}});
  }
  // A poststop hook that records that it ran.
  void add_poststop_marker() {
    config_["hooks"]["poststop"] =
        Json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo ran >> " + poststop_log_}}}});
  }
  int poststop_runs() { return static_cast<int>(split_lines(read_file(poststop_log_)).size()); }

  std::string failing_;
  std::string poststop_log_;
};

// The hook's failure as the log line quotes it (runc 1.1 words the prefix
// differently: "error running hook #0: error running hook: ").
const std::string kHookFailure = "exit status 3, stdout: hook-out\\n, stderr: hook-err\\n";

// ------------------------------------------------------------------ poststart

TEST_F(HookFailuresTest, FailingPoststartFailsStartAndDestroysTheContainer) {
  if (runtime_is_runc()) GTEST_SKIP() << "runc 1.1 runs poststart hooks during create";
  add_failing("poststart");
  add_poststop_marker();
  set_args({"sleep", "100"});
  auto c = create();
  ASSERT_EQ(c.exit_code, 0) << c;
  auto r = rt({"start", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("level=error msg=\"error running poststart hook #0: " + kHookFailure));
  expect_nothing_left(id_);
  EXPECT_EQ(poststop_runs(), 1);
  auto again = rt({"start", id_});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_THAT(again.err, HasSubstr("container does not exist"));
}

TEST_F(HookFailuresTest, FailingPoststartFailsRunAndDestroysTheContainer) {
  add_failing("poststart");
  add_poststop_marker();
  set_args({"sleep", "100"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("run failed: error running "));
  expect_nothing_left(id_);
  EXPECT_EQ(poststop_runs(), 1);
}

TEST_F(HookFailuresTest, FailingPoststartFailsDetachedRunAndDestroysTheContainer) {
  add_failing("poststart");
  add_poststop_marker();
  set_args({"sleep", "100"});
  auto r = rt({"run", "--detach", "--bundle", bundle_, id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("run failed: error running "));
  expect_nothing_left(id_);
  EXPECT_EQ(poststop_runs(), 1);
}

// ------------------------------------------------------------------ poststop

TEST_F(HookFailuresTest, FailingPoststopIsAWarningAndRunKeepsTheExitStatus) {
  add_failing("poststop");
  set_args({"sh", "-c", "exit 7"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 7) << r;
  EXPECT_THAT(r.err, HasSubstr(kHookFailure));
  EXPECT_THAT(r.err, Not(HasSubstr("run failed")));
  if (!runtime_is_runc()) {
    // runc 1.5's runner.destroy: logrus.Warn (1.1 logs it as an error).
    EXPECT_THAT(r.err, HasSubstr("level=warning msg=\"unable to destroy container: error running poststop hook #0: " +
                                 kHookFailure));
  }
  expect_nothing_left(id_);
}

TEST_F(HookFailuresTest, FailingPoststopFailsDeleteButTheContainerIsGone) {
  if (runtime_is_runc()) GTEST_SKIP() << "runc 1.1's delete only logs a poststop failure";
  add_failing("poststop");
  set_args({"true"});
  ASSERT_EQ(run_fg({"--keep"}).exit_code, 0);
  ASSERT_EQ(status(id_), "stopped");
  // runc 1.5: delete returns Destroy's error; the state dir and cgroup are
  // removed before the poststop hooks run.
  auto r = rt({"delete", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("unable to destroy container: error running poststop hook #0: " + kHookFailure));
  expect_nothing_left(id_);
  r = rt({"delete", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
}

TEST_F(HookFailuresTest, FailingPoststopFailsForcedDeleteOfACreatedContainer) {
  if (runtime_is_runc()) GTEST_SKIP() << "runc 1.1's delete only logs a poststop failure";
  add_failing("poststop");
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"delete", "--force", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("unable to destroy container: error running poststop hook #0: " + kHookFailure));
  expect_nothing_left(id_);
}

// ------------------------------------------------------------------ before the process starts

class CreateHookFailuresTest : public HookFailuresTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CreateHookFailuresTest, FailingHookFailsCreateAndLeavesNothing) {
  add_failing(GetParam());
  add_poststop_marker();
  set_args({"sleep", "100"});
  auto r = create();
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("create failed: unable to start container process: error during container init: "
                               "error running "));
  EXPECT_THAT(r.err, HasSubstr(kHookFailure));
  expect_nothing_left(id_);
  EXPECT_EQ(poststop_runs(), 1);
}

TEST_P(CreateHookFailuresTest, FailingHookFailsRunAndLeavesNothing) {
  add_failing(GetParam());
  add_poststop_marker();
  set_args({"sleep", "100"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("run failed: unable to start container process: error during container init: "));
  expect_nothing_left(id_);
  EXPECT_EQ(poststop_runs(), 1);
}

INSTANTIATE_TEST_SUITE_P(Kinds, CreateHookFailuresTest,
                         ::testing::Values("prestart", "createRuntime", "createContainer"));

// ------------------------------------------------------------------ startContainer

// In init after `start` released it: the runtime has stopped listening, so
// the error goes to the container's stderr and init exits 1 (runc 1.1; 1.2+
// exit 255, see exit_codes_test.cpp).
TEST_F(HookFailuresTest, FailingStartContainerEndsRunWithStatus1) {
  add_failing("startContainer");
  add_poststop_marker();
  set_args({"sleep", "100"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 1) << r;
  // On the container's stderr, as written, not as a log line.
  EXPECT_THAT(r.err, HasSubstr("error running "));
  EXPECT_THAT(r.err, HasSubstr("exit status 3, stdout: hook-out\n, stderr: hook-err\n"));
  expect_nothing_left(id_);
  EXPECT_EQ(poststop_runs(), 1);
}

TEST_F(HookFailuresTest, FailingStartContainerLetsStartSucceedAndTheContainerStops) {
  add_failing("startContainer");
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"start", id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
  EXPECT_EQ(rt({"delete", id_}).exit_code, 0);
  expect_nothing_left(id_);
}

}  // namespace
}  // namespace orun::itest
