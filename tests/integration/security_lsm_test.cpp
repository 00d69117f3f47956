// AppArmor on hosts without it: a requested profile is a clear error, and
// nothing is left behind.
#include <fstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

using SecurityLsmTest = ContainerTest;

bool apparmor_enabled() {
  std::ifstream f("/sys/module/apparmor/parameters/enabled");
  std::string v;
  return path_exists("/sys/kernel/security/apparmor") && f && std::getline(f, v) && !v.empty() && v[0] == 'Y';
}

TEST_F(SecurityLsmTest, ApparmorProfileWithoutApparmorIsAClearError) {
  if (apparmor_enabled()) GTEST_SKIP() << "AppArmor is enabled here";
  if (runtime_is_runc()) GTEST_SKIP() << "runc reports the failed attr write instead";
  config_["process"]["apparmorProfile"] = "docker-default";
  set_args({"true"});
  auto r = run_fg();
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("unable to apply apparmor profile: apparmor: config provided but apparmor not supported"));
  expect_nothing_left(id_);
}

TEST_F(SecurityLsmTest, ExecApparmorWithoutApparmorIsAClearError) {
  if (apparmor_enabled()) GTEST_SKIP() << "AppArmor is enabled here";
  if (runtime_is_runc()) GTEST_SKIP() << "runc reports the failed attr write instead";
  set_args({"sleep", "30"});
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto r = rt({"exec", "--apparmor", "docker-default", id_, "true"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("apparmor: config provided but apparmor not supported"));
  EXPECT_EQ(status(id_), "running");
}

}  // namespace
}  // namespace orun::itest
