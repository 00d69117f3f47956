// Shared state and helpers of the validation files (validate*.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::spec::detail {

struct ValidateContext {
  const Spec& spec;
  std::string bundle;
  bool rootless_euid = false;  // runc: os.Geteuid() != 0
  // The container's id maps after runc's specconv: the config's, or the
  // ones read from a joined user namespace.
  std::vector<IdMapping> uid_maps, gid_maps;
  // Warnings runc logs (and carries on): the caller prints them.
  std::vector<std::string>* warnings = nullptr;
};

// Go's path/filepath.Clean and Join.
std::string join_path_clean(std::string_view a, std::string_view b);

// Host id for a container id, with runc's errors ("user namespaces enabled,
// but no uid mappings found", "... no mapping found for uid N").
Result<int64_t> host_id(const ValidateContext& c, int64_t id, bool uid);

// runtime-spec rules runc does not enforce (validate_oci.cpp).
bool is_semver(std::string_view v);
Result<void> check_oci_version(const Spec& s);
Result<void> check_device_paths(const Linux& l);

// Checks in the order runc runs them.
// Null bytes; a missing destination; a relative one warns.
Result<void> validate_mounts_specconv(const ValidateContext& c);
Result<void> validate_mounts_strict(const ValidateContext& c);    // bind data, idmap
Result<void> validate_rootless_mounts(const ValidateContext& c);  // uid=/gid= options
Result<void> validate_scheduler(const std::optional<Scheduler>& sched);
Result<void> validate_io_priority(const std::optional<IoPriority>& prio);
Result<void> validate_memory_policy(const std::optional<MemoryPolicy>& mpol);
Result<void> validate_personality(const std::optional<Personality>& pers);
// runc's ConvertCPUAffinity ("bad CPUAffinity.Initial: ..."): specconv for
// config.json, newProcess for exec's process.
Result<void> validate_exec_cpu_affinity(const std::optional<ExecCpuAffinity>& aff);
Result<void> validate_net_devices(const ValidateContext& c);

}  // namespace orun::spec::detail
