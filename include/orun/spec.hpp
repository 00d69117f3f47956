// The one model of an OCI bundle's config.json (runtime-spec 1.3.0), as orun
// uses it. Parsed once (src/spec/parse.cpp), validated (src/spec/validate.cpp),
// then read by the parent and by the container init. linux.resources is
// typed (orun/resources.hpp); the sections still kept as the JSON they came
// in (seccomp, scheduler, ...) are parsed by the subsystems that use them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "orun/resources.hpp"
#include "orun/result.hpp"

// GNU dialects (-std=gnu++23, CMake's default) predefine `linux` as 1, which
// would break the Spec::linux member below.
#ifdef linux
#undef linux
#endif

namespace orun::spec {

inline constexpr const char* kOciVersion = "1.3.0";

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Root {
  std::string path;        // as written in config.json
  bool readonly = false;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
  std::string username;    // ignored (Windows only), kept for completeness
};

struct ConsoleSize {
  unsigned height = 0;
  unsigned width = 0;
};

struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
  int resource = -1;       // RLIMIT_* value
  std::string type;        // "RLIMIT_NOFILE"
  uint64_t hard = 0;
  uint64_t soft = 0;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;
  std::optional<Capabilities> capabilities;  // absent: no capability changes
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::string apparmor_profile;
  std::string selinux_label;
  std::optional<int> oom_score_adj;
  nlohmann::json scheduler;          // null when absent (later issues)
  nlohmann::json io_priority;        // null when absent
  nlohmann::json exec_cpu_affinity;  // null when absent
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::optional<std::vector<std::string>> env;  // absent: inherit (see 3.15)
  std::optional<int> timeout;                   // seconds
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container,
      poststart, poststop;
};

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

struct Namespace {
  NamespaceType type;
  std::string path;  // empty: create a new one
};

struct Device {
  char type = 'c';             // 'c', 'u', 'b', 'p'
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
  std::vector<Device> devices;
  std::string cgroups_path;
  Resources resources;       // linux.resources; all unset when absent
  std::string rootfs_propagation;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::map<std::string, std::string> sysctl;
  nlohmann::json seccomp;    // linux.seccomp, null when absent (security issue)
  std::string mount_label;
  nlohmann::json personality;
  nlohmann::json intel_rdt;
  nlohmann::json memory_policy;
  nlohmann::json net_devices;

  bool has_namespace(NamespaceType t) const;
  const Namespace* find_namespace(NamespaceType t) const;
};

struct Spec {
  std::string oci_version;
  std::optional<Root> root;
  std::optional<Process> process;
  std::string hostname;
  bool has_hostname = false;
  std::string domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  Linux linux;
  nlohmann::json raw;  // the document as read, for state.json and exec
};

// Parsing: wrong types and malformed values give a clear error naming the
// field ("process.args: expected an array of strings").
Result<Spec> parse(const nlohmann::json& doc);
Result<Process> parse_process(const nlohmann::json& doc);

// linux.resources, or an `update --resources` document, into the typed value
// (orun/resources.hpp). Type errors name the field under `where`
// ("linux.resources.cpu.shares: expected a non-negative integer"); the
// device rules get runc's specconv errors. validate_resources checks ranges.
Result<Resources> parse_resources(const nlohmann::json& j, const std::string& where);
// `update --resources FILE|-`: the document's text, fields named
// "resources.*"; "invalid resources document: not valid JSON".
Result<Resources> parse_resources_document(const std::string& text);
// Back to a linux.resources document (what parse_resources reads back the
// same): state.json after `update`.
nlohmann::json resources_to_json(const Resources& r);
// Fails naming the first string (member name or value) of `v` that holds a
// NUL byte ("<path>.unified.x contains a NUL byte"), for JSON documents read
// outside parse(): `update --resources`.
Result<void> reject_nul_bytes(const nlohmann::json& v, const std::string& path);

// Reads <bundle>/config.json. Errors use runc's wording:
// "JSON specification file config.json not found", "config cannot be null".
Result<Spec> load(const std::string& bundle_dir);
// load() past the read: the text of a config file called `name` (one JSON
// object and nothing after it) into the Spec; what the config fuzzer drives.
Result<Spec> parse_text(const std::string& data, const std::string& name);

// Checks runc performs before create (process, root, namespaces, id maps,
// sysctls, mounts, rlimit names ...). `bundle` is the absolute bundle dir.
// Warnings runc only logs (a relative mount destination) go to `warnings`
// when given, else to the log as runc prints them.
Result<void> validate(const Spec& s, const std::string& bundle,
                      std::vector<std::string>* warnings = nullptr);
Result<void> validate_process(const Process& p);

// The linux.sysctl rules of runc's validator (namespace ownership of each
// key); part of validate(), exposed for callers that check sysctls alone.
Result<void> validate_sysctl(const Spec& s);

// runc init's environment check (prepareEnv): "invalid environment variable:
// missing '='", "invalid environment variable: name cannot be empty", NUL
// bytes. runc makes it inside init, so validate_process does not call it.
Result<void> validate_env(const std::vector<std::string>& env);

// runc's configs.ToCPUSet, used for linux.memoryPolicy.nodes and
// process.execCPUAffinity: a list such as "0-3,5" (spaces and empty items
// allowed) into its sorted members, each below 1024; "" is the empty set.
// Errors are runc's ("invalid range: 3-1", "no members found in set \",\"").
Result<std::vector<unsigned>> parse_cpu_list(const std::string& list);

// The uid_map/gid_map of the user namespace at `ns_path`: read through
// /proc/<pid>/ when the path has that form, else from a forked child that
// joins the namespace (needs a single-threaded caller).
struct UsernsMappings {
  std::vector<IdMapping> uid, gid;
};
Result<UsernsMappings> read_userns_mappings(const std::string& ns_path);

// "pid" -> NamespaceType; unknown: error `namespace "X" does not exist`.
Result<NamespaceType> namespace_type_from_string(const std::string& s);
const char* to_string(NamespaceType t);
// CLONE_NEW* flag for a namespace type, and its /proc/<pid>/ns/<name> name.
unsigned long clone_flag(NamespaceType t);
const char* proc_ns_name(NamespaceType t);

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE; unknown: error `wrong rlimit value: X`.
Result<int> rlimit_from_string(const std::string& s);

// The `spec` command's template (runc 1.5.1's specconv.Example / ToRootless),
// serialised exactly as runc writes it (tab indent, no trailing newline).
std::string example_config(bool rootless, bool cgroup_v2_unified);

}  // namespace orun::spec
