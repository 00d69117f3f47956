// The container lifecycle: run, create, start, state, kill, delete, --pid-file.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

using LifecycleTest = ContainerTest;

// A long-running init for tests that need a running container.
const std::vector<std::string> kSleepForever{"sh", "-c", "while :; do sleep 0.1; done"};

void remove_namespace(Json& config, const std::string& type) {
  auto& ns = config["linux"]["namespaces"];
  for (auto it = ns.begin(); it != ns.end(); ++it) {
    if ((*it)["type"] == type) {
      ns.erase(it);
      return;
    }
  }
}

TEST_F(LifecycleTest, RunPrintsOutputAndCleansUp) {
  set_args({"sh", "-c", "echo hello from $(hostname); echo oops >&2"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "hello from runc\n");
  EXPECT_THAT(r.err, HasSubstr("oops"));
  // run (without --keep) destroys the container once init exits.
  expect_nothing_left(id_);
}

TEST_F(LifecycleTest, RunPropagatesExitCode) {
  set_args({"sh", "-c", "exit 3"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.signal, 0) << "the runtime itself must exit, not be killed";
}

TEST_F(LifecycleTest, RunExitsWith128PlusSignalWhenInitIsKilled) {
  // Without a pid namespace the shell is not a namespace init, so it can
  // SIGKILL itself.
  remove_namespace(config_, "pid");
  set_args({"sh", "-c", "kill -KILL $$"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r;
  EXPECT_EQ(r.signal, 0) << "the runtime itself must exit, not be killed";
}

TEST_F(LifecycleTest, RunForwardsSignalsToInit) {
  config_["root"]["readonly"] = false;
  set_args({"sh", "-c", "trap 'exit 7' TERM; touch /tmp/ready; while :; do sleep 0.1; done"});
  BackgroundCommand run(rt_argv({"run", "--bundle", bundle_, id_}));
  std::string ready = in_rootfs(bundle_, "/tmp/ready");
  for (int i = 0; i < 200 && !path_exists(ready); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(path_exists(ready)) << "container did not start";
  run.signal(SIGTERM);
  auto r = run.wait(15s);
  EXPECT_EQ(r.exit_code, 7) << r;
}

TEST_F(LifecycleTest, RunDetachedLeavesContainerRunning) {
  set_args(kSleepForever);
  auto r = rt({"run", "--detach", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  EXPECT_EQ(status(id_), "running");
  pid_t pid = state_pid(id_);
  EXPECT_GT(pid, 0);
  EXPECT_TRUE(path_exists("/proc/" + std::to_string(pid)));
}

TEST_F(LifecycleTest, RunKeepLeavesTheStoppedContainer) {
  set_args({"sh", "-c", "exit 5"});
  auto r = run_fg({"--keep"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_EQ(status(id_), "stopped");
  EXPECT_EQ(state_pid(id_), 0);
  EXPECT_EQ(rt({"delete", id_}).exit_code, 0);
  expect_nothing_left(id_);
}

TEST_F(LifecycleTest, CreateLeavesContainerCreatedWithLivePid) {
  auto r = create();
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  auto s = state(id_);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ((*s)["status"], "created");
  pid_t pid = (*s)["pid"].get<pid_t>();
  EXPECT_GT(pid, 0);
  EXPECT_TRUE(path_exists("/proc/" + std::to_string(pid)));
  EXPECT_TRUE(path_exists(root_ + "/" + id_));
}

TEST_F(LifecycleTest, StatePrintsRuncFieldsInOrder) {
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"state", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "") << "callers parse stdout and stderr together";
  // json.MarshalIndent with two spaces and no trailing newline.
  EXPECT_TRUE(r.out.starts_with("{\n  \"ociVersion\": ")) << r.out;
  EXPECT_EQ(r.out.back(), '}');
  auto s = Json::parse(r.out);
  std::vector<std::string> keys;
  for (auto& [k, v] : s.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "id", "pid", "status", "bundle",
                                            "rootfs", "created", "owner"}));
  if (!runtime_is_runc()) {
    EXPECT_EQ(s["ociVersion"], "1.3.0");
  }
  EXPECT_EQ(s["id"], id_);
  std::string bundle = std::filesystem::canonical(bundle_);
  EXPECT_EQ(s["bundle"], bundle);
  EXPECT_EQ(s["rootfs"], bundle + "/rootfs");
  std::string created = s["created"];
  EXPECT_TRUE(std::regex_match(created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << created;
  EXPECT_EQ(s["owner"], "");
}

TEST_F(LifecycleTest, StateOfMissingContainerFails) {
  auto r = rt({"state", "no-such-container"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
  EXPECT_EQ(r.out, "");
}

TEST_F(LifecycleTest, StartMakesCreatedContainerRunning) {
  set_args(kSleepForever);
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"start", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(wait_for_status(id_, "running", 5s)) << status(id_);
}

TEST_F(LifecycleTest, StartedShortLivedContainerBecomesStoppedWithPidZero) {
  set_args({"true"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  EXPECT_TRUE(wait_for_status(id_, "stopped", 10s)) << status(id_);
  EXPECT_EQ(state_pid(id_), 0);
}

TEST_F(LifecycleTest, StartOfStoppedContainerFails) {
  set_args({"true"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped", 10s));
  auto r = rt({"start", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot start a container that has stopped"));
}

TEST_F(LifecycleTest, StartOfRunningContainerFails) {
  set_args(kSleepForever);
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "running", 5s));
  auto r = rt({"start", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot start an already running container"));
}

TEST_F(LifecycleTest, StartOfMissingContainerFails) {
  auto r = rt({"start", "no-such-container"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
}

TEST_F(LifecycleTest, KillAcceptsNamesNumbersAndSigPrefix) {
  config_["root"]["readonly"] = false;
  set_args({"sh", "-c",
            "trap 'echo usr1 >> /tmp/sig' USR1; trap 'echo usr2 >> /tmp/sig' USR2; "
            "trap 'echo hup >> /tmp/sig' HUP; trap 'exit 0' TERM; "
            "while :; do sleep 0.1; done"});
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  // Give the shell time to install its traps before the first signal.
  std::this_thread::sleep_for(300ms);
  for (const char* sig : {"usr1", "SIGUSR2", "1"}) {
    auto r = rt({"kill", id_, sig});
    EXPECT_EQ(r.exit_code, 0) << sig << ": " << r;
    std::this_thread::sleep_for(200ms);  // the shell runs one trap per loop turn
  }
  std::string sigfile = in_rootfs(bundle_, "/tmp/sig");
  for (int i = 0; i < 40 && split_lines(read_file(sigfile)).size() < 3; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  std::string got = read_file(sigfile);
  EXPECT_THAT(got, HasSubstr("usr1"));
  EXPECT_THAT(got, HasSubstr("usr2"));
  EXPECT_THAT(got, HasSubstr("hup"));
  // No signal argument means SIGTERM.
  EXPECT_EQ(rt({"kill", id_}).exit_code, 0);
  EXPECT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
}

TEST_F(LifecycleTest, KillRejectsUnknownSignal) {
  set_args(kSleepForever);
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"kill", id_, "NOPE"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("unknown signal"));
  EXPECT_EQ(status(id_), "created");
}

TEST_F(LifecycleTest, KillWorksOnCreatedContainer) {
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"kill", id_, "KILL"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
}

// A created init is pid 1 of its namespace, which ignores signals it has no
// handler for; like runc's, it still ends on SIGTERM (and HUP, INT, QUIT).
TEST_F(LifecycleTest, TermEndsACreatedContainer) {
  for (const char* sig : {"TERM", "HUP"}) {
    std::string id = new_id("term");
    ASSERT_EQ(rt({"create", "--bundle", bundle_, id}).exit_code, 0) << sig;
    track_pid(state_pid(id));
    auto r = rt({"kill", id, sig});
    EXPECT_EQ(r.exit_code, 0) << sig << ": " << r;
    EXPECT_TRUE(wait_for_status(id, "stopped", 5s)) << sig << ": " << status(id);
    rt({"delete", "--force", id});
  }
}

TEST_F(LifecycleTest, KillOfStoppedContainerFailsUnlessAll) {
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"kill", id_, "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped", 5s));
  auto r = rt({"kill", id_, "TERM"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("container not running"));
  auto all = rt({"kill", "--all", id_, "TERM"});
  EXPECT_EQ(all.exit_code, 0) << all;
}

TEST_F(LifecycleTest, DeleteOfCreatedContainerNeedsNoForce) {
  ASSERT_EQ(create().exit_code, 0);
  pid_t pid = state_pid(id_);
  auto r = rt({"delete", id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(rt({"state", id_}).exit_code, 1);
  expect_nothing_left(id_);
  EXPECT_FALSE(path_exists("/proc/" + std::to_string(pid))) << "init survived delete";
}

TEST_F(LifecycleTest, DeleteOfRunningContainerNeedsForce) {
  set_args(kSleepForever);
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto r = rt({"delete", id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot delete container " + id_ + " that is not stopped: running"));
  EXPECT_EQ(status(id_), "running");
  auto f = rt({"delete", "--force", id_});
  EXPECT_EQ(f.exit_code, 0) << f;
  expect_nothing_left(id_);
}

TEST_F(LifecycleTest, DeleteOfStoppedContainerRemovesIt) {
  set_args({"true"});
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped", 10s));
  auto r = rt({"delete", id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  expect_nothing_left(id_);
}

TEST_F(LifecycleTest, DeleteOfMissingContainer) {
  auto r = rt({"delete", "no-such-container"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
  auto f = rt({"delete", "--force", "no-such-container"});
  EXPECT_EQ(f.exit_code, 0) << f;
}

TEST_F(LifecycleTest, DeleteForceCleansLeftoverStateDir) {
  // An aborted create can leave <root>/<id> without state.json.
  std::filesystem::create_directories(root_ + "/" + id_);
  // runc: "container does not exist" while create says "already exists";
  // orun shows it as a half-created, stopped container (gc_test.cpp).
  if (runtime_is_runc()) {
    EXPECT_THAT(rt({"state", id_}).err, HasSubstr("container does not exist"));
  } else {
    EXPECT_EQ(status(id_), "stopped");
  }
  auto c = create();
  EXPECT_EQ(c.exit_code, 1) << c;
  EXPECT_THAT(c.err, HasSubstr("container with given ID already exists"));
  auto r = rt({"delete", "--force", id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(path_exists(root_ + "/" + id_));
}

TEST_F(LifecycleTest, CreatePidFileIsRelativeToCallerCwdWithoutNewline) {
  // A relative --pid-file is resolved against the caller's cwd, not the bundle.
  auto r = rt({"create", "--bundle", bundle_, "--pid-file", "init.pid", id_}, {.cwd = tmp_});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  std::string pidfile = read_file(tmp_ + "/init.pid");
  EXPECT_FALSE(path_exists(bundle_ + "/init.pid"));
  EXPECT_TRUE(std::regex_match(pidfile, std::regex("[0-9]+"))) << "'" << pidfile << "'";
  EXPECT_EQ(pidfile, std::to_string(state_pid(id_)));
}

TEST_F(LifecycleTest, RunDetachedWritesPidFile) {
  set_args(kSleepForever);
  std::string pidfile = tmp_ + "/run.pid";
  auto r = rt({"run", "-d", "--pid-file", pidfile, "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  EXPECT_EQ(read_file(pidfile), std::to_string(state_pid(id_)));
}

}  // namespace
}  // namespace orun::itest
