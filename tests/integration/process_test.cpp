// The container process: hostname, env, cwd, umask, rlimits, user, caps.
#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using ProcessScriptTest = ContainerTest;

TEST_F(ProcessScriptTest, HostnameIsSet) {
  config_["hostname"] = "orun-box";
  auto r = run_sh("hostname");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "orun-box\n");
}

TEST_F(ProcessScriptTest, EnvIsExactlyTheConfigPlusHome) {
  config_["process"]["env"] = Json::array({"PATH=/bin", "GREETING=hello", "EMPTY="});
  // The runtime's own environment must not leak into the container.
  auto r = run_sh("env | sort", {.extra_env = {{"ORUN_LEAK_CHECK", "1"}}});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("GREETING=hello\n"));
  EXPECT_THAT(r.out, HasSubstr("EMPTY=\n"));
  EXPECT_THAT(r.out, HasSubstr("PATH=/bin\n"));
  // HOME comes from the container's /etc/passwd entry for the user.
  EXPECT_THAT(r.out, HasSubstr("HOME=/root\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("ORUN_LEAK_CHECK")));
}

TEST_F(ProcessScriptTest, HomeFollowsTheUser) {
  config_["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  auto r = run_sh("echo $HOME");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "/home/user\n");
}

TEST_F(ProcessScriptTest, MissingCwdIsCreated) {
  config_["root"]["readonly"] = false;
  config_["process"]["cwd"] = "/work/sub/dir";
  auto r = run_sh("pwd");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "/work/sub/dir\n");
}

TEST_F(ProcessScriptTest, DefaultUmaskIs0022) {
  auto r = run_sh("umask");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "0022\n");
}

TEST_F(ProcessScriptTest, UserUmaskIsApplied) {
  config_["process"]["user"]["umask"] = 077;
  auto r = run_sh("umask");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "0077\n");
}

TEST_F(ProcessScriptTest, RlimitsAreApplied) {
  config_["process"]["rlimits"] = Json::array(
      {{{"type", "RLIMIT_NOFILE"}, {"hard", 2048}, {"soft", 512}},
       {{"type", "RLIMIT_NPROC"}, {"hard", 300}, {"soft", 200}}});
  auto r = run_sh("ulimit -Sn; ulimit -Hn; ulimit -Su; ulimit -Hu");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "512\n2048\n200\n300\n");
}

TEST_F(ProcessScriptTest, UserGroupAndAdditionalGidsAreSet) {
  config_["process"]["user"] = {{"uid", 1000}, {"gid", 1000}, {"additionalGids", {100, 10}}};
  auto r = run_sh("id");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("uid=1000(user) gid=1000(user)"));
  EXPECT_THAT(r.out, HasSubstr("10(wheel)"));
  EXPECT_THAT(r.out, HasSubstr("100(users)"));
}

TEST_F(ProcessScriptTest, RootUserHasNoSupplementaryGroupsByDefault) {
  auto r = run_sh("id");
  EXPECT_EQ(r.exit_code, 0) << r;
  // runc passes "uid:gid", so /etc/group memberships are not added.
  EXPECT_EQ(r.out, "uid=0(root) gid=0(root)\n");
}

TEST_F(ProcessScriptTest, CapabilitiesMatchTheConfig) {
  // CAP_KILL(5) | CAP_NET_BIND_SERVICE(10) | CAP_AUDIT_WRITE(29)
  auto r = run_sh("grep Cap /proc/self/status");
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("CapInh:\t0000000000000000\n"));
  EXPECT_THAT(r.out, HasSubstr("CapPrm:\t0000000020000420\n"));
  EXPECT_THAT(r.out, HasSubstr("CapEff:\t0000000020000420\n"));
  EXPECT_THAT(r.out, HasSubstr("CapBnd:\t0000000020000420\n"));
  EXPECT_THAT(r.out, HasSubstr("CapAmb:\t0000000000000000\n"));
}

TEST_F(ProcessScriptTest, AddedCapabilityIsEffective) {
  auto& caps = config_["process"]["capabilities"];
  for (const char* set : {"bounding", "effective", "permitted"}) caps[set].push_back("CAP_SYS_ADMIN");
  auto r = run_sh("grep CapEff /proc/self/status");
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "CapEff:\t0000000020200420\n");
}

TEST_F(ProcessScriptTest, NoNewPrivilegesIsSet) {
  auto r = run_sh("grep NoNewPrivs /proc/self/status");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "NoNewPrivs:\t1\n");
}

TEST_F(ProcessScriptTest, StdinIsForwardedToTheContainer) {
  auto r = run_sh("read line; echo got:$line", {.stdin_data = "ping\n"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "got:ping\n");
}

TEST_F(ProcessScriptTest, NoRuntimeFdReachesTheContainer) {
  auto r = run_sh("ls /proc/self/fd | sort -n | tr '\\n' ' '");
  EXPECT_EQ(r.exit_code, 0) << r;
  // 0-2 plus the fd ls uses to read the directory.
  EXPECT_EQ(r.out, "0 1 2 3 ");
}

}  // namespace
}  // namespace orun::itest
