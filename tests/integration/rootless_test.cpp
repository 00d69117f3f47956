// Rootless: orun run by an ordinary user (made by the fixture, with
// /etc/subuid and /etc/subgid ranges) on a bundle from `spec --rootless`,
// as podman and `runc --rootless` users run it: the default XDG root, no
// cgroup when none is writable, runc's errors when limits or a path cannot
// be honoured, a delegated cgroup used with its limits (exec, pause,
// update, ps, kill), multi-range maps through newuidmap/newgidmap.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kUser = "orun-rootless-it";
constexpr uint32_t kSubStart = 520000;  // this user's /etc/subuid and /etc/subgid range
constexpr uint32_t kSubSize = 65536;

bool executable(const std::string& p) { return ::access(p.c_str(), X_OK) == 0; }

std::string which(const std::string& name) {
  auto r = run_command({"sh", "-c", "command -v " + name});
  return r.exit_code == 0 ? trim(r.out) : "";
}

bool has_line(const std::string& file, const std::string& line) {
  for (auto& l : split_lines(read_file(file)))
    if (l == line) return true;
  return false;
}

// The test user, made once per machine, with a subordinate id range.
// Empty reason: ready.
std::string ensure_user(uid_t& uid, gid_t& gid) {
  if (::getpwnam(kUser) == nullptr) {
    if (which("useradd").empty()) return "no useradd";
    auto r = run_command({"useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                          "/usr/sbin/nologin", kUser});
    if (r.exit_code != 0) return "useradd failed: " + r.err;
  }
  struct passwd* pw = ::getpwnam(kUser);
  if (pw == nullptr) return "user not found after useradd";
  uid = pw->pw_uid;
  gid = pw->pw_gid;
  std::string range = std::string(kUser) + ":" + std::to_string(kSubStart) + ":" + std::to_string(kSubSize);
  for (const char* f : {"/etc/subuid", "/etc/subgid"}) {
    if (has_line(f, range)) continue;
    std::ofstream out(f, std::ios::app);
    out << range << "\n";
    if (!out) return std::string("cannot append to ") + f;
  }
  return "";
}

class RootlessTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (which("setpriv").empty()) GTEST_SKIP() << "no setpriv (util-linux)";
    std::string why = ensure_user(uid_, gid_);
    if (!why.empty()) GTEST_SKIP() << why;
    // The probe: can this user make a user namespace at all here?
    auto probe = as_user({"unshare", "--user", "--map-root-user", "true"});
    if (probe.exit_code != 0) GTEST_SKIP() << "unprivileged user namespaces are not allowed: " << probe.err;
    auto reach = as_user({runtime_binary(), "--version"});
    if (reach.exit_code != 0) GTEST_SKIP() << runtime_binary() << " cannot be run by an unprivileged user: " << reach.err;
    ASSERT_EQ(::chown(root_.c_str(), uid_, gid_), 0);
    // The user's own bundle: `spec --rootless` as that user.
    fs::remove(bundle_ + "/config.json");
    ASSERT_EQ(::chown(bundle_.c_str(), uid_, gid_), 0);
    auto spec = as_user({runtime_binary(), "spec", "--rootless", "--bundle", bundle_});
    ASSERT_EQ(spec.exit_code, 0) << spec;
    config_ = Json::parse(read_file(bundle_ + "/config.json"));
    config_["process"]["terminal"] = false;
  }

  void TearDown() override {
    for (auto& d : delegated_) {
      std::error_code ec;
      fs::remove(d, ec);
    }
    ContainerTest::TearDown();
  }

  CommandResult as_user(const std::vector<std::string>& argv, CommandOptions opts = {}) {
    std::vector<std::string> full{"setpriv", "--reuid", std::to_string(uid_), "--regid", std::to_string(gid_),
                                  "--clear-groups", "--"};
    full.insert(full.end(), argv.begin(), argv.end());
    if (!opts.extra_env.count("XDG_RUNTIME_DIR")) opts.extra_env["XDG_RUNTIME_DIR"] = "";
    return run_command(full, opts);
  }
  // `orun --root <root_> args...` as the test user.
  CommandResult ru(const std::vector<std::string>& args, CommandOptions opts = {}) {
    return as_user(rt_argv(args), std::move(opts));
  }

  // runc's `tests/rootless.sh` cgroup feature: /orun-test/<id> in every v1
  // hierarchy, owned by the user (cpuset filled, which an unprivileged user
  // could not do). The unified hierarchy of a hybrid host is left alone.
  // Returns the container's cgroupsPath below it.
  std::string delegate_v1_cgroups() {
    std::string path = "/orun-test/" + id_;
    for (auto& m : cgroup_mounts()) {
      if (m == "/sys/fs/cgroup/unified" || path_exists(m + "/cgroup.subtree_control")) continue;
      std::string parent = m + "/orun-test";
      fs::create_directories(m + path);
      if (m.ends_with("cpuset")) {
        for (const char* f : {"cpuset.cpus", "cpuset.mems"})
          for (const auto& d : {parent, m + path})
            if (trim(read_file(d + "/" + f)).empty()) write_file(d + "/" + f, trim(read_file(m + "/" + f)));
      }
      EXPECT_EQ(::chown((m + path).c_str(), uid_, gid_), 0) << m + path;
      for (const char* f : {"cgroup.procs", "tasks"}) (void)::chown((m + path + "/" + f).c_str(), uid_, gid_);
      delegated_.push_back(m + path);
    }
    return path + "/ctr";
  }

  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::vector<std::string> delegated_;
};

TEST_F(RootlessTest, RunsWithoutCgroupWhenNoneIsWritable) {
  ASSERT_FALSE(config_["linux"].contains("cgroupsPath"));
  set_args({"sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"});
  auto r = ru({"run", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0], "0");
  EXPECT_THAT(lines[1], ::testing::MatchesRegex(" *0 +" + std::to_string(uid_) + " +1"));
  EXPECT_THAT(lines[2], ::testing::MatchesRegex(" *0 +" + std::to_string(gid_) + " +1"));
  // A single own-gid map is only writable after giving up setgroups (runc).
  EXPECT_EQ(lines[3], "deny");
}

TEST_F(RootlessTest, DefaultRootIsXdgRuntimeDir) {
  std::string xdg = tmp_ + "/xdg";
  ASSERT_EQ(::mkdir(xdg.c_str(), 0700), 0);
  ASSERT_EQ(::chown(xdg.c_str(), uid_, gid_), 0);
  set_args({"sleep", "100"});
  CommandOptions opts{.extra_env = {{"XDG_RUNTIME_DIR", xdg}}};
  auto r = as_user({runtime_binary(), "run", "-d", "--bundle", bundle_, id_}, opts);
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string root = xdg + (runtime_is_runc() ? "/runc" : "/orun");
  struct stat st{};
  ASSERT_EQ(::stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01700u);
  EXPECT_EQ(st.st_uid, uid_);
  auto s = as_user({runtime_binary(), "state", id_}, opts);
  EXPECT_EQ(s.exit_code, 0) << s;
  EXPECT_THAT(s.out, HasSubstr("\"running\""));
  auto d = as_user({runtime_binary(), "delete", "--force", id_}, opts);
  EXPECT_EQ(d.exit_code, 0) << d;
  EXPECT_FALSE(path_exists(root + "/" + id_));
}

TEST_F(RootlessTest, LimitsWithoutCgroupPathFailLikeRunc) {
  config_["linux"]["resources"]["pids"]["limit"] = 50;
  save_config();
  auto r = ru({"run", "--bundle", bundle_, id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot set pids limit: container could not join or create cgroup"));
  EXPECT_FALSE(path_exists(root_ + "/" + id_));
}

TEST_F(RootlessTest, CgroupPathWithoutPermissionFailsLikeRunc) {
  config_["linux"]["cgroupsPath"] = "/orun-test/" + id_;
  save_config();
  auto r = ru({"run", "--bundle", bundle_, id_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, ::testing::ContainsRegex("unable to apply cgroup configuration.*permission denied"));
  EXPECT_FALSE(path_exists(root_ + "/" + id_));
}

TEST_F(RootlessTest, RootlessFalseMakesPermissionErrorsFatal) {
  save_config();
  auto r = ru({"--rootless", "false", "run", "--bundle", bundle_, id_});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("permission denied"));
  auto bad = ru({"--rootless", "maybe", "run", "--bundle", bundle_, id_});
  EXPECT_NE(bad.exit_code, 0) << bad;
  EXPECT_THAT(bad.err, HasSubstr("strconv.ParseBool: parsing \\\"maybe\\\": invalid syntax"));
}

TEST_F(RootlessTest, AdditionalGroupsAreRefusedLikeRunc) {
  set_args({"sleep", "100"});
  auto r = ru({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto e = ru({"exec", "--additional-gids", "5", id_, "true"});
  EXPECT_NE(e.exit_code, 0) << e;
  EXPECT_THAT(e.err, HasSubstr("cannot set any additional groups in a rootless container"));
  EXPECT_EQ(ru({"delete", "--force", id_}).exit_code, 0);
  config_["process"]["user"]["additionalGids"] = Json::array({5});
  save_config();
  auto c = ru({"create", "--bundle", bundle_, id_});
  EXPECT_NE(c.exit_code, 0) << c;
  EXPECT_THAT(c.err, HasSubstr("cannot set any additional groups in a rootless container"));
}

// The created init waits on exec.fifo after the user switch: an ordinary
// user's exec must still open its /proc/<pid>/ns/* (runc's create.bats
// "runc create exec"). Without a cgroup, events --stats gives empty stats.
TEST_F(RootlessTest, ExecIntoCreatedContainerAndStatsWithoutCgroup) {
  set_args({"sleep", "100"});
  auto c = ru({"create", "--bundle", bundle_, id_});
  ASSERT_EQ(c.exit_code, 0) << c;
  auto e = ru({"exec", id_, "echo", "inside"});
  EXPECT_EQ(e.exit_code, 0) << e;
  EXPECT_EQ(trim(e.out), "inside");
  auto ev = ru({"events", "--stats", id_});
  EXPECT_EQ(ev.exit_code, 0) << ev;
  EXPECT_THAT(ev.out, HasSubstr("{\"type\":\"stats\",\"id\":\"" + id_ + "\",\"data\":"));
}

TEST_F(RootlessTest, DelegatedCgroupGetsLimitsExecPauseUpdatePsKill) {
  std::string path = delegate_v1_cgroups();
  if (!path_exists("/sys/fs/cgroup/pids" + path.substr(0, path.rfind('/'))))
    GTEST_SKIP() << "no cgroup v1 pids hierarchy to delegate";
  config_["linux"]["cgroupsPath"] = path;
  config_["linux"]["resources"]["pids"]["limit"] = 50;
  set_args({"sleep", "100"});
  auto r = ru({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string pids_dir = "/sys/fs/cgroup/pids" + path;
  EXPECT_EQ(trim(read_file(pids_dir + "/pids.max")), "50");
  pid_t init = state_pid(id_);
  EXPECT_TRUE(has_line(pids_dir + "/cgroup.procs", std::to_string(init)));

  auto e = ru({"exec", id_, "sh", "-c", "echo in; cat /proc/self/cgroup | grep pids"});
  EXPECT_EQ(e.exit_code, 0) << e;
  EXPECT_THAT(e.out, HasSubstr("in"));

  EXPECT_EQ(ru({"pause", id_}).exit_code, 0);
  EXPECT_EQ(status(id_), "paused");
  EXPECT_EQ(ru({"resume", id_}).exit_code, 0);
  EXPECT_EQ(status(id_), "running");

  auto u = ru({"update", "--pids-limit", "60", id_});
  EXPECT_EQ(u.exit_code, 0) << u;
  EXPECT_EQ(trim(read_file(pids_dir + "/pids.max")), "60");

  auto ps = ru({"ps", id_});
  EXPECT_EQ(ps.exit_code, 0) << ps;
  EXPECT_THAT(ps.out, HasSubstr("sleep"));

  EXPECT_EQ(ru({"kill", id_, "KILL"}).exit_code, 0);
  EXPECT_TRUE(wait_for_status(id_, "stopped"));
  auto d = ru({"delete", id_});
  EXPECT_EQ(d.exit_code, 0) << d;
  EXPECT_FALSE(path_exists(pids_dir));
}

TEST_F(RootlessTest, MultiRangeMapsGoThroughNewuidmap) {
  std::string nu = which("newuidmap"), ng = which("newgidmap");
  if (nu.empty() || ng.empty() || !executable(nu) || !executable(ng))
    GTEST_SKIP() << "newuidmap/newgidmap (package uidmap) not on PATH";
  config_["linux"]["uidMappings"].push_back({{"containerID", 1000}, {"hostID", kSubStart}, {"size", 1000}});
  config_["linux"]["gidMappings"].push_back({{"containerID", 1000}, {"hostID", kSubStart}, {"size", 1000}});
  set_args({"sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"});
  auto r = ru({"run", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_THAT(lines[1], ::testing::MatchesRegex(" *1000 +" + std::to_string(kSubStart) + " +1000"));
  EXPECT_THAT(lines[3], ::testing::MatchesRegex(" *1000 +" + std::to_string(kSubStart) + " +1000"));
  // newgidmap leaves setgroups allowed (runc denies it only for its own single map).
  EXPECT_EQ(lines[4], "allow");
}

}  // namespace
}  // namespace orun::itest
