// Namespaces: the container gets its own, and user namespace mappings apply.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

using NamespacesTest = ContainerTest;

std::string host_ns(const std::string& type) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/ns/" + type, ec).string();
}

TEST_F(NamespacesTest, ContainerHasItsOwnNamespaces) {
  auto r = run_sh("for n in pid net ipc uts mnt user; do echo $n $(readlink /proc/self/ns/$n); done");
  ASSERT_EQ(r.exit_code, 0) << r;
  std::map<std::string, std::string> inside;
  for (const auto& line : split_lines(r.out)) {
    auto sp = line.find(' ');
    if (sp != std::string::npos) inside[line.substr(0, sp)] = line.substr(sp + 1);
  }
  ASSERT_EQ(inside.size(), 6u) << r;
  for (const char* ns : {"pid", "net", "ipc", "uts", "mnt"}) {
    EXPECT_NE(inside[ns], host_ns(ns)) << ns << " namespace is shared with the host";
    EXPECT_FALSE(inside[ns].empty()) << ns;
  }
  // Not requested in the config, so shared with the host.
  EXPECT_EQ(inside["user"], host_ns("user"));
}

TEST_F(NamespacesTest, InitIsPidOne) {
  auto r = run_sh("echo $$; ps -o pid,comm | wc -l");
  EXPECT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r;
  EXPECT_EQ(lines[0], "1");
}

TEST_F(NamespacesTest, NetworkNamespaceHasOnlyLoopback) {
  auto r = run_sh("ls /sys/class/net");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "lo\n");
}

TEST_F(NamespacesTest, JoiningTheHostNetworkNamespaceByPath) {
  auto& ns = config_["linux"]["namespaces"];
  for (auto& n : ns) {
    // Our own network namespace is the host's.
    if (n["type"] == "network") n["path"] = "/proc/" + std::to_string(::getpid()) + "/ns/net";
  }
  auto r = run_sh("readlink /proc/self/ns/net");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, host_ns("net") + "\n");
}

TEST_F(NamespacesTest, UserNamespaceAppliesMappings) {
  config_["linux"]["namespaces"].push_back({{"type", "user"}});
  config_["linux"]["uidMappings"] =
      Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  config_["linux"]["gidMappings"] =
      Json::array({{{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}});
  // A sysfs mount needs a network namespace owned by the new user namespace;
  // keep the test about id mapping.
  auto r = run_sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; readlink /proc/self/ns/user");
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r;
  auto fields = [](const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> f;
    std::string w;
    while (in >> w) f.push_back(w);
    return f;
  };
  EXPECT_EQ(fields(lines[0]), (std::vector<std::string>{"0", "100000", "65536"}));
  EXPECT_EQ(fields(lines[1]), (std::vector<std::string>{"0", "200000", "65536"}));
  EXPECT_EQ(lines[2], "0");
  EXPECT_EQ(lines[3], "0");
  EXPECT_NE(lines[4], host_ns("user"));
}

TEST_F(NamespacesTest, ContainerJoinsItsCgroup) {
  auto r = run_sh("cat /proc/self/cgroup");
  EXPECT_EQ(r.exit_code, 0) << r;
  // Without a cgroup namespace the full path is visible.
  EXPECT_THAT(r.out, HasSubstr("/orun-test/" + id_));
  if (path_exists("/sys/fs/cgroup/pids/cgroup.procs")) {  // cgroup v1 pids controller
    EXPECT_THAT(r.out, HasSubstr("pids:/orun-test/" + id_));
  }
}

}  // namespace
}  // namespace orun::itest
