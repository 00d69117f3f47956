#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "container/signal_names.hpp"
#include "container/state.hpp"

using namespace orun::container;

TEST(ContainerId, AcceptsRuncCharset) {
  EXPECT_TRUE(valid_id("abc"));
  EXPECT_TRUE(valid_id("A-b_c+d.e"));
  EXPECT_TRUE(valid_id(".a"));
  EXPECT_TRUE(valid_id("123"));
}

TEST(ContainerId, RejectsDotsSlashesAndOtherChars) {
  EXPECT_FALSE(valid_id(""));
  EXPECT_FALSE(valid_id("."));
  EXPECT_FALSE(valid_id(".."));
  EXPECT_FALSE(valid_id("a/b"));
  EXPECT_FALSE(valid_id("a b"));
  EXPECT_FALSE(valid_id("a:b"));
  EXPECT_EQ(check_id("a/b").error().msg, "invalid container ID format");
  EXPECT_EQ(check_id("").error().msg, "container id cannot be empty");
}

TEST(Signals, NamesNumbersAndPrefixes) {
  EXPECT_EQ(*parse_signal("9"), 9);
  EXPECT_EQ(*parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(*parse_signal("sigkill"), SIGKILL);
  EXPECT_EQ(*parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("hup"), SIGHUP);
  EXPECT_EQ(*parse_signal("SIGRTMIN+1"), SIGRTMIN + 1);
  EXPECT_EQ(*parse_signal("64"), 64);
  EXPECT_EQ(*parse_signal("0"), 0);
  // runc passes these to kill(2) ("invalid argument"); orun names them.
  EXPECT_EQ(parse_signal("123").error().msg, "unknown signal \"123\"");
  EXPECT_EQ(parse_signal("-1").error().msg, "unknown signal \"-1\"");
  EXPECT_EQ(parse_signal("FOO").error().msg, "unknown signal \"FOO\"");
  EXPECT_FALSE(parse_signal("SIGFOO"));
}

TEST(StateTime, Rfc3339NanoIsUtcWithTrimmedFraction) {
  std::string t = now_rfc3339nano();
  EXPECT_TRUE(std::regex_match(t, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z)"))) << t;
}

TEST(StateStore, SaveAndLoadRoundTrip) {
  std::string root = std::filesystem::temp_directory_path() / ("orun-state-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(root + "/c1");
  State s;
  s.id = "c1";
  s.init_pid = 42;
  s.init_start = 12345;
  s.created = "2026-01-02T03:04:05.5Z";
  s.bundle = "/b";
  s.rootfs = "/b/rootfs";
  s.annotations = {{"k", "v"}};
  s.cgroup_paths = {{"memory", "/sys/fs/cgroup/memory/x"}};
  s.cgroup_unit = "orun-test-c1.scope";
  ASSERT_TRUE(save(root, s));
  auto l = load(root, "c1");
  ASSERT_TRUE(l) << l.error().msg;
  EXPECT_EQ(l->init_pid, 42);
  EXPECT_EQ(l->init_start, 12345u);
  EXPECT_EQ(l->annotations.at("k"), "v");
  EXPECT_EQ(l->cgroup_paths.at("memory"), "/sys/fs/cgroup/memory/x");
  EXPECT_EQ(l->cgroup_unit, "orun-test-c1.scope");  // delete and update need the systemd unit
  // No temp files left beside state.json.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(root + "/c1")) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  EXPECT_EQ(load(root, "missing").error().msg, "container does not exist");
  std::filesystem::remove_all(root);
}

TEST(StateStatus, DeadInitIsStopped) {
  State s;
  s.id = "x";
  s.init_pid = 999999999;  // beyond pid_max
  s.init_start = 1;
  EXPECT_EQ(status_of("/nonexistent", s), Status::stopped);
}

TEST(StateStatus, StartTimeGuardsAgainstPidReuse) {
  State s;
  s.id = "x";
  s.init_pid = getpid();
  s.init_start = process_start_time(getpid());
  EXPECT_TRUE(init_alive(s));
  s.init_start += 1;  // same pid, different process
  EXPECT_FALSE(init_alive(s));
}
