// The pure parts of `check` and `diagnose`: /proc parsers, capability masks,
// the mount diff, the report renderings.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "diagnose/container.hpp"
#include "diagnose/mountinfo.hpp"
#include "diagnose/probes.hpp"
#include "diagnose/proc_status.hpp"
#include "diagnose/report.hpp"

namespace orun::diagnose {
namespace {

using Json = nlohmann::ordered_json;

TEST(DiagnoseProcStatus, ParsesKeyValueLines) {
  auto s = parse_status("Name:\tsleep\nState:\tS (sleeping)\nCapEff:\t00000000a80425fb\nNoNewPrivs:\t1\n"
                        "Seccomp:\t2\nSeccomp_filters:\t1\nbad line\n");
  EXPECT_EQ(s["Name"], "sleep");
  EXPECT_EQ(s["State"], "S (sleeping)");
  EXPECT_EQ(s["CapEff"], "00000000a80425fb");
  EXPECT_EQ(s["Seccomp_filters"], "1");
  EXPECT_EQ(s.count("bad line"), 0u);
  EXPECT_EQ(seccomp_mode_name(s["Seccomp"]), "filter");
  EXPECT_EQ(seccomp_mode_name("0"), "disabled");
}

TEST(DiagnoseProcStatus, CapMaskToNames) {
  // runc spec's default set: CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10).
  auto m = parse_cap_mask("0000000020000420");
  ASSERT_TRUE(m);
  EXPECT_EQ(cap_names(*m), (std::vector<std::string>{"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"}));
  EXPECT_EQ(cap_names(0), std::vector<std::string>{});
  EXPECT_FALSE(parse_cap_mask("xyz"));
  EXPECT_FALSE(parse_cap_mask(""));
  EXPECT_EQ(cap_names(uint64_t{1} << 62), std::vector<std::string>{"CAP_62"});
}

TEST(DiagnoseProcStatus, MissingCapsOfABoundingSet) {
  // This host's bounding set: all of 0..40 but CAP_SYS_RESOURCE (24).
  EXPECT_EQ(missing_caps(0x1fffeffffffULL, 40), std::vector<std::string>{"CAP_SYS_RESOURCE"});
  EXPECT_TRUE(missing_caps(0x1ffffffffffULL, 40).empty());
}

TEST(DiagnoseProcStatus, IdMapLines) {
  EXPECT_EQ(parse_id_map("         0          0 4294967295\n"), std::vector<std::string>{"0 0 4294967295"});
  EXPECT_EQ(parse_id_map("0 1000 1\n1 100000 65536\n"), (std::vector<std::string>{"0 1000 1", "1 100000 65536"}));
  EXPECT_TRUE(parse_id_map("").empty());
}

TEST(DiagnoseMountinfo, ParsesOptionalFieldsAndEscapes) {
  auto m = parse_mountinfo(
      "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
      "garbage\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].mount_point, "/mnt two");
  EXPECT_EQ(m[0].fstype, "ext3");
  EXPECT_EQ(m[0].source, "/dev/root");
  EXPECT_EQ(m[1].super_options, "rw,name=systemd");
}

TEST(DiagnoseMountinfo, DiffNamesMissingAndExtra) {
  std::vector<MountEntry> mounted = {{"/", "ext4", "", ""},         {"/proc", "proc", "", ""},
                                     {"/dev/", "tmpfs", "", ""},    {"/proc/kcore", "tmpfs", "", ""},
                                     {"/sys/fs/cgroup/cpu", "cgroup", "", ""}, {"/surprise", "tmpfs", "", ""}};
  auto d = diff_mounts({"/proc", "/dev", "/data", "/sys/fs/cgroup"}, {"/", "/proc/kcore"}, {"/sys/fs/cgroup"},
                       mounted);
  EXPECT_EQ(d.missing, (std::vector<std::string>{"/data", "/sys/fs/cgroup"}));
  EXPECT_EQ(d.extra, std::vector<std::string>{"/surprise"});
}

TEST(DiagnoseReport, TextAlignsNamesAndAddsTheFix) {
  Items items{ok_item("kernel", "6.1.0"), warn_item("bounding set", "lacks CAP_SYS_RESOURCE", "keep it")};
  EXPECT_EQ(render_text(items),
            "ok    kernel        6.1.0\n"
            "warn  bounding set  lacks CAP_SYS_RESOURCE; fix: keep it\n");
  EXPECT_EQ(exit_code(items), 0);
}

TEST(DiagnoseReport, OnlyBlockingFailuresSetTheExitCode) {
  Items items{fail_item("seccomp", "absent", "a kernel with seccomp", false)};
  EXPECT_EQ(exit_code(items), 0);
  items.push_back(fail_item("namespaces", "missing: pid", "CONFIG_PID_NS"));
  EXPECT_EQ(exit_code(items), 1);
  auto j = render_json(items);
  EXPECT_EQ(j["items"][0]["status"], "fail");
  EXPECT_EQ(j["items"][1]["fix"], "CONFIG_PID_NS");
  EXPECT_EQ(j["blocking"], Json::array({"namespaces"}));
}

TEST(DiagnoseProbes, CriuVersionLine) {
  EXPECT_EQ(parse_criu_version("Version: 3.17\nGitID: v3.17\n"), "3.17");
  EXPECT_EQ(parse_criu_version("Version: 3.17.1\n"), "3.17.1");
  EXPECT_EQ(parse_criu_version("criu: unknown option\n"), "");
}

TEST(DiagnoseProbes, ProcSelfCgroup) {
  auto c = parse_proc_cgroup("9:name=systemd:/\n2:cpu,cpuacct:/a\n4:memory:/process_api/x\n0::/b\n");
  EXPECT_EQ(c["name=systemd"], "/");
  EXPECT_EQ(c["cpu"], "/a");
  EXPECT_EQ(c["cpuacct"], "/a");
  EXPECT_EQ(c["memory"], "/process_api/x");
  EXPECT_EQ(c[""], "/b");
}

TEST(DiagnoseContainerText, HumanBytes) {
  EXPECT_EQ(human_bytes(512), "512 B");
  EXPECT_EQ(human_bytes(10 * 1024 * 1024), "10.0 MiB");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
}

TEST(DiagnoseContainerText, RendersTheModel) {
  Json r;
  r["id"] = "c1";
  r["root"] = "/run/orun";
  r["status"] = "running";
  r["bundle"] = "/b";
  r["created"] = "2026-01-01T00:00:00Z";
  r["init"] = {{"pid", 42}, {"alive", true}, {"command", "sleep"}};
  r["namespaces"] = Json::array({Json{{"type", "pid"}, {"id", "pid:[4026532255]"}, {"shared_with_host", false},
                                      {"shared_with_orun", false}, {"config", "new"}}});
  r["uid_map"] = Json::array({"0 0 4294967295"});
  r["capabilities"] = {{"effective", Json::array({"CAP_KILL"})}, {"ambient", Json::array()}};
  r["seccomp"] = {{"mode", "filter"}, {"filters", 1}};
  r["no_new_privs"] = true;
  r["cgroup"] = {{"paths", {{"memory", "/sys/fs/cgroup/memory/c1"}}},
                 {"exists", true},
                 {"memory", {{"limit", 67108864}, {"usage", 409600}, {"oom_kills", 2}, {"under_oom", true}}},
                 {"pids", {{"current", 1}, {"limit", "max"}}},
                 {"cpu", Json::object()}};
  r["mounts"] = {{"compared", true}, {"count", 3}, {"missing", Json::array({"/data"})}, {"extra", Json::array()}};
  std::string t = render_container_text(r);
  EXPECT_NE(t.find("container   c1 (running), root /run/orun\n"), std::string::npos) << t;
  EXPECT_NE(t.find("init        pid 42, alive, sleep\n"), std::string::npos) << t;
  EXPECT_NE(t.find("namespaces  pid:[4026532255] (own, config: new)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("uid map     0 0 4294967295\n"), std::string::npos) << t;
  EXPECT_NE(t.find("caps        effective   CAP_KILL\n            ambient     (none)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("seccomp     filter, 1 filter(s); no_new_privs yes\n"), std::string::npos) << t;
  EXPECT_NE(t.find("memory      usage 400.0 KiB, limit 64.0 MiB; OOM kills 2; UNDER OOM"), std::string::npos) << t;
  EXPECT_NE(t.find("pids        1 of max\n"), std::string::npos) << t;
  EXPECT_NE(t.find("mounts      3 mounted; missing (in config, not mounted): /data\n"), std::string::npos) << t;
}

}  // namespace
}  // namespace orun::diagnose
