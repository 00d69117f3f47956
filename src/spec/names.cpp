// Name tables: namespace types (OCI name, CLONE_NEW* flag, /proc/<pid>/ns
// name) and RLIMIT_* names.
#include <sched.h>
#include <sys/resource.h>

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

}  // namespace

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
