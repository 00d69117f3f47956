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

Result<cpu_set_t> to_cpu_set(const std::string& list) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (unsigned cpu : ORUN_TRY(spec::parse_cpu_list(list))) CPU_SET(cpu, &set);
  return set;
}

// The value of a name in one of spec::name_value's tables, or runc's error.
Result<uint64_t> lookup(spec::NameTable table, const std::string& name, const std::string& error) {
  auto v = spec::name_value(table, name);
  if (!v) return fail(error);
  return *v;
}

}  // namespace

Result<SchedAttr> to_sched_attr(const spec::Scheduler& s) {
  SchedAttr a;
  a.policy = static_cast<uint32_t>(
      ORUN_TRY(lookup(spec::NameTable::sched_policy, s.policy, "invalid scheduler policy: " + s.policy)));
  for (const auto& flag : s.flags)
    a.flags |= ORUN_TRY(lookup(spec::NameTable::sched_flag, flag, "invalid scheduler flag: " + flag));
  a.nice = s.nice;
  // runc converts the spec's int32 with uint32(): a negative one wraps.
  a.priority = static_cast<uint32_t>(s.priority);
  a.runtime = s.runtime;
  a.deadline = s.deadline;
  a.period = s.period;
  return a;
}

Result<int> to_ioprio(const spec::IoPriority& p) {
  auto c = ORUN_TRY(lookup(spec::NameTable::ioprio_class, p.io_class, "invalid io priority class: " + p.io_class));
  return static_cast<int>((c << 13) | static_cast<uint64_t>(p.priority));
}

Result<unsigned long> to_persona(const spec::Personality& p) {
  return ORUN_TRY(lookup(spec::NameTable::persona, p.domain, "invalid personality domain " + p.domain));
}

Result<MemPolicy> to_mem_policy(const spec::MemoryPolicy& m) {
  MemPolicy mp;
  mp.mode = static_cast<int>(
      ORUN_TRY(lookup(spec::NameTable::mempolicy_mode, m.mode, "invalid memory policy mode " + sys::go_quote(m.mode))));
  auto members = spec::parse_cpu_list(m.nodes);
  if (!members) return fail("invalid memory policy nodes " + sys::go_quote(m.nodes) + ": " + members.error().msg);
  for (const auto& flag : m.flags)
    mp.mode |= static_cast<int>(
        ORUN_TRY(lookup(spec::NameTable::mempolicy_flag, flag, "invalid memory policy flag " + sys::go_quote(flag))));
  if (!m.nodes.empty()) {
    constexpr size_t kBits = 8 * sizeof(unsigned long);
    mp.nodemask.assign(mp.maxnode / kBits, 0);
    for (unsigned n : *members) mp.nodemask[n / kBits] |= 1UL << (n % kBits);
  }
  return mp;
}

Result<std::optional<CpuAffinity>> to_cpu_affinity(const std::optional<spec::ExecCpuAffinity>& a) {
  if (!a) return std::nullopt;
  CpuAffinity out;
  if (!a->initial.empty()) out.initial = ORUN_TRY(with_context(to_cpu_set(a->initial), "bad CPUAffinity.Initial"));
  if (!a->final_cpus.empty())
    out.final_cpus = ORUN_TRY(with_context(to_cpu_set(a->final_cpus), "bad CPUAffinity.Final"));
  if (!out.initial && !out.final_cpus) return std::nullopt;
  return out;
}

namespace {

// A section of the container's own process, or an empty one.
template <typename T>
const std::optional<T>& container_process_field(const spec::Spec& s, std::optional<T> spec::Process::*member) {
  static const std::optional<T> kNone;
  return s.process ? (*s.process).*member : kNone;
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

Result<void> set_scheduler(const spec::Spec& container, const std::optional<spec::Scheduler>& scheduler) {
  if (!scheduler) return {};
  SchedAttr a = ORUN_TRY(to_sched_attr(*scheduler));
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
  return fail_errno("error setting scheduler", err);
}

Result<void> set_io_priority(const std::optional<spec::IoPriority>& io_priority) {
  if (!io_priority) return {};
  // runc passes 1 as "which" (its constant is named ioprioWhoPgrp, but 1 is
  // the kernel's IOPRIO_WHO_PROCESS) and 0 as "who": the calling process.
  // The same numbers here, so the same process is affected.
  constexpr int kWhich = 1;
  int value = ORUN_TRY(to_ioprio(*io_priority));
  if (syscall(SYS_ioprio_set, kWhich, 0, value) < 0) return fail_errno("failed to set io priority", errno);
  return {};
}

Result<void> set_personality(const std::optional<spec::Personality>& personality) {
  if (!personality) return {};
  unsigned long persona = ORUN_TRY(to_persona(*personality));
  if (syscall(SYS_personality, persona) < 0) return fail_errno("set_personality", errno);
  return {};
}

Result<void> set_memory_policy(const std::optional<spec::MemoryPolicy>& memory_policy) {
  if (!memory_policy) return {};
  MemPolicy mp = ORUN_TRY(to_mem_policy(*memory_policy));
  const unsigned long* mask = mp.nodemask.empty() ? nullptr : mp.nodemask.data();
  long r;
  do r = syscall(SYS_set_mempolicy, mp.mode, mask, mp.maxnode);
  while (r < 0 && errno == EINTR);
  if (r < 0) return fail_errno("set_mempolicy", errno);
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
  const auto& scheduler = own_or_container(p.scheduler, container_process_field(container, &spec::Process::scheduler));
  const auto& io_priority =
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
    return fail_errno("error setting final CPU affinity", errno);
  return {};
}

Result<InitialCpuAffinity> InitialCpuAffinity::enter(const spec::Spec& container, const spec::Process& p) {
  InitialCpuAffinity guard;
  auto aff = ORUN_TRY(to_cpu_affinity(own_or_container(p.exec_cpu_affinity, container_process_field(container, &spec::Process::exec_cpu_affinity))));
  if (!aff || !aff->initial) return guard;
  cpu_set_t saved;
  if (sched_getaffinity(0, sizeof(saved), &saved) < 0) return fail_errno("error setting initial CPU affinity", errno);
  if (sched_setaffinity(0, sizeof(cpu_set_t), &*aff->initial) < 0)
    return fail_errno("error setting initial CPU affinity", errno);
  guard.saved_ = saved;
  return guard;
}

InitialCpuAffinity::~InitialCpuAffinity() {
  if (saved_) sched_setaffinity(0, sizeof(cpu_set_t), &*saved_);
}

}  // namespace orun::init
