// apply_sysctls: key to path, and real writes in a private UTS namespace.
#include <gtest/gtest.h>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "init/hostname.hpp"
#include "init/sysctl.hpp"
#include "in_child.hpp"

using orun::unittest::in_child;

using namespace orun::init;

TEST(SysctlPath, DotsBecomeSlashes) {
  EXPECT_EQ(sysctl_proc_path("net.ipv4.ip_forward"), "sys/net/ipv4/ip_forward");
  EXPECT_EQ(sysctl_proc_path("kernel.shmmax"), "sys/kernel/shmmax");
}

TEST(SysctlPath, SlashKeysKeepTheirDots) {
  EXPECT_EQ(sysctl_proc_path("net/ipv4/conf/eth0.100/rp_filter"), "sys/net/ipv4/conf/eth0.100/rp_filter");
}

TEST(SysctlApply, WritesInPrivateUtsNamespace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    if (unshare(CLONE_NEWUTS) < 0) return 10;
    auto r = apply_sysctls({{"kernel.domainname", "orun.test"}});
    if (!r) return 1;
    char buf[256] = {};
    if (getdomainname(buf, sizeof buf) < 0) return 2;
    return std::string(buf) == "orun.test" ? 0 : 3;
  });
  EXPECT_EQ(rc, 0);
}

TEST(SysctlApply, UnknownKeyNamesTheKey) {
  auto r = apply_sysctls({{"kernel.orun_no_such_key", "1"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg.rfind("open sysctl kernel.orun_no_such_key file: ", 0), 0u) << r.error().msg;
  EXPECT_NE(r.error().msg.find("no such file or directory"), std::string::npos) << r.error().msg;
}

TEST(Hostname, SetsHostAndDomainInPrivateUts) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    if (unshare(CLONE_NEWUTS) < 0) return 10;
    orun::spec::Spec s;
    s.hostname = "orun-host";
    s.has_hostname = true;
    s.domainname = "orun-domain";
    if (!apply_hostname(s)) return 1;
    char h[256] = {}, d[256] = {};
    gethostname(h, sizeof h);
    getdomainname(d, sizeof d);
    if (std::string(h) != "orun-host") return 2;
    if (std::string(d) != "orun-domain") return 3;
    // Empty values leave the names alone.
    orun::spec::Spec empty;
    if (!apply_hostname(empty)) return 4;
    gethostname(h, sizeof h);
    return std::string(h) == "orun-host" ? 0 : 5;
  });
  EXPECT_EQ(rc, 0);
}
