// Checks of the sections other subsystems apply (scheduler, ioPriority,
// memoryPolicy, personality, execCPUAffinity, netDevices) and of process.env,
// with runc's messages, and runc's cpu-list parser those sections share. The sections stay JSON in the model; here they are only read.
#include <net/if.h>

#include <set>

#include "orun/spec.hpp"
#include "spec/json_field.hpp"
#include "spec/validate_internal.hpp"

namespace orun::spec {

namespace detail {

Result<void> validate_scheduler(const json& sched) {
  if (sched.is_null()) return {};
  const std::string path = "process.scheduler";
  std::string policy;
  int32_t nice = 0, priority = 0;
  uint64_t runtime = 0, deadline = 0, period = 0;
  ORUN_TRY_VOID(read(sched, "policy", path, policy));
  if (const json* n = member(sched, "nice")) nice = ORUN_TRY(as_i32(*n, join_path(path, "nice")));
  if (const json* p = member(sched, "priority"))
    priority = ORUN_TRY(as_i32(*p, join_path(path, "priority")));
  ORUN_TRY_VOID(read(sched, "runtime", path, runtime));
  ORUN_TRY_VOID(read(sched, "deadline", path, deadline));
  ORUN_TRY_VOID(read(sched, "period", path, period));
  std::vector<std::string> flags;
  ORUN_TRY_VOID(read(sched, "flags", path, flags));

  if (policy.empty()) return fail("scheduler policy is required");
  if ((policy == "SCHED_OTHER" || policy == "SCHED_BATCH") && (nice < -20 || nice > 19))
    return fail("invalid scheduler.nice: " + std::to_string(nice) +
                " when scheduler.policy is " + policy);
  if (priority != 0 && policy != "SCHED_FIFO" && policy != "SCHED_RR")
    return fail("scheduler.priority can only be specified for SchedFIFO or SchedRR policy");
  if (policy != "SCHED_DEADLINE" && (runtime != 0 || deadline != 0 || period != 0))
    return fail("scheduler runtime/deadline/period can only be specified for SchedDeadline policy");
  return {};
}

Result<void> validate_io_priority(const json& prio) {
  if (prio.is_null()) return {};
  const std::string path = "process.ioPriority";
  std::string cls;
  int64_t priority = 0;
  ORUN_TRY_VOID(read(prio, "class", path, cls));
  ORUN_TRY_VOID(read(prio, "priority", path, priority));
  if (priority < 0 || priority > 7)
    return fail("invalid ioPriority.Priority: " + std::to_string(priority));
  if (cls != "IOPRIO_CLASS_RT" && cls != "IOPRIO_CLASS_BE" && cls != "IOPRIO_CLASS_IDLE")
    return fail("invalid ioPriority.Class: " + go_quote(cls));
  return {};
}

Result<void> validate_memory_policy(const json& mpol) {
  if (mpol.is_null()) return {};
  const std::string path = "linux.memoryPolicy";
  std::string mode, nodes;
  std::vector<std::string> flags;
  ORUN_TRY_VOID(read(mpol, "mode", path, mode));
  ORUN_TRY_VOID(read(mpol, "nodes", path, nodes));
  ORUN_TRY_VOID(read(mpol, "flags", path, flags));

  static const char* kModes[] = {"MPOL_DEFAULT",    "MPOL_PREFERRED", "MPOL_BIND",
                                 "MPOL_INTERLEAVE", "MPOL_LOCAL",     "MPOL_PREFERRED_MANY",
                                 "MPOL_WEIGHTED_INTERLEAVE"};
  bool known = false;
  for (const char* m : kModes)
    if (mode == m) known = true;
  if (!known) return fail("invalid memory policy mode " + go_quote(mode));
  auto set = parse_cpu_list(nodes);
  if (!set) return fail("invalid memory policy nodes " + go_quote(nodes) + ": " + set.error().msg);
  for (const auto& f : flags)
    if (f != "MPOL_F_STATIC_NODES" && f != "MPOL_F_RELATIVE_NODES" && f != "MPOL_F_NUMA_BALANCING")
      return fail("invalid memory policy flag " + go_quote(f));

  size_t count = set->size();
  if ((mode == "MPOL_DEFAULT" || mode == "MPOL_LOCAL") && count != 0)
    return fail("memory policy mode requires 0 nodes but got " + std::to_string(count));
  if ((mode == "MPOL_BIND" || mode == "MPOL_INTERLEAVE" || mode == "MPOL_PREFERRED_MANY" ||
       mode == "MPOL_WEIGHTED_INTERLEAVE") &&
      count == 0)
    return fail("memory policy mode requires at least one node but got 0");
  return {};
}

Result<void> validate_personality(const json& pers) {
  if (pers.is_null()) return {};
  std::string domain;
  ORUN_TRY_VOID(read(pers, "domain", "linux.personality", domain));
  if (domain != "LINUX" && domain != "LINUX32") return fail("invalid personality domain " + domain);
  return {};
}

Result<void> validate_exec_cpu_affinity(const json& aff) {
  if (aff.is_null()) return {};
  const std::string path = "process.execCPUAffinity";
  std::string initial, final_cpus;
  ORUN_TRY_VOID(read(aff, "initial", path, initial));
  ORUN_TRY_VOID(read(aff, "final", path, final_cpus));
  ORUN_TRY_VOID(with_context(parse_cpu_list(initial), "bad CPUAffinity.Initial"));
  ORUN_TRY_VOID(with_context(parse_cpu_list(final_cpus), "bad CPUAffinity.Final"));
  return {};
}

namespace {

// The kernel's dev_valid_name (runc checks len > IFNAMSIZ, not >=).
bool dev_valid_name(const std::string& name) {
  if (name.empty() || name.size() > IFNAMSIZ) return false;
  if (name == "." || name == "..") return false;
  return name.find_first_of("/: ") == std::string::npos;
}

}  // namespace

Result<void> validate_net_devices(const ValidateContext& c) {
  const json& devs = c.spec.linux.net_devices;
  if (devs.is_null() || devs.empty()) return {};
  if (!c.spec.linux.has_namespace(NamespaceType::network))
    return fail("unable to move network devices without a NET namespace");
  if (c.rootless_euid) return fail("network devices are not supported for rootless containers");
  for (auto it = devs.begin(); it != devs.end(); ++it) {
    std::string name;
    if (!it.value().is_null()) {
      std::string p = join_path("linux.netDevices", it.key());
      ORUN_TRY_VOID(expect_object(it.value(), p));
      ORUN_TRY_VOID(read(it.value(), "name", p, name));
    }
    if (!dev_valid_name(it.key())) return fail("invalid network device name " + go_quote(it.key()));
    if (!name.empty() && !dev_valid_name(name))
      return fail("invalid network device name " + go_quote(name));
  }
  return {};
}

}  // namespace detail

Result<std::vector<unsigned>> parse_cpu_list(const std::string& list) {
  // Go's strconv.ParseUint(v, 10, 32), then the cpu_set_t bound.
  auto to_int = [](const std::string& v) -> Result<unsigned> {
    bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
    size_t first = digits ? v.find_first_not_of('0') : 0;
    std::string significant = first == std::string::npos ? "0" : v.substr(first);
    if (!digits || significant.size() > 10 || std::stoull(significant) > 0xffffffffULL)
      return fail("strconv.ParseUint: parsing " + detail::go_quote(v) +
                  (digits ? ": value out of range" : ": invalid syntax"));
    unsigned long long n = std::stoull(significant);
    if (n >= 1024) return fail("values larger than 1023 are not supported");
    return static_cast<unsigned>(n);
  };
  // strings.TrimSpace (ASCII white space; a config has no other).
  auto trim = [](const std::string& s) {
    const char* ws = " \t\n\v\f\r";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return std::string();
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
  };
  std::set<unsigned> members;
  for (size_t i = 0; i <= list.size();) {
    size_t j = list.find(',', i);
    if (j == std::string::npos) j = list.size();
    std::string r = trim(list.substr(i, j - i));
    i = j + 1;
    if (r.empty()) continue;  // extra commas are allowed
    auto dash = r.find('-');
    if (dash == std::string::npos) {
      members.insert(ORUN_TRY(to_int(r)));
      continue;
    }
    unsigned a = ORUN_TRY(to_int(r.substr(0, dash)));
    unsigned b = ORUN_TRY(to_int(r.substr(dash + 1)));
    if (a > b) return fail("invalid range: " + r);
    for (unsigned k = a; k <= b; ++k) members.insert(k);
  }
  if (members.empty() && !list.empty()) return fail("no members found in set " + detail::go_quote(list));
  return std::vector<unsigned>(members.begin(), members.end());
}

Result<void> validate_env(const std::vector<std::string>& env) {
  // runc walks the list backwards so the last of duplicate keys wins; a
  // skipped duplicate is not checked further.
  std::set<std::string> seen;
  for (size_t n = env.size(); n > 0; --n) {
    const std::string& kv = env[n - 1];
    auto eq = kv.find('=');
    if (eq == std::string::npos) return fail("invalid environment variable: missing '='");
    if (eq == 0) return fail("invalid environment variable: name cannot be empty");
    std::string key = kv.substr(0, eq);
    if (!seen.insert(key).second) continue;
    if (kv.find('\0') != std::string::npos)
      return fail("invalid environment variable " + detail::go_quote(key) +
                  ": contains nul byte (\\x00)");
  }
  return {};
}

}  // namespace orun::spec
