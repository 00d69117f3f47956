// Name tables: namespace types (OCI name, CLONE_NEW* flag, /proc/<pid>/ns
// name), RLIMIT_* names, and the enumerations of process.scheduler,
// ioPriority, linux.personality and memoryPolicy (NameTable).
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include <span>

#include <array>
#include <string_view>
#include <utility>

#include "orun/spec.hpp"

namespace orun::spec {

namespace {

struct NsInfo {
  NamespaceType type;
  const char* oci;
  const char* proc;
  unsigned long flag;
};

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

constexpr std::array<NsInfo, 8> kNamespaces{{
    {NamespaceType::pid, "pid", "pid", CLONE_NEWPID},
    {NamespaceType::network, "network", "net", CLONE_NEWNET},
    {NamespaceType::mount, "mount", "mnt", CLONE_NEWNS},
    {NamespaceType::ipc, "ipc", "ipc", CLONE_NEWIPC},
    {NamespaceType::uts, "uts", "uts", CLONE_NEWUTS},
    {NamespaceType::user, "user", "user", CLONE_NEWUSER},
    {NamespaceType::cgroup, "cgroup", "cgroup", CLONE_NEWCGROUP},
    {NamespaceType::time, "time", "time", CLONE_NEWTIME},
}};

const NsInfo& info(NamespaceType t) {
  for (const auto& i : kNamespaces)
    if (i.type == t) return i;
  return kNamespaces[0];  // unreachable: every enumerator is in the table
}

constexpr std::array<std::pair<std::string_view, int>, 16> kRlimits{{
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
}};

struct NamedValue {
  std::string_view name;
  uint64_t value;
};

// The kernel's numbers (linux/sched.h, linux/ioprio.h, linux/mempolicy.h:
// not includable next to glibc's headers), as runc's configs package has them.
constexpr NamedValue kSchedPolicies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
constexpr NamedValue kSchedFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
constexpr NamedValue kIoprioClasses[] = {
    {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3},
};
constexpr NamedValue kPersonas[] = {
    {"LINUX", PER_LINUX}, {"LINUX32", PER_LINUX32},
};
constexpr NamedValue kMempolicyModes[] = {
    {"MPOL_DEFAULT", 0},    {"MPOL_PREFERRED", 1}, {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4},     {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
constexpr NamedValue kMempolicyFlags[] = {
    {"MPOL_F_STATIC_NODES", 1 << 15}, {"MPOL_F_RELATIVE_NODES", 1 << 14}, {"MPOL_F_NUMA_BALANCING", 1 << 13},
};

std::span<const NamedValue> table(NameTable t) {
  switch (t) {
    case NameTable::sched_policy: return kSchedPolicies;
    case NameTable::sched_flag: return kSchedFlags;
    case NameTable::ioprio_class: return kIoprioClasses;
    case NameTable::persona: return kPersonas;
    case NameTable::mempolicy_mode: return kMempolicyModes;
    case NameTable::mempolicy_flag: return kMempolicyFlags;
  }
  return {};
}

}  // namespace

std::optional<uint64_t> name_value(NameTable t, std::string_view name) {
  for (const auto& [n, v] : table(t))
    if (n == name) return v;
  return std::nullopt;
}

Result<NamespaceType> namespace_type_from_string(const std::string& s) {
  for (const auto& i : kNamespaces)
    if (s == i.oci) return i.type;
  return fail("namespace \"" + s + "\" does not exist");
}

const char* to_string(NamespaceType t) { return info(t).oci; }
unsigned long clone_flag(NamespaceType t) { return info(t).flag; }
const char* proc_ns_name(NamespaceType t) { return info(t).proc; }

Result<int> rlimit_from_string(const std::string& s) {
  for (const auto& [name, res] : kRlimits)
    if (s == name) return res;
  return fail("wrong rlimit value: " + s);
}

bool Linux::has_namespace(NamespaceType t) const { return find_namespace(t) != nullptr; }

const Namespace* Linux::find_namespace(NamespaceType t) const {
  for (const auto& ns : namespaces)
    if (ns.type == t) return &ns;
  return nullptr;
}

}  // namespace orun::spec
