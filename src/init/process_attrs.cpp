#include "init/process_attrs.hpp"

#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "orun/log.hpp"
#include "sys/go_text.hpp"

extern "C" {
#include "nsenter.h"
#include "orun/program.hpp"
}

namespace orun::init {

namespace {

using nlohmann::json;

// A member of a section, or `fallback` when absent or null. The sections were
// type-checked by validation; a wrong type still fails cleanly here.
template <typename T>
Result<T> field(const json& obj, const char* key, const std::string& path, T fallback = T{}) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fail(path + "." + key + ": wrong type " + it->type_name());
  }
}

Result<cpu_set_t> to_cpu_set(const std::string& list) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (unsigned cpu : ORUN_TRY(spec::parse_cpu_list(list))) CPU_SET(cpu, &set);
  return set;
}

// Go's %w of a bare unix.Errno: just the lower-case text.
std::unexpected<Error> errno_error(const std::string& what, int err) {
  return fail(what + ": " + errno_text(err), err);
}

}  // namespace

Result<SchedAttr> to_sched_attr(const json& s) {
  const std::string path = "process.scheduler";
  static constexpr std::pair<const char*, uint32_t> kPolicies[] = {
      {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
      {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
  };
  static constexpr std::pair<const char*, uint64_t> kFlags[] = {
      {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
      {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
      {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
      {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
  };
  SchedAttr a;
  std::string policy = ORUN_TRY(field<std::string>(s, "policy", path));
  bool known = false;
  for (auto& [name, value] : kPolicies)
    if (policy == name) a.policy = value, known = true;
  if (!known) return fail("invalid scheduler policy: " + policy);
  for (const auto& flag : ORUN_TRY(field<std::vector<std::string>>(s, "flags", path))) {
    known = false;
    for (auto& [name, value] : kFlags)
      if (flag == name) a.flags |= value, known = true;
    if (!known) return fail("invalid scheduler flag: " + flag);
  }
  a.nice = ORUN_TRY(field<int32_t>(s, "nice", path));
  // runc converts the spec's int32 with uint32(): a negative one wraps.
  a.priority = static_cast<uint32_t>(ORUN_TRY(field<int32_t>(s, "priority", path)));
  a.runtime = ORUN_TRY(field<uint64_t>(s, "runtime", path));
  a.deadline = ORUN_TRY(field<uint64_t>(s, "deadline", path));
  a.period = ORUN_TRY(field<uint64_t>(s, "period", path));
  return a;
}

Result<int> to_ioprio(const json& p) {
  const std::string path = "process.ioPriority";
  std::string cls = ORUN_TRY(field<std::string>(p, "class", path));
  int priority = ORUN_TRY(field<int>(p, "priority", path));
  int c = cls == "IOPRIO_CLASS_RT" ? 1 : cls == "IOPRIO_CLASS_BE" ? 2 : cls == "IOPRIO_CLASS_IDLE" ? 3 : 0;
  if (c == 0) return fail("invalid io priority class: " + cls);
  return (c << 13) | priority;
}

Result<unsigned long> to_persona(const json& p) {
  std::string domain = ORUN_TRY(field<std::string>(p, "domain", "linux.personality"));
  if (domain == "LINUX32") return PER_LINUX32;
  if (domain == "LINUX") return PER_LINUX;
  return fail("invalid personality domain " + domain);
}

Result<MemPolicy> to_mem_policy(const json& m) {
  const std::string path = "linux.memoryPolicy";
  static constexpr std::pair<const char*, int> kModes[] = {
      {"MPOL_DEFAULT", 0}, {"MPOL_PREFERRED", 1},      {"MPOL_BIND", 2},
      {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4}, {"MPOL_PREFERRED_MANY", 5},
      {"MPOL_WEIGHTED_INTERLEAVE", 6},
  };
  static constexpr std::pair<const char*, int> kFlags[] = {
      {"MPOL_F_STATIC_NODES", 1 << 15}, {"MPOL_F_RELATIVE_NODES", 1 << 14}, {"MPOL_F_NUMA_BALANCING", 1 << 13}};
  MemPolicy mp;
  std::string mode = ORUN_TRY(field<std::string>(m, "mode", path));
  bool known = false;
  for (auto& [name, value] : kModes)
    if (mode == name) mp.mode = value, known = true;
  if (!known) return fail("invalid memory policy mode " + sys::go_quote(mode));
  std::string nodes = ORUN_TRY(field<std::string>(m, "nodes", path));
  auto members = spec::parse_cpu_list(nodes);
  if (!members) return fail("invalid memory policy nodes " + sys::go_quote(nodes) + ": " + members.error().msg);
  for (const auto& flag : ORUN_TRY(field<std::vector<std::string>>(m, "flags", path))) {
    known = false;
    for (auto& [name, value] : kFlags)
      if (flag == name) mp.mode |= value, known = true;
    if (!known) return fail("invalid memory policy flag " + sys::go_quote(flag));
  }
  if (!nodes.empty()) {
    constexpr size_t kBits = 8 * sizeof(unsigned long);
    mp.nodemask.assign(mp.maxnode / kBits, 0);
    for (unsigned n : *members) mp.nodemask[n / kBits] |= 1UL << (n % kBits);
  }
  return mp;
}

Result<std::optional<CpuAffinity>> to_cpu_affinity(const json& a) {
  if (a.is_null()) return std::nullopt;
  const std::string path = "process.execCPUAffinity";
  std::string initial = ORUN_TRY(field<std::string>(a, "initial", path));
  std::string final_cpus = ORUN_TRY(field<std::string>(a, "final", path));
  CpuAffinity out;
  if (!initial.empty()) out.initial = ORUN_TRY(with_context(to_cpu_set(initial), "bad CPUAffinity.Initial"));
  if (!final_cpus.empty()) out.final_cpus = ORUN_TRY(with_context(to_cpu_set(final_cpus), "bad CPUAffinity.Final"));
  if (!out.initial && !out.final_cpus) return std::nullopt;
  return out;
}

const json& own_or_container(const json& own, const json& container) {
  return own.is_null() ? container : own;
}

namespace {

const json& container_process_field(const spec::Spec& s, json spec::Process::*member) {
  static const json kNull;
  return s.process ? (*s.process).*member : kNull;
}

// The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1, as runc passes it);
// <linux/sched/types.h> cannot be included next to glibc's <sched.h>.
struct KernelSchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};
static_assert(sizeof(KernelSchedAttr) == 56);

Result<void> set_scheduler(const spec::Spec& container, const json& scheduler) {
  if (scheduler.is_null()) return {};
  SchedAttr a = ORUN_TRY(to_sched_attr(scheduler));
  KernelSchedAttr attr{};
  attr.size = sizeof(attr);
  attr.sched_policy = a.policy;
  attr.sched_flags = a.flags;
  attr.sched_nice = a.nice;
  attr.sched_priority = a.priority;
  attr.sched_runtime = a.runtime;
  attr.sched_deadline = a.deadline;
  attr.sched_period = a.period;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) == 0) return {};
  int err = errno;
  // sched_setattr(2): EPERM when the affinity does not cover every CPU, which
  // a cpuset does; runc names the likely cause when linux.resources.cpu.cpus is set.
  if (err == EPERM && !container.linux.resources.cpu.cpus.empty())
    return fail("process scheduler can't be used together with AllowedCPUs", err);
  return errno_error("error setting scheduler", err);
}

Result<void> set_io_priority(const json& io_priority) {
  if (io_priority.is_null()) return {};
  // runc passes 1 as "which" (its constant is named ioprioWhoPgrp, but 1 is
  // the kernel's IOPRIO_WHO_PROCESS) and 0 as "who": the calling process.
  // The same numbers here, so the same process is affected.
  constexpr int kWhich = 1;
  int value = ORUN_TRY(to_ioprio(io_priority));
  if (syscall(SYS_ioprio_set, kWhich, 0, value) < 0) return errno_error("failed to set io priority", errno);
  return {};
}

Result<void> set_personality(const json& personality) {
  if (personality.is_null()) return {};
  unsigned long persona = ORUN_TRY(to_persona(personality));
  if (syscall(SYS_personality, persona) < 0) return errno_error("set_personality", errno);
  return {};
}

Result<void> set_memory_policy(const json& memory_policy) {
  if (memory_policy.is_null()) return {};
  MemPolicy mp = ORUN_TRY(to_mem_policy(memory_policy));
  const unsigned long* mask = mp.nodemask.empty() ? nullptr : mp.nodemask.data();
  long r;
  do r = syscall(SYS_set_mempolicy, mp.mode, mask, mp.maxnode);
  while (r < 0 && errno == EINTR);
  if (r < 0) return errno_error("set_mempolicy", errno);
  return {};
}

// runc's tryResetCPUAffinity: every CPU the kernel could ever have (a 64K-CPU
// mask; the kernel clamps it and intersects it with the cpuset), so a CPU
// added to the cpuset later is usable too.
int reset_cpu_affinity() {
  static const std::vector<unsigned char> all(64 * 1024 / 8, 0xff);
  if (sched_setaffinity(0, all.size(), reinterpret_cast<const cpu_set_t*>(all.data())) < 0) return errno;
  return 0;
}

}  // namespace

Result<void> apply_process_attrs(const spec::Spec& container, const spec::Process& p) {
  const json& scheduler = own_or_container(p.scheduler, container_process_field(container, &spec::Process::scheduler));
  const json& io_priority =
      own_or_container(p.io_priority, container_process_field(container, &spec::Process::io_priority));
  ORUN_TRY_VOID(set_scheduler(container, scheduler));
  ORUN_TRY_VOID(set_io_priority(io_priority));
  ORUN_TRY_VOID(set_personality(container.linux.personality));
  ORUN_TRY_VOID(set_memory_policy(container.linux.memory_policy));
  return {};
}

Result<void> settle_cpu_affinity(const spec::Spec& container, const spec::Process& p, bool is_exec,
                                 const std::function<void(const std::string&)>& warn) {
  if (log::debug_enabled()) {
    unsigned long long mask = 0;
    if (int err = orun_nsenter_start_affinity(&mask); err < 0) {
      log::warn("nsexec: sched_getaffinity: " + errno_text(-err));
    } else {
      char hex[32];
      std::snprintf(hex, sizeof(hex), "0x%llx", mask);
      log::debug(std::string("nsexec: affinity: ") + hex);
    }
  }
  std::optional<CpuAffinity> aff;
  if (is_exec)
    aff = ORUN_TRY(to_cpu_affinity(own_or_container(p.exec_cpu_affinity, container_process_field(container, &spec::Process::exec_cpu_affinity))));
  if (!aff) {
    if (int err = reset_cpu_affinity())
      warn("resetting the CPU affinity of pid " + std::to_string(getpid()) +
           " failed -- the container process may inherit " + program_name() + "'s CPU affinity: " + errno_text(err));
    return {};
  }
  if (aff->final_cpus && sched_setaffinity(0, sizeof(cpu_set_t), &*aff->final_cpus) < 0)
    return errno_error("error setting final CPU affinity", errno);
  return {};
}

Result<InitialCpuAffinity> InitialCpuAffinity::enter(const spec::Spec& container, const spec::Process& p) {
  InitialCpuAffinity guard;
  auto aff = ORUN_TRY(to_cpu_affinity(own_or_container(p.exec_cpu_affinity, container_process_field(container, &spec::Process::exec_cpu_affinity))));
  if (!aff || !aff->initial) return guard;
  cpu_set_t saved;
  if (sched_getaffinity(0, sizeof(saved), &saved) < 0) return errno_error("error setting initial CPU affinity", errno);
  if (sched_setaffinity(0, sizeof(cpu_set_t), &*aff->initial) < 0)
    return errno_error("error setting initial CPU affinity", errno);
  guard.saved_ = saved;
  return guard;
}

InitialCpuAffinity::~InitialCpuAffinity() {
  if (saved_) sched_setaffinity(0, sizeof(cpu_set_t), &*saved_);
}

}  // namespace orun::init
