// The bad-input catalogue (issue 14): malformed configs, ids, flags, exec
// process.json files, `update --resources` documents and corrupt state dirs.
// Each must fail with a non-zero exit (not a signal), exactly one line on
// stderr that names the field or value, and leave nothing behind: no state
// dir entry in --root, no cgroup, no process, no mount.
// docs/input-validation.md explains where orun is stricter than runc.
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace orun::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kNul("\0", 1);

struct ConfigCase {
  std::string name;
  std::function<void(Json&)> edit;
  std::string want;  // a substring of the one stderr line: the field or value
};

struct RawCase {
  std::string name;
  std::string text;  // the whole config.json
  std::string want;
};

// Lines of /proc/self/mountinfo that mention `dir`.
int mounts_under(const std::string& dir) {
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  int n = 0;
  while (std::getline(f, line)) n += line.find(dir) != std::string::npos;
  return n;
}

std::vector<std::string> nonempty_lines(const std::string& s) {
  std::vector<std::string> out;
  for (auto& l : split_lines(s))
    if (!trim(l).empty()) out.push_back(l);
  return out;
}

void remove_namespace(Json& c, const std::string& type) {
  auto& ns = c["linux"]["namespaces"];
  for (auto it = ns.begin(); it != ns.end(); ++it)
    if ((*it)["type"] == type) {
      ns.erase(it);
      return;
    }
}

class BadInputTest : public ContainerTest {
 protected:
  // The checks every case gets. `before` is the number of live children
  // (a running container's init) that must be the same afterwards.
  void expect_clean_failure(const CommandResult& r, const std::string& want,
                            size_t children_before = 0) {
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_EQ(r.signal, 0) << "killed by a signal: " << r;
    EXPECT_FALSE(r.timed_out) << r;
    auto lines = nonempty_lines(r.err);
    EXPECT_EQ(lines.size(), 1u) << "want exactly one line on stderr: " << r;
    EXPECT_THAT(r.err, HasSubstr(want)) << r;
    EXPECT_EQ(mounts_under(tmp_), 0) << "mount left behind under " << tmp_;
    reap_zombies();
    EXPECT_EQ(live_children().size(), children_before) << "process left behind";
  }

  // `create` of a fresh id with config.json = `text`.
  void expect_create_fails(const std::string& text, const std::string& want) {
    write_file(bundle_ + "/config.json", text);
    std::string id = new_id();
    auto r = rt({"create", "--bundle", bundle_, id});
    expect_clean_failure(r, want);
    expect_nothing_left(id);
    EXPECT_TRUE(fs::is_empty(root_)) << "state dir entry left in --root";
  }

  // A created container (sleeping init) for exec/update/kill cases.
  std::string running() {
    config_["process"]["args"] = {"sleep", "1000"};
    save_config();
    auto r = create();
    EXPECT_EQ(r.exit_code, 0) << r;
    track_pid(state_pid(id_));
    return id_;
  }
};

// --- config.json: every major field with a wrong type, out-of-range
// numbers, unknown enum names, NUL bytes, spec violations.
TEST_F(BadInputTest, ConfigsFailWithOneLineNamingTheField) {
  const Json base = config_;
  const std::vector<ConfigCase> cases = {
      {"ociVersion missing", [](Json& c) { c.erase("ociVersion"); }, "ociVersion must be set"},
      {"ociVersion not semver", [](Json& c) { c["ociVersion"] = "1.0"; }, "is not a SemVer 2.0.0 version"},
      {"ociVersion number", [](Json& c) { c["ociVersion"] = 1; }, "ociVersion"},
      {"process missing", [](Json& c) { c.erase("process"); }, "process property must not be empty"},
      {"process string", [](Json& c) { c["process"] = "sh"; }, "process"},
      {"args number", [](Json& c) { c["process"]["args"] = 5; }, "process.args"},
      {"args element number", [](Json& c) { c["process"]["args"] = {1}; }, "process.args[0]"},
      {"args empty", [](Json& c) { c["process"]["args"] = Json::array(); }, "args must not be empty"},
      {"args NUL", [](Json& c) { c["process"]["args"] = {"sleep" + kNul + "x", "1"}; },
       "process.args[0] contains a NUL byte"},
      {"args[1] NUL", [](Json& c) { c["process"]["args"] = {"sleep", "1" + kNul + "0"}; },
       "process.args[1] contains a NUL byte"},
      {"cwd relative", [](Json& c) { c["process"]["cwd"] = "tmp"; }, "Cwd must be an absolute path"},
      {"cwd empty", [](Json& c) { c["process"]["cwd"] = ""; }, "Cwd property must not be empty"},
      {"cwd number", [](Json& c) { c["process"]["cwd"] = 5; }, "process.cwd"},
      {"cwd NUL", [](Json& c) { c["process"]["cwd"] = "/tmp" + kNul + "x"; },
       "process.cwd contains a NUL byte"},
      {"env string", [](Json& c) { c["process"]["env"] = "PATH=/bin"; }, "process.env"},
      {"env NUL", [](Json& c) { c["process"]["env"].push_back("A=b" + kNul + "c"); },
       "invalid environment variable \\\"A\\\": contains nul byte"},
      {"terminal string", [](Json& c) { c["process"]["terminal"] = "yes"; }, "process.terminal"},
      {"consoleSize negative", [](Json& c) { c["process"]["consoleSize"] = {{"height", -1}}; },
       "process.consoleSize.height"},
      {"uid negative", [](Json& c) { c["process"]["user"]["uid"] = -1; }, "process.user.uid"},
      {"uid too big", [](Json& c) { c["process"]["user"]["uid"] = 4294967296LL; }, "process.user.uid"},
      {"gid string", [](Json& c) { c["process"]["user"]["gid"] = "0"; }, "process.user.gid"},
      {"uid float", [](Json& c) { c["process"]["user"]["uid"] = 1.5; }, "process.user.uid"},
      {"additionalGids negative", [](Json& c) { c["process"]["user"]["additionalGids"] = {-1}; },
       "process.user.additionalGids[0]"},
      {"umask string", [](Json& c) { c["process"]["user"]["umask"] = "022"; }, "process.user.umask"},
      {"capabilities list", [](Json& c) { c["process"]["capabilities"] = {"CAP_KILL"}; },
       "process.capabilities"},
      {"bounding string", [](Json& c) { c["process"]["capabilities"]["bounding"] = "CAP_KILL"; },
       "process.capabilities.bounding"},
      {"capability NUL", [](Json& c) { c["process"]["capabilities"]["bounding"] = {"CAP_KILL" + kNul}; },
       "process.capabilities.bounding[0] contains a NUL byte"},
      {"rlimit unknown", [](Json& c) { c["process"]["rlimits"] = {{{"type", "RLIMIT_BOGUS"}}}; },
       "wrong rlimit value: RLIMIT_BOGUS"},
      {"rlimit negative", [](Json& c) {
         c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"hard", -1}, {"soft", 1}}};
       }, "process.rlimits[0].hard"},
      {"rlimits object", [](Json& c) { c["process"]["rlimits"] = Json::object(); }, "process.rlimits"},
      {"noNewPrivileges string", [](Json& c) { c["process"]["noNewPrivileges"] = "true"; },
       "process.noNewPrivileges"},
      {"oomScoreAdj too big", [](Json& c) { c["process"]["oomScoreAdj"] = 1LL << 40; },
       "process.oomScoreAdj"},
      {"apparmorProfile number", [](Json& c) { c["process"]["apparmorProfile"] = 5; },
       "process.apparmorProfile"},
      {"scheduler unknown policy", [](Json& c) { c["process"]["scheduler"] = {{"policy", "SCHED_BOGUS"}}; },
       "SCHED_BOGUS"},
      {"ioPriority unknown class", [](Json& c) {
         c["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BOGUS"}, {"priority", 1}};
       }, "IOPRIO_CLASS_BOGUS"},
      {"ioPriority out of range", [](Json& c) {
         c["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BE"}, {"priority", 8}};
       }, "invalid ioPriority.Priority: 8"},
      {"execCPUAffinity bad list", [](Json& c) { c["process"]["execCPUAffinity"] = {{"initial", "3-1"}}; },
       "3-1"},
      {"root missing", [](Json& c) { c.erase("root"); }, "root must be specified"},
      {"root.path number", [](Json& c) { c["root"]["path"] = 5; }, "root.path"},
      {"root.path missing dir", [](Json& c) { c["root"]["path"] = "no-such-rootfs"; }, "no-such-rootfs"},
      {"root.path NUL", [](Json& c) { c["root"]["path"] = "rootfs" + kNul + "x"; },
       "root.path contains a NUL byte"},
      {"root.readonly string", [](Json& c) { c["root"]["readonly"] = "yes"; }, "root.readonly"},
      {"hostname number", [](Json& c) { c["hostname"] = 5; }, "hostname"},
      {"hostname NUL", [](Json& c) { c["hostname"] = "a" + kNul + "b"; }, "hostname contains a NUL byte"},
      {"hostname without uts", [](Json& c) { c["hostname"] = "x"; remove_namespace(c, "uts"); },
       "unable to set hostname without a private UTS namespace"},
      {"mounts object", [](Json& c) { c["mounts"] = Json::object(); }, "mounts"},
      {"mount string", [](Json& c) { c["mounts"] = {"x"}; }, "mounts[0]"},
      {"mount without destination", [](Json& c) {
         c["mounts"].push_back({{"type", "tmpfs"}, {"source", "tmpfs"}});
       }, ".destination must not be empty"},
      {"mount options string", [](Json& c) { c["mounts"][0]["options"] = "ro"; }, "mounts[0].options"},
      {"mount source NUL", [](Json& c) { c["mounts"][0]["source"] = "proc" + kNul; },
       "mount field contains null byte"},
      {"mount option NUL", [](Json& c) { c["mounts"][1]["options"] = {"nosuid" + kNul}; },
       "mounts[1].options[0] contains a NUL byte"},
      {"bind mount with data", [](Json& c) {
         c["mounts"].push_back({{"destination", "/mnt"}, {"source", "/tmp"}, {"options", {"bind", "size=1"}}});
       }, "bind mounts cannot have any filesystem-specific options applied"},
      {"hooks array", [](Json& c) { c["hooks"] = Json::array(); }, "hooks"},
      {"prestart object", [](Json& c) { c["hooks"]["prestart"] = Json::object(); }, "hooks.prestart"},
      {"hook path NUL", [](Json& c) { c["hooks"]["prestart"] = {{{"path", "/bin/true" + kNul}}}; },
       "hooks.prestart[0].path contains a NUL byte"},
      {"hook arg NUL", [](Json& c) {
         c["hooks"]["poststart"] = {{{"path", "/bin/true"}, {"args", {"true", "a" + kNul}}}};
       }, "hooks.poststart[0].args[1] contains a NUL byte"},
      {"hook env NUL", [](Json& c) {
         c["hooks"]["createRuntime"] = {{{"path", "/bin/true"}, {"env", {"A=" + kNul}}}};
       }, "hooks.createRuntime[0].env[0] contains a NUL byte"},
      {"hook timeout string", [](Json& c) {
         c["hooks"]["poststop"] = {{{"path", "/bin/true"}, {"timeout", "5"}}};
       }, "hooks.poststop[0].timeout"},
      {"linux string", [](Json& c) { c["linux"] = "x"; }, "linux"},
      {"namespace unknown", [](Json& c) { c["linux"]["namespaces"].push_back({{"type", "bogus"}}); },
       "namespace {\\\"bogus\\\" \\\"\\\"} does not exist"},
      {"namespace duplicated", [](Json& c) { c["linux"]["namespaces"].push_back({{"type", "pid"}}); },
       "duplicated ns"},
      {"namespace path missing", [](Json& c) {
         c["linux"]["namespaces"][0]["path"] = "/no/such/ns";
       }, "/no/such/ns"},
      {"namespace path NUL", [](Json& c) { c["linux"]["namespaces"][0]["path"] = "/proc/1/ns/pid" + kNul; },
       "linux.namespaces[0].path contains a NUL byte"},
      {"uidMappings without userns", [](Json& c) {
         c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
       }, "user namespace mappings specified, but user namespace isn't enabled in the config"},
      {"userns without mappings", [](Json& c) { c["linux"]["namespaces"].push_back({{"type", "user"}}); },
       "user namespaces enabled, but no"},
      {"uidMappings size negative", [](Json& c) {
         c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", -1}}};
       }, "linux.uidMappings[0].size"},
      {"device type unknown", [](Json& c) {
         c["linux"]["devices"] = {{{"type", "x"}, {"path", "/dev/x"}, {"major", 1}, {"minor", 3}}};
       }, "invalid device type \\\"x\\\""},
      {"device path relative", [](Json& c) {
         c["linux"]["devices"] = {{{"type", "c"}, {"path", "dev/x"}, {"major", 1}, {"minor", 3}}};
       }, "linux.devices[0].path \\\"dev/x\\\" must be an absolute path"},
      {"device path NUL", [](Json& c) {
         c["linux"]["devices"] = {{{"type", "c"}, {"path", "/dev/x" + kNul}, {"major", 1}, {"minor", 3}}};
       }, "linux.devices[0].path contains a NUL byte"},
      {"device major string", [](Json& c) {
         c["linux"]["devices"] = {{{"type", "c"}, {"path", "/dev/x"}, {"major", "1"}, {"minor", 3}}};
       }, "linux.devices[0].major"},
      {"sysctl not namespaced", [](Json& c) { c["linux"]["sysctl"] = {{"kernel.bogus_thing", "1"}}; },
       "kernel.bogus_thing"},
      {"sysctl value number", [](Json& c) { c["linux"]["sysctl"] = {{"net.ipv4.ip_forward", 1}}; },
       "linux.sysctl.net.ipv4.ip_forward"},
      {"sysctl value NUL", [](Json& c) { c["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1" + kNul}}; },
       "linux.sysctl.net.ipv4.ip_forward contains a NUL byte"},
      {"resources string", [](Json& c) { c["linux"]["resources"] = "x"; }, "linux.resources"},
      {"memory limit string", [](Json& c) { c["linux"]["resources"]["memory"] = {{"limit", "1G"}}; },
       "limit"},
      {"pids limit string", [](Json& c) { c["linux"]["resources"]["pids"] = {{"limit", "x"}}; }, "limit"},
      {"cpu shares negative", [](Json& c) { c["linux"]["resources"]["cpu"] = {{"shares", -1}}; }, "shares"},
      {"resources NUL", [](Json& c) { c["linux"]["resources"]["cpu"] = {{"cpus", "0" + kNul}}; },
       "linux.resources.cpu.cpus contains a NUL byte"},
      {"cgroupsPath number", [](Json& c) { c["linux"]["cgroupsPath"] = 5; }, "linux.cgroupsPath"},
      {"cgroupsPath NUL", [](Json& c) { c["linux"]["cgroupsPath"] = "/orun-test/x" + kNul; },
       "linux.cgroupsPath contains a NUL byte"},
      {"rootfsPropagation unknown", [](Json& c) { c["linux"]["rootfsPropagation"] = "bogus"; },
       "rootfsPropagation=bogus is not supported"},
      {"seccomp unknown default", [](Json& c) { c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_BOGUS"}}; },
       "SCMP_ACT_BOGUS"},
      {"seccomp without defaultAction", [](Json& c) {
         c["linux"]["seccomp"] = {{"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
       }, "linux.seccomp.defaultAction is required"},
      {"seccomp unknown arch", [](Json& c) {
         c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", {"SCMP_ARCH_PDP11"}}};
       }, "SCMP_ARCH_PDP11"},
      {"seccomp name NUL", [](Json& c) {
         c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls", {{{"names", {"mkdir" + kNul}}, {"action", "SCMP_ACT_ERRNO"}}}}};
       }, "linux.seccomp.syscalls[0].names[0] contains a NUL byte"},
      {"maskedPaths string", [](Json& c) { c["linux"]["maskedPaths"] = "/proc/kcore"; }, "linux.maskedPaths"},
      {"personality unknown", [](Json& c) { c["linux"]["personality"] = {{"domain", "LINUX_BOGUS"}}; },
       "LINUX_BOGUS"},
      {"memoryPolicy unknown mode", [](Json& c) { c["linux"]["memoryPolicy"] = {{"mode", "MPOL_BOGUS"}}; },
       "MPOL_BOGUS"},
      {"timeOffsets without timens", [](Json& c) {
         c["linux"]["timeOffsets"] = {{"monotonic", {{"secs", 1}}}};
       }, "time namespace offsets specified, but time namespace isn't enabled in the config"},
      {"annotations number", [](Json& c) { c["annotations"] = 5; }, "annotations"},
      {"annotation NUL", [](Json& c) { c["annotations"] = {{"k", "v" + kNul}}; },
       "annotations.k contains a NUL byte"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Json doc = base;
    c.edit(doc);
    expect_create_fails(doc.dump(), c.want);
  }
  EXPECT_GE(cases.size(), 80u);
}

// --- config.json that is not one JSON object.
TEST_F(BadInputTest, MalformedConfigFilesFailWithOneLine) {
  std::string good = config_.dump();
  std::string nested(100000, '[');
  const std::vector<RawCase> cases = {
      {"trailing garbage", good + "{garbage", "unexpected data after the JSON object"},
      {"second object", good + "\n" + good, "unexpected data after the JSON object at line 2"},
      {"truncated", good.substr(0, good.size() / 2), "parse config.json"},
      {"empty file", "", "parse config.json"},
      {"null", "null", "config cannot be null"},
      {"array", "[]", "config: expected object, got array"},
      {"ill-formed UTF-8", R"({"ociVersion": "1.3.0", "hostname": ")" + std::string("\xff\xfe") + "\"}",
       "ill-formed UTF-8"},
      {"deep nesting", R"({"annotations": )" + nested, "parse config.json"},
      {"huge file", R"({"ociVersion": "1.3.0", "annotations": {"x": ")" + std::string(64 << 20, 'a') +
                        R"("}, "process": {"args": ["true"], "cwd": "/"}})",
       "root must be specified"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_create_fails(c.text, c.want);
  }
  // Not a file at all.
  fs::remove(bundle_ + "/config.json");
  fs::create_directory(bundle_ + "/config.json");
  auto r = rt({"create", "--bundle", bundle_, new_id()});
  expect_clean_failure(r, "config.json");
  fs::remove(bundle_ + "/config.json");
  r = rt({"create", "--bundle", bundle_, new_id()});
  expect_clean_failure(r, "JSON specification file config.json not found");
  EXPECT_TRUE(fs::is_empty(root_));
}

// --- container ids.
TEST_F(BadInputTest, BadIdsFailWithOneLine) {
  for (const std::string& id : {std::string(".."), std::string("a/b"), std::string("a b"),
                               std::string("../escape"), std::string("a:b"),
                               std::string(300, 'a')}) {
    SCOPED_TRACE(id.substr(0, 20));
    auto r = rt({"create", "--bundle", bundle_, id});
    expect_clean_failure(r, id.size() > 255 ? "" : "invalid container ID format");
    EXPECT_TRUE(fs::is_empty(root_));
  }
  auto r = rt({"create", "--bundle", bundle_, ""});
  expect_clean_failure(r, "");
  EXPECT_TRUE(fs::is_empty(root_));
}

// --- command-line flags.
TEST_F(BadInputTest, BadFlagsFailWithOneLine) {
  struct FlagCase {
    std::vector<std::string> args;  // after --root
    std::string want;
  };
  std::string id = new_id();
  const std::vector<FlagCase> cases = {
      {{"create", "--preserve-fds", "-1", "--bundle", bundle_, id}, "for flag -preserve-fds: must not be negative"},
      {{"create", "--preserve-fds", "x", "--bundle", bundle_, id}, "for flag -preserve-fds: parse error"},
      {{"create", "--bogus", "--bundle", bundle_, id}, "flag provided but not defined: -bogus"},
      {{"create", "--bundle", tmp_ + "/no-such-bundle", id}, "no-such-bundle"},
      {{"create", "--bundle", bundle_, "--pid-file", tmp_ + "/no/such/dir/pid", id}, "no/such/dir"},
      {{"run", "--preserve-fds", "-1", "--bundle", bundle_, id}, "must not be negative"},
      {{"--log-format", "xml", "create", "--bundle", bundle_, id}, "invalid log-format: xml"},
      {{"no-such-command"}, "No help topic for 'no-such-command'"},
      {{"start", id}, "container does not exist"},
      // runc looks the container up first ("container does not exist").
      {{"kill", id, "SIGBOGUS"}, "SIGBOGUS"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args[0] + " " + c.want);
    auto r = rt(c.args);
    expect_clean_failure(r, c.want);
    expect_nothing_left(id);
    EXPECT_TRUE(fs::is_empty(root_));
  }
}

// --- exec process.json, `kill` signals and `update --resources` documents
// against a created container: each fails and the container is untouched.
TEST_F(BadInputTest, BadExecUpdateAndKillInputFailWithOneLine) {
  std::string id = running();
  reap_zombies();
  size_t children = live_children().size();
  struct FileCase {
    std::string name;
    std::string text;
    std::string want;
  };
  Json proc = config_["process"];
  auto with = [&](const std::function<void(Json&)>& edit) {
    Json p = proc;
    edit(p);
    return p.dump();
  };
  const std::vector<FileCase> exec_cases = {
      {"not JSON", "{", "process.json"},
      {"trailing garbage", proc.dump() + "{x", "process.json"},
      {"args NUL", with([](Json& p) { p["args"] = {"true" + kNul + "x"}; }), "args[0] contains a NUL byte"},
      {"args empty", with([](Json& p) { p["args"] = Json::array(); }), "args"},
      {"args number", with([](Json& p) { p["args"] = 1; }), "args"},
      {"cwd relative", with([](Json& p) { p["cwd"] = "tmp"; }), "Cwd must be an absolute path"},
      {"env NUL", with([](Json& p) { p["env"] = {"A=" + kNul}; }), "contains nul byte"},
      {"uid string", with([](Json& p) { p["user"]["uid"] = "0"; }), "user.uid"},
      {"rlimit unknown", with([](Json& p) { p["rlimits"] = {{{"type", "RLIMIT_BOGUS"}}}; }), "RLIMIT_BOGUS"},
      {"null", "null", "process"},
  };
  for (const auto& c : exec_cases) {
    SCOPED_TRACE("exec: " + c.name);
    write_file(tmp_ + "/process.json", c.text);
    auto r = rt({"exec", "--process", tmp_ + "/process.json", id});
    expect_clean_failure(r, c.want, children);
  }
  const std::vector<FileCase> update_cases = {
      {"not JSON", "{", "resources"},
      {"trailing garbage", "{}{", "resources"},
      {"memory limit string", R"({"memory": {"limit": "1G"}})", "limit"},
      {"pids limit float", R"({"pids": {"limit": 1.5}})", "limit"},
      {"cpu shares negative", R"({"cpu": {"shares": -5}})", "shares"},
      {"unified key NUL", R"({"unified": {"pids.max\u0000x": "10"}})", "contains a NUL byte"},
      {"cpus NUL", R"({"cpu": {"cpus": "0\u0000"}})", "resources.cpu.cpus contains a NUL byte"},
  };
  for (const auto& c : update_cases) {
    SCOPED_TRACE("update: " + c.name);
    write_file(tmp_ + "/resources.json", c.text);
    auto r = rt({"update", "--resources", tmp_ + "/resources.json", id});
    expect_clean_failure(r, c.want, children);
  }
  for (const char* sig : {"SIGBOGUS", "-1", "99999"}) {
    SCOPED_TRACE(std::string("kill ") + sig);
    auto r = rt({"kill", id, sig});
    expect_clean_failure(r, sig, children);
  }
  EXPECT_EQ(status(id), "created");
}

// --- corrupt state dirs: commands fail with one line and never crash;
// `delete --force` still removes the dir.
TEST_F(BadInputTest, CorruptStateDirsFailWithOneLine) {
  struct StateCase {
    std::string name;
    std::function<void(const std::string& dir)> corrupt;
  };
  const std::vector<StateCase> cases = {
      {"no state.json", [](const std::string&) {}},
      {"empty state.json", [](const std::string& d) { write_file(d + "/state.json", ""); }},
      {"garbage state.json", [](const std::string& d) { write_file(d + "/state.json", "{garbage"); }},
      {"state.json array", [](const std::string& d) { write_file(d + "/state.json", "[1,2]"); }},
      {"wrong types", [](const std::string& d) {
         write_file(d + "/state.json", R"({"id": 5, "init_process_pid": "x"})");
       }},
      {"state.json a directory", [](const std::string& d) { fs::create_directory(d + "/state.json"); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string id = new_id();
    std::string dir = root_ + "/" + id;
    fs::create_directory(dir);
    c.corrupt(dir);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"state", id}, {"start", id}, {"kill", id, "KILL"},
          {"exec", id, "true"}, {"ps", id}, {"pause", id}}) {
      SCOPED_TRACE(args[0]);
      auto r = rt(args);
      // A dir without state.json is a half-created container to orun's
      // `state` (stopped, pid 0; gc_test.cpp), not an error.
      if (c.name == "no state.json" && args[0] == "state" && !runtime_is_runc()) {
        EXPECT_EQ(r.exit_code, 0) << r;
        EXPECT_THAT(r.out, ::testing::HasSubstr("\"status\": \"stopped\"")) << r;
        continue;
      }
      expect_clean_failure(r, "");
    }
    // Without state.json the dir is a leftover: delete removes it. A
    // corrupt one is reported, as by runc (which cannot read it either).
    auto d = rt({"delete", "--force", id});
    if (d.exit_code == 0) {
      EXPECT_FALSE(path_exists(dir));
    } else {
      expect_clean_failure(d, "state.json");
      fs::remove_all(dir);
    }
  }
}

}  // namespace
}  // namespace orun::itest
