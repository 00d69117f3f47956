// linux.resources as the unit properties runc's systemd driver sends on
// cgroup v1 and hybrid hosts (opencontainers/cgroups' genV1ResourcesProperties
// and devices' systemdProperties, runc 1.5.1). Pure: the systemd version and
// the device rules (the config's plus runc's defaults) are given.
#pragma once

#include <string>
#include <vector>

#include "cgroups/devices.hpp"
#include "cgroups/systemd/dbus_value.hpp"
#include "orun/resources.hpp"
#include "orun/result.hpp"

namespace orun::cgroups::systemd {

// DevicePolicy and DeviceAllow for the emulated rules: strict plus the
// allowed (type, major, minor) entries as /dev/char/M:m, char-M (systemd >=
// 240) or char-*; auto with no list for allow-all; a deny-all with runc's
// warning for any other blacklist. `*:n` rules are skipped with a warning.
struct DeviceProperties {
  std::vector<Property> properties;
  std::vector<std::string> warnings;
};
Result<DeviceProperties> device_properties(const DeviceState& state, int systemd_version);

struct ResourceProperties {
  std::vector<Property> properties;
  int64_t cpu_quota = 0;  // the quota the files get (rounded up as CPUQuotaPerSecUSec)
  std::vector<std::string> warnings;
};
// Device properties first, then MemoryLimit, CPUShares, the CPU quota pair,
// BlockIOWeight, TasksMax (-1 -> infinity, 0 -> 1), AllowedCPUs/
// AllowedMemoryNodes; zero or absent values send nothing.
Result<ResourceProperties> v1_resource_properties(const spec::Resources& r, const std::vector<spec::DeviceRule>& rules,
                                            int systemd_version);

// cgroup v2 (runc's genV2ResourcesProperties; not wired yet: the driver
// refuses v2 hosts): devices, MemoryMax, MemoryLow, MemorySwapMax (v1's
// memory+swap converted), CPUWeight (0 for cpu.idle 1 on systemd >= 252,
// else from the shares), the CPU quota pair, TasksMax, AllowedCPUs/
// AllowedMemoryNodes. `unified` keys are not converted yet (an error when
// given). No IO properties: runc sends none on v2 either.
Result<ResourceProperties> v2_resource_properties(const spec::Resources& r, const std::vector<spec::DeviceRule>& rules,
                                            int systemd_version);

}  // namespace orun::cgroups::systemd
