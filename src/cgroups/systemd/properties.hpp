// Conversions of resource values to systemd unit properties, as
// opencontainers/cgroups' systemd driver (runc 1.5.1) makes them. Pure
// functions of scalars; the driver takes them from the typed
// spec::Resources (orun/resources.hpp: absent and 0 alike where runc's
// config has a plain number). cpu shares -> CPUWeight, memory.swap ->
// MemorySwapMax and blkio -> IO weights are cgroups/convert.hpp, shared with
// the cgroupfs v2 driver.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cgroups/systemd/dbus_value.hpp"
#include "orun/result.hpp"

namespace orun::cgroups::systemd {

// systemd's USEC_INFINITY: CPUQuotaPerSecUSec for "no quota".
constexpr uint64_t kUsecInfinity = UINT64_MAX;

struct CpuQuotaProperties {
  std::vector<Property> properties;  // CPUQuotaPeriodUSec, CPUQuotaPerSecUSec
  int64_t quota = 0;  // the quota to write to cgroupfs, rounded up with the property
};

// quota/period (0 = unset) -> CPUQuotaPeriodUSec=period (systemd >= 242)
// and, when either is set, CPUQuotaPerSecUSec = quota*1e6/period (period
// defaults to 100000) rounded up to a multiple of 10000 (systemd keeps whole
// percents), or USEC_INFINITY when quota <= 0. The returned quota is the one
// the rounded value means for the period, so cgroupfs gets the same.
CpuQuotaProperties cpu_quota_properties(int64_t quota, uint64_t period, int systemd_version);

// A cpuset list ("0-3,8", spaces and empty elements allowed) as systemd's
// AllowedCPUs/AllowedMemoryNodes byte array: byte i holds CPUs 8i..8i+7,
// least significant bit first, no trailing zero bytes. Errors as runc's:
// strconv's texts, "invalid range: 5-3", "empty value".
Result<std::vector<uint8_t>> range_to_bits(const std::string& list);

// AllowedCPUs/AllowedMemoryNodes for the non-empty lists (systemd >= 244;
// older ones get nothing, the files are written instead). Errors:
// `resources.CPU.Cpus="x" conversion error: ...` (Mems likewise).
Result<std::vector<Property>> cpuset_properties(const std::string& cpus, const std::string& mems,
                                                int systemd_version);

// The number in systemd's Version property: "252.39-1~deb12u2" -> 252,
// "v245.4-1.fc32" -> 245; "can't parse version: ..." otherwise.
Result<int> systemd_version_number(const std::string& version);

}  // namespace orun::cgroups::systemd
