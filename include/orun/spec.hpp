// The one model of an OCI bundle's config.json (runtime-spec 1.3.0), as orun
// uses it. Parsed once (src/spec/parse.cpp), validated (src/spec/validate.cpp),
// then read by the parent and by the container init. Every section is a typed
// value (linux.resources: orun/resources.hpp); nothing past src/spec/ reads
// config.json's JSON (the JSON side is orun/spec_json.hpp). Enumerations
// (scheduler policy, I/O class, ...) keep the names as written: validate()
// and the converters to syscall arguments look them up in one table each
// (name_value below), so an unknown name fails where runc fails it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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
  bool operator==(const IdMapping&) const = default;
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

// process.scheduler (runtime-spec Scheduler; runc's configs.ToSchedAttr).
struct Scheduler {
  std::string policy;              // "SCHED_FIFO"; table sched_policy
  int32_t nice = 0;
  int32_t priority = 0;
  std::vector<std::string> flags;  // table sched_flag
  uint64_t runtime = 0, deadline = 0, period = 0;
};

// process.ioPriority.
struct IoPriority {
  std::string io_class;            // "IOPRIO_CLASS_BE"; table ioprio_class
  int64_t priority = 0;
};

// process.execCPUAffinity: cpu lists ("0-3,5"), "" when unset.
struct ExecCpuAffinity {
  std::string initial, final_cpus;
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
  std::optional<Scheduler> scheduler;
  std::optional<IoPriority> io_priority;
  std::optional<ExecCpuAffinity> exec_cpu_affinity;
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

// linux.seccomp (runtime-spec LinuxSeccomp). Names (actions, operators,
// architectures, flags) are checked and converted by
// security/seccomp_profile.cpp, with libseccomp's values.
struct SeccompArg {
  uint64_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;                  // "SCMP_CMP_EQ"
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;              // "SCMP_ACT_ERRNO"
  std::optional<uint64_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;      // "" with no syscalls: seccomp is off
  std::optional<uint64_t> default_errno_ret;
  std::vector<std::string> architectures;
  std::optional<std::vector<std::string>> flags;  // absent differs from []
  std::string listener_path;
  std::string listener_metadata;
  std::vector<SeccompSyscall> syscalls;
};

// linux.personality.
struct Personality {
  std::string domain;              // "LINUX", "LINUX32"; table persona
  std::vector<std::string> flags;  // runtime-spec defines none; runc ignores them
};

// linux.memoryPolicy.
struct MemoryPolicy {
  std::string mode;                // "MPOL_BIND"; table mempolicy_mode
  std::string nodes;               // a cpu-list-style node list, "" for none
  std::vector<std::string> flags;  // table mempolicy_flag
};

// linux.intelRdt: orun only checks it (runc's validator); it applies no
// resctrl settings, so only closID is read.
struct IntelRdt {
  std::string clos_id;
};

// One entry of linux.netDevices (keyed by the host's interface name).
struct NetDevice {
  std::string name;                // the name inside the container, "" to keep
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
  std::optional<Seccomp> seccomp;
  std::string mount_label;
  std::optional<Personality> personality;
  std::optional<IntelRdt> intel_rdt;
  std::optional<MemoryPolicy> memory_policy;
  std::map<std::string, NetDevice> net_devices;

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
  // The document as read. Only state.json keeps it (container::State's
  // `config`): exec, update, delete and diagnose parse it back into this
  // model. runc stores its own converted config there instead; orun keeps
  // the OCI text so the same parser serves both.
  std::shared_ptr<const nlohmann::json> raw;
};

// `update --resources FILE|-`: the document's text into the typed value
// (orun/resources.hpp), fields named "resources.*"; "invalid resources
// document: not valid JSON". Type errors name the field
// ("resources.cpu.shares: expected a non-negative integer"); the device
// rules get runc's specconv errors. validate_resources checks ranges.
Result<Resources> parse_resources_document(const std::string& text);

// Reads <bundle>/config.json. Errors use runc's wording:
// "JSON specification file config.json not found", "config cannot be null".
Result<Spec> load(const std::string& bundle_dir);
// Reads `exec --process FILE`: "open FILE: ...", "parse FILE: invalid JSON",
// then the fields as parse_process names them ("args: ...").
Result<Process> load_process(const std::string& path);
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

// The enumerations of the typed sections, one {name, value} table each
// (names.cpp), shared by validate() and the converters to syscall arguments
// (src/init/process_attrs.cpp): sched_policy (SCHED_*), sched_flag
// (SCHED_FLAG_* bits), ioprio_class (IOPRIO_CLASS_*), persona (PER_LINUX*),
// mempolicy_mode (MPOL_*), mempolicy_flag (MPOL_F_* bits).
enum class NameTable { sched_policy, sched_flag, ioprio_class, persona, mempolicy_mode, mempolicy_flag };
// The value of `name` in `table`, nullopt when the table has no such name.
std::optional<uint64_t> name_value(NameTable table, std::string_view name);

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE; unknown: error `wrong rlimit value: X`.
Result<int> rlimit_from_string(const std::string& s);

// The `spec` command's template (runc 1.5.1's specconv.Example / ToRootless),
// serialised exactly as runc writes it (tab indent, no trailing newline).
std::string example_config(bool rootless, bool cgroup_v2_unified);

}  // namespace orun::spec
