// issue 12 item 7: a half-created container (its `create` SIGKILLed before
// state.json) is visible to `state`/`list` as such, not "does not exist"
// while `create` says "already exists"; `orun gc` finds and removes what
// killed commands and hand-removed state dirs leave (half-created dirs,
// unreadable state, orphan cgroups, fifos, temporary names) and `delete -f`
// still kills through the cgroups when state.json is corrupt. runc 1.1.5
// shows a half-created container as "does not exist" and has no gc.
#include <signal.h>

#include <filesystem>
#include <random>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class GcTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (runtime_is_runc()) GTEST_SKIP() << "orun's own gc and half-created view";
  }

  // A create stopped in its createRuntime hook (before state.json, after the
  // cgroups and the init exist), then SIGKILLed. Returns the hook's pid.
  void create_killed_in_hook(const std::string& id) {
    std::string mark = tmp_ + "/hook-" + id;
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    config_["hooks"]["createRuntime"] =
        Json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo $$ > " + mark + ".tmp; mv " + mark + ".tmp " + mark + "; exec sleep 100"}}}});
    save_config();
    BackgroundCommand create(rt_argv({"create", "--bundle", bundle_, id}));
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!path_exists(mark) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(path_exists(mark)) << "hook never ran";
    // While the create runs, the container is "creating".
    auto during = state(id);
    ASSERT_TRUE(during) << "state failed during create";
    EXPECT_EQ((*during)["status"], "creating");
    EXPECT_EQ((*during)["pid"], 0);
    create.signal(SIGKILL);
    create.wait(10s);
    pid_t hook = static_cast<pid_t>(std::stoi(read_file(mark)));
    ::kill(hook, SIGKILL);
    config_["hooks"] = Json::object();
    save_config();
  }

  size_t procs_in_cgroups(const std::string& id) {
    size_t n = 0;
    for (const auto& m : cgroup_mounts()) {
      std::string p = m + "/orun-test/" + id + "/cgroup.procs";
      if (path_exists(p)) n = std::max(n, split_lines(read_file(p)).size());
    }
    return n;
  }
};

TEST_F(GcTest, HalfCreatedContainerIsShownAsStoppedAndGcRemovesEverything) {
  set_args({"sleep", "100"});
  ASSERT_NO_FATAL_FAILURE(create_killed_in_hook(id_));
  ASSERT_FALSE(path_exists(root_ + "/" + id_ + "/state.json"));
  // The init dies with its parent (the sync socket closes); its cgroups stay.
  ASSERT_TRUE(path_exists("/sys/fs/cgroup/memory/orun-test/" + id_));
  // state and list agree with create's "already exists".
  auto s = state(id_);
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["status"], "stopped");
  EXPECT_EQ((*s)["pid"], 0);
  EXPECT_EQ((*s)["bundle"], bundle_);
  auto l = rt({"list", "--format", "json"});
  EXPECT_THAT(l.out, HasSubstr("\"id\":\"" + id_ + "\"")) << l;
  EXPECT_THAT(rt({"list"}).out, HasSubstr(id_));
  auto again = rt({"create", "--bundle", bundle_, id_});
  EXPECT_THAT(again.err, HasSubstr("container with given ID already exists")) << again;

  auto dry = rt({"gc", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry;
  EXPECT_THAT(dry.out, HasSubstr("half-created " + id_)) << dry;
  EXPECT_THAT(dry.out, HasSubstr("would undo the create record")) << dry;
  EXPECT_TRUE(path_exists(root_ + "/" + id_));
  EXPECT_TRUE(path_exists("/sys/fs/cgroup/memory/orun-test/" + id_)) << "--dry-run changed something";

  auto gc = rt({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("half-created " + id_)) << gc;
  expect_nothing_left(id_);
  EXPECT_FALSE(path_exists(root_ + "/.orun:cgroups:" + id_));
  EXPECT_EQ(rt({"gc", "--dry-run"}).out, "");
}

TEST_F(GcTest, CreateKilledAtRandomPointsIsConsistentAndGcLeavesNothing) {
  set_args({"sleep", "100"});
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(create().exit_code, 0);
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_EQ(rt({"delete", "--force", id_}).exit_code, 0);
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<long> delay(0, took.count() + 2000);
  for (int i = 0; i < 10; i++) {
    std::string id = new_id("gckill");
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    save_config();
    long us = delay(rng);
    {
      BackgroundCommand create(rt_argv({"create", "--bundle", bundle_, id}));
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      create.signal(SIGKILL);
      create.wait(10s);
    }
    SCOPED_TRACE("round " + std::to_string(i) + " (killed after " + std::to_string(us) + " us)");
    // Whatever holds the id is visible: state succeeds exactly when create refuses it.
    // (The init, a fork of the create, holds its lock until it notices its
    // parent is gone: "creating" until then.)
    bool exists = path_exists(root_ + "/" + id);
    auto st = rt({"state", id});
    for (int n = 0; n < 100 && st.out.find("\"creating\"") != std::string::npos; n++) {
      std::this_thread::sleep_for(20ms);
      st = rt({"state", id});
    }
    EXPECT_EQ(st.exit_code == 0, exists) << st;
    if (exists) {
      EXPECT_THAT(st.out, Not(HasSubstr("\"creating\"")));
    }
    auto gc = rt({"gc", "--force"}, {.timeout = 20s});
    EXPECT_EQ(gc.exit_code, 0) << gc;
    // Killed after state.json: a whole container, which gc leaves alone.
    if (path_exists(root_ + "/" + id)) {
      EXPECT_EQ(status(id), "created") << gc;
      EXPECT_EQ(rt({"delete", "--force", id}).exit_code, 0);
    }
    expect_nothing_left(id);
    EXPECT_FALSE(path_exists(root_ + "/.orun:cgroups:" + id));
  }
  for (auto& e : fs::directory_iterator(root_))
    EXPECT_THAT(e.path().filename().string(), Not(HasSubstr(".orun:creating-")));
}

TEST_F(GcTest, CorruptStateJsonNeedsForceThenItsProcessesAreKilled) {
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  write_file(root_ + "/" + id_ + "/state.json", "{\"id\": garbage");
  auto gc = rt({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("unreadable state " + id_)) << gc;
  EXPECT_THAT(gc.out, HasSubstr("left; --force would kill its processes")) << gc;
  EXPECT_EQ(procs_in_cgroups(id_), 1u);
  auto force = rt({"gc", "--force"}, {.timeout = 20s});
  EXPECT_EQ(force.exit_code, 0) << force;
  expect_nothing_left(id_);
}

TEST_F(GcTest, OrphanCgroupsOfARemovedStateDirAreFound) {
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  pid_t pid = state_pid(id_);
  ASSERT_GT(pid, 0);
  // What a runbook used to say: rm -rf the state dir.
  fs::remove_all(root_ + "/" + id_);
  // check's state entries point at them too.
  auto check = rt({"check"});
  EXPECT_THAT(check.out, HasSubstr("leftovers: orphan cgroups /sys/fs/cgroup/")) << check;
  auto gc = rt({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("orphan cgroups /sys/fs/cgroup/")) << gc;
  EXPECT_THAT(gc.out, HasSubstr("container " + id_ + " has no state dir; 1 process(es)")) << gc;
  EXPECT_EQ(::kill(pid, 0), 0) << "gc without --force killed a process";
  auto force = rt({"gc", "--force"}, {.timeout = 20s});
  EXPECT_EQ(force.exit_code, 0) << force;
  EXPECT_THAT(force.out, HasSubstr("done: kill the processes, remove the cgroups")) << force;
  expect_nothing_left(id_);
  EXPECT_FALSE(path_exists(root_ + "/.orun:cgroups:" + id_));
}

TEST_F(GcTest, EmptyOrphanCgroupsGoWithoutForce) {
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"kill", id_, "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped", 5s));
  for (int i = 0; i < 100 && procs_in_cgroups(id_) > 0; i++) std::this_thread::sleep_for(10ms);
  fs::remove_all(root_ + "/" + id_);
  auto gc = rt({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("no process in them): done: remove the cgroups")) << gc;
  expect_nothing_left(id_);
}

TEST_F(GcTest, StoppedContainerGetsItsExitRecordedAndFifoRemoved) {
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  pid_t pid = state_pid(id_);
  ASSERT_GT(pid, 0);
  // The init dies before start, behind the runtime's back.
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; i++) {
    reap_zombies();
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_FALSE(path_exists(root_ + "/" + id_ + "/exit.json"));
  auto gc = rt({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("stopped " + id_)) << gc;
  EXPECT_THAT(gc.out, HasSubstr("not recorded as stopped")) << gc;
  EXPECT_THAT(gc.out, HasSubstr("fifo " + root_ + "/" + id_ + "/exec.fifo")) << gc;
  EXPECT_THAT(gc.out, HasSubstr("never deleted): left; --force would delete it")) << gc;
  EXPECT_TRUE(path_exists(root_ + "/" + id_ + "/exit.json"));
  EXPECT_FALSE(path_exists(root_ + "/" + id_ + "/exec.fifo"));
  EXPECT_EQ(status(id_), "stopped");
  auto d = rt({"diagnose", id_});
  EXPECT_THAT(d.out, HasSubstr("container stopped")) << d;
  auto force = rt({"gc", "--force"});
  EXPECT_EQ(force.exit_code, 0) << force;
  expect_nothing_left(id_);
}

TEST_F(GcTest, TemporaryLeftoversOfKilledCommandsGo) {
  std::string tmpdir = root_ + "/.orun:creating-" + id_ + ".999999999";
  fs::create_directories(tmpdir);
  std::string seccomp_tmp = root_ + "/.orun:seccomp-cache.999999999.tmp";
  write_file(seccomp_tmp, "x");
  auto l = rt({"list", "-q"});
  EXPECT_EQ(l.exit_code, 0) << l;
  EXPECT_EQ(l.out, "") << "orun's own names listed as containers";
  auto gc = rt({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("temporary dir " + tmpdir)) << gc;
  EXPECT_FALSE(path_exists(tmpdir));
  EXPECT_FALSE(path_exists(seccomp_tmp));
}

// A --root pointed at a shared dir (/tmp) must not lose its directories: a
// dir without state.json and without orun's create record is only shown.
TEST_F(GcTest, DirsNotKnownToBeOrunsAreOnlyShown) {
  std::string foreign = root_ + "/" + id_;
  fs::create_directories(foreign + "/data");
  write_file(foreign + "/data/file", "keep");
  auto gc = rt({"gc", "--force"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_THAT(gc.out, HasSubstr("unknown dir " + foreign + " (no state.json and no create record): left; ")) << gc;
  EXPECT_EQ(read_file(foreign + "/data/file"), "keep");
  fs::remove_all(foreign);
}

TEST_F(GcTest, RunningContainersAreLeftAlone) {
  set_args({"sleep", "100"});
  ASSERT_EQ(create().exit_code, 0);
  auto gc = rt({"gc", "--force"});
  EXPECT_EQ(gc.exit_code, 0) << gc;
  EXPECT_EQ(gc.out, "") << gc;
  EXPECT_EQ(status(id_), "created");
  ASSERT_EQ(rt({"delete", "--force", id_}).exit_code, 0);
  expect_nothing_left(id_);
  EXPECT_FALSE(path_exists(root_ + "/.orun:cgroups:" + id_));
}

}  // namespace
}  // namespace orun::itest
