// What the container init does once its seccomp filter is loaded: only the
// syscalls runc makes there (docs/architecture.md, "After the seccomp
// filter"). The profiles are fixtures in tests/data/seccomp/ (README there):
//   docker-default-no-openat2.json  Docker's default allow-list, without the
//                                   mount API (as Docker sends it), openat2
//                                   and statx;
//   post-filter-allowlist.json      exactly busybox's needs, runc's
//                                   post-filter set, close_range and execveat.
// Both run the issue's configuration: a user namespace (uid 0->1000 size
// 2000, gid 0->1000 size 3000) and Docker's default capabilities, with and
// without noNewPrivileges, for `run` and for `exec`.
#include <unistd.h>

#include <fstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Json seccomp_fixture(const std::string& name) {
  std::ifstream f(std::string(ORUN_SOURCE_DIR) + "/tests/data/seccomp/" + name);
  return Json::parse(f, nullptr, false);
}

const Json kDockerCaps = Json::array({"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                                      "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                                      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"});

class SeccompPostFilterTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    config_["linux"]["namespaces"].push_back({{"type", "user"}});
    config_["linux"]["uidMappings"] = Json::array({{{"containerID", 0}, {"hostID", 1000}, {"size", 2000}}});
    config_["linux"]["gidMappings"] = Json::array({{{"containerID", 0}, {"hostID", 1000}, {"size", 3000}}});
    config_["process"]["capabilities"] = {
        {"bounding", kDockerCaps}, {"effective", kDockerCaps}, {"permitted", kDockerCaps}};
    // SIGSYS would dump core.
    config_["process"]["rlimits"] = Json::array({{{"type", "RLIMIT_CORE"}, {"soft", 0}, {"hard", 0}}});
    // The rootfs belongs to the container's root, as with Docker's userns-remap.
    auto r = run_command({"chown", "-R", "1000:1000", bundle_ + "/rootfs"});
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  void use_profile(const std::string& fixture, const std::string& default_action = "") {
    Json profile = seccomp_fixture(fixture);
    ASSERT_TRUE(profile.is_object()) << "tests/data/seccomp/" << fixture << " is missing or not JSON";
    if (!default_action.empty()) profile["defaultAction"] = default_action;
    config_["linux"]["seccomp"] = profile;
  }

  // `exec` of `args` into a container of the current config running `sleep`.
  CommandResult exec_into_sleeping(const std::vector<std::string>& args) {
    set_args({"sleep", "60"});
    auto c = create();
    if (c.exit_code != 0) return c;
    auto s = rt({"start", id_});
    if (s.exit_code != 0) return s;
    std::vector<std::string> argv{"exec", id_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = rt(argv);
    rt({"delete", "-f", id_});
    return r;
  }
};

// The issue's case: the init opened a private procfs (fsopen, open_tree,
// openat2, statx) to read /proc/self/setgroups after the filter, and failed
// with "unable to setup user: open /proc/self/setgroups: operation not
// permitted" where runc runs.
TEST_F(SeccompPostFilterTest, UserNamespaceRunsUnderDockerAllowListWithoutOpenat2) {
  for (bool nnp : {false, true}) {
    SCOPED_TRACE(nnp ? "noNewPrivileges" : "no noNewPrivileges");
    use_profile("docker-default-no-openat2.json");
    config_["process"]["noNewPrivileges"] = nnp;
    auto r = run_sh("id -u; cat /proc/self/uid_map /proc/self/gid_map; grep Seccomp: /proc/self/status");
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.err, "") << r;
    auto lines = split_lines(r.out);
    ASSERT_EQ(lines.size(), 4u) << r;
    EXPECT_EQ(lines[0], "0");
    EXPECT_THAT(lines[1], ::testing::MatchesRegex(" *0 +1000 +2000"));
    EXPECT_THAT(lines[2], ::testing::MatchesRegex(" *0 +1000 +3000"));
    EXPECT_THAT(lines[3], HasSubstr("2"));  // filter mode

    r = exec_into_sleeping({"sh", "-c", "id -u; grep Seccomp: /proc/self/status"});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("0\nSeccomp:\t2\n")) << r;
  }
}

// The regression check: every syscall the init makes between filter load and
// the payload's execve must be in the fixture's list, which is busybox's own
// needs plus runc's post-filter set (+ close_range, execveat: see the
// README). Under SCMP_ACT_KILL_PROCESS any other syscall kills the init with
// SIGSYS; under SCMP_ACT_ERRNO (what engines send) it fails with EPERM. The
// user is not root, has supplementary groups and an unknown capability, so the
// user switch (setgroups, setgid, setuid), the capability sets and the
// warning path all run under the filter when noNewPrivileges is false.
TEST_F(SeccompPostFilterTest, InitMakesOnlyRuncsSyscallsAfterTheFilter) {
  Json caps = kDockerCaps;
  caps.push_back("CAP_FOO");
  config_["process"]["capabilities"]["bounding"] = caps;
  config_["process"]["user"] = {{"uid", 1000}, {"gid", 1000}, {"additionalGids", {10, 20}}};
  config_["process"]["cwd"] = "/tmp";
  for (std::string action : {"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_ERRNO"}) {
    for (bool nnp : {false, true}) {
      SCOPED_TRACE(action + (nnp ? " noNewPrivileges" : " no noNewPrivileges"));
      use_profile("post-filter-allowlist.json", action);
      config_["process"]["noNewPrivileges"] = nnp;
      set_args({"true"});
      auto r = run_fg();
      EXPECT_EQ(r.exit_code, 0) << r;
      EXPECT_THAT(r.err, Not(HasSubstr("level=error"))) << r;

      r = exec_into_sleeping({"true"});
      EXPECT_EQ(r.exit_code, 0) << r;
      EXPECT_THAT(r.err, Not(HasSubstr("level=error"))) << r;
    }
  }
}

}  // namespace
}  // namespace orun::itest
