// Cgroups: resources applied and read back on this host's layout (v1
// hybrid) and on pure cgroup v2 (a private mount namespace with cgroup2 on
// /sys/fs/cgroup), update/pause round trips, events --stats, ps, OOM report,
// and bad resources leaving nothing behind.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using CgroupsTest = ContainerTest;

const std::vector<std::string> kSleepForever{"sh", "-c", "while :; do sleep 0.1; done"};

bool host_is_hybrid() { return path_exists("/sys/fs/cgroup/unified/cgroup.controllers") && path_exists("/sys/fs/cgroup/memory"); }

// mknod needs CAP_MKNOD, which the default spec leaves out.
void allow_mknod(Json& config) {
  for (const char* set : {"bounding", "effective", "permitted"}) config["process"]["capabilities"][set].push_back("CAP_MKNOD");
  config["root"]["readonly"] = false;
}

// The cgroup2 hierarchy: /sys/fs/cgroup/unified on a hybrid host, else
// /sys/fs/cgroup (empty when there is none).
std::string v2_mount() {
  if (path_exists("/sys/fs/cgroup/unified/cgroup.controllers")) return "/sys/fs/cgroup/unified";
  if (path_exists("/sys/fs/cgroup/cgroup.controllers")) return "/sys/fs/cgroup";
  return "";
}

bool has_word(const std::string& list, const std::string& word) {
  std::istringstream in(list);
  for (std::string w; in >> w;)
    if (w == word) return true;
  return false;
}

bool v2_has_controller(const std::string& ctrl) {
  std::string m = v2_mount();
  return !m.empty() && has_word(read_file(m + "/cgroup.controllers"), ctrl);
}

// Why `ctrl` cannot be delegated down to the cgroup2 directory `rel` (a
// path under the cgroup2 mount), or "" when it can: every existing ancestor
// must offer it and either enable it already or be free to (cgroup2's "no
// internal processes" rule: a non-root cgroup holding processes cannot
// enable a domain controller for its children, e.g. the cgroup namespace
// root of a privileged container that runs this suite).
std::string delegation_blocker(const std::string& ctrl, const std::string& rel) {
  std::string mount = v2_mount();
  if (mount.empty()) return "no cgroup2";
  std::string dir = mount;
  std::vector<std::string> parts;
  std::istringstream in(rel);
  for (std::string p; std::getline(in, p, '/');)
    if (!p.empty()) parts.push_back(p);
  for (size_t i = 0; i < parts.size(); dir += "/" + parts[i++]) {
    if (!path_exists(dir + "/cgroup.controllers")) break;  // made by the runtime
    if (has_word(read_file(dir + "/cgroup.subtree_control"), ctrl)) continue;
    if (!has_word(read_file(dir + "/cgroup.controllers"), ctrl)) return ctrl + " is not available in " + dir;
    // The root cgroup (no cgroup.type) may hold processes and enable controllers.
    if (path_exists(dir + "/cgroup.type") && !trim(read_file(dir + "/cgroup.procs")).empty())
      return "cannot enable " + ctrl + " in " + dir + ": it holds processes (cgroup2 delegation impossible here)";
  }
  return "";
}

std::string v1_file(const std::string& ctrl, const std::string& id, const std::string& file) {
  return trim(read_file("/sys/fs/cgroup/" + ctrl + "/orun-test/" + id + "/" + file));
}

class CgroupsV1Test : public CgroupsTest {
 protected:
  void SetUp() override {
    CgroupsTest::SetUp();
    if (IsSkipped()) return;
    if (!host_is_hybrid()) GTEST_SKIP() << "needs the v1 hybrid layout";
  }
  void run_detached() {
    set_args(kSleepForever);
    auto r = rt({"run", "--detach", "--bundle", bundle_, id_});
    ASSERT_EQ(r.exit_code, 0) << r;
    track_pid(state_pid(id_));
  }
};

TEST_F(CgroupsV1Test, ResourcesAreWrittenToEachController) {
  config_["linux"]["resources"] = Json::parse(R"({
    "memory": {"limit": 33554432, "reservation": 25165824, "swap": 67108864, "swappiness": 20},
    "cpu": {"shares": 100, "quota": 500000, "period": 1000000, "cpus": "0"},
    "pids": {"limit": 20}})");
  run_detached();
  EXPECT_EQ(v1_file("memory", id_, "memory.limit_in_bytes"), "33554432");
  EXPECT_EQ(v1_file("memory", id_, "memory.soft_limit_in_bytes"), "25165824");
  EXPECT_EQ(v1_file("memory", id_, "memory.memsw.limit_in_bytes"), "67108864");
  EXPECT_EQ(v1_file("memory", id_, "memory.swappiness"), "20");
  EXPECT_EQ(v1_file("cpu", id_, "cpu.shares"), "100");
  EXPECT_EQ(v1_file("cpu", id_, "cpu.cfs_quota_us"), "500000");
  EXPECT_EQ(v1_file("cpu", id_, "cpu.cfs_period_us"), "1000000");
  EXPECT_EQ(v1_file("cpuset", id_, "cpuset.cpus"), "0");
  EXPECT_EQ(v1_file("pids", id_, "pids.max"), "20");
}

TEST_F(CgroupsV1Test, CpuIdle) {
  if (!path_exists("/sys/fs/cgroup/cpu/cpu.idle")) GTEST_SKIP() << "no cpu.idle";
  config_["linux"]["resources"]["cpu"]["idle"] = 1;
  run_detached();
  EXPECT_EQ(v1_file("cpu", id_, "cpu.idle"), "1");
}

TEST_F(CgroupsV1Test, HugetlbOnHybridLandsOnCgroup2) {
  if (path_exists("/sys/fs/cgroup/hugetlb") || !path_exists("/sys/kernel/mm/hugepages/hugepages-2048kB"))
    GTEST_SKIP() << "needs hugetlb on cgroup2 only and 2MB pages";
  if (auto why = delegation_blocker("hugetlb", "/orun-test/" + id_); !why.empty()) GTEST_SKIP() << why;
  config_["linux"]["resources"]["hugepageLimits"] = Json::parse(R"([{"pageSize": "2MB", "limit": 4194304}])");
  run_detached();
  EXPECT_EQ(trim(read_file("/sys/fs/cgroup/unified/orun-test/" + id_ + "/hugetlb.2MB.max")), "4194304");
  auto r = rt({"events", "--stats", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(Json::parse(r.out)["data"]["hugetlb"].contains("2MB")) << r.out;
}

// A nested engine's case: the cgroup2 parent holds a process, so the kernel
// refuses to enable hugetlb for its children (EBUSY, "no internal
// processes"). The error names that write, not the missing hugetlb file,
// and the failed run leaves no cgroup of its own.
TEST_F(CgroupsV1Test, HugetlbUnderABusyCgroup2ParentNamesTheRefusal) {
  if (path_exists("/sys/fs/cgroup/hugetlb") || !path_exists("/sys/kernel/mm/hugepages/hugepages-2048kB"))
    GTEST_SKIP() << "needs hugetlb on cgroup2 only and 2MB pages";
  if (auto why = delegation_blocker("hugetlb", "/orun-test/" + id_); !why.empty()) GTEST_SKIP() << why;
  // Teardown removes /orun-test/<id> (and what is under it) in every hierarchy.
  std::string parent = "/sys/fs/cgroup/unified/orun-test/" + id_;
  ASSERT_EQ(run_command({"mkdir", "-p", parent}).exit_code, 0);
  BackgroundCommand holder({"sleep", "60"});
  write_file(parent + "/cgroup.procs", std::to_string(holder.pid()));
  ASSERT_THAT(read_file(parent + "/cgroup.procs"), HasSubstr(std::to_string(holder.pid())));
  config_["linux"]["cgroupsPath"] = "/orun-test/" + id_ + "/ctr";
  config_["linux"]["resources"]["hugepageLimits"] = Json::parse(R"([{"pageSize": "2MB", "limit": 4194304}])");
  set_args({"true"});
  auto r = run_fg();
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot enable controller hugetlb in " + parent + ": device or resource busy")) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("no such file or directory"))) << r;
  for (const auto& m : cgroup_mounts()) EXPECT_FALSE(path_exists(m + "/orun-test/" + id_ + "/ctr")) << m;
  EXPECT_FALSE(path_exists(root_ + "/" + id_));
  holder.signal(SIGKILL);
}

TEST_F(CgroupsV1Test, PidsLimitZeroMeansOne) {
  config_["linux"]["resources"]["pids"]["limit"] = 0;
  run_detached();
  EXPECT_EQ(v1_file("pids", id_, "pids.max"), "1");
}

TEST_F(CgroupsV1Test, HybridJoinsTheUnifiedHierarchyToo) {
  run_detached();
  auto lines = split_lines(read_file("/proc/" + std::to_string(state_pid(id_)) + "/cgroup"));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "0::/orun-test/" + id_);
}

TEST_F(CgroupsV1Test, DefaultDeviceRulesDenyUnlistedDevices) {
  // mknod is allowed for any device (runc's default), opening /dev/mem is not.
  allow_mknod(config_);
  auto r = run_sh("mknod /tmp/mem c 1 1 && echo made; head -c1 /tmp/mem >/dev/null && echo opened; echo null >/dev/null && echo ok");
  EXPECT_THAT(r.out, HasSubstr("made")) << r;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("opened"))) << r;
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted")) << r;
  EXPECT_THAT(r.out, HasSubstr("ok")) << r;
}

TEST_F(CgroupsV1Test, ConfigDeviceRulesComeBeforeTheDefaults) {
  config_["linux"]["resources"]["devices"] = Json::parse(
      R"([{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 1, "access": "r"}])");
  run_detached();
  auto list = split_lines(read_file("/sys/fs/cgroup/devices/orun-test/" + id_ + "/devices.list"));
  EXPECT_NE(std::find(list.begin(), list.end(), "c 1:1 r"), list.end()) << read_file("/sys/fs/cgroup/devices/orun-test/" + id_ + "/devices.list");
  EXPECT_NE(std::find(list.begin(), list.end(), "c 1:3 rwm"), list.end());
  EXPECT_EQ(std::find(list.begin(), list.end(), "a *:* rwm"), list.end());
}

TEST_F(CgroupsV1Test, UpdateRoundTrip) {
  config_["linux"]["resources"] = Json::parse(R"({"memory": {"limit": 33554432},
      "cpu": {"shares": 100, "quota": 500000, "period": 1000000}, "pids": {"limit": 20}})");
  run_detached();
  auto r = rt({"update", id_, "--memory", "64M", "--pids-limit", "7", "--cpu-period", "900000"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(v1_file("memory", id_, "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(v1_file("pids", id_, "pids.max"), "7");
  EXPECT_EQ(v1_file("cpu", id_, "cpu.cfs_period_us"), "900000");
  EXPECT_EQ(v1_file("cpu", id_, "cpu.cfs_quota_us"), "500000");  // kept
  CommandOptions in;
  in.stdin_data = R"({"cpu": {"quota": 200000, "period": 1000000}, "pids": {"limit": 9}})";
  r = rt({"update", "-r", "-", id_}, in);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(v1_file("cpu", id_, "cpu.cfs_quota_us"), "200000");
  EXPECT_EQ(v1_file("pids", id_, "pids.max"), "9");
  EXPECT_EQ(v1_file("memory", id_, "memory.limit_in_bytes"), "67108864");  // not in the document: unchanged
  // The new resources are what state.json remembers.
  auto st = Json::parse(read_file(root_ + "/" + id_ + "/state.json"));
  EXPECT_EQ(st["config"]["linux"]["resources"]["pids"]["limit"], 9);
  EXPECT_EQ(st["config"]["linux"]["resources"]["memory"]["limit"], 67108864);
}

TEST_F(CgroupsV1Test, UpdateRejectsBadValuesAndKeepsOldOnes) {
  config_["linux"]["resources"]["pids"]["limit"] = 20;
  run_detached();
  auto r = rt({"update", id_, "--cpu-idle", "3"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("cpu.idle"));
  r = rt({"update", id_, "--memory", "lots"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("invalid value for memory"));
  EXPECT_EQ(v1_file("pids", id_, "pids.max"), "20");
}

TEST_F(CgroupsV1Test, UpdateOfStoppedContainerFails) {
  set_args({"true"});
  auto r = rt({"run", "--detach", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_TRUE(wait_for_status(id_, "stopped"));
  r = rt({"update", id_, "--pids-limit", "3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("container not running"));
}

TEST_F(CgroupsV1Test, PauseResumeRoundTripKeepsUpdates) {
  run_detached();
  ASSERT_EQ(rt({"pause", id_}).exit_code, 0);
  EXPECT_EQ(status(id_), "paused");
  EXPECT_EQ(v1_file("freezer", id_, "freezer.state"), "FROZEN");
  auto r = rt({"update", id_, "--pids-limit", "30"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(status(id_), "paused");
  ASSERT_EQ(rt({"resume", id_}).exit_code, 0);
  EXPECT_EQ(status(id_), "running");
  EXPECT_EQ(v1_file("freezer", id_, "freezer.state"), "THAWED");
}

TEST_F(CgroupsV1Test, EventsStatsHasRuncFields) {
  config_["linux"]["resources"]["pids"]["limit"] = 50;
  run_detached();
  auto r = rt({"events", "--stats", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_EQ(lines[0].rfind(R"({"type":"stats","id":")" + id_ + R"(","data":{"cpu":)", 0), 0u) << lines[0];
  auto e = Json::parse(lines[0]);
  const auto& d = e["data"];
  EXPECT_GE(d["pids"]["current"].get<uint64_t>(), 1u);
  EXPECT_EQ(d["pids"]["limit"].get<uint64_t>(), 50u);
  EXPECT_GT(d["memory"]["usage"]["usage"].get<uint64_t>(), 0u);
  EXPECT_TRUE(d["memory"]["raw"].contains("rss"));
  EXPECT_TRUE(d["cpuset"].contains("cpus"));
  EXPECT_GT(d["cpu"]["usage"]["total"].get<uint64_t>(), 0u);
  EXPECT_TRUE(d.contains("hugetlb"));
  EXPECT_TRUE(d["network_interfaces"].is_null());
}

TEST_F(CgroupsV1Test, EventsStreamEndsWhenContainerIsDeleted) {
  run_detached();
  BackgroundCommand ev(rt_argv({"events", "--interval", "100ms", id_}));
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
  auto r = ev.wait(10s);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(r.out, HasSubstr(R"({"type":"stats","id":")" + id_));
}

TEST_F(CgroupsV1Test, EventsOfStoppedContainer) {
  set_args({"true"});
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped"));
  auto r = rt({"events", "--stats", id_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("container with id " + id_ + " is not running"));
}

TEST_F(CgroupsV1Test, PsListsTheContainerProcesses) {
  run_detached();
  pid_t pid = state_pid(id_);
  auto j = rt({"ps", "-f", "json", id_});
  ASSERT_EQ(j.exit_code, 0) << j;
  auto pids = Json::parse(j.out);
  ASSERT_TRUE(pids.is_array());
  EXPECT_NE(std::find(pids.begin(), pids.end(), Json(pid)), pids.end()) << j.out;
  auto t = rt({"ps", id_, "-o", "pid,comm"});
  ASSERT_EQ(t.exit_code, 0) << t;
  auto lines = split_lines(t.out);
  ASSERT_GE(lines.size(), 2u) << t.out;
  EXPECT_THAT(lines[0], HasSubstr("PID"));
  for (size_t i = 1; i < lines.size(); i++) EXPECT_THAT(lines[i], ::testing::Not(HasSubstr("orun_integration")));
  auto bad = rt({"ps", id_, "-o", "comm"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("couldn't find PID field in ps output"));
}

TEST_F(CgroupsV1Test, OomKilledInitIsReported) {
  config_["linux"]["resources"]["memory"] = Json::parse(R"({"limit": 16777216, "swap": 16777216})");
  // The init itself allocates far over the limit.
  set_args({"dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"});
  std::string log = tmp_ + "/log.json";
  auto r = run_command(rt_argv({"--log", log, "--log-format", "json", "run", "--bundle", bundle_, id_}));
  // rt_argv puts --root first; global flags may follow.
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r;
  auto text = read_file(log);
  EXPECT_THAT(text, HasSubstr("container init was OOM-killed (memory limit too low?)"));
  expect_nothing_left(id_);
}

// The OOM report names the init's own death only. These run `run` in the
// foreground with a JSON log and end the init by SIGKILL in other ways.
class OomReportTest : public CgroupsV1Test {
 protected:
  void start(bool limit) {
    if (limit) config_["linux"]["resources"]["memory"] = Json::parse(R"({"limit": 33554432, "swap": 33554432})");
    // A child allocates far over the limit and is the OOM killer's victim;
    // the init (sh) lives on.
    set_args({"sh", "-c", std::string(limit ? "dd if=/dev/zero of=/dev/null bs=64M count=1; " : "") +
                              "echo child-done; while :; do sleep 0.1; done"});
    log_ = tmp_ + "/log.json";
    run_.emplace(rt_argv({"--log", log_, "--log-format", "json", "run", "--bundle", bundle_, id_}));
    ASSERT_TRUE(wait_for_status(id_, "running"));
    if (limit) {
      ASSERT_TRUE(wait_for_oom_kills(1)) << read_file(cg_file("memory.oom_control"));
    }
  }
  std::string cg_file(const std::string& f) { return "/sys/fs/cgroup/memory/orun-test/" + id_ + "/" + f; }
  bool wait_for_oom_kills(uint64_t n) {
    for (int i = 0; i < 200; i++) {
      std::istringstream in(read_file(cg_file("memory.oom_control")));
      std::string key;
      uint64_t v = 0;
      while (in >> key >> v)
        if (key == "oom_kill" && v >= n) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  void expect_killed_without_oom_report() {
    auto r = run_->wait(20s);
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r;
    EXPECT_THAT(read_file(log_), Not(HasSubstr("OOM-killed"))) << read_file(log_);
    EXPECT_THAT(r.err, Not(HasSubstr("OOM-killed"))) << r;
  }
  std::string log_;
  std::optional<BackgroundCommand> run_;
};

TEST_F(OomReportTest, ChildOomThenKillOfInitIsNoOomOfInit) {
  start(true);
  auto k = rt({"kill", id_, "KILL"});
  ASSERT_EQ(k.exit_code, 0) << k;
  expect_killed_without_oom_report();
}

TEST_F(OomReportTest, ChildOomThenSigkillFromOutsideIsNoOomOfInit) {
  start(true);
  // `run` has seen the child's OOM kill with the init alive by now.
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(::kill(state_pid(id_), SIGKILL), 0);
  expect_killed_without_oom_report();
}

TEST_F(OomReportTest, KillWithoutMemoryLimitIsNoOom) {
  start(false);
  auto k = rt({"kill", id_, "KILL"});
  ASSERT_EQ(k.exit_code, 0) << k;
  expect_killed_without_oom_report();
}

// issue 12 item 4: `exec` names an OOM kill of the exec'd process (runc:
// rc 137, silent), and only that.
class ExecOomTest : public OomReportTest {
 protected:
  void start_idle() {
    config_["linux"]["resources"]["memory"] = Json::parse(R"({"limit": 33554432, "swap": 33554432})");
    set_args({"sleep", "1000"});
    ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
    track_pid(state_pid(id_));
  }
};

TEST_F(ExecOomTest, OomKilledExecSaysSo) {
  start_idle();
  auto r = rt({"exec", id_, "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"});
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r;
  EXPECT_THAT(r.err, HasSubstr("exec process was OOM-killed (memory limit too low?)")) << r;
}

TEST_F(ExecOomTest, SigkillFromOutsideAfterAnotherOomIsNoOom) {
  start_idle();
  BackgroundCommand ex(rt_argv({"exec", id_, "sh", "-c", "echo started; sleep 1000"}));
  pid_t victim = -1;
  for (int i = 0; i < 100 && victim < 0; i++) {
    std::this_thread::sleep_for(50ms);
    auto ps = rt({"ps", "--format", "json", id_});
    auto pids = Json::parse(ps.out, nullptr, false);
    if (pids.is_array() && pids.size() >= 2)
      for (auto& p : pids)
        if (p.get<pid_t>() != state_pid(id_)) victim = p.get<pid_t>();
  }
  ASSERT_GT(victim, 0);
  // Another process's OOM kill while the exec'd one runs, then the exec'd
  // one is SIGKILLed from outside.
  auto hog = rt({"exec", id_, "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"});
  ASSERT_EQ(hog.exit_code, 128 + SIGKILL) << hog;
  ASSERT_TRUE(wait_for_oom_kills(1));
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  auto r = ex.wait(20s);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("OOM-killed"))) << r;
  reap_zombies();
}

TEST_F(CgroupsV1Test, UnifiedOnV1IsRefusedAndNothingIsLeft) {
  config_["linux"]["resources"]["unified"] = Json::parse(R"({"memory.min": "131072"})");
  set_args({"true"});
  auto r = run_fg();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("invalid configuration: cannot use unified on cgroup v1"));
  expect_nothing_left(id_);
}

TEST_F(CgroupsTest, BadResourcesNameTheFieldAndLeaveNothing) {
  struct Case {
    const char* resources;
    const char* error;
  } cases[] = {
      {R"({"cpu": {"cpus": "0-"}})", "linux.resources.cpu.cpus: invalid cpuset"},
      {R"({"memory": {"limit": -7}})", "linux.resources.memory.limit: invalid value -7"},
      {R"({"cpu": {"shares": "many"}})", "linux.resources.cpu.shares: expected a non-negative integer"},
      {R"({"blockIO": {"weight": 2000}})", "linux.resources.blockIO.weight: 2000 is out of range"},
      {R"({"unified": {"../x": "1"}})", "must be a file name (no slashes)"},
  };
  set_args({"true"});
  for (auto& c : cases) {
    config_["linux"]["resources"] = Json::parse(c.resources);
    save_config();
    auto r = run_fg();
    EXPECT_NE(r.exit_code, 0) << c.resources;
    EXPECT_THAT(r.err, HasSubstr(c.error)) << r;
    expect_nothing_left(id_);
  }
}

// ---- pure cgroup v2: the runtime runs in a mount namespace where
// /sys/fs/cgroup is the cgroup2 hierarchy (only hugetlb and the pseudo
// controllers are free of v1 there).

class CgroupsV2Test : public CgroupsTest {
 protected:
  void SetUp() override {
    CgroupsTest::SetUp();
    if (IsSkipped()) return;
    if (!path_exists("/sys/fs/cgroup/unified/cgroup.controllers") && !path_exists("/sys/fs/cgroup/cgroup.controllers"))
      GTEST_SKIP() << "no cgroup2";
  }
  // Runs `script` in a private mount namespace with cgroup2 on
  // /sys/fs/cgroup; $RT is the runtime with --root.
  CommandResult in_v2(const std::string& script) {
    std::string rt;
    for (auto& a : rt_argv({})) rt += a + " ";  // test paths have no spaces
    std::string full = "set -e; mount --make-rprivate /; mount -t cgroup2 cgroup2 /sys/fs/cgroup; RT=\"" + rt +
                       "\"; " + script;
    return run_command({"unshare", "-m", "sh", "-c", full});
  }
};

TEST_F(CgroupsV2Test, HugetlbLimitAndDeviceProgram) {
  if (!path_exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) GTEST_SKIP() << "no 2MB huge pages";
  if (auto why = delegation_blocker("hugetlb", "/orun-test/" + id_); !why.empty()) GTEST_SKIP() << why;
  config_["linux"]["resources"]["hugepageLimits"] = Json::parse(R"([{"pageSize": "2MB", "limit": 4194304}])");
  config_["process"]["args"] = Json::parse(
      R"(["sh", "-c", "mknod /tmp/mem c 1 1; head -c1 /tmp/mem >/dev/null 2>/tmp/err || cat /tmp/err; echo end"])");
  config_["root"]["readonly"] = false;
  save_config();
  std::string cg = "/sys/fs/cgroup/orun-test/" + id_;
  auto r = in_v2("$RT run -d --bundle " + bundle_ + " " + id_ + " >/dev/null; cat " + cg +
                 "/hugetlb.2MB.max; grep -c . " + cg + "/cgroup.procs || true; sleep 0.5; $RT delete -f " + id_ +
                 "; test ! -d " + cg + " && echo removed");
  EXPECT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 1u) << r;
  EXPECT_EQ(lines[0], "4194304") << r;
  EXPECT_THAT(r.out, HasSubstr("removed")) << r;
}

// Pure cgroup2: the same refusal from a parent holding a process is named
// where it happens, and the container's cgroup is removed.
TEST_F(CgroupsV2Test, HugetlbUnderABusyParentNamesTheRefusal) {
  if (!path_exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) GTEST_SKIP() << "no 2MB huge pages";
  if (auto why = delegation_blocker("hugetlb", "/orun-test/" + id_); !why.empty()) GTEST_SKIP() << why;
  config_["linux"]["cgroupsPath"] = "/orun-test/" + id_ + "/ctr";
  config_["linux"]["resources"]["hugepageLimits"] = Json::parse(R"([{"pageSize": "2MB", "limit": 4194304}])");
  config_["process"]["args"] = Json::parse(R"(["true"])");
  save_config();
  std::string parent = "/sys/fs/cgroup/orun-test/" + id_;
  auto r = in_v2("mkdir -p " + parent + "; sleep 60 & echo $! >" + parent + "/cgroup.procs; $RT run --bundle " +
                 bundle_ + " " + id_ + " || echo failed; test -d " + parent + "/ctr || echo removed; kill $!");
  EXPECT_THAT(r.out, HasSubstr("failed")) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot enable controller hugetlb in " + parent + ": device or resource busy")) << r;
  EXPECT_THAT(r.out, HasSubstr("removed")) << r;
}

TEST_F(CgroupsV2Test, DeviceProgramDeniesUnlistedDevice) {
  allow_mknod(config_);
  config_["process"]["args"] =
      Json::parse(R"(["sh", "-c", "mknod /tmp/mem c 1 1 && echo made; head -c1 /tmp/mem >/dev/null || echo denied; echo x >/dev/null && echo null-ok"])");
  save_config();
  auto r = in_v2("$RT run --bundle " + bundle_ + " " + id_);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("made")) << r;
  EXPECT_THAT(r.out, HasSubstr("denied")) << r;
  EXPECT_THAT(r.out, HasSubstr("null-ok")) << r;
}

TEST_F(CgroupsV2Test, PauseResumeAndStats) {
  config_["process"]["args"] = Json::parse(R"(["sh", "-c", "while :; do sleep 0.1; done"])");
  save_config();
  std::string cg = "/sys/fs/cgroup/orun-test/" + id_;
  auto r = in_v2("$RT run -d --bundle " + bundle_ + " " + id_ + "; $RT pause " + id_ + "; grep frozen " + cg +
                 "/cgroup.events; $RT state " + id_ + " | grep -o '\"status\": *\"[a-z]*\"'; $RT resume " + id_ +
                 "; grep frozen " + cg + "/cgroup.events; $RT events --stats " + id_ + "; $RT delete -f " + id_);
  EXPECT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 4u) << r;
  EXPECT_EQ(lines[0], "frozen 1");
  EXPECT_THAT(lines[1], HasSubstr("paused"));
  EXPECT_EQ(lines[2], "frozen 0");
  auto e = Json::parse(lines[3]);
  EXPECT_EQ(e["type"], "stats");
  EXPECT_GE(e["data"]["pids"]["current"].get<uint64_t>(), 1u);
}

TEST_F(CgroupsV2Test, UnifiedKeyOfMissingControllerIsNamed) {
  config_["linux"]["resources"]["unified"] = Json::parse(R"({"memory.high": "1000000"})");
  config_["process"]["args"] = Json::parse(R"(["true"])");
  save_config();
  if (v2_has_controller("memory")) GTEST_SKIP() << "memory is a cgroup2 controller here";
  auto r = in_v2("$RT run --bundle " + bundle_ + " " + id_);
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("memory.high")) << r;
  EXPECT_THAT(r.err, HasSubstr("can't be set: controller")) << r;
  expect_nothing_left(id_);
}

TEST_F(CgroupsV2Test, LimitOfMissingControllerSaysSo) {
  config_["linux"]["resources"]["pids"]["limit"] = 10;
  config_["process"]["args"] = Json::parse(R"(["true"])");
  save_config();
  if (v2_has_controller("pids")) GTEST_SKIP() << "pids is a cgroup2 controller here";
  auto r = in_v2("$RT run --bundle " + bundle_ + " " + id_);
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot set pids limit: controller")) << r;
  expect_nothing_left(id_);
}

}  // namespace
}  // namespace orun::itest
