// Scheduler, I/O priority, personality, memory policy and exec CPU affinity
// of container processes, checked from the host (syscalls on the pid) and
// from inside (/proc/self).
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

using ProcessAttrsTest = ContainerTest;

constexpr int kIoprioWhoProcess = 1;

long ioprio_of(pid_t pid) { return syscall(SYS_ioprio_get, kIoprioWhoProcess, pid); }

// "Cpus_allowed_list:\t0-1" of this test process's own view of every CPU.
std::string all_cpus_line() {
  for (auto& l : split_lines(read_file("/proc/self/status")))
    if (l.rfind("Cpus_allowed_list:", 0) == 0) return l;
  return "";
}

// Keeps this thread (and so the runtime it starts) on CPU 0 for the scope.
class OnCpu0 {
 public:
  OnCpu0() {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof(one), &one);
  }
  ~OnCpu0() { sched_setaffinity(0, sizeof(saved_), &saved_); }

 private:
  cpu_set_t saved_;
};

TEST_F(ProcessAttrsTest, InitHasAllFourBeforeStart) {
  config_["process"]["scheduler"] = {{"policy", "SCHED_BATCH"}, {"nice", 19}};
  config_["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BE"}, {"priority", 4}};
  config_["linux"]["personality"] = {{"domain", "LINUX32"}};
  config_["linux"]["memoryPolicy"] = {{"mode", "MPOL_INTERLEAVE"}, {"nodes", "0"}};
  set_args({"sleep", "600"});
  auto r = create();
  ASSERT_EQ(r.exit_code, 0) << r;
  pid_t pid = state_pid(id_);
  ASSERT_GT(pid, 0);
  // Set before the ready handshake: a created container already has them.
  EXPECT_EQ(sched_getscheduler(pid), SCHED_BATCH);
  EXPECT_EQ(ioprio_of(pid), (2 << 13) | 4);
  EXPECT_EQ(trim(read_file("/proc/" + std::to_string(pid) + "/personality")), "00000008");
  // The policy is reported per mapping; the first (the binary's) shows it.
  EXPECT_THAT(read_file("/proc/" + std::to_string(pid) + "/numa_maps"), HasSubstr(" interleave:0 "));
}

TEST_F(ProcessAttrsTest, RunningPayloadSeesThemInside) {
  config_["process"]["scheduler"] = {{"policy", "SCHED_IDLE"}};
  config_["linux"]["personality"] = {{"domain", "LINUX32"}};
  // Field 41 of stat is the policy (SCHED_IDLE is 5).
  auto r = run_sh("cut -d' ' -f41 /proc/self/stat; uname -m");
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "5\ni686\n");
}

TEST_F(ProcessAttrsTest, ExecTakesTheConfigsValuesUnlessItsProcessHasOwn) {
  config_["process"]["scheduler"] = {{"policy", "SCHED_BATCH"}, {"nice", 7}};
  config_["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BE"}, {"priority", 4}};
  set_args({"sleep", "600"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);

  auto r = rt({"exec", id_, "sh", "-c", "cut -d' ' -f19,41 /proc/self/stat; ionice"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "7 3\nbest-effort: prio 4\n");

  Json proc = config_["process"];
  proc.erase("scheduler");
  proc["ioPriority"] = {{"class", "IOPRIO_CLASS_IDLE"}};
  proc["args"] = {"sh", "-c", "cut -d' ' -f19,41 /proc/self/stat; ionice"};
  write_file(tmp_ + "/process.json", proc.dump());
  r = rt({"exec", "--process", tmp_ + "/process.json", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  // No scheduler of its own: the config's; its own I/O class wins.
  EXPECT_EQ(r.out, "7 3\nidle\n");
}

TEST_F(ProcessAttrsTest, KernelRefusalsFailTheStartWithRuncsWords) {
  config_["process"]["scheduler"] = {{"policy", "SCHED_FIFO"}, {"priority", 100}};
  auto r = run_sh("true");
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("error setting scheduler: invalid argument")) << r;
  expect_nothing_left(id_);

  config_["process"].erase("scheduler");
  // No machine has NUMA node 1000.
  config_["linux"]["memoryPolicy"] = {{"mode", "MPOL_BIND"}, {"nodes", "1000"}};
  r = run_sh("true");
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("set_mempolicy: invalid argument")) << r;
  expect_nothing_left(id_);
}

TEST_F(ProcessAttrsTest, ExecFinalAffinityAndInitialInTheDebugLog) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  set_args({"sleep", "600"});
  ASSERT_EQ(create().exit_code, 0);
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  Json proc = config_["process"];
  proc["execCPUAffinity"] = {{"initial", "1"}, {"final", "0"}};
  proc["args"] = {"grep", "Cpus_allowed_list:", "/proc/self/status"};
  write_file(tmp_ + "/process.json", proc.dump());
  auto r = rt({"--debug", "exec", "--process", tmp_ + "/process.json", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "Cpus_allowed_list:\t0\n");
  // The child started on CPU 1 only (mask 0x2), before its cgroup join.
  EXPECT_THAT(r.err, ContainsRegex("nsexec[^\n]*: affinity: 0x2\\b")) << r;
}

TEST_F(ProcessAttrsTest, ContainerDoesNotInheritTheRuntimesAffinity) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  std::string everything = all_cpus_line();
  set_args({"sleep", "600"});
  {
    OnCpu0 pinned;
    ASSERT_EQ(create().exit_code, 0);
    ASSERT_EQ(rt({"start", id_}).exit_code, 0);
    auto r = rt({"exec", id_, "grep", "Cpus_allowed_list:", "/proc/self/status"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, everything + "\n");
  }
  auto status = read_file("/proc/" + std::to_string(state_pid(id_)) + "/status");
  EXPECT_THAT(status, HasSubstr(everything + "\n"));
}

}  // namespace
}  // namespace orun::itest
