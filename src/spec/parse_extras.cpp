// The small typed sections: process.scheduler, ioPriority, execCPUAffinity,
// linux.personality, memoryPolicy, intelRdt and netDevices. Only types are
// checked here (with the Go decoder's leniency of json_field.hpp); names and
// ranges are validate()'s (validate_extras.cpp), in runc's order.
#include "orun/spec.hpp"
#include "spec/json_field.hpp"
#include "spec/parse_internal.hpp"

namespace orun::spec::detail {

namespace {

// A section must be an object, and no string in it (key or value, read or
// not) may hold a NUL byte, as for every other section.
Result<void> expect_section(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_object(v, path));
  return reject_nul(v, path);
}

}  // namespace

Result<Scheduler> parse_scheduler(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  Scheduler s;
  ORUN_TRY_VOID(read(v, "policy", path, s.policy));
  if (const json* n = member(v, "nice")) s.nice = ORUN_TRY(as_i32(*n, join_path(path, "nice")));
  if (const json* p = member(v, "priority")) s.priority = ORUN_TRY(as_i32(*p, join_path(path, "priority")));
  ORUN_TRY_VOID(read(v, "runtime", path, s.runtime));
  ORUN_TRY_VOID(read(v, "deadline", path, s.deadline));
  ORUN_TRY_VOID(read(v, "period", path, s.period));
  ORUN_TRY_VOID(read(v, "flags", path, s.flags));
  return s;
}

Result<IoPriority> parse_io_priority(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  IoPriority p;
  ORUN_TRY_VOID(read(v, "class", path, p.io_class));
  ORUN_TRY_VOID(read(v, "priority", path, p.priority));
  return p;
}

Result<ExecCpuAffinity> parse_exec_cpu_affinity(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  ExecCpuAffinity a;
  ORUN_TRY_VOID(read(v, "initial", path, a.initial));
  ORUN_TRY_VOID(read(v, "final", path, a.final_cpus));
  return a;
}

Result<Personality> parse_personality(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  Personality p;
  ORUN_TRY_VOID(read(v, "domain", path, p.domain));
  return p;
}

Result<MemoryPolicy> parse_memory_policy(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  MemoryPolicy m;
  ORUN_TRY_VOID(read(v, "mode", path, m.mode));
  ORUN_TRY_VOID(read(v, "nodes", path, m.nodes));
  ORUN_TRY_VOID(read(v, "flags", path, m.flags));
  return m;
}

Result<IntelRdt> parse_intel_rdt(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  IntelRdt r;
  ORUN_TRY_VOID(read(v, "closID", path, r.clos_id));
  return r;
}

Result<std::map<std::string, NetDevice>> parse_net_devices(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_section(v, path));
  std::map<std::string, NetDevice> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    NetDevice d;
    if (!it.value().is_null()) {
      std::string p = join_path(path, it.key());
      ORUN_TRY_VOID(expect_object(it.value(), p));
      ORUN_TRY_VOID(read(it.value(), "name", p, d.name));
    }
    out[it.key()] = d;
  }
  return out;
}

}  // namespace orun::spec::detail
