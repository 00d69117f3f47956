// The container's network namespace: runc brings lo up in one it creates
// (its "loopback" strategy), and leaves one it joins by path as it is.
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using NetworkTest = ContainerTest;

const char kLinkLo[] = "ip -o link show lo";

// `ip -o link show lo` prints the flags as <LOOPBACK,UP,LOWER_UP>.
bool has_up_flag(const std::string& ip_out) {
  auto open = ip_out.find('<'), close = ip_out.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  std::string flags = "," + ip_out.substr(open + 1, close - open - 1) + ",";
  return flags.find(",UP,") != std::string::npos;
}

TEST_F(NetworkTest, NewNetworkNamespaceHasLoopbackUp) {
  ASSERT_TRUE(config_["linux"]["namespaces"].dump().find("network") != std::string::npos);
  auto r = run_sh(kLinkLo);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("lo:")) << r;
  EXPECT_TRUE(has_up_flag(r.out)) << r;
}

TEST_F(NetworkTest, LoopbackConnectIsRefusedNotUnreachable) {
  // Nothing listens on port 1 of a fresh namespace.
  auto r = run_sh("nc 127.0.0.1 1 </dev/null; echo nc=$?");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("nc=1")) << r;
  EXPECT_THAT(r.err, HasSubstr("Connection refused")) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("Network is unreachable"))) << r;
}

TEST_F(NetworkTest, NewNetworkNamespaceInUserNamespaceHasLoopbackUp) {
  config_["linux"]["namespaces"].push_back({{"type", "user"}});
  config_["linux"]["uidMappings"] = Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  config_["linux"]["gidMappings"] = Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  auto r = run_sh(std::string(kLinkLo) + "; nc 127.0.0.1 1 </dev/null");
  EXPECT_TRUE(has_up_flag(r.out)) << r;
  EXPECT_THAT(r.err, HasSubstr("Connection refused")) << r;
}

TEST_F(NetworkTest, JoinedNetworkNamespaceKeepsLoopbackDown) {
  auto probe = run_command({"unshare", "--version"});
  if (probe.exit_code != 0) GTEST_SKIP() << "no unshare(1) to make a network namespace: " << probe;
  BackgroundCommand holder({"unshare", "-n", "sleep", "60"});
  track_pid(holder.pid());
  // unshare(1) execs sleep once the namespace is made.
  char self_ns[64] = {}, its_ns[64] = {};
  ASSERT_GT(readlink("/proc/self/ns/net", self_ns, sizeof(self_ns) - 1), 0);
  std::string ns_path = "/proc/" + std::to_string(holder.pid()) + "/ns/net";
  bool ready = false;
  for (int i = 0; i < 200 && !ready; i++) {
    std::memset(its_ns, 0, sizeof(its_ns));
    ready = readlink(ns_path.c_str(), its_ns, sizeof(its_ns) - 1) > 0 && std::string(its_ns) != self_ns &&
            read_file("/proc/" + std::to_string(holder.pid()) + "/comm") == "sleep\n";
    if (!ready) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(ready) << "unshare -n sleep did not make its namespace";
  for (auto& n : config_["linux"]["namespaces"])
    if (n["type"] == "network") n["path"] = ns_path;
  auto r = run_sh(std::string(kLinkLo) + "; readlink /proc/self/ns/net");
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(std::string(its_ns))) << r;
  EXPECT_THAT(r.out, HasSubstr("lo:")) << r;
  EXPECT_FALSE(has_up_flag(r.out)) << r;
  holder.signal(SIGKILL);
  holder.wait();
}

}  // namespace
}  // namespace orun::itest
