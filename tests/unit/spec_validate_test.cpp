// validate() / validate_process() / validate_sysctl() / validate_env():
// runc 1.5.1's checks and exact messages.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "orun/spec_json.hpp"

using nlohmann::json;
using namespace orun::spec;

namespace {

class SpecValidate : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orun-spec-validate-XXXXXX";
    bundle_ = ::mkdtemp(tmpl);
    // The bundle path runc sees is getcwd's: symlinks resolved.
    bundle_ = std::filesystem::canonical(bundle_).string();
    std::filesystem::create_directory(bundle_ + "/rootfs");
  }
  void TearDown() override { std::filesystem::remove_all(bundle_); }

  static json base() {
    return json::parse(R"({
      "ociVersion": "1.3.0",
      "process": {"args": ["sh"], "cwd": "/"},
      "root": {"path": "rootfs"},
      "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"},
                               {"type": "ipc"}, {"type": "network"}]}
    })");
  }

  // The validation error for `doc`, or "" when it is valid.
  std::string check(const json& doc) {
    auto s = parse(doc);
    if (!s) return "parse: " + s.error().msg;
    auto r = validate(*s, bundle_);
    return r ? "" : r.error().msg;
  }

  static void set_namespaces(json& doc, std::initializer_list<const char*> types) {
    json ns = json::array();
    for (const char* t : types) ns.push_back({{"type", t}});
    doc["linux"]["namespaces"] = ns;
  }

  std::string bundle_;
};

}  // namespace

TEST_F(SpecValidate, BaseConfigAndTemplateAreValid) {
  EXPECT_EQ(check(base()), "");
  EXPECT_EQ(check(json::parse(example_config(false, false))), "");
}

TEST_F(SpecValidate, ProcessRules) {
  json doc = base();
  doc.erase("process");
  EXPECT_EQ(check(doc), "process property must not be empty");

  doc = base();
  doc["process"]["cwd"] = "";
  EXPECT_EQ(check(doc), "Cwd property must not be empty");

  doc = base();
  doc["process"]["cwd"] = "tmp";
  EXPECT_EQ(check(doc), "Cwd must be an absolute path");

  doc = base();
  doc["process"]["args"] = json::array();
  EXPECT_EQ(check(doc), "args must not be empty");

  Process p;
  p.cwd = "/";
  p.args = {"x"};
  EXPECT_TRUE(validate_process(p));
  p.selinux_label = "system_u:system_r:container_t:s0";
  if (!std::filesystem::exists("/sys/fs/selinux/enforce")) {
    auto r = validate_process(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().msg,
              "selinux label is specified in config, but selinux is disabled or not supported");
  }
}

TEST_F(SpecValidate, RootRules) {
  json doc = base();
  doc.erase("root");
  EXPECT_EQ(check(doc), "root must be specified");

  doc = base();
  doc["root"]["path"] = "missing";
  EXPECT_EQ(check(doc), "invalid rootfs: stat " + bundle_ + "/missing: no such file or directory");

  std::filesystem::create_directory_symlink(bundle_ + "/rootfs", bundle_ + "/link");
  doc = base();
  doc["root"]["path"] = "link";
  EXPECT_EQ(check(doc), "invalid rootfs: not an absolute path, or a symlink");
  doc["root"]["path"] = bundle_ + "/link";
  EXPECT_EQ(check(doc), "invalid rootfs: not an absolute path, or a symlink");

  // Absolute and unclean paths without symlinks are fine.
  doc["root"]["path"] = bundle_ + "//rootfs/";
  EXPECT_EQ(check(doc), "");
  doc["root"]["path"] = "./rootfs";
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, HostnameAndDomainnameNeedUts) {
  json doc = base();
  set_namespaces(doc, {"pid", "mount"});
  doc["hostname"] = "h";
  EXPECT_EQ(check(doc), "unable to set hostname without a private UTS namespace");
  doc.erase("hostname");
  doc["domainname"] = "d";
  EXPECT_EQ(check(doc), "unable to set domainname without a private UTS namespace");
  doc["hostname"] = "";
  doc["domainname"] = "";
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, MaskedAndReadonlyPathsNeedMountNamespace) {
  json doc = base();
  set_namespaces(doc, {"pid"});
  doc["linux"]["maskedPaths"] = {"/proc/kcore"};
  EXPECT_EQ(check(doc), "unable to restrict sys entries without a private MNT namespace");
  doc["linux"].erase("maskedPaths");
  doc["linux"]["readonlyPaths"] = {"/proc/sys"};
  EXPECT_EQ(check(doc), "unable to restrict sys entries without a private MNT namespace");
}

TEST_F(SpecValidate, RootfsPropagationValues) {
  json doc = base();
  for (const char* v : {"private", "rprivate", "slave", "rslave", "shared", "rshared",
                        "unbindable", "runbindable"}) {
    doc["linux"]["rootfsPropagation"] = v;
    EXPECT_EQ(check(doc), "") << v;
  }
  doc["linux"]["rootfsPropagation"] = "bogus";
  EXPECT_EQ(check(doc), "rootfsPropagation=bogus is not supported");
}

TEST_F(SpecValidate, MountRules) {
  json doc = base();
  doc["mounts"] = {{{"destination", std::string("/x\0y", 4)}, {"type", "tmpfs"},
                    {"source", "tmpfs"}}};
  std::string err = check(doc);
  EXPECT_TRUE(err.starts_with("invalid mount {Destination:/x")) << err;
  EXPECT_TRUE(err.ends_with(": mount field contains null byte")) << err;

  doc["mounts"] = {{{"destination", "/data"}, {"type", "bind"}, {"source", "/tmp"},
                    {"options", {"rbind", "ro", "mode=755"}}}};
  EXPECT_EQ(check(doc),
            "invalid mount {Destination:/data Type:bind Source:/tmp Options:[rbind ro mode=755] "
            "UIDMappings:[] GIDMappings:[]}: bind mounts cannot have any filesystem-specific "
            "options applied");

  // "defaults" has no flag in runc's table, so it is data too.
  doc["mounts"][0]["options"] = {"bind", "defaults"};
  EXPECT_TRUE(check(doc).ends_with("bind mounts cannot have any filesystem-specific options applied"));

  // Every flag, propagation, recursive and extension option is not data.
  doc["mounts"][0]["options"] = {"rbind",   "ro",      "nosuid",   "nodev",       "noexec",
                                 "rprivate", "rro",    "rnosymfollow", "relatime", "rw",
                                 "tmpcopyup", "nosymfollow", "remount"};
  EXPECT_EQ(check(doc), "");

  // Data on a non-bind mount is fine.
  doc["mounts"] = {{{"destination", "/t"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                    {"options", {"mode=755", "size=1m"}}}};
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, IdmappedMountRules) {
  if (::geteuid() != 0) GTEST_SKIP() << "rootless runs reject id-mapped mounts first";
  json doc = base();
  doc["mounts"] = {{{"destination", "/t"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                    {"options", {"idmap"}}}};
  EXPECT_TRUE(check(doc).ends_with(": id-mapped mounts are only supported for bind-mounts"))
      << check(doc);

  doc["mounts"] = {{{"destination", "/d"}, {"source", "/tmp"}, {"options", {"rbind", "idmap"}}}};
  EXPECT_TRUE(
      check(doc).ends_with(": id-mapped mounts must have both uid and gid mappings specified"))
      << check(doc);

  doc["mounts"][0]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
  EXPECT_TRUE(
      check(doc).ends_with(": id-mapped mounts must have both uid and gid mappings specified"));
  doc["mounts"][0]["gidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
  EXPECT_EQ(check(doc), "");

  // idmap without explicit mappings takes the container's user namespace.
  doc["mounts"][0].erase("uidMappings");
  doc["mounts"][0].erase("gidMappings");
  doc["linux"]["namespaces"].push_back({{"type", "user"}});
  doc["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  doc["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, UserNamespaceMappings) {
  json doc = base();
  doc["linux"]["namespaces"].push_back({{"type", "user"}});
  EXPECT_EQ(check(doc), "user namespaces enabled, but no uid mappings found");

  doc["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
  EXPECT_EQ(check(doc), "user namespaces enabled, but no gid mappings found");

  doc["linux"]["gidMappings"] = {{{"containerID", 1}, {"hostID", 1000}, {"size", 10}}};
  EXPECT_EQ(check(doc), "user namespaces enabled, but no mapping found for gid 0");

  doc["linux"]["gidMappings"][0]["containerID"] = 0;
  EXPECT_EQ(check(doc), "");

  // runc's specconv drops mappings without a user namespace (its validator
  // would refuse them): orun refuses them with the validator's text.
  doc = base();
  doc["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
  EXPECT_EQ(check(doc), "user namespace mappings specified, but user namespace isn't enabled in the config");
  doc["linux"].erase("uidMappings");
  doc["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
  EXPECT_EQ(check(doc), "user namespace mappings specified, but user namespace isn't enabled in the config");
}

TEST_F(SpecValidate, UserNamespacePathWithMappingsMustMatch) {
  std::string path = "/proc/" + std::to_string(::getpid()) + "/ns/user";
  auto maps = read_userns_mappings(path);
  ASSERT_TRUE(maps) << maps.error().msg;
  ASSERT_FALSE(maps->uid.empty());

  json doc = base();
  doc["linux"]["namespaces"].push_back({{"type", "user"}, {"path", path}});
  EXPECT_EQ(check(doc), "");

  doc["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 12345}, {"size", 1}}};
  doc["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 12345}, {"size", 1}}};
  EXPECT_EQ(check(doc),
            "user namespaces enabled, but both namespace path and non-matching mapping specified "
            "-- you may only provide one");

  json same = json::array();
  for (const auto& m : maps->uid)
    same.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  json same_gid = json::array();
  for (const auto& m : maps->gid)
    same_gid.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  doc["linux"]["uidMappings"] = same;
  doc["linux"]["gidMappings"] = same_gid;
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, TimeNamespaceRules) {
  json doc = base();
  doc["linux"]["timeOffsets"] = {{"monotonic", {{"secs", 1}}}};
  EXPECT_EQ(check(doc),
            "time namespace offsets specified, but time namespace isn't enabled in the config");
  if (!std::filesystem::exists("/proc/self/timens_offsets")) GTEST_SKIP() << "no time namespaces";
  doc["linux"]["namespaces"].push_back({{"type", "time"}});
  EXPECT_EQ(check(doc), "");
  doc["linux"]["namespaces"].back()["path"] = "/proc/self/ns/time";
  EXPECT_EQ(check(doc),
            "time namespace enabled, but both namespace path and time offsets specified -- you may "
            "only provide one");
}

TEST_F(SpecValidate, NamespacePaths) {
  json doc = base();
  set_namespaces(doc, {"pid", "mount", "uts", "ipc"});
  doc["linux"]["namespaces"].push_back({{"type", "network"}, {"path", "/nonexistent/netns"}});
  EXPECT_EQ(check(doc), "namespace path: lstat /nonexistent/netns: no such file or directory");

  std::string comma = bundle_ + "/a,b";
  std::ofstream(comma) << "";
  doc["linux"]["namespaces"].back()["path"] = comma;
  EXPECT_EQ(check(doc), "invalid namespace path " + comma);
}

TEST_F(SpecValidate, SysctlRules) {
  json doc = base();
  doc["linux"]["sysctl"] = {{"kernel.shmmax", "1"}, {"fs.mqueue.msg_max", "10"},
                            {"net.ipv4.ip_forward", "1"}, {"kernel.domainname", "x"},
                            {"net/ipv4/conf/eth0.100/rp_filter", "1"}};
  EXPECT_EQ(check(doc), "");

  auto only = [&](const char* key, std::initializer_list<const char*> ns) {
    json d = base();
    set_namespaces(d, ns);
    d["linux"]["sysctl"] = {{key, "1"}};
    return check(d);
  };
  EXPECT_EQ(only("kernel.msgmax", {"pid"}),
            "sysctl \"kernel.msgmax\" is not allowed in the hosts ipc namespace");
  EXPECT_EQ(only("fs/mqueue/queues_max", {"pid"}),
            "sysctl \"fs.mqueue.queues_max\" is not allowed in the hosts ipc namespace");
  EXPECT_EQ(only("net.ipv4.ip_forward", {"pid"}),
            "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace");
  EXPECT_EQ(only("kernel.hostname", {"uts"}),
            "sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" "
            "field");
  EXPECT_EQ(only("kernel.domainname", {"pid"}),
            "sysctl \"kernel.domainname\" is not in a separate kernel namespace");
  EXPECT_EQ(only("kernel.hostname", {"pid"}),
            "sysctl \"kernel.hostname\" is not in a separate kernel namespace");
  EXPECT_EQ(only("user.max_user_namespaces", {"pid"}),
            "setting ucounts without a user namespace not allowed: user.max_user_namespaces");
  EXPECT_EQ(only("vm.swappiness", {"pid", "ipc", "uts", "network"}),
            "sysctl \"vm.swappiness\" is not in a separate kernel namespace");

  // A joined netns that is our own counts as the host's.
  json d = base();
  set_namespaces(d, {"pid"});
  d["linux"]["namespaces"].push_back({{"type", "network"}, {"path", "/proc/self/ns/net"}});
  d["linux"]["sysctl"] = {{"net.core.somaxconn", "1"}};
  auto s = parse(d);
  ASSERT_TRUE(s);
  auto r = validate_sysctl(*s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "sysctl \"net.core.somaxconn\" not allowed in host network namespace");
}

TEST_F(SpecValidate, SchedulerRules) {
  json doc = base();
  doc["process"]["scheduler"] = json::object();
  EXPECT_EQ(check(doc), "scheduler policy is required");
  doc["process"]["scheduler"] = {{"policy", "SCHED_OTHER"}, {"nice", 20}};
  EXPECT_EQ(check(doc), "invalid scheduler.nice: 20 when scheduler.policy is SCHED_OTHER");
  doc["process"]["scheduler"] = {{"policy", "SCHED_BATCH"}, {"priority", 1}};
  EXPECT_EQ(check(doc), "scheduler.priority can only be specified for SchedFIFO or SchedRR policy");
  doc["process"]["scheduler"] = {{"policy", "SCHED_FIFO"}, {"runtime", 5}};
  EXPECT_EQ(check(doc),
            "scheduler runtime/deadline/period can only be specified for SchedDeadline policy");
  doc["process"]["scheduler"] = {{"policy", "SCHED_RR"}, {"priority", 10}};
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, IoPriorityRules) {
  json doc = base();
  doc["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BE"}, {"priority", 8}};
  EXPECT_EQ(check(doc), "invalid ioPriority.Priority: 8");
  doc["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_X"}, {"priority", 1}};
  EXPECT_EQ(check(doc), "invalid ioPriority.Class: \"IOPRIO_CLASS_X\"");
  doc["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_IDLE"}, {"priority", 7}};
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, MemoryPolicyAndPersonality) {
  json doc = base();
  doc["linux"]["memoryPolicy"] = {{"mode", "MPOL_X"}};
  EXPECT_EQ(check(doc), "invalid memory policy mode \"MPOL_X\"");
  doc["linux"]["memoryPolicy"] = {{"mode", "MPOL_BIND"}};
  EXPECT_EQ(check(doc), "memory policy mode requires at least one node but got 0");
  doc["linux"]["memoryPolicy"] = {{"mode", "MPOL_LOCAL"}, {"nodes", "0-1,3"}};
  EXPECT_EQ(check(doc), "memory policy mode requires 0 nodes but got 3");
  doc["linux"]["memoryPolicy"] = {{"mode", "MPOL_BIND"}, {"nodes", "3-1"}};
  EXPECT_EQ(check(doc), "invalid memory policy nodes \"3-1\": invalid range: 3-1");
  doc["linux"]["memoryPolicy"] = {{"mode", "MPOL_BIND"}, {"nodes", "0"}, {"flags", {"MPOL_F_X"}}};
  EXPECT_EQ(check(doc), "invalid memory policy flag \"MPOL_F_X\"");
  doc["linux"]["memoryPolicy"] = {
      {"mode", "MPOL_INTERLEAVE"}, {"nodes", "0,1"}, {"flags", {"MPOL_F_STATIC_NODES"}}};
  EXPECT_EQ(check(doc), "");

  doc = base();
  doc["linux"]["personality"] = {{"domain", "LINUX64"}};
  EXPECT_EQ(check(doc), "invalid personality domain LINUX64");
  doc["linux"]["personality"] = {{"domain", "LINUX32"}};
  EXPECT_EQ(check(doc), "");
}

// linux.resources is typed at parse and its ranges checked by validate(),
// before create makes anything.
TEST_F(SpecValidate, ResourcesAreTypedAtParseAndRangeCheckedAtValidate) {
  json doc = base();
  doc["linux"]["resources"] = {{"cpu", {{"shares", "many"}}}};
  EXPECT_EQ(check(doc), "parse: linux.resources.cpu.shares: expected a non-negative integer");
  doc["linux"]["resources"] = {{"devices", {{{"allow", true}, {"type", "x"}, {"access", "r"}}}}};
  EXPECT_EQ(check(doc), "parse: invalid cgroup device type \"x\"");
  doc["linux"]["resources"] = {{"memory", {{"limit", -7}}}};
  EXPECT_EQ(check(doc), "linux.resources.memory.limit: invalid value -7 (use -1 for unlimited)");
  doc["linux"]["resources"] = {{"unified", {{"../x", "1"}}}};
  EXPECT_EQ(check(doc), "unified resource \"../x\" must be a file name (no slashes)");
  doc["linux"]["resources"] = {{"memory", {{"limit", -1}}}, {"pids", {{"limit", 0}}}};
  EXPECT_EQ(check(doc), "");
}

TEST_F(SpecValidate, NetDevices) {
  if (::geteuid() != 0) GTEST_SKIP() << "rootless runs reject net devices first";
  json doc = base();
  set_namespaces(doc, {"pid", "mount"});
  doc["linux"]["netDevices"] = {{"eth1", json::object()}};
  EXPECT_EQ(check(doc), "unable to move network devices without a NET namespace");
  doc["linux"]["namespaces"].push_back({{"type", "network"}});
  EXPECT_EQ(check(doc), "");
  doc["linux"]["netDevices"] = {{"a:b", json::object()}};
  EXPECT_EQ(check(doc), "invalid network device name \"a:b\"");
  doc["linux"]["netDevices"] = {{"eth1", {{"name", std::string(17, 'x')}}}};
  EXPECT_EQ(check(doc), "invalid network device name \"" + std::string(17, 'x') + "\"");
}

TEST(SpecEnv, RuncEnvironmentRules) {
  EXPECT_TRUE(validate_env({"A=1", "B=", "A=2"}));
  auto r = validate_env({"A=1", "NOEQUALS"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable: missing '='");
  r = validate_env({"=x"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable: name cannot be empty");
  r = validate_env({std::string("K=a\0b", 5)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable \"K\": contains nul byte (\\x00)");
  // A duplicate that the last entry overrides is not checked further.
  EXPECT_TRUE(validate_env({std::string("K=a\0b", 5), "K=ok"}));
}
