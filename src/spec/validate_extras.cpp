// Checks of the sections other subsystems apply (scheduler, ioPriority,
// memoryPolicy, personality, netDevices) and of process.env, with runc's
// messages. The sections stay JSON in the model; here they are only read.
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

namespace {

// configs.ToCPUSet: a list like "0-3,5" into a set of at most 1024 members.
Result<std::set<unsigned>> parse_node_list(const std::string& str) {
  std::set<unsigned> out;
  if (str.empty()) return out;
  auto to_int = [](std::string v) -> Result<unsigned> {
    bool ok = !v.empty();
    for (char ch : v)
      if (ch < '0' || ch > '9') ok = false;
    if (!ok || v.size() > 10 || std::stoull(v) > 0xffffffffULL)
      return fail("strconv.ParseUint: parsing " + go_quote(v) +
                  (ok ? ": value out of range" : ": invalid syntax"));
    unsigned long long n = std::stoull(v);
    if (n >= 1024) return fail("values larger than 1023 are not supported");
    return static_cast<unsigned>(n);
  };
  auto trim = [](std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.erase(0, 1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.pop_back();
    return s;
  };
  size_t i = 0;
  while (i <= str.size()) {
    size_t j = str.find(',', i);
    if (j == std::string::npos) j = str.size();
    std::string r = trim(str.substr(i, j - i));
    i = j + 1;
    if (r.empty()) continue;
    auto dash = r.find('-');
    if (dash != std::string::npos) {
      unsigned a = ORUN_TRY(to_int(r.substr(0, dash)));
      unsigned b = ORUN_TRY(to_int(r.substr(dash + 1)));
      if (a > b) return fail("invalid range: " + r);
      for (unsigned k = a; k <= b; ++k) out.insert(k);
    } else {
      out.insert(ORUN_TRY(to_int(r)));
    }
  }
  if (out.empty()) return fail("no members found in set " + go_quote(str));
  return out;
}

}  // namespace

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
  auto set = parse_node_list(nodes);
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
