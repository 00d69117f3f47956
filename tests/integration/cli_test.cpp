// Global CLI behaviour: --version, help, usage errors, `spec`, --log-format.
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include <gmock/gmock.h>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using CliTest = ContainerTest;

TEST_F(CliTest, VersionPrintsRuntimeVersionAndSpecLines) {
  auto r = rt_plain({"--version"});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_FALSE(lines.empty());
  // go-runc and moby parse this first line; "runc version" is what they expect,
  // "orun version" is tolerated here so the test names the real problem.
  EXPECT_TRUE(std::regex_search(lines[0], std::regex("^(runc|orun) version \\S+")))
      << lines[0];
  bool has_spec = false;
  for (const auto& l : lines) has_spec |= l.starts_with("spec: ");
  EXPECT_TRUE(has_spec) << r;
  EXPECT_EQ(rt_plain({"-v"}).out, r.out);
}

TEST_F(CliTest, HelpListsCommandsAndExitsZero) {
  auto r = rt_plain({"--help"});
  ASSERT_EQ(r.exit_code, 0) << r;
  for (const char* cmd : {"create", "delete", "kill", "list", "run", "spec", "start", "state"}) {
    EXPECT_THAT(r.out, HasSubstr(cmd));
  }
  auto sub = rt_plain({"create", "--help"});
  EXPECT_EQ(sub.exit_code, 0) << sub;
  EXPECT_THAT(sub.out, HasSubstr("--bundle"));
  EXPECT_THAT(sub.out, HasSubstr("--pid-file"));
}

TEST_F(CliTest, UnknownCommandExitsThree) {
  auto r = rt({"no-such-command"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("No help topic for 'no-such-command'"));
}

TEST_F(CliTest, MissingIdIsUsageError) {
  auto r = rt({"start"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("Incorrect Usage"));
  EXPECT_THAT(r.err, HasSubstr("requires exactly 1 argument(s)"));
}

TEST_F(CliTest, FlagsAfterTheIdAreAccepted) {
  ASSERT_EQ(create().exit_code, 0);
  auto r = rt({"delete", id_, "--force"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(path_exists(root_ + "/" + id_));
}

TEST_F(CliTest, SpecWritesTabIndentedTemplateWithoutTrailingNewline) {
  std::string dir = tmp_ + "/spec";
  std::filesystem::create_directories(dir);
  auto r = rt_plain({"spec", "--bundle", dir});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  std::string text = read_file(dir + "/config.json");
  ASSERT_FALSE(text.empty());
  EXPECT_THAT(text, StartsWith("{\n\t\"ociVersion\": "));
  EXPECT_EQ(text.back(), '}') << "no trailing newline expected";

  auto spec = Json::parse(text);
  std::vector<std::string> keys;
  for (auto& [k, v] : spec.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "process", "root", "hostname",
                                            "mounts", "linux"}));
  if (!runtime_is_runc()) {
    EXPECT_EQ(spec["ociVersion"], "1.3.0");
  }
  EXPECT_EQ(spec["process"]["terminal"], true);
  EXPECT_EQ(spec["process"]["args"], Json::array({"sh"}));
  EXPECT_EQ(spec["process"]["cwd"], "/");
  EXPECT_EQ(spec["process"]["noNewPrivileges"], true);
  EXPECT_FALSE(spec["process"]["capabilities"].contains("inheritable"));
  EXPECT_EQ(spec["process"]["capabilities"]["bounding"],
            Json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}));
  EXPECT_EQ(spec["process"]["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(spec["root"]["path"], "rootfs");
  EXPECT_EQ(spec["root"]["readonly"], true);
  EXPECT_EQ(spec["hostname"], "runc");

  std::vector<std::string> dests;
  for (auto& m : spec["mounts"]) dests.push_back(m["destination"]);
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm",
                                             "/dev/mqueue", "/sys", "/sys/fs/cgroup"}));
  std::vector<std::string> ns;
  for (auto& n : spec["linux"]["namespaces"]) ns.push_back(n["type"]);
  std::vector<std::string> want_ns{"pid", "network", "ipc", "uts", "mount"};
  // The cgroup namespace is only in the template on a pure cgroup v2 host.
  struct stat st;
  bool unified = ::stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
  if (unified) want_ns.push_back("cgroup");
  EXPECT_EQ(ns, want_ns);
  EXPECT_THAT(spec["linux"]["maskedPaths"].dump(), HasSubstr("\"/proc/kcore\""));
  EXPECT_THAT(spec["linux"]["readonlyPaths"].dump(), HasSubstr("\"/proc/sys\""));
}

TEST_F(CliTest, SpecRefusesToOverwriteExistingConfig) {
  auto r = rt_plain({"spec", "--bundle", bundle_});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("File config.json exists. Remove it first"));
}

TEST_F(CliTest, SpecRootlessAddsUserNamespaceAndMappings) {
  std::string dir = tmp_ + "/rootless";
  std::filesystem::create_directories(dir);
  auto r = rt_plain({"spec", "--rootless", "--bundle", dir});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto spec = Json::parse(read_file(dir + "/config.json"));
  auto& ns = spec["linux"]["namespaces"];
  ASSERT_FALSE(ns.empty());
  EXPECT_EQ(ns.back()["type"], "user");
  for (auto& n : ns) EXPECT_NE(n["type"], "network");
  EXPECT_EQ(spec["linux"]["uidMappings"][0]["containerID"], 0);
  EXPECT_EQ(spec["linux"]["uidMappings"][0]["hostID"], ::geteuid());
  EXPECT_EQ(spec["linux"]["uidMappings"][0]["size"], 1);
  EXPECT_EQ(spec["linux"]["gidMappings"][0]["hostID"], ::getegid());
  EXPECT_FALSE(spec["linux"].contains("resources"));
}

TEST_F(CliTest, LogFormatJsonWritesOnlyJsonLines) {
  std::string log = tmp_ + "/log.json";
  auto r = rt({"--log", log, "--log-format", "json", "state", "no-such-container"});
  EXPECT_EQ(r.exit_code, 1) << r;
  // With --log set, the fatal error is also printed bare on stderr.
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
  auto lines = split_lines(read_file(log));
  ASSERT_FALSE(lines.empty()) << "log file is empty";
  std::string last_error;
  for (const auto& line : lines) {
    auto j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j.contains("level") && j.contains("msg") && j.contains("time")) << line;
    if (j["level"] == "error") last_error = j["msg"];
  }
  EXPECT_EQ(last_error, "container does not exist");
}

TEST_F(CliTest, InvalidLogFormatIsRejected) {
  auto r = rt({"--log-format", "yaml", "list"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("invalid log-format: yaml"));
}

}  // namespace
}  // namespace orun::itest
