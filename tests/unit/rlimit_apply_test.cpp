// apply_rlimits via prlimit(2), in forked children.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "security/rlimits.hpp"
#include "in_child.hpp"

using namespace orun::security;

using orun::unittest::in_child;

namespace {

orun::spec::Rlimit limit(int res, const char* name, uint64_t soft, uint64_t hard) {
  orun::spec::Rlimit r;
  r.resource = res;
  r.type = name;
  r.soft = soft;
  r.hard = hard;
  return r;
}

}  // namespace

TEST(RlimitNames, Known) {
  EXPECT_EQ(rlimit_name(RLIMIT_NOFILE), "RLIMIT_NOFILE");
  EXPECT_EQ(rlimit_name(RLIMIT_RTTIME), "RLIMIT_RTTIME");
  EXPECT_EQ(rlimit_name(99), "99");
}

TEST(RlimitClamp, LimitsBothValues) {
  auto r = clamp_rlimit({100, 200}, 150);
  EXPECT_EQ(r.rlim_cur, 100u);
  EXPECT_EQ(r.rlim_max, 150u);
  r = clamp_rlimit({RLIM_INFINITY, RLIM_INFINITY}, 64);
  EXPECT_EQ(r.rlim_cur, 64u);
  EXPECT_EQ(r.rlim_max, 64u);
  r = clamp_rlimit({10, 20}, RLIM_INFINITY);
  EXPECT_EQ(r.rlim_cur, 10u);
  EXPECT_EQ(r.rlim_max, 20u);
}

TEST(RlimitApply, LowersNofileOnAnotherProcess) {
  pid_t target = fork();
  if (target == 0) {
    pause();
    _exit(0);
  }
  auto r = apply_rlimits(target, {limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 100, 200)});
  struct rlimit got{};
  prlimit(target, RLIMIT_NOFILE, nullptr, &got);
  kill(target, SIGKILL);
  waitpid(target, nullptr, 0);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(got.rlim_cur, 100u);
  EXPECT_EQ(got.rlim_max, 200u);
}

TEST(RlimitApply, RaisingAboveHardWithoutCapIsFatalWithName) {
  int rc = in_child([] {
    struct rlimit cur{};
    getrlimit(RLIMIT_NOFILE, &cur);
    // Lower first, then raising the hard limit needs CAP_SYS_RESOURCE; drop
    // it by becoming an unprivileged user.
    struct rlimit low{64, 128};
    if (setrlimit(RLIMIT_NOFILE, &low) < 0) return 10;
    if (geteuid() == 0 && setresuid(4000, 4000, 4000) < 0) return 11;
    auto r = apply_rlimits(0, {limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 4096)});
    if (r) return 1;
    return r.error().msg == "error setting rlimit type RLIMIT_NOFILE: operation not permitted" ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST(RlimitApply, MemlockEpermIsAWarningAndClamps) {
  int rc = in_child([] {
    struct rlimit low{1024, 2048};
    if (setrlimit(RLIMIT_MEMLOCK, &low) < 0) return 10;
    if (geteuid() == 0 && setresuid(4000, 4000, 4000) < 0) return 11;
    auto r = apply_rlimits(0, {limit(RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 1ULL << 30, 1ULL << 30)});
    if (!r) return 1;
    if (r->size() != 1 || r->front().find("RLIMIT_MEMLOCK") == std::string::npos) return 2;
    struct rlimit got{};
    getrlimit(RLIMIT_MEMLOCK, &got);
    return (got.rlim_cur == 2048 && got.rlim_max == 2048) ? 0 : 3;
  });
  EXPECT_EQ(rc, 0);
}
