// The state store: <root>/<id>/state.json and the container's status.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "orun/fd.hpp"
#include "orun/resources.hpp"
#include "orun/spec.hpp"
#include "orun/result.hpp"

namespace orun::container {

enum class Status { created, running, paused, stopped };
const char* to_string(Status s);

// What orun records about a container. The keys of state.json follow runc's
// (init_process_pid, init_process_start, created, cgroup_paths,
// namespace_paths) because tools read them; the rest is orun's own.
struct State {
  std::string id;
  pid_t init_pid = 0;
  uint64_t init_start = 0;         // /proc/<pid>/stat field 22 (pid-reuse guard)
  std::string created;             // RFC3339Nano, UTC
  std::string oci_version;         // runtime-spec version orun was built with
  std::string bundle;
  std::string rootfs;
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> cgroup_paths;
  std::vector<std::string> cgroup_created;      // dirs orun made (removed on delete)
  std::string cgroup_unit;                      // --systemd-cgroup: the scope (or slice) unit
  std::map<std::string, std::string> namespace_paths;
  bool private_pid_ns = true;
  // OOM kills in the cgroup that were not of this init: the count when it
  // was created, raised whenever the runtime saw the init survive more.
  uint64_t oom_kills_seen = 0;
  // readlink of init's fds 0, 1, 2 once it was set up (runc's
  // external_descriptors): checkpoint saves them, restore hands CRIU the
  // pipes among them again.
  std::vector<std::string> external_descriptors;
  // The --log file of the create (absolute; empty: stderr), for `diagnose`.
  std::string log_path;
  nlohmann::json config;           // the bundle's config.json as used at create

  // create: keeps the document `s` was parsed from.
  void set_config(const spec::Spec& s);
  bool has_config() const { return !config.is_null(); }
  // The kept config, through the one parser ("config cannot be null" when
  // there is none).
  Result<spec::Spec> config_spec() const;
  // `update`: the container's new linux.resources, kept in `config`.
  void set_resources(const spec::Resources& r);
  nlohmann::json to_json() const;
  static Result<State> from_json(const nlohmann::json& j);
};

// Container id rule (runc's): [A-Za-z0-9_+\-.]+ and not "." or "..".
bool valid_id(const std::string& id);
Result<void> check_id(const std::string& id);

// <root>/<id>
std::string state_dir(const std::string& root, const std::string& id);

// A container directory held under an exclusive (or shared) flock for the
// life of the command, so concurrent commands on one container serialise.
class Lock {
 public:
  static Result<Lock> acquire(const std::string& dir, bool exclusive = true);
  // True when another command holds the dir's lock now (a create still running).
  static bool held_elsewhere(const std::string& dir);
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

// create: <root>/<id>, appearing already locked and holding `file` (the
// create record) from its first instant: made as
// <root>/.orun:creating-<id>.<pid>, locked, the file written, then renamed
// without replacing. So every container dir orun made names itself as
// orun's (`gc` removes no dir that does not). "container with given ID
// already exists" when the id is taken.
Result<Lock> make_state_dir(const std::string& root, const std::string& id, const std::string& file,
                            const std::string& data);
// The temporary name of make_state_dir; `gc` removes unlocked leftovers.
constexpr const char* kCreatingPrefix = ".orun:creating-";

// Writes state.json atomically: a temp file in the same dir, then rename.
Result<void> save(const std::string& root, const State& s);
// Loads state.json: "container does not exist" when missing (with a
// --debug line naming the root searched).
Result<State> load(const std::string& root, const std::string& id);

// /proc/<pid>/stat field 22, or 0 when the process is gone; `state` gets the
// one-letter process state.
uint64_t process_start_time(pid_t pid, char* state = nullptr);
// runc's refreshState: paused (frozen), stopped (init gone or reused),
// created (exec.fifo present), else running.
Status status_of(const std::string& root, const State& s);
bool init_alive(const State& s);

// RFC3339Nano with trailing zeros trimmed, UTC (Go's time.RFC3339Nano).
std::string now_rfc3339nano();
std::string rfc3339nano(const struct timespec& ts);

}  // namespace orun::container
