// The exit status of `run`, `start` and `exec` on each of their exit paths,
// as runc's (checked side by side with Debian's runc 1.1.5; runc 1.5.1's code
// where it differs is named at the row):
//
// | path                                              | run   | start | exec  |
// |---------------------------------------------------|-------|-------|-------|
// | error before the process starts (lookup, config)  | 1     | 1     | 255   |
// | the payload's execve fails (format, interpreter)  | 1 (a) | 0 (b) | 1 (a) |
// | the payload exits N                               | N     | 0     | N     |
// | the payload is killed by signal S                 | 128+S | 0     | 128+S |
// | --detach, whatever the payload then does          | 0     |       | 0     |
// | the container is in the wrong state               |       | 1     | 255   |
//
// (a) runc 1.2+ exits 255 here (libcontainer/init_linux.go Init: os.Exit(255));
//     runc 1.1 (init.go: os.Exit(1)) and orun exit 1.
// (b) `start` returns once init has passed exec.fifo, before execve.
// Rows covered elsewhere: payload exits N / killed (lifecycle_test.cpp
// RunPropagatesExitCode, RunExitsWith128PlusSignalWhenInitIsKilled), `start`
// in the wrong state (lifecycle_test.cpp StartOf*), hook failures
// (hook_failures_test.cpp), usage errors (tests/unit/cli_app_test.cpp).
#include <sys/stat.h>

#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

class ExitCodesTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Executable files whose execve fails after every check before it passed:
    // no ELF or #! header (ENOEXEC), and a script whose interpreter is missing
    // (ENOENT from execve, not from the lookup).
    add_executable("/bin/not-a-program", std::string("garbage\x01\x02\n", 10));
    add_executable("/bin/no-interpreter", "#!/no/such/interpreter\n");
  }

  void add_executable(const std::string& path, const std::string& data) {
    std::string host = in_rootfs(bundle_, path);
    write_file(host, data);
    ASSERT_EQ(::chmod(host.c_str(), 0755), 0);
  }

  // A running container for the exec rows; its init is its only process.
  void start_sleeper() {
    set_args({"sleep", "1000"});
    auto r = rt({"run", "--detach", "--bundle", bundle_, id_});
    ASSERT_EQ(r.exit_code, 0) << r;
    track_pid(state_pid(id_));
  }

  // Processes exec'd into the container outlive the exec command and are
  // reparented to this test (a subreaper): reap them once they are gone from
  // the container, or its init could not finish dying at teardown (a dying
  // pid-namespace init waits for every process of its namespace to be reaped).
  void reap_exec_leftovers() {
    for (int i = 0; i < 100; ++i) {
      reap_zombies();
      auto ps = rt({"ps", "--format", "json", id_});
      auto pids = Json::parse(ps.out, nullptr, false);
      if (ps.exit_code != 0 || !pids.is_array() || pids.size() <= 1) break;
      std::this_thread::sleep_for(50ms);
    }
    reap_zombies();
  }
};

// ------------------------------------------------------------------ run

TEST_F(ExitCodesTest, RunExits1WhenTheProcessCannotBeFound) {
  set_args({"/no/such/binary"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("run failed: "));
  EXPECT_THAT(r.err, HasSubstr("exec: \\\"/no/such/binary\\\": stat /no/such/binary: no such file or directory"));
  expect_nothing_left(id_);
}

TEST_F(ExitCodesTest, RunExits1WhenExecveOfTheProcessFailsWithExecFormatError) {
  set_args({"/bin/not-a-program"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.signal, 0) << r;
  // From the container's stderr, after the runtime stopped listening.
  EXPECT_THAT(r.err, HasSubstr("exec /bin/not-a-program: exec format error"));
  expect_nothing_left(id_);
}

TEST_F(ExitCodesTest, RunExits1WhenTheScriptInterpreterIsMissing) {
  set_args({"/bin/no-interpreter"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("exec /bin/no-interpreter: no such file or directory"));
  expect_nothing_left(id_);
}

TEST_F(ExitCodesTest, DetachedRunExits0AndTheContainerStopsWithTheExecError) {
  set_args({"/bin/not-a-program"});
  auto r = rt({"run", "--detach", "--bundle", bundle_, id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
}

// ------------------------------------------------------------------ create + start

TEST_F(ExitCodesTest, StartExits0EvenWhenExecveOfTheProcessFailsAfterwards) {
  set_args({"/bin/not-a-program"});
  auto c = create();
  ASSERT_EQ(c.exit_code, 0) << c;
  auto r = rt({"start", id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
  auto again = rt({"start", id_});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_THAT(again.err, HasSubstr("cannot start a container that has stopped"));
}

// ------------------------------------------------------------------ exec

TEST_F(ExitCodesTest, ExecPassesTheProcessExitStatus) {
  start_sleeper();
  auto r = rt({"exec", id_, "sh", "-c", "exit 42"});
  EXPECT_EQ(r.exit_code, 42) << r;
  r = rt({"exec", id_, "false"});
  EXPECT_EQ(r.exit_code, 1) << r;
}

TEST_F(ExitCodesTest, ExecExits128PlusTheSignalThatKilledTheProcess) {
  start_sleeper();
  auto r = rt({"exec", id_, "sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r;
  EXPECT_EQ(r.signal, 0) << "the runtime itself must exit, not be killed: " << r;
}

TEST_F(ExitCodesTest, ExecExits1WhenExecveOfTheProcessFails) {
  start_sleeper();
  auto r = rt({"exec", id_, "/bin/not-a-program"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("exec /bin/not-a-program: exec format error"));
  r = rt({"exec", id_, "/bin/no-interpreter"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("exec /bin/no-interpreter: no such file or directory"));
  EXPECT_EQ(status(id_), "running");
}

TEST_F(ExitCodesTest, ExecExits255WhenTheProcessCannotBeStarted) {
  start_sleeper();
  auto r = rt({"exec", id_, "no-such-command"});
  EXPECT_EQ(r.exit_code, 255) << r;
  EXPECT_THAT(r.err, HasSubstr("exec failed: unable to start container process: "
                               "exec: \\\"no-such-command\\\": executable file not found in $PATH"));
  r = rt({"exec", "--pid-file", tmp_ + "/no/such/dir/pid", id_, "true"});
  EXPECT_EQ(r.exit_code, 255) << r;
  EXPECT_THAT(r.err, HasSubstr("exec failed: "));
  reap_exec_leftovers();
}

TEST_F(ExitCodesTest, ExecExits255ForAMissingOrStoppedContainer) {
  auto r = rt({"exec", id_, "true"});
  EXPECT_EQ(r.exit_code, 255) << r;
  EXPECT_THAT(r.err, HasSubstr("exec failed: container does not exist"));

  set_args({"true"});
  ASSERT_EQ(rt({"run", "--keep", "--bundle", bundle_, id_}).exit_code, 0);
  ASSERT_EQ(status(id_), "stopped");
  r = rt({"exec", id_, "true"});
  EXPECT_EQ(r.exit_code, 255) << r;
  EXPECT_THAT(r.err, HasSubstr("exec failed: "));
}

TEST_F(ExitCodesTest, DetachedExecExits0WhateverTheProcessDoes) {
  start_sleeper();
  auto r = rt({"exec", "--detach", id_, "sh", "-c", "exit 3"});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = rt({"exec", "--detach", id_, "/bin/not-a-program"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(status(id_), "running");
  reap_exec_leftovers();
}

}  // namespace
}  // namespace orun::itest
