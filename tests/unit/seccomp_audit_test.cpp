// The kernel's seccomp audit record parser behind `orun diagnose`'s
// "seccomp log" (src/diagnose/seccomp_audit.cpp).
#include <gtest/gtest.h>

#include "diagnose/seccomp_audit.hpp"

namespace orun::diagnose {
namespace {

TEST(SeccompAudit, ParsesAKillRecordFromKmsg) {
  auto a = parse_seccomp_audit(
      "5,140,11774073124,-;audit: type=1326 audit(1796529677.843:140): auid=4294967295 uid=0 gid=0 "
      "ses=4294967295 pid=25091 comm=\"mkdir\" exe=\"/bin/busybox\" sig=31 arch=c000003e syscall=83 compat=0 "
      "ip=0x47b567 code=0x80000000");
  ASSERT_TRUE(a);
  EXPECT_DOUBLE_EQ(a->time, 1796529677.843);
  EXPECT_EQ(a->pid, 25091);
  EXPECT_EQ(a->comm, "mkdir");
  EXPECT_EQ(a->exe, "/bin/busybox");
  EXPECT_EQ(a->arch, 0xc000003eu);
  EXPECT_EQ(a->syscall, 83);
  EXPECT_EQ(seccomp_action_name(a->code), "kill process");
  EXPECT_EQ(seccomp_syscall_name(a->arch, a->syscall), "mkdir");
}

TEST(SeccompAudit, NamesEachAction) {
  EXPECT_EQ(seccomp_action_name(0x0), "kill thread");
  EXPECT_EQ(seccomp_action_name(0x50000), "errno");
  EXPECT_EQ(seccomp_action_name(0x50001), "errno 1 (EPERM)");
  EXPECT_EQ(seccomp_action_name(0x30000), "trap (SIGSYS)");
  EXPECT_EQ(seccomp_action_name(0x7ffc0000), "log (allowed)");
  EXPECT_EQ(seccomp_action_name(0x7fc00000), "user notification");
  EXPECT_EQ(seccomp_syscall_name(0xc000003e, 170), "sethostname");
  EXPECT_EQ(seccomp_syscall_name(0xc000003e, 99999), "syscall 99999");
}

TEST(SeccompAudit, OtherRecordsAreNotSeccomp) {
  EXPECT_FALSE(parse_seccomp_audit("6,17305,8252226512,-;oom-kill:constraint=CONSTRAINT_MEMCG,task=dd,pid=25491"));
  EXPECT_FALSE(parse_seccomp_audit("audit: type=1300 audit(1.2:3): arch=c000003e syscall=83 pid=1"));
  // Truncated: no code.
  EXPECT_FALSE(parse_seccomp_audit("audit: type=1326 audit(1.2:3): pid=1 arch=c000003e syscall=83"));
}

}  // namespace
}  // namespace orun::diagnose
