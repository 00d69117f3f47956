// issue 12 items 3 and 4 in `events`: a followed container that stops ends
// the stream with an "exit" event (runc 1.1.5 streams stats of the empty
// cgroup forever); `events --stats` carries the OOM counters
// (data.memory.oom_events) and a cgroup stalled at its limit with the OOM
// killer disabled gives an "under_oom" event, as `diagnose` says UNDER OOM.
// Only fields and event types are added: runc's keep their shape.
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

class EventsExitTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (runtime_is_runc()) GTEST_SKIP() << "orun's own events";
    if (!path_exists("/sys/fs/cgroup/memory/memory.oom_control")) GTEST_SKIP() << "needs the v1 memory controller";
  }
  Json last_event(const std::string& out) {
    auto lines = split_lines(out);
    if (lines.empty()) return Json();
    return Json::parse(lines.back(), nullptr, false);
  }
};

TEST_F(EventsExitTest, FollowingEndsWithAnExitEventWhenTheInitExits) {
  set_args({"sh", "-c", "sleep 0.5; exit 5"});
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  BackgroundCommand ev(rt_argv({"events", "--interval", "100ms", id_}));
  auto r = ev.wait(10s);
  EXPECT_FALSE(r.timed_out) << "events kept streaming after the container stopped";
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(R"({"type":"stats","id":")" + id_ + R"(","data":{"cpu":)"));
  Json e = last_event(r.out);
  ASSERT_TRUE(e.is_object()) << r.out;
  EXPECT_EQ(e["type"], "exit") << r.out;
  EXPECT_EQ(e["id"], id_);
  // This test process is the init's subreaper: while it is an unreaped
  // zombie its status is known, else only that it stopped.
  if (e["data"].contains("exit_code")) {
    EXPECT_EQ(e["data"]["exit_code"], 5) << r.out;
  } else {
    EXPECT_THAT(e["data"].value("reason", ""), HasSubstr("exit status unknown")) << r.out;
  }
  EXPECT_EQ(e["data"]["oom_killed"], "no");
  // Kept for diagnose.
  EXPECT_TRUE(path_exists(root_ + "/" + id_ + "/exit.json"));
  EXPECT_EQ(rt({"delete", id_}).exit_code, 0);
}

TEST_F(EventsExitTest, StatsCarryTheOomCounters) {
  config_["linux"]["resources"]["memory"] = Json::parse(R"({"limit": 33554432})");
  set_args({"sleep", "100"});
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto r = rt({"events", "--stats", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto e = Json::parse(r.out);
  const auto& oom = e["data"]["memory"]["oom_events"];
  ASSERT_TRUE(oom.is_object()) << r.out;
  EXPECT_EQ(oom.value("oom_kill", 99), 0) << r.out;
  EXPECT_EQ(oom.value("under_oom", 99), 0) << r.out;
  EXPECT_EQ(oom.value("oom_kill_disable", 99), 0) << r.out;
  // runc's fields are still there, in their place.
  EXPECT_TRUE(e["data"]["memory"]["usage"].is_object()) << r.out;
  EXPECT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
}

// The stream's stats leave the counters out: followers wait for the word
// "oom" in the stream (runc's events.bats greps for it) and must see it only
// when an OOM happens.
TEST_F(EventsExitTest, StreamedStatsDoNotSayOomBeforeAnOom) {
  config_["linux"]["resources"]["memory"] = Json::parse(R"({"limit": 33554432})");
  set_args({"sleep", "100"});
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  BackgroundCommand ev(rt_argv({"events", "--interval", "100ms", id_}));
  std::this_thread::sleep_for(1500ms);  // several ticks, even on a loaded machine
  ASSERT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
  auto r = ev.wait(10s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(r.out, HasSubstr(R"({"type":"stats","id":")" + id_ + "\"")) << r.out;
  // Each stats line, without the id (the test's name is in it).
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(R"({"type":"stats")", 0) != 0) continue;
    line.replace(line.find(id_), id_.size(), "ID");
    EXPECT_EQ(line.find("oom"), std::string::npos) << line;
  }
}

TEST_F(EventsExitTest, StalledOomIsReportedByEventsStatsAndDiagnose) {
  config_["linux"]["resources"]["memory"] =
      Json::parse(R"({"limit": 16777216, "swap": 16777216, "disableOOMKiller": true})");
  // The init allocates far over the limit and, the killer being disabled, waits.
  set_args({"dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"});
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  BackgroundCommand ev(rt_argv({"events", "--interval", "100ms", id_}));
  std::string cg = "/sys/fs/cgroup/memory/orun-test/" + id_ + "/memory.oom_control";
  bool stalled = false;
  for (int i = 0; i < 100 && !stalled; i++) {
    stalled = read_file(cg).find("under_oom 1") != std::string::npos;
    if (!stalled) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(stalled) << read_file(cg);
  std::this_thread::sleep_for(300ms);  // a few ticks of the stream
  auto s = rt({"events", "--stats", id_});
  ASSERT_EQ(s.exit_code, 0) << s;
  EXPECT_EQ(Json::parse(s.out)["data"]["memory"]["oom_events"].value("under_oom", 0), 1) << s.out;
  auto d = rt({"diagnose", id_});
  EXPECT_THAT(d.out, HasSubstr("UNDER OOM")) << d;
  ASSERT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
  auto r = ev.wait(10s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(r.out, HasSubstr(R"({"type":"under_oom","id":")" + id_ + "\"}")) << r.out;
  expect_nothing_left(id_);
}

}  // namespace
}  // namespace orun::itest
