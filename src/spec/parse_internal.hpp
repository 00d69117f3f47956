// Pieces of the config.json parser shared between its files.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "orun/result.hpp"
#include "orun/spec_json.hpp"

namespace orun::spec::detail {

// Parses a process object whose fields are named under `path` in errors
// ("process" for config.json, "" for an exec process.json).
Result<Process> parse_process_at(const nlohmann::json& v, const std::string& path);

// The small typed sections (parse_extras.cpp); `path` names the section in
// errors ("process.scheduler.nice: expected int32, got string").
Result<Scheduler> parse_scheduler(const nlohmann::json& v, const std::string& path);
Result<IoPriority> parse_io_priority(const nlohmann::json& v, const std::string& path);
Result<ExecCpuAffinity> parse_exec_cpu_affinity(const nlohmann::json& v, const std::string& path);
Result<Personality> parse_personality(const nlohmann::json& v, const std::string& path);
Result<MemoryPolicy> parse_memory_policy(const nlohmann::json& v, const std::string& path);
Result<IntelRdt> parse_intel_rdt(const nlohmann::json& v, const std::string& path);
Result<std::map<std::string, NetDevice>> parse_net_devices(const nlohmann::json& v, const std::string& path);

// linux.seccomp (parse_seccomp.cpp), type errors in that section's words.
Result<Seccomp> parse_seccomp(const nlohmann::json& v, const std::string& path);

// Go's %+v rendering of a specs.Mount, used by runc in "invalid mount ..."
// errors.
std::string go_mount_string(const Mount& m);

}  // namespace orun::spec::detail
