// The pure part of checkpoint/restore (src/criu/plan.cpp): runc's option
// parsing and what CRIU is told about mounts, fds and cgroups.
#include <sched.h>

#include <gtest/gtest.h>

#include "criu/plan.hpp"

namespace orun::criu {
namespace {

TEST(CriuPlan, CgroupModesAreRuncs) {
  EXPECT_EQ(*parse_cg_mode(""), CgMode::default_mode);
  EXPECT_EQ(*parse_cg_mode("soft"), CgMode::soft);
  EXPECT_EQ(*parse_cg_mode("full"), CgMode::full);
  EXPECT_EQ(*parse_cg_mode("strict"), CgMode::strict);
  EXPECT_EQ(*parse_cg_mode("ignore"), CgMode::ignore);
  EXPECT_EQ(parse_cg_mode("props").error().msg, "invalid manage-cgroups-mode value");
}

TEST(CriuPlan, EmptyNsAlwaysHasTheNetworkAndOnlyAcceptsIt) {
  EXPECT_EQ(*empty_ns_mask({}), static_cast<uint32_t>(CLONE_NEWNET));
  EXPECT_EQ(*empty_ns_mask({"network"}), static_cast<uint32_t>(CLONE_NEWNET));
  EXPECT_EQ(empty_ns_mask({"pid"}).error().msg, "namespace \"pid\" is not supported");
}

TEST(CriuPlan, PageServerIsHostColonPort) {
  auto p = parse_page_server("10.0.0.1:27277");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, "10.0.0.1");
  EXPECT_EQ(p->second, 27277);
  auto v6 = parse_page_server("[::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->first, "::1");
  EXPECT_EQ(parse_page_server("nohost").error().msg, "Use --page-server ADDRESS:PORT to specify page server");
  EXPECT_EQ(parse_page_server(":80").error().msg, "Use --page-server ADDRESS:PORT to specify page server");
  EXPECT_EQ(parse_page_server("h:port").error().msg, "Invalid port number");
}

TEST(CriuPlan, ExternalNamespaceKeys) {
  EXPECT_EQ(external_ns_key(spec::NamespaceType::network), "extRootNetNS");
  EXPECT_EQ(external_ns_key(spec::NamespaceType::pid), "extRootPidNS");
}

TEST(CriuPlan, BindMountsAreTypeOrOption) {
  EXPECT_TRUE(is_bind_mount({"/a", "bind", "/x", {}}));
  EXPECT_TRUE(is_bind_mount({"/a", "none", "/x", {"rbind", "ro"}}));
  EXPECT_FALSE(is_bind_mount({"/proc", "proc", "proc", {"nosuid"}}));
}

TEST(CriuPlan, DumpNamesMountsByThemselvesAndRestoreByTheirSource) {
  MountInputs in;
  in.binds = {{"/real/conf", "/host/conf"}};
  in.masked_files = {"/proc/kcore"};
  in.has_masked_paths = true;
  in.device_paths = {"/dev/fuse"};
  EXPECT_EQ(dump_ext_mounts(in), (std::vector<ExtMount>{{"/real/conf", "/real/conf"},
                                                       {"/proc/kcore", "/dev/null"},
                                                       {"/dev/fuse", "/dev/fuse"}}));
  EXPECT_EQ(restore_ext_mounts(in), (std::vector<ExtMount>{{"/real/conf", "/host/conf"},
                                                          {"/dev/null", "/dev/null"},
                                                          {"/dev/fuse", "/dev/fuse"}}));
}

TEST(CriuPlan, OnlyPipesAreInherited) {
  EXPECT_EQ(pipe_inherit_fds({"/dev/null", "pipe:[1234]", "/dev/pts/0"}),
            (std::vector<InheritFd>{{"pipe:[1234]", 1}}));
}

TEST(CriuPlan, CgroupRootsPerController) {
  auto r = cgroup_roots("4:cpu,cpuacct:/a\n1:name=systemd:/a\n0::/a\n");
  EXPECT_EQ(r, (std::vector<CgroupRoot>{{"cpu", "/a"}, {"cpuacct", "/a"}, {"name=systemd", "/a"}, {"", "/a"}}));
}

TEST(CriuPlan, ControllersOutsideTheCgroupNamespaceAreNotDumped) {
  EXPECT_TRUE(dumpable_controllers("4:memory:/x\n3:cpu,cpuacct:/x\n0::/x\n").empty());
  EXPECT_EQ(dumpable_controllers("4:memory:/../../x\n3:cpu,cpuacct:/x\n1:name=systemd:/x\n0::/x\n"),
            (std::vector<std::string>{"cpu", "cpuacct", "name=systemd"}));
}

TEST(CriuPlan, ErrorsAreQuotedWithTheirContextLikeRunc) {
  std::string log;
  for (int i = 1; i <= 20; i++) log += (i == 8 || i == 18 ? "Error here " : "line ") + std::to_string(i) + "\n";
  auto q = quote_errors(log, "w/dump.log");
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(q.front(), "--- Quoting \"w/dump.log\"");
  EXPECT_EQ(q[1], "3:line 3");
  EXPECT_EQ(q[6], "8:Error here 8");
  EXPECT_EQ(q[7], "...");
  EXPECT_EQ(q[8], "13:line 13");
  EXPECT_EQ(q.back(), "---");
  EXPECT_TRUE(quote_errors("all good\n", "x").empty());
}

}  // namespace
}  // namespace orun::criu
