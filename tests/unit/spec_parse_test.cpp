// Parsing config.json into spec::Spec: defaults, Go-decoder leniency, type
// errors naming the field, runc's load errors.
#include <sched.h>
#include <sys/resource.h>
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

json minimal() {
  return json::parse(R"({
    "ociVersion": "1.3.0",
    "process": {"args": ["sh"], "cwd": "/"},
    "root": {"path": "rootfs"}
  })");
}

std::string parse_error(const json& doc) {
  auto r = parse(doc);
  if (r) return "<no error>";
  return r.error().msg;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/orun-spec-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& data) const {
    std::ofstream(path_ + "/" + name) << data;
  }

 private:
  std::string path_;
};

}  // namespace

TEST(SpecParse, MinimalDocumentGetsGoZeroValues) {
  auto r = parse(minimal());
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->oci_version, "1.3.0");
  ASSERT_TRUE(r->process);
  EXPECT_FALSE(r->process->terminal);
  EXPECT_EQ(r->process->user.uid, 0u);
  EXPECT_FALSE(r->process->user.umask);
  EXPECT_FALSE(r->process->capabilities);
  EXPECT_FALSE(r->process->oom_score_adj);
  EXPECT_FALSE(r->process->scheduler);
  EXPECT_FALSE(r->process->io_priority);
  ASSERT_TRUE(r->root);
  EXPECT_EQ(r->root->path, "rootfs");
  EXPECT_FALSE(r->root->readonly);
  EXPECT_FALSE(r->has_hostname);
  EXPECT_TRUE(r->mounts.empty());
  EXPECT_TRUE(r->linux.namespaces.empty());
  EXPECT_EQ(r->linux.resources, Resources{});
  EXPECT_FALSE(r->linux.seccomp);
  EXPECT_FALSE(r->linux.personality);
  EXPECT_FALSE(r->linux.intel_rdt);
  EXPECT_FALSE(r->linux.memory_policy);
  EXPECT_TRUE(r->linux.net_devices.empty());
  ASSERT_TRUE(r->raw);
  EXPECT_EQ(*r->raw, minimal());
}

TEST(SpecParse, FullDocumentFieldsLandInTheModel) {
  json doc = json::parse(R"({
    "ociVersion": "1.2.0",
    "process": {
      "terminal": true, "consoleSize": {"height": 24, "width": 80},
      "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6], "username": "u"},
      "args": ["sh", "-c", "true"], "env": ["A=b"], "cwd": "/tmp",
      "capabilities": {"bounding": ["CAP_KILL"], "ambient": ["CAP_CHOWN"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
      "noNewPrivileges": true, "apparmorProfile": "prof", "selinuxLabel": "lbl",
      "oomScoreAdj": -500, "scheduler": {"policy": "SCHED_OTHER"},
      "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
      "execCPUAffinity": {"initial": "0"}
    },
    "root": {"path": "/r", "readonly": true},
    "hostname": "h", "domainname": "d",
    "mounts": [{"destination": "/m", "type": "bind", "source": "/s", "options": ["rbind", "ro"],
                "uidMappings": [{"containerID": 0, "hostID": 100, "size": 10}]}],
    "annotations": {"a": "b"},
    "linux": {
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
      "gidMappings": [{"containerID": 0, "hostID": 1001, "size": 2}],
      "sysctl": {"net.ipv4.ip_forward": "1"},
      "resources": {"pids": {"limit": 5}},
      "cgroupsPath": "/x",
      "namespaces": [{"type": "pid"}, {"type": "network", "path": "/proc/1/ns/net"}],
      "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438,
                   "uid": 0, "gid": 0}],
      "seccomp": {"defaultAction": "SCMP_ACT_ALLOW"},
      "rootfsPropagation": "rslave",
      "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"],
      "mountLabel": "ml", "personality": {"domain": "LINUX"},
      "timeOffsets": {"monotonic": {"secs": -5, "nanosecs": 7}}
    }
  })");
  auto r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  const Process& p = *r->process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->height, 24u);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.args.size(), 3u);
  EXPECT_EQ(p.env, (std::vector<std::string>{"A=b"}));
  EXPECT_EQ(p.cwd, "/tmp");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding, (std::vector<std::string>{"CAP_KILL"}));
  EXPECT_EQ(p.capabilities->ambient, (std::vector<std::string>{"CAP_CHOWN"}));
  EXPECT_TRUE(p.capabilities->effective.empty());
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].hard, 1024u);
  EXPECT_EQ(p.rlimits[0].soft, 512u);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.apparmor_profile, "prof");
  EXPECT_EQ(p.selinux_label, "lbl");
  EXPECT_EQ(p.oom_score_adj, -500);
  EXPECT_EQ(p.scheduler->policy, "SCHED_OTHER");
  EXPECT_EQ(p.io_priority->priority, 4);
  EXPECT_EQ(p.exec_cpu_affinity->initial, "0");
  EXPECT_TRUE(r->root->readonly);
  EXPECT_TRUE(r->has_hostname);
  EXPECT_EQ(r->hostname, "h");
  EXPECT_EQ(r->domainname, "d");
  ASSERT_EQ(r->mounts.size(), 1u);
  EXPECT_EQ(r->mounts[0].options, (std::vector<std::string>{"rbind", "ro"}));
  ASSERT_EQ(r->mounts[0].uid_mappings.size(), 1u);
  EXPECT_EQ(r->mounts[0].uid_mappings[0].host_id, 100u);
  EXPECT_EQ(r->annotations.at("a"), "b");
  const Linux& l = r->linux;
  EXPECT_EQ(l.uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(l.gid_mappings[0].size, 2u);
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.resources.pids.limit, 5);
  EXPECT_EQ(l.cgroups_path, "/x");
  ASSERT_EQ(l.namespaces.size(), 2u);
  EXPECT_TRUE(l.has_namespace(NamespaceType::pid));
  EXPECT_FALSE(l.has_namespace(NamespaceType::user));
  ASSERT_NE(l.find_namespace(NamespaceType::network), nullptr);
  EXPECT_EQ(l.find_namespace(NamespaceType::network)->path, "/proc/1/ns/net");
  ASSERT_EQ(l.devices.size(), 1u);
  EXPECT_EQ(l.devices[0].type, 'c');
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].file_mode, 438u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.seccomp->default_action, "SCMP_ACT_ALLOW");
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.masked_paths, (std::vector<std::string>{"/proc/kcore"}));
  EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/sys"}));
  EXPECT_EQ(l.mount_label, "ml");
  EXPECT_EQ(l.personality->domain, "LINUX");
  EXPECT_EQ(l.time_offsets.at("monotonic").secs, -5);
  EXPECT_EQ(l.time_offsets.at("monotonic").nanosecs, 7u);
}

TEST(SpecParse, UnknownKeysAndNullsAreIgnoredLikeGo) {
  json doc = minimal();
  doc["windows"] = {{"x", 1}};
  doc["somethingNew"] = 42;
  doc["hostname"] = nullptr;
  doc["mounts"] = nullptr;
  doc["process"]["env"] = nullptr;
  doc["process"]["unknown"] = {1, 2};
  auto r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_TRUE(r->hostname.empty());
  EXPECT_TRUE(r->process->env.empty());
}

TEST(SpecParse, KeysMatchCaseInsensitivelyLikeGo) {
  json doc = minimal();
  doc["HOSTNAME"] = "box";
  doc["process"]["NoNewPrivileges"] = true;
  auto r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->hostname, "box");
  EXPECT_TRUE(r->process->no_new_privileges);
}

TEST(SpecParse, NullProcessAndRootAreAbsent) {
  json doc = minimal();
  doc["process"] = nullptr;
  doc["root"] = nullptr;
  auto r = parse(doc);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->process);
  EXPECT_FALSE(r->root);
}

TEST(SpecParse, TypeErrorsNameTheField) {
  json doc = minimal();
  doc["process"]["args"] = 5;
  EXPECT_EQ(parse_error(doc), "process.args: expected array of strings, got number");

  doc = minimal();
  doc["process"]["args"] = {"sh", true};
  EXPECT_EQ(parse_error(doc), "process.args[1]: expected string, got bool");

  doc = minimal();
  doc["process"]["terminal"] = "yes";
  EXPECT_EQ(parse_error(doc), "process.terminal: expected bool, got string");

  doc = minimal();
  doc["root"] = "rootfs";
  EXPECT_EQ(parse_error(doc), "root: expected object, got string");

  doc = minimal();
  doc["hostname"] = 3;
  EXPECT_EQ(parse_error(doc), "hostname: expected string, got number");

  doc = minimal();
  doc["linux"] = {{"namespaces", {{{"type", 1}}}}};
  EXPECT_EQ(parse_error(doc), "linux.namespaces[0].type: expected string, got number");

  doc = minimal();
  doc["linux"] = {{"resources", {1, 2}}};
  EXPECT_EQ(parse_error(doc), "linux.resources: expected object, got array");

  doc = minimal();
  doc["mounts"] = {{{"destination", "/x"}, {"options", "ro"}}};
  EXPECT_EQ(parse_error(doc), "mounts[0].options: expected array of strings, got string");

  doc = minimal();
  doc["annotations"] = {{"a", 1}};
  EXPECT_EQ(parse_error(doc), "annotations.a: expected string, got number");

  EXPECT_EQ(parse_error(json::array()), "config: expected object, got array");
  EXPECT_EQ(parse_error(json(nullptr)), "config cannot be null");
}

TEST(SpecParse, NumericRangesAreChecked) {
  json doc = minimal();
  doc["process"]["user"] = {{"uid", 4294967296ULL}};
  EXPECT_EQ(parse_error(doc), "process.user.uid: expected uint32, got number 4294967296");

  doc = minimal();
  doc["process"]["user"] = {{"gid", -1}};
  EXPECT_EQ(parse_error(doc), "process.user.gid: expected uint32, got number -1");

  doc = minimal();
  doc["process"]["user"] = {{"uid", 1.5}};
  EXPECT_EQ(parse_error(doc), "process.user.uid: expected uint32, got number 1.5");

  doc = minimal();
  doc["process"]["user"] = {{"uid", 4294967295ULL}};
  auto r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->process->user.uid, 4294967295u);

  doc = minimal();
  doc["process"]["rlimits"] = {{{"type", "RLIMIT_CORE"}, {"hard", -1}, {"soft", 0}}};
  EXPECT_EQ(parse_error(doc), "process.rlimits[0].hard: expected uint64, got number -1");

  doc = minimal();
  doc["process"]["rlimits"] = {
      {{"type", "RLIMIT_CORE"}, {"hard", 18446744073709551615ULL}, {"soft", 0}}};
  r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->process->rlimits[0].hard, 18446744073709551615ULL);

  doc = minimal();
  doc["linux"] = {{"uidMappings", {{{"containerID", 0}, {"hostID", 0}, {"size", -2}}}}};
  EXPECT_EQ(parse_error(doc), "linux.uidMappings[0].size: expected uint32, got number -2");

  doc = minimal();
  doc["process"]["oomScoreAdj"] = 3000000000LL;
  EXPECT_EQ(parse_error(doc), "process.oomScoreAdj: expected int32, got number 3000000000");
}

TEST(SpecParse, HookEnvAbsentAndPresentStayDistinct) {
  json doc = minimal();
  doc["hooks"] = json::parse(R"({
    "prestart": [{"path": "/bin/a"}],
    "createRuntime": [{"path": "/bin/b", "args": ["b", "x"], "env": [], "timeout": 5}],
    "createContainer": [{"path": "/bin/c", "env": ["K=V"]}],
    "startContainer": [{"path": "/bin/d", "env": null}],
    "poststart": [{"path": "/bin/e"}],
    "poststop": [{"path": "/bin/f"}, {"path": "/bin/g"}]
  })");
  auto r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  const Hooks& h = r->hooks;
  ASSERT_EQ(h.prestart.size(), 1u);
  EXPECT_FALSE(h.prestart[0].env);
  EXPECT_FALSE(h.prestart[0].timeout);
  ASSERT_EQ(h.create_runtime.size(), 1u);
  ASSERT_TRUE(h.create_runtime[0].env);
  EXPECT_TRUE(h.create_runtime[0].env->empty());
  EXPECT_EQ(h.create_runtime[0].timeout, 5);
  EXPECT_EQ(h.create_runtime[0].args, (std::vector<std::string>{"b", "x"}));
  ASSERT_TRUE(h.create_container[0].env);
  EXPECT_EQ(*h.create_container[0].env, (std::vector<std::string>{"K=V"}));
  EXPECT_FALSE(h.start_container[0].env);
  EXPECT_EQ(h.poststart[0].path, "/bin/e");
  EXPECT_EQ(h.poststop.size(), 2u);

  doc["hooks"] = {{"poststop", {{{"path", "/x"}, {"timeout", "5"}}}}};
  EXPECT_EQ(parse_error(doc), "hooks.poststop[0].timeout: expected int32, got string");
}

TEST(SpecParse, NamespaceErrorsUseRuncWording) {
  json doc = minimal();
  doc["linux"] = {{"namespaces", {{{"type", "foo"}}}}};
  EXPECT_EQ(parse_error(doc), "namespace {\"foo\" \"\"} does not exist");

  doc["linux"] = {{"namespaces", {{{"type", "pid"}}, {{"type", "pid"}, {"path", "/p"}}}}};
  EXPECT_EQ(parse_error(doc), "malformed spec file: duplicated ns {\"pid\" \"/p\"}");
}

TEST(SpecParse, RlimitNamesAreChecked) {
  json doc = minimal();
  doc["process"]["rlimits"] = {{{"type", "RLIMIT_FOO"}, {"hard", 1}, {"soft", 1}}};
  EXPECT_EQ(parse_error(doc), "wrong rlimit value: RLIMIT_FOO");
}

TEST(SpecParse, DeviceTypeMustBeKnown) {
  json doc = minimal();
  doc["linux"] = {{"devices", {{{"type", "x"}, {"path", "/dev/x"}}}}};
  EXPECT_EQ(parse_error(doc), "invalid device type \"x\"");
  doc["linux"] = {{"devices", {{{"path", "/dev/x"}}}}};
  EXPECT_EQ(parse_error(doc), "invalid device type \"\"");
  doc["linux"] = {{"devices", {{{"type", "p"}, {"path", "/dev/x"}}}}};
  auto r = parse(doc);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->linux.devices[0].type, 'p');
}

TEST(SpecParse, ParseProcessForExec) {
  auto r = parse_process(json::parse(R"({"args": ["ls"], "cwd": "/", "env": ["A=1"]})"));
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->args, (std::vector<std::string>{"ls"}));
  auto bad = parse_process(json::parse(R"({"args": "ls"})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().msg, "args: expected array of strings, got string");
  auto null = parse_process(json(nullptr));
  ASSERT_FALSE(null);
  EXPECT_EQ(null.error().msg, "process property must not be empty");
}

TEST(SpecNames, NamespaceTables) {
  struct Row {
    const char* name;
    NamespaceType t;
    unsigned long flag;
    const char* proc;
  } rows[] = {
      {"pid", NamespaceType::pid, CLONE_NEWPID, "pid"},
      {"network", NamespaceType::network, CLONE_NEWNET, "net"},
      {"mount", NamespaceType::mount, CLONE_NEWNS, "mnt"},
      {"ipc", NamespaceType::ipc, CLONE_NEWIPC, "ipc"},
      {"uts", NamespaceType::uts, CLONE_NEWUTS, "uts"},
      {"user", NamespaceType::user, CLONE_NEWUSER, "user"},
      {"cgroup", NamespaceType::cgroup, CLONE_NEWCGROUP, "cgroup"},
      {"time", NamespaceType::time, 0x80, "time"},
  };
  for (const auto& row : rows) {
    auto t = namespace_type_from_string(row.name);
    ASSERT_TRUE(t) << row.name;
    EXPECT_EQ(*t, row.t);
    EXPECT_STREQ(to_string(row.t), row.name);
    EXPECT_EQ(clone_flag(row.t), row.flag);
    EXPECT_STREQ(proc_ns_name(row.t), row.proc);
  }
  auto bad = namespace_type_from_string("net");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().msg, "namespace \"net\" does not exist");
}

TEST(SpecNames, AllSixteenRlimits) {
  const std::pair<const char*, int> rows[] = {
      {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
      {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
  };
  for (const auto& [name, value] : rows) {
    auto r = rlimit_from_string(name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(*r, value);
  }
  auto bad = rlimit_from_string("rlimit_nofile");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().msg, "wrong rlimit value: rlimit_nofile");
}

TEST(SpecLoad, MissingFileUsesRuncWording) {
  TempDir d;
  auto r = load(d.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "JSON specification file config.json not found");
}

TEST(SpecLoad, NullDocument) {
  TempDir d;
  d.write("config.json", "null\n");
  auto r = load(d.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "config cannot be null");
}

TEST(SpecLoad, SyntaxErrorCarriesTheParseError) {
  TempDir d;
  d.write("config.json", "{\"ociVersion\": }");
  auto r = load(d.path());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().msg.starts_with("parse config.json: parse error at line 1, column 16"))
      << r.error().msg;
  EXPECT_EQ(r.error().msg.find("[json.exception"), std::string::npos);
}

TEST(SpecLoad, ReadsTheDocumentAndKeepsRaw) {
  TempDir d;
  d.write("config.json", minimal().dump() + "\n \t\n");
  auto r = load(d.path());
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->process->args, (std::vector<std::string>{"sh"}));
  ASSERT_TRUE(r->raw);
  EXPECT_EQ(*r->raw, minimal());
}

// Go's decoder (runc) ignores what follows the first value; that is not a
// JSON document, so orun refuses it, saying where the extra data starts.
TEST(SpecLoad, TrailingDataAfterTheObjectIsRefused) {
  TempDir d;
  d.write("config.json", "{\"ociVersion\": \"1.3.0\"}\n  }{garbage");
  auto r = load(d.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg,
            "parse config.json: unexpected data after the JSON object at line 2, column 3");
}

TEST(SpecLoad, TypeErrorsPropagate) {
  TempDir d;
  d.write("config.json", R"({"process": {"args": 1}})");
  auto r = load(d.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "process.args: expected array of strings, got number");
}
