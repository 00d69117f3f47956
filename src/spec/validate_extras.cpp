// Checks of the sections other subsystems apply (scheduler, ioPriority,
// memoryPolicy, personality, execCPUAffinity, netDevices) and of process.env,
// with runc's messages, and runc's cpu-list parser those sections share. The
// sections are typed (parse_extras.cpp); names are looked up in the tables
// of names.cpp that the converters use too.
#include <net/if.h>

#include <set>

#include "orun/spec.hpp"
#include "sys/go_text.hpp"
#include "spec/validate_internal.hpp"

namespace orun::spec {

namespace detail {

using sys::go_quote;

Result<void> validate_scheduler(const std::optional<Scheduler>& sched) {
  if (!sched) return {};
  const std::string& policy = sched->policy;
  if (policy.empty()) return fail("scheduler policy is required");
  if ((policy == "SCHED_OTHER" || policy == "SCHED_BATCH") && (sched->nice < -20 || sched->nice > 19))
    return fail("invalid scheduler.nice: " + std::to_string(sched->nice) +
                " when scheduler.policy is " + policy);
  if (sched->priority != 0 && policy != "SCHED_FIFO" && policy != "SCHED_RR")
    return fail("scheduler.priority can only be specified for SchedFIFO or SchedRR policy");
  if (policy != "SCHED_DEADLINE" && (sched->runtime != 0 || sched->deadline != 0 || sched->period != 0))
    return fail("scheduler runtime/deadline/period can only be specified for SchedDeadline policy");
  return {};
}

Result<void> validate_io_priority(const std::optional<IoPriority>& prio) {
  if (!prio) return {};
  if (prio->priority < 0 || prio->priority > 7)
    return fail("invalid ioPriority.Priority: " + std::to_string(prio->priority));
  if (!name_value(NameTable::ioprio_class, prio->io_class))
    return fail("invalid ioPriority.Class: " + go_quote(prio->io_class));
  return {};
}

Result<void> validate_memory_policy(const std::optional<MemoryPolicy>& mpol) {
  if (!mpol) return {};
  const std::string& mode = mpol->mode;
  if (!name_value(NameTable::mempolicy_mode, mode)) return fail("invalid memory policy mode " + go_quote(mode));
  auto set = parse_cpu_list(mpol->nodes);
  if (!set) return fail("invalid memory policy nodes " + go_quote(mpol->nodes) + ": " + set.error().msg);
  for (const auto& f : mpol->flags)
    if (!name_value(NameTable::mempolicy_flag, f)) return fail("invalid memory policy flag " + go_quote(f));

  size_t count = set->size();
  if ((mode == "MPOL_DEFAULT" || mode == "MPOL_LOCAL") && count != 0)
    return fail("memory policy mode requires 0 nodes but got " + std::to_string(count));
  if ((mode == "MPOL_BIND" || mode == "MPOL_INTERLEAVE" || mode == "MPOL_PREFERRED_MANY" ||
       mode == "MPOL_WEIGHTED_INTERLEAVE") &&
      count == 0)
    return fail("memory policy mode requires at least one node but got 0");
  return {};
}

Result<void> validate_personality(const std::optional<Personality>& pers) {
  if (!pers) return {};
  if (!name_value(NameTable::persona, pers->domain)) return fail("invalid personality domain " + pers->domain);
  return {};
}

Result<void> validate_exec_cpu_affinity(const std::optional<ExecCpuAffinity>& aff) {
  if (!aff) return {};
  ORUN_TRY_VOID(with_context(parse_cpu_list(aff->initial), "bad CPUAffinity.Initial"));
  ORUN_TRY_VOID(with_context(parse_cpu_list(aff->final_cpus), "bad CPUAffinity.Final"));
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
  const auto& devs = c.spec.linux.net_devices;
  if (devs.empty()) return {};
  if (!c.spec.linux.has_namespace(NamespaceType::network))
    return fail("unable to move network devices without a NET namespace");
  if (c.rootless_euid) return fail("network devices are not supported for rootless containers");
  for (const auto& [host_name, dev] : devs) {
    if (!dev_valid_name(host_name)) return fail("invalid network device name " + go_quote(host_name));
    if (!dev.name.empty() && !dev_valid_name(dev.name))
      return fail("invalid network device name " + go_quote(dev.name));
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
