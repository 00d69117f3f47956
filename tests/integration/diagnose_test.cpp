// `check` and `diagnose`: what they say about this host and about containers
// in each state, asserted against facts the test probes itself.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using CheckTest = ContainerTest;
using DiagnoseTest = ContainerTest;

const std::vector<std::string> kSleepForever{"sh", "-c", "while :; do sleep 0.1; done"};
constexpr int64_t kMemoryLimit = 64 * 1024 * 1024;

// The check item named `name` from `check --format json` output.
Json item(const Json& report, const std::string& name) {
  for (const auto& i : report["items"])
    if (i["name"] == name) return i;
  return Json();
}

std::string self_status_field(const std::string& key) {
  for (const auto& l : split_lines(read_file("/proc/self/status")))
    if (l.starts_with(key + ":")) return trim(l.substr(key.size() + 1));
  return "";
}

std::string ns_id(const std::string& proc, const std::string& ns) {
  std::error_code ec;
  return std::filesystem::read_symlink(proc + "/ns/" + ns, ec).string();
}

TEST_F(CheckTest, ReportsThisHostsCgroupLayoutAndExitsZero) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's own command";
  // The layout, as /proc/self/mountinfo says.
  std::string v2_at;
  bool v1 = false;
  for (const auto& l : split_lines(read_file("/proc/self/mountinfo"))) {
    auto dash = l.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream pre(l.substr(0, dash)), post(l.substr(dash + 3));
    std::string w, point, fstype;
    for (int i = 0; i < 5 && pre >> w; ++i) point = w;
    post >> fstype;
    if (fstype == "cgroup2") v2_at = point;
    if (fstype == "cgroup") v1 = true;
  }
  std::string want = !v1 ? "v2: cgroup2 at " + v2_at : v2_at.empty() ? "v1: " : "hybrid: ";

  auto r = rt({"check", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto report = Json::parse(r.out);
  EXPECT_TRUE(report["blocking"].empty()) << report.dump(2);
  auto layout = item(report, "cgroup layout");
  EXPECT_EQ(layout["status"], "ok");
  EXPECT_THAT(layout["detail"].get<std::string>(), ::testing::StartsWith(want));
  if (v1 && !v2_at.empty()) {
    EXPECT_THAT(layout["detail"].get<std::string>(), HasSubstr("cgroup2 at " + v2_at));
  }

  // Text: one line per item, each starting with its level.
  auto t = rt({"check"});
  ASSERT_EQ(t.exit_code, 0) << t;
  auto lines = split_lines(t.out);
  EXPECT_EQ(lines.size(), report["items"].size());
  for (const auto& l : lines)
    EXPECT_TRUE(l.starts_with("ok    ") || l.starts_with("warn  ") || l.starts_with("fail  ")) << l;
}

TEST_F(CheckTest, NamesWhatTheBoundingSetLacksAndWhatPidOneIs) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's own command";
  auto r = rt({"check", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto report = Json::parse(r.out);
  // CAP_SYS_RESOURCE is bit 24.
  bool has_sys_resource = (std::stoull(self_status_field("CapBnd"), nullptr, 16) >> 24) & 1;
  auto bnd = item(report, "bounding set");
  if (has_sys_resource) {
    EXPECT_THAT(bnd["detail"].get<std::string>(), Not(HasSubstr("CAP_SYS_RESOURCE")));
  } else {
    EXPECT_EQ(bnd["status"], "warn");
    EXPECT_THAT(bnd["detail"].get<std::string>(), HasSubstr("CAP_SYS_RESOURCE"));
  }
  std::string comm = trim(read_file("/proc/1/comm"));
  auto sd = item(report, "systemd");
  if (comm == "systemd") {
    EXPECT_THAT(sd["detail"].get<std::string>(), HasSubstr("pid 1"));
  } else {
    EXPECT_THAT(sd["detail"].get<std::string>(), HasSubstr("pid 1 is " + comm + ", not systemd"));
  }
  // The state root in use is --root, read, not made.
  EXPECT_THAT(item(report, "state root")["detail"].get<std::string>(), HasSubstr(root_));
}

TEST_F(CheckTest, ReportsTheCriuVersionFromCriuItself) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's own command";
  CommandOptions o;
  o.extra_env["PATH"] = std::string(ORUN_TEST_DATA) + "/diagnose/bin:/usr/bin:/bin";
  auto r = rt({"check", "--format", "json"}, o);
  ASSERT_EQ(r.exit_code, 0) << r;
  auto criu = item(Json::parse(r.out), "criu");
  EXPECT_EQ(criu["detail"], std::string(ORUN_TEST_DATA) +
                                "/diagnose/bin/criu 3.17");
}

TEST_F(CheckTest, RunsAsAnUnprivilegedUserQuickly) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's own command";
  if (!path_exists("/usr/bin/setpriv")) GTEST_SKIP() << "no setpriv";
  auto start = std::chrono::steady_clock::now();
  auto r = run_command({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                        runtime_binary(), "--root", root_, "check", "--format", "json"});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.exit_code, 0) << r;
  auto report = Json::parse(r.out);
  // As nobody, root_ (0700, root's) is not usable: said, not fatal.
  EXPECT_EQ(item(report, "state root")["status"], "warn") << report.dump(2);
  EXPECT_THAT(item(report, "caller cgroup")["detail"].get<std::string>(), HasSubstr("uid 65534"));
  // Well under 100 ms alone; a generous bound for a loaded machine.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 1000 * timeout_scale());
}

class DiagnoseStates : public DiagnoseTest {
 protected:
  void SetUp() override {
    DiagnoseTest::SetUp();
    if (runtime_is_runc()) GTEST_SKIP() << "orun's own command";
    config_["process"]["args"] = kSleepForever;
    config_["linux"]["resources"]["memory"]["limit"] = kMemoryLimit;
    save_config();
  }

  Json diagnose() {
    auto r = rt({"diagnose", "--format", "json", id_});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.exit_code == 0 ? Json::parse(r.out) : Json();
  }

  // What every live state shows: pid, own namespaces, the configured memory
  // limit, the configured capabilities.
  void expect_live(const Json& d, const std::string& status) {
    EXPECT_EQ(d["status"], status);
    pid_t pid = state_pid(id_);
    EXPECT_EQ(d["init"]["pid"], pid);
    EXPECT_EQ(d["init"]["alive"], true);
    std::map<std::string, std::string> ns;
    for (const auto& n : d["namespaces"]) ns[n["type"]] = n["id"];
    for (auto [type, proc] : {std::pair{"pid", "pid"}, {"mount", "mnt"}, {"network", "net"}, {"uts", "uts"}}) {
      EXPECT_EQ(ns[type], ns_id("/proc/" + std::to_string(pid), proc)) << type;
      EXPECT_NE(ns[type], ns_id("/proc/self", proc)) << type;
    }
    EXPECT_EQ(d["cgroup"]["memory"]["limit"], kMemoryLimit) << d.dump(2);
    auto want = config_["process"]["capabilities"]["effective"].get<std::vector<std::string>>();
    auto got = d["capabilities"]["effective"].get<std::vector<std::string>>();
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
    EXPECT_EQ(d["mounts"]["missing"], Json::array()) << d["mounts"].dump();
    EXPECT_EQ(d["mounts"]["extra"], Json::array()) << d["mounts"].dump();
  }
};

TEST_F(DiagnoseStates, Running) {
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto d = diagnose();
  expect_live(d, "running");
  EXPECT_EQ(d["no_new_privs"], config_["process"].value("noNewPrivileges", false));
  auto t = rt({"diagnose", id_});
  EXPECT_THAT(t.out, HasSubstr("container   " + id_ + " (running)"));
  EXPECT_THAT(t.out, HasSubstr("limit 64.0 MiB"));
}

TEST_F(DiagnoseStates, Paused) {
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  ASSERT_EQ(rt({"pause", id_}).exit_code, 0);
  auto d = diagnose();
  expect_live(d, "paused");
  EXPECT_EQ(d["cgroup"]["frozen"], true);
  EXPECT_EQ(status(id_), "paused");  // diagnose thawed nothing
  EXPECT_EQ(rt({"resume", id_}).exit_code, 0);
}

TEST_F(DiagnoseStates, Created) {
  ASSERT_EQ(create().exit_code, 0);
  auto d = diagnose();
  expect_live(d, "created");
  EXPECT_EQ(status(id_), "created");  // exec.fifo untouched
}

TEST_F(DiagnoseStates, StoppedKeepsTheRecordAndTheCgroup) {
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  pid_t pid = state_pid(id_);
  track_pid(pid);
  ASSERT_EQ(rt({"kill", id_, "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped"));
  auto d = diagnose();
  EXPECT_EQ(d["status"], "stopped");
  EXPECT_EQ(d["init"]["pid"], pid);
  EXPECT_EQ(d["init"]["alive"], false);
  EXPECT_FALSE(d.contains("namespaces"));
  EXPECT_EQ(d["cgroup"]["memory"]["limit"], kMemoryLimit);
}

TEST_F(DiagnoseStates, ShowsTheLastLinesOfTheCreateLog) {
  std::string log = tmp_ + "/orun.log";
  ASSERT_EQ(rt({"--log", log, "--debug", "run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto d = diagnose();
  EXPECT_EQ(d["log"]["path"], log);
  ASSERT_FALSE(d["log"]["lines"].empty());
  auto last = split_lines(read_file(log)).back();
  EXPECT_EQ(d["log"]["lines"].back(), last);
}

TEST_F(DiagnoseTest, UnknownIdIsRuncsErrorWithTheRootInDebugAndAHint) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's own command";
  auto r = rt({"diagnose", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("msg=\"container does not exist\""));
  // --debug names the root searched, for every command that loads state.
  auto s = rt({"--debug", "state", "nosuch"});
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_THAT(s.err, HasSubstr("--root " + root_));
  // Another known root holding the id is named.
  std::string xdg = tmp_ + "/xdg";
  std::filesystem::create_directories(xdg + "/runc/elsewhere");
  write_file(xdg + "/runc/elsewhere/state.json", "{}");
  CommandOptions o;
  o.extra_env["XDG_RUNTIME_DIR"] = xdg;
  auto h = rt({"diagnose", "elsewhere"}, o);
  EXPECT_EQ(h.exit_code, 1);
  EXPECT_THAT(h.err, HasSubstr("under " + xdg + "/runc: try --root " + xdg + "/runc"));
  EXPECT_THAT(h.err, HasSubstr("msg=\"container does not exist\""));
}

}  // namespace
}  // namespace orun::itest
