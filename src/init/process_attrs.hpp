// The kernel attributes runc gives a container process that survive execve:
// scheduling policy (process.scheduler), I/O priority (process.ioPriority),
// execution domain (linux.personality), NUMA memory policy
// (linux.memoryPolicy), and the CPU affinity of process.execCPUAffinity.
// The first four are set in the child right before the ready handshake
// (runc's standard_init / setns_init); the affinity is set around the clone,
// as runc's parent does it.
#pragma once

#include <sched.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

// ---- The config's typed sections as syscall arguments (pure, unit-tested).
// Names are looked up in spec::name_value's tables, the ones validate() uses.

// struct sched_attr's fields (runc's configs.ToSchedAttr); "invalid scheduler
// policy: X" / "invalid scheduler flag: X" for names runc does not know.
struct SchedAttr {
  uint32_t policy = 0;
  uint64_t flags = 0;
  int32_t nice = 0;
  uint32_t priority = 0;
  uint64_t runtime = 0, deadline = 0, period = 0;
};
Result<SchedAttr> to_sched_attr(const spec::Scheduler& scheduler);

// ioprio_set's value: class << 13 | priority.
Result<int> to_ioprio(const spec::IoPriority& io_priority);

// personality(2)'s persona: PER_LINUX32 for "LINUX32", PER_LINUX for "LINUX".
Result<unsigned long> to_persona(const spec::Personality& personality);

// set_mempolicy(2)'s arguments. Like runc (unix.SetMemPolicy with a
// unix.CPUSet) the mask is 1024 bits, and null when the node list is empty.
struct MemPolicy {
  int mode = 0;                         // MPOL_* | MPOL_F_*
  std::vector<unsigned long> nodemask;  // empty: a null mask
  unsigned long maxnode = 1024;
};
Result<MemPolicy> to_mem_policy(const spec::MemoryPolicy& memory_policy);

// process.execCPUAffinity (runc's ConvertCPUAffinity). nullopt when the
// section is absent or neither list is set, which runc treats alike.
struct CpuAffinity {
  std::optional<cpu_set_t> initial, final_cpus;
};
Result<std::optional<CpuAffinity>> to_cpu_affinity(const std::optional<spec::ExecCpuAffinity>& exec_cpu_affinity);

// The section that applies to a process: its own, else the container's
// (runc's newInitConfig for exec; for init both are the same).
template <typename T>
const std::optional<T>& own_or_container(const std::optional<T>& own, const std::optional<T>& container) {
  return own ? own : container;
}

// ---- Child side. ----

// Scheduler, I/O priority, personality, memory policy, in runc's order.
// `container` is the container's config, `p` the process being started.
// Errors are runc's: "error setting scheduler: operation not permitted",
// "failed to set io priority: ...", "set_personality: ...",
// "set_mempolicy: invalid argument".
Result<void> apply_process_attrs(const spec::Spec& container, const spec::Process& p);

// First step of the child once it is in its cgroup. Logs (debug) the CPU
// affinity the child had right after clone, before the cgroup join could
// change it (runc's nsexec "affinity: 0x3" line). Then, as runc's parent does
// once the process is in the cgroup: for exec, execCPUAffinity.final, or with
// no affinity configured a reset to all CPUs; for init, the reset. A failed
// reset is only a warning, as in runc.
Result<void> settle_cpu_affinity(const spec::Spec& container, const spec::Process& p, bool is_exec,
                                 const std::function<void(const std::string&)>& warn);

// ---- Parent side (exec). ----

// runc's startWithCPUAffinity: the calling thread takes
// execCPUAffinity.initial, so the child (which inherits it at clone) runs its
// namespace and cgroup joins on those CPUs; the thread's own affinity comes
// back when this object goes away (right after the spawn).
class InitialCpuAffinity {
 public:
  // Does nothing when no initial list is configured.
  static Result<InitialCpuAffinity> enter(const spec::Spec& container, const spec::Process& p);
  InitialCpuAffinity(InitialCpuAffinity&& o) noexcept : saved_(o.saved_) { o.saved_.reset(); }
  InitialCpuAffinity& operator=(InitialCpuAffinity&&) = delete;
  ~InitialCpuAffinity();

 private:
  InitialCpuAffinity() = default;
  std::optional<cpu_set_t> saved_;
};

}  // namespace orun::init
