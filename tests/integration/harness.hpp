// Integration-test harness: drives the built orun binary (or any runc-compatible
// runtime named by $ORUN_TEST_BINARY, e.g. /usr/bin/runc as an oracle) as root
// against a busybox bundle. Each test gets its own --root, bundle, container id
// and cgroup path, and teardown removes all of them even when the test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace orun::itest {

using namespace std::chrono_literals;
using Json = nlohmann::ordered_json;

struct CommandResult {
  int exit_code = -1;   // WEXITSTATUS, or 128+signal when killed
  int signal = 0;       // the signal that killed the command, 0 if it exited
  bool timed_out = false;
  std::string out;
  std::string err;
};

// For gtest failure messages: everything needed to see why a command failed.
std::ostream& operator<<(std::ostream& os, const CommandResult& r);

struct CommandOptions {
  std::chrono::milliseconds timeout = 30s;
  std::string stdin_data;          // written to the command's stdin, then closed
  std::string cwd;                 // empty: inherit
  std::map<std::string, std::string> extra_env;
};

// Runs argv[0] (found through PATH) and waits for it to exit. Output is captured
// until the command itself exits; a container that inherited the pipes cannot
// make this hang. On timeout the command's process group is SIGKILLed.
CommandResult run_command(const std::vector<std::string>& argv,
                          const CommandOptions& opts = {});

// A command left running while the test does something else (`run` in the
// foreground, to signal it or inspect the container meanwhile).
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv, const CommandOptions& opts = {});
  ~BackgroundCommand();
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for exit (SIGKILL after the timeout) and returns what was captured.
  CommandResult wait(std::chrono::milliseconds timeout = 30s);

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool done_ = false;
};

// $ORUN_TEST_TIMEOUT_SCALE (default 1): the factor on every command timeout
// and time bound, for the sanitizer build (docs/sanitizers.md), which runs
// orun several times slower.
int timeout_scale();

// The runtime under test: $ORUN_TEST_BINARY if set, else the built orun.
const std::string& runtime_binary();
// True when the runtime under test is runc (the oracle), for the few outputs
// that legitimately differ (version strings, runtime-spec version).
bool runtime_is_runc();
// The busybox rootfs, built once per machine into a cache dir by
// scripts/make-busybox-rootfs.sh (ctest runs every test in its own process).
const std::string& busybox_rootfs();

// Host helpers.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data);
bool path_exists(const std::string& path);
// Every cgroup hierarchy mount point under /sys/fs/cgroup (v1 controllers,
// the v2 "unified" mount, or just /sys/fs/cgroup on a pure v2 host).
std::vector<std::string> cgroup_mounts();
// Live (non-zombie) children of this test process. The test process is a child
// subreaper, so anything a runtime leaves behind ends up here.
std::vector<pid_t> live_children();
// Reaps every exited child that no run_command is waiting for.
void reap_zombies();
std::vector<std::string> split_lines(const std::string& s);
std::string trim(const std::string& s);

class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `<runtime> --root <root_> args...`
  CommandResult rt(const std::vector<std::string>& args, const CommandOptions& opts = {});
  // Without --root (spec, --version, help).
  CommandResult rt_plain(const std::vector<std::string>& args, const CommandOptions& opts = {});
  std::vector<std::string> rt_argv(const std::vector<std::string>& args) const;

  // A fresh unique id whose cgroup path teardown will remove.
  std::string new_id(const std::string& prefix = "");
  // Makes `<tmp_>/<name>` a bundle: busybox rootfs + config from `<runtime> spec`
  // with terminal=false, cgroupsPath=/orun-test/<id>, then `edit` applied.
  std::string make_bundle(const std::string& name, const std::string& id,
                          const std::function<void(Json&)>& edit = {});
  // Rewrites bundle_'s config.json after editing config_.
  void save_config();
  void set_args(const std::vector<std::string>& args);

  // Lifecycle shortcuts for the default container (id_, bundle_).
  CommandResult create(const std::vector<std::string>& extra = {});
  CommandResult run_fg(const std::vector<std::string>& extra = {},
                       const CommandOptions& opts = {});
  // Sets args to `sh -c script` and runs the default container in the foreground.
  CommandResult run_sh(const std::string& script, const CommandOptions& opts = {});
  std::optional<Json> state(const std::string& id);
  std::string status(const std::string& id);
  bool wait_for_status(const std::string& id, const std::string& want,
                       std::chrono::milliseconds timeout = 10s);
  pid_t state_pid(const std::string& id);
  // Remember a pid so teardown kills it if it is still the same process.
  void track_pid(pid_t pid);

  // Asserts that a failed create/run left nothing: no state dir, no cgroup dir
  // in any hierarchy, no process.
  void expect_nothing_left(const std::string& id);

  std::string tmp_;      // per-test temp dir, removed in teardown
  std::string root_;     // --root
  std::string bundle_;   // default bundle
  std::string id_;       // default container id
  Json config_;          // default bundle's config.json

 private:
  void cleanup_container(const std::string& id);
  std::vector<std::string> ids_;
  std::vector<std::pair<pid_t, unsigned long long>> pids_;  // pid + start time
};

// Host-side view of a file path inside a bundle's rootfs.
inline std::string in_rootfs(const std::string& bundle, const std::string& path) {
  return bundle + "/rootfs" + path;
}

}  // namespace orun::itest
