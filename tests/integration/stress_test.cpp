// Parallel load: P workers × N cycles of `run -d` / `exec` / `kill` /
// `delete`, each cycle a distinct id, with zero failures and nothing left
// behind; and races on one id (concurrent creates, starts, kill + delete).
// ORUN_STRESS_WORKERS and ORUN_STRESS_CYCLES size the parallel test (CI:
// 2 × 5; the full run: 8 × 200, docs/testing.md).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::max(1, std::atoi(v)) : fallback;
}

class StressTest : public ContainerTest {
 protected:
  // Starts `n` copies of `args` as close together as possible and waits for all.
  std::vector<CommandResult> all_at_once(const std::vector<std::string>& args, int n) {
    std::vector<std::unique_ptr<BackgroundCommand>> cmds;
    for (int i = 0; i < n; i++) cmds.push_back(std::make_unique<BackgroundCommand>(rt_argv(args)));
    std::vector<CommandResult> out;
    for (auto& c : cmds) out.push_back(c->wait(60s));
    return out;
  }
};

TEST_F(StressTest, ParallelLifecyclesWithDistinctIdsAllSucceedAndLeaveNothing) {
  const int workers = env_int("ORUN_STRESS_WORKERS", 2);
  const int cycles = env_int("ORUN_STRESS_CYCLES", 5);
  set_args({"sleep", "100"});
  // Ids and bundles are made here: new_id() and make_bundle() are not
  // thread-safe; each worker writes only its own bundle's config.json.
  std::vector<std::vector<std::string>> ids(static_cast<size_t>(workers));
  std::vector<std::string> bundles;
  for (int w = 0; w < workers; w++) {
    for (int c = 0; c < cycles; c++) ids[static_cast<size_t>(w)].push_back(new_id("stress"));
    bundles.push_back(make_bundle("bundle" + std::to_string(w), ids[static_cast<size_t>(w)][0],
                                  [](Json& j) { j["process"]["args"] = {"sleep", "100"}; }));
  }
  std::mutex mu;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what, const CommandResult& r) {
    std::lock_guard lock(mu);
    failures.push_back(what + ": exit " + std::to_string(r.exit_code) + " signal " + std::to_string(r.signal) +
                       (r.timed_out ? " (timed out)" : "") + " stderr: " + r.err);
  };
  auto worker = [&](int w) {
    Json config = Json::parse(read_file(bundles[static_cast<size_t>(w)] + "/config.json"));
    for (const auto& id : ids[static_cast<size_t>(w)]) {
      config["linux"]["cgroupsPath"] = "/orun-test/" + id;
      write_file(bundles[static_cast<size_t>(w)] + "/config.json", config.dump(2));
      auto run = rt({"run", "-d", "--bundle", bundles[static_cast<size_t>(w)], id}, {.timeout = 60s});
      if (run.exit_code != 0) {
        fail("run -d " + id, run);
        (void)rt({"delete", "--force", id});
        continue;
      }
      auto exec = rt({"exec", id, "sh", "-c", "echo ok-$0", id}, {.timeout = 60s});
      if (exec.exit_code != 0 || exec.out != "ok-" + id + "\n") fail("exec " + id + " (out: " + exec.out + ")", exec);
      auto kill = rt({"kill", id, "KILL"}, {.timeout = 60s});
      if (kill.exit_code != 0) fail("kill " + id, kill);
      CommandResult del;
      // The init dies asynchronously: a plain delete refuses a running one.
      for (int i = 0; i < 200; i++) {
        del = rt({"delete", id}, {.timeout = 60s});
        if (del.exit_code == 0 || del.err.find("running") == std::string::npos) break;
        std::this_thread::sleep_for(10ms);
      }
      if (del.exit_code != 0) {
        fail("delete " + id, del);
        (void)rt({"delete", "--force", id});
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; w++) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  EXPECT_THAT(failures, ::testing::IsEmpty());
  for (const auto& worker_ids : ids)
    for (const auto& id : worker_ids) {
      SCOPED_TRACE(id);
      expect_nothing_left(id);
    }
  auto list = rt({"list", "-q"});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_EQ(list.out, "");
  std::fprintf(stderr, "stress: %d workers x %d cycles, %zu failures\n", workers, cycles, failures.size());
}

// Ten creates of one id at once: exactly one wins, every other fails with
// runc's error, and the winner is intact (created, then runs).
TEST_F(StressTest, ConcurrentCreatesOfOneIdExactlyOneWins) {
  set_args({"sleep", "100"});
  auto results = all_at_once({"create", "--bundle", bundle_, id_}, 10);
  int won = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) {
      won++;
      continue;
    }
    EXPECT_THAT(r.err, ::testing::HasSubstr("container with given ID already exists")) << r;
    EXPECT_EQ(r.signal, 0) << r;
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(status(id_), "created");
  pid_t pid = state_pid(id_);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), 0);
  auto start = rt({"start", id_});
  EXPECT_EQ(start.exit_code, 0) << start;
  EXPECT_EQ(status(id_), "running");
  EXPECT_EQ(rt({"delete", "--force", id_}).exit_code, 0);
  expect_nothing_left(id_);
}

// Ten starts of one created container at once: exactly one starts it; the
// others fail cleanly (no signal, a one-line reason) and the container runs.
TEST_F(StressTest, ConcurrentStartsOfOneContainerExactlyOneWins) {
  set_args({"sleep", "100"});
  auto c = create();
  ASSERT_EQ(c.exit_code, 0) << c;
  auto results = all_at_once({"start", id_}, 10);
  int won = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.signal, 0) << r;
    if (r.exit_code == 0) {
      won++;
    } else {
      EXPECT_FALSE(r.err.empty()) << r;
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(status(id_), "running");
  EXPECT_EQ(rt({"delete", "--force", id_}).exit_code, 0);
  expect_nothing_left(id_);
}

// kill and delete --force racing on one running container, several times
// over: neither crashes or hangs, the delete succeeds, nothing is left.
TEST_F(StressTest, ConcurrentKillAndDeleteLeaveNothing) {
  set_args({"sleep", "100"});
  for (int i = 0; i < 5; i++) {
    std::string id = new_id("killdel");
    config_["linux"]["cgroupsPath"] = "/orun-test/" + id;
    save_config();
    auto run = rt({"run", "-d", "--bundle", bundle_, id});
    ASSERT_EQ(run.exit_code, 0) << run;
    BackgroundCommand k1(rt_argv({"kill", id, "KILL"}));
    BackgroundCommand d(rt_argv({"delete", "--force", id}));
    BackgroundCommand k2(rt_argv({"kill", "--all", id, "TERM"}));
    auto rk1 = k1.wait(30s), rd = d.wait(30s), rk2 = k2.wait(30s);
    SCOPED_TRACE("round " + std::to_string(i));
    EXPECT_EQ(rd.exit_code, 0) << rd;
    for (const auto* r : {&rk1, &rk2}) {
      EXPECT_EQ(r->signal, 0) << *r;
      EXPECT_FALSE(r->timed_out) << *r;
      // Either it signalled the container, or the delete had removed it.
      if (r->exit_code != 0) {
        EXPECT_THAT(r->err, ::testing::AnyOf(::testing::HasSubstr("container does not exist"),
                                             ::testing::HasSubstr("container not running")))
            << *r;
      }
    }
    expect_nothing_left(id);
  }
}

}  // namespace
}  // namespace orun::itest
