// Crash safety: `create` killed by SIGKILL at a random point, then
// `delete --force`, leaves no process, cgroup dir (any hierarchy), state dir,
// fifo or mount behind. ORUN_CRASH_ROUNDS sets the number of rounds (CI: 30;
// the full run: 200 or more), ORUN_CRASH_MAX_MS the largest delay (default:
// one create's duration, measured first), ORUN_CRASH_SEED the random seed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Mounts whose source or target names the test's temp dir or the id.
std::vector<std::string> mounts_naming(const std::string& a, const std::string& b) {
  std::vector<std::string> out;
  for (auto& line : split_lines(read_file("/proc/self/mountinfo")))
    if (line.find(a) != std::string::npos || line.find(b) != std::string::npos) out.push_back(line);
  return out;
}

// Reaps this process's zombie children except `keep`, until `keep` exits.
// A process an exec left in the container's pid namespace has the test (the
// subreaper) as its parent once that exec is killed; the container's init
// cannot finish dying until that zombie is reaped (the kernel waits for every
// task of the namespace), as a shim's reaper would. Returns keep's result.
CommandResult wait_reaping_others(BackgroundCommand& keep, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string self = std::to_string(::getpid());
  auto running = [&] {
    siginfo_t info{};
    // WNOWAIT: keep's exit status stays for keep.wait().
    return ::waitid(P_PID, static_cast<id_t>(keep.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == 0;
  };
  while (std::chrono::steady_clock::now() < deadline && running()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
      const std::string name = e.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      pid_t pid = std::atoi(name.c_str());
      if (pid == keep.pid()) continue;
      std::string stat = read_file("/proc/" + name + "/stat");
      auto close = stat.rfind(')');
      if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z') continue;
      auto fields = stat.substr(close + 4);
      if (fields.substr(0, fields.find(' ')) == self) ::waitpid(pid, nullptr, WNOHANG);
    }
    std::this_thread::sleep_for(5ms);
  }
  return keep.wait(5s);
}

class CrashSafetyTest : public ContainerTest {};

TEST_F(CrashSafetyTest, CreateKilledAtRandomPointsThenDeleteForceLeavesNothing) {
  int rounds = env_int("ORUN_CRASH_ROUNDS", 30);
  set_args({"sleep", "100"});
  // Kills spread over a whole create: its duration here, measured once.
  auto t0 = std::chrono::steady_clock::now();
  auto full = create();
  ASSERT_EQ(full.exit_code, 0) << full;
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_EQ(rt({"delete", "--force", id_}).exit_code, 0);
  int max_ms = env_int("ORUN_CRASH_MAX_MS", static_cast<int>(took.count()) + 2);
  std::mt19937 rng(static_cast<unsigned>(env_int("ORUN_CRASH_SEED", static_cast<int>(std::random_device{}()))));
  std::uniform_int_distribution<int> delay_us(0, max_ms * 1000);
  int leaked = 0, half_created = 0;
  for (int i = 0; i < rounds; i++) {
    std::string id = new_id("crash");
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    save_config();
    int us = delay_us(rng);
    {
      BackgroundCommand create(rt_argv({"create", "--bundle", bundle_, id}));
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      create.signal(SIGKILL);
      create.wait(10s);
    }
    half_created += path_exists(root_ + "/" + id) && !path_exists(root_ + "/" + id + "/state.json");
    auto del = rt({"delete", "--force", id}, {.timeout = 20s});
    EXPECT_EQ(del.exit_code, 0) << "round " << i << " (killed after " << us << " us): " << del;
    bool left = path_exists(root_ + "/" + id);
    for (const auto& m : cgroup_mounts()) left |= path_exists(m + "/orun-test/" + id);
    left |= !mounts_naming(root_ + "/" + id, id).empty();
    leaked += left;
    SCOPED_TRACE("round " + std::to_string(i) + " (killed after " + std::to_string(us) + " us)");
    expect_nothing_left(id);
    EXPECT_THAT(mounts_naming(root_ + "/" + id, id), ::testing::IsEmpty());
  }
  std::fprintf(stderr, "crash safety: %d of %d rounds leaked (kills within %d ms, %d before state.json)\n", leaked,
               rounds, max_ms, half_created);
}

// `delete --force` killed at a random point, then run again, leaves nothing.
TEST_F(CrashSafetyTest, DeleteForceKilledAtRandomPointsThenAgainLeavesNothing) {
  int rounds = std::max(1, env_int("ORUN_CRASH_ROUNDS", 30) / 3);
  std::mt19937 rng(static_cast<unsigned>(env_int("ORUN_CRASH_SEED", static_cast<int>(std::random_device{}()))));
  std::uniform_int_distribution<int> delay_us(0, 10000);
  set_args({"sleep", "100"});
  for (int i = 0; i < rounds; i++) {
    std::string id = new_id("crashdel");
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    save_config();
    auto c = rt({"create", "--bundle", bundle_, id});
    ASSERT_EQ(c.exit_code, 0) << c;
    int us = delay_us(rng);
    {
      BackgroundCommand del(rt_argv({"delete", "--force", id}));
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      del.signal(SIGKILL);
      del.wait(10s);
    }
    auto again = rt({"delete", "--force", id}, {.timeout = 20s});
    SCOPED_TRACE("round " + std::to_string(i) + " (killed after " + std::to_string(us) + " us)");
    EXPECT_EQ(again.exit_code, 0) << again;
    expect_nothing_left(id);
  }
}

// A plain `delete` racing a `create` of the same id waits for the create's
// lock, then deletes the created container whole (as runc deletes a created
// one); it never tears the dir away under the running create. (The delete
// starts after the create's mkdir; the create locks the dir microseconds
// after making it.)
TEST_F(CrashSafetyTest, DeleteDuringCreateWaitsForIt) {
  set_args({"sleep", "100"});
  for (int i = 0; i < 10; i++) {
    std::string id = new_id("race");
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    save_config();
    BackgroundCommand create(rt_argv({"create", "--bundle", bundle_, id}));
    while (!path_exists(root_ + "/" + id)) std::this_thread::yield();
    auto del = rt({"delete", id});
    auto c = create.wait(20s);
    SCOPED_TRACE("round " + std::to_string(i) + ": create " + std::to_string(c.exit_code) + " " + c.err +
                 "; delete " + std::to_string(del.exit_code) + " " + del.err);
    EXPECT_EQ(c.exit_code, 0);
    if (path_exists(root_ + "/" + id)) {
      EXPECT_EQ(status(id), "created");
      EXPECT_EQ(rt({"delete", "--force", id}).exit_code, 0);
    }
    expect_nothing_left(id);
  }
}

// `exec` killed at a random point (joining the namespaces, mid-setup, or with
// its process running): the container still takes a new exec, and a
// following `delete --force` leaves no process (the half-made exec's
// included), cgroup, state dir or mount.
TEST_F(CrashSafetyTest, ExecKilledAtRandomPointsThenDeleteForceLeavesNothing) {
  int rounds = std::max(1, env_int("ORUN_CRASH_ROUNDS", 30) / 3);
  set_args({"sleep", "100"});
  // Kills spread over one exec's duration, measured first.
  auto probe = create();
  ASSERT_EQ(probe.exit_code, 0) << probe;
  ASSERT_EQ(rt({"start", id_}).exit_code, 0);
  auto t0 = std::chrono::steady_clock::now();
  auto once = rt({"exec", id_, "true"});
  ASSERT_EQ(once.exit_code, 0) << once;
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_EQ(rt({"delete", "--force", id_}).exit_code, 0);
  int max_ms = env_int("ORUN_CRASH_MAX_MS", static_cast<int>(took.count()) + 2);
  std::mt19937 rng(static_cast<unsigned>(env_int("ORUN_CRASH_SEED", static_cast<int>(std::random_device{}()))));
  std::uniform_int_distribution<int> delay_us(0, max_ms * 1000);
  for (int i = 0; i < rounds; i++) {
    std::string id = new_id("crashexec");
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    save_config();
    auto run = rt({"run", "-d", "--bundle", bundle_, id});
    ASSERT_EQ(run.exit_code, 0) << run;
    int us = delay_us(rng);
    SCOPED_TRACE("round " + std::to_string(i) + " (killed after " + std::to_string(us) + " us)");
    {
      BackgroundCommand exec(rt_argv({"exec", id, "sleep", "100"}));
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      exec.signal(SIGKILL);
      exec.wait(10s);
    }
    // Nothing the killed exec held (the container lock) blocks the next one.
    auto next = rt({"exec", id, "true"}, {.timeout = 20s});
    EXPECT_EQ(next.exit_code, 0) << next;
    BackgroundCommand delete_force(rt_argv({"delete", "--force", id}));
    auto del = wait_reaping_others(delete_force, 20s);
    EXPECT_EQ(del.exit_code, 0) << del;
    expect_nothing_left(id);
    EXPECT_THAT(mounts_naming(root_ + "/" + id, id), ::testing::IsEmpty());
  }
}

// A state.json that is not JSON must not make a container unkillable:
// `delete --force` still kills its processes and removes its cgroups and dir.
TEST_F(CrashSafetyTest, DeleteForceRemovesContainerWithCorruptStateJson) {
  set_args({"sleep", "100"});
  auto c = create();
  ASSERT_EQ(c.exit_code, 0) << c;
  write_file(root_ + "/" + id_ + "/state.json", "{\"id\": garbage");
  auto plain = rt({"delete", id_});
  EXPECT_NE(plain.exit_code, 0) << plain;
  auto del = rt({"delete", "--force", id_}, {.timeout = 20s});
  EXPECT_EQ(del.exit_code, 0) << del;
  expect_nothing_left(id_);
}

}  // namespace
}  // namespace orun::itest
