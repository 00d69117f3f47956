// Hostile or malformed config.json input refused at parse time: NUL bytes in
// any string that can reach a syscall, and the runtime-spec violations orun
// refuses or warns about (docs/input-validation.md).
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "orun/spec_json.hpp"
#include "spec/validate_internal.hpp"

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

namespace {

// A bundle with a rootfs, for validate().
class SpecOciRules : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orun-spec-input-XXXXXX";
    bundle_ = std::filesystem::canonical(::mkdtemp(tmpl)).string();
    std::filesystem::create_directory(bundle_ + "/rootfs");
  }
  void TearDown() override { std::filesystem::remove_all(bundle_); }

  static json base() {
    return json::parse(R"({
      "ociVersion": "1.3.0",
      "process": {"args": ["sh"], "cwd": "/"},
      "root": {"path": "rootfs"},
      "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}
    })");
  }
  std::string check(const json& doc) {
    warnings_.clear();
    auto s = parse(doc);
    if (!s) return "parse: " + s.error().msg;
    auto r = validate(*s, bundle_, &warnings_);
    return r ? "" : r.error().msg;
  }
  std::string bundle_;
  std::vector<std::string> warnings_;
};

}  // namespace

TEST(SpecSemver, AcceptsSemverAndRefusesTheRest) {
  for (const char* ok : {"1.3.0", "1.0.2-dev", "1.0.0-rc.1", "0.1.0", "1.2.3+build.5",
                         "1.0.0-alpha-1.0+x-y", "10.20.30"})
    EXPECT_TRUE(orun::spec::detail::is_semver(ok)) << ok;
  for (const char* bad : {"", "1", "1.0", "v1.0.0", "1.0.0.0", "01.0.0", "1.02.0", "1.0.0-",
                          "1.0.0-01", "1.0.0+", "1.0.0-a..b", "banana", " 1.0.0", "1.0.0 "})
    EXPECT_FALSE(orun::spec::detail::is_semver(bad)) << bad;
}

// config.md: ociVersion is REQUIRED and MUST be SemVer; runc never reads it.
TEST_F(SpecOciRules, OciVersionMustBeASemverVersion) {
  json doc = base();
  EXPECT_EQ(check(doc), "");
  doc.erase("ociVersion");
  EXPECT_EQ(check(doc), "ociVersion must be set to the runtime-spec version of the config (e.g. \"1.3.0\")");
  doc["ociVersion"] = "";
  EXPECT_EQ(check(doc), "ociVersion must be set to the runtime-spec version of the config (e.g. \"1.3.0\")");
  doc["ociVersion"] = "1.0";
  EXPECT_EQ(check(doc), "ociVersion \"1.0\" is not a SemVer 2.0.0 version");
  doc["ociVersion"] = "1.0.2-dev";
  EXPECT_EQ(check(doc), "");
}

// config.md: destination is REQUIRED; a relative one is deprecated but
// allowed, and runc warns with this text.
TEST_F(SpecOciRules, MountDestinationMissingFailsRelativeWarns) {
  json doc = base();
  doc["mounts"] = {{{"type", "tmpfs"}, {"source", "tmpfs"}}};
  EXPECT_EQ(check(doc), "mounts[0].destination must not be empty");
  doc["mounts"][0]["destination"] = "mnt/x";
  EXPECT_EQ(check(doc), "");
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0],
            "mount destination mnt/x is not absolute. Support for non-absolute mount destinations "
            "will be removed in a future release.");
  doc["mounts"][0]["destination"] = "/mnt/x";
  EXPECT_EQ(check(doc), "");
  EXPECT_TRUE(warnings_.empty());
}

// config-linux.md: "full path to device inside container".
TEST_F(SpecOciRules, DevicePathMustBeAbsolute) {
  json doc = base();
  doc["linux"]["devices"] = {{{"type", "c"}, {"path", "dev/fuse"}, {"major", 10}, {"minor", 229}}};
  EXPECT_EQ(check(doc), "linux.devices[0].path \"dev/fuse\" must be an absolute path");
  doc["linux"]["devices"][0]["path"] = "";
  EXPECT_EQ(check(doc), "linux.devices[0].path must not be empty");
  doc["linux"]["devices"][0]["path"] = "/dev/fuse";
  EXPECT_EQ(check(doc), "");
}
