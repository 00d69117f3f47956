// Hostile or malformed config.json input refused at parse time: NUL bytes in
// any string that can reach a syscall, and the runtime-spec violations orun
// refuses or warns about (docs/input-validation.md).
#include <string>

#include <gtest/gtest.h>

#include "orun/spec.hpp"

using nlohmann::json;
using namespace orun::spec;

namespace {

json minimal() {
  return json::parse(R"({
    "ociVersion": "1.3.0",
    "process": {"args": ["sh"], "cwd": "/", "env": ["PATH=/bin"]},
    "root": {"path": "rootfs"}
  })");
}

std::string parse_error(const json& doc) {
  auto r = parse(doc);
  if (r) return "<no error>";
  return r.error().msg;
}

const std::string kNul("a\0b", 3);

}  // namespace

TEST(SpecNulBytes, EveryStringFieldNamesTheFieldItIsIn) {
  struct Case {
    const char* pointer;  // JSON pointer of the string set to "a\0b"
    const char* field;    // how the error names it
  };
  const Case cases[] = {
      {"/process/args/0", "process.args[0] contains a NUL byte"},
      {"/process/args/1", "process.args[1] contains a NUL byte"},
      {"/process/cwd", "process.cwd contains a NUL byte"},
      {"/process/apparmorProfile", "process.apparmorProfile contains a NUL byte"},
      {"/process/capabilities/bounding/0", "process.capabilities.bounding[0] contains a NUL byte"},
      {"/process/rlimits/0/type", "process.rlimits[0].type contains a NUL byte"},
      {"/process/user/username", "process.user.username contains a NUL byte"},
      {"/root/path", "root.path contains a NUL byte"},
      {"/hostname", "hostname contains a NUL byte"},
      {"/domainname", "domainname contains a NUL byte"},
      {"/hooks/prestart/0/path", "hooks.prestart[0].path contains a NUL byte"},
      {"/hooks/poststop/0/args/1", "hooks.poststop[0].args[1] contains a NUL byte"},
      {"/hooks/createRuntime/0/env/0", "hooks.createRuntime[0].env[0] contains a NUL byte"},
      {"/mounts/0/options/0", "mounts[0].options[0] contains a NUL byte"},
      {"/linux/devices/0/path", "linux.devices[0].path contains a NUL byte"},
      {"/linux/namespaces/0/path", "linux.namespaces[0].path contains a NUL byte"},
      {"/linux/cgroupsPath", "linux.cgroupsPath contains a NUL byte"},
      {"/linux/maskedPaths/0", "linux.maskedPaths[0] contains a NUL byte"},
      {"/linux/readonlyPaths/0", "linux.readonlyPaths[0] contains a NUL byte"},
      {"/linux/sysctl/net.ipv4.ip_forward", "linux.sysctl.net.ipv4.ip_forward contains a NUL byte"},
      {"/linux/seccomp/syscalls/0/names/0", "linux.seccomp.syscalls[0].names[0] contains a NUL byte"},
      {"/linux/resources/cpu/cpus", "linux.resources.cpu.cpus contains a NUL byte"},
      {"/linux/mountLabel", "linux.mountLabel contains a NUL byte"},
      {"/annotations/k", "annotations.k contains a NUL byte"},
  };
  for (const auto& c : cases) {
    json doc = minimal();
    doc["process"]["args"] = {"sh", "-c"};
    doc["process"]["capabilities"]["bounding"] = {"CAP_KILL"};
    doc["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"hard", 1}, {"soft", 1}}};
    doc["hooks"]["prestart"] = {{{"path", "/bin/true"}}};
    doc["hooks"]["poststop"] = {{{"path", "/bin/true"}, {"args", {"true", "x"}}}};
    doc["hooks"]["createRuntime"] = {{{"path", "/bin/true"}, {"env", {"A=b"}}}};
    doc["mounts"] = {{{"destination", "/x"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"size=1k"}}}};
    doc["linux"]["devices"] = {{{"type", "c"}, {"path", "/dev/x"}, {"major", 1}, {"minor", 3}}};
    doc["linux"]["namespaces"] = {{{"type", "pid"}, {"path", "/proc/1/ns/pid"}}};
    doc["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                               {"syscalls", {{{"names", {"read"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
    doc["linux"]["resources"] = {{"cpu", {{"cpus", "0"}}}};
    doc[json::json_pointer(c.pointer)] = kNul;
    EXPECT_EQ(parse_error(doc), c.field) << c.pointer;
  }
}

TEST(SpecNulBytes, ANulInAMemberNameIsRefusedToo) {
  json doc = minimal();
  doc["linux"]["sysctl"] = {{kNul, "1"}};
  EXPECT_EQ(parse_error(doc), "linux.sysctl." + kNul + " contains a NUL byte");
  doc = minimal();
  doc["linux"]["resources"]["unified"] = {{"memory.max" + kNul, "1"}};
  EXPECT_EQ(parse_error(doc), "linux.resources.unified.memory.max" + kNul + " contains a NUL byte");
}

TEST(SpecNulBytes, ExecProcessFieldsAreNamedWithoutAPrefix) {
  json p = minimal()["process"];
  p["args"][0] = kNul;
  auto r = parse_process(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "args[0] contains a NUL byte");
}

// runc has its own texts for these two, kept as they are.
TEST(SpecNulBytes, MountFieldsAndEnvKeepRuncsTexts) {
  json doc = minimal();
  doc["mounts"] = {{{"destination", "/x" + kNul}, {"type", "tmpfs"}, {"source", "tmpfs"}}};
  auto s = parse(doc);
  ASSERT_TRUE(s) << s.error().msg;
  auto v = validate(*s, "/nonexistent-bundle");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().msg.find("mount field contains null byte"), std::string::npos) << v.error().msg;

  doc = minimal();
  doc["process"]["env"] = {"PATH=/bin", "HOME=/" + kNul};
  s = parse(doc);
  ASSERT_TRUE(s) << s.error().msg;
  auto e = validate_process(*s->process);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().msg, "invalid environment variable \"HOME\": contains nul byte (\\x00)");
}
