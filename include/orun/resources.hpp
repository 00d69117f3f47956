// linux.resources as one typed value: parsed once from config.json (or from
// an `update --resources` document) in src/spec/, validated there, then read
// by the cgroup drivers (cgroupfs v1/v2/hybrid, and systemd) and merged by
// `update`. No JSON past src/spec/.
//
// Every scalar is optional, so "not given" stays apart from 0: runc's update
// replaces some fields wholesale (burst, idle, pids, unified, cpus, mems),
// and a few 0s are real values (pids.limit 0, cpu.idle 0, swappiness 0).
// Where runc's cgroup config has a plain number, the drivers read absent
// and 0 alike ("leave alone"): `value_or(0)`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orun/result.hpp"

namespace orun::spec {

// linux.resources.devices[]: one cgroup device rule. Parsed as runc's
// specconv makes it: type defaults to 'a', missing major/minor are
// wildcards, access keeps only the letters r, w and m (in that order).
struct DeviceRule {
  char type = 'a';      // 'a', 'c', 'b'
  int64_t major = -1;   // -1: any
  int64_t minor = -1;
  std::string access;   // subset of "rwm"
  bool allow = false;
  bool operator==(const DeviceRule&) const = default;
};

struct MemoryResources {
  std::optional<int64_t> limit, reservation, swap;  // bytes; -1 unlimited; swap is memory+swap (v1)
  std::optional<int64_t> kernel, kernel_tcp;        // ignored, with runc's warning
  // Docker has sent -1 for "unset": read as the uint64 runc wraps it to,
  // kUnsetSwappiness, and not written.
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
  bool operator==(const MemoryResources&) const = default;
};
inline constexpr uint64_t kUnsetSwappiness = UINT64_MAX;

struct CpuResources {
  std::optional<uint64_t> shares, period, realtime_period, burst;
  std::optional<int64_t> quota, realtime_runtime;
  std::optional<int64_t> idle;  // 0 or 1
  std::string cpus, mems;       // cpuset lists; "" not set
  bool operator==(const CpuResources&) const = default;
};

struct PidsResources {
  // runc 1.4: negative is "max", 0 a real limit (written as 1, as systemd
  // cannot say 0), absent leaves pids.max alone.
  std::optional<int64_t> limit;
  bool operator==(const PidsResources&) const = default;
};

struct WeightDevice {
  int64_t major = 0, minor = 0;
  std::optional<uint16_t> weight, leaf_weight;
  bool operator==(const WeightDevice&) const = default;
};

struct ThrottleDevice {
  int64_t major = 0, minor = 0;
  uint64_t rate = 0;
  bool operator==(const ThrottleDevice&) const = default;
};

struct BlockIO {
  std::optional<uint16_t> weight, leaf_weight;  // 10-1000
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
  bool operator==(const BlockIO&) const = default;
};

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB"
  uint64_t limit = 0;
  bool operator==(const HugepageLimit&) const = default;
};

struct InterfacePriority {
  std::string name;
  uint32_t priority = 0;
  bool operator==(const InterfacePriority&) const = default;
};

struct NetworkResources {
  std::optional<uint32_t> class_id;
  std::vector<InterfacePriority> priorities;
  bool operator==(const NetworkResources&) const = default;
};

struct RdmaLimit {
  std::optional<uint32_t> hca_handles, hca_objects;
  bool operator==(const RdmaLimit&) const = default;
};

struct Resources {
  std::vector<DeviceRule> devices;  // the config's own; drivers add runc's defaults
  MemoryResources memory;
  CpuResources cpu;                 // cpu and cpuset
  PidsResources pids;
  BlockIO block_io;
  std::vector<HugepageLimit> hugepage_limits;
  NetworkResources network;
  std::map<std::string, RdmaLimit> rdma;
  // Given (even empty) is refused on cgroup v1; see configured_resources.
  std::optional<std::map<std::string, std::string>> unified;
  bool operator==(const Resources&) const = default;
};

// Range and syntax checks runc leaves to the kernel, so a bad value fails
// before anything is written, naming the field under `where`
// ("linux.resources.memory.limit: invalid value -5 (use -1 for unlimited)").
Result<void> validate_resources(const Resources& r, const std::string& where = "linux.resources");

// A cpuset list ("0-3,5") as the kernel accepts it; "" is valid.
bool valid_cpuset(const std::string& s);

// The container's resources as runc's specconv.CreateCgroupConfig keeps
// them: an empty `unified` is not set. (`update` passes its request's map
// as given, so an empty one there is still refused on v1, as in runc.)
Resources configured_resources(Resources r);

// runc's `update`: `cur` (the container's resources) with the request `req`
// merged in. Applied: memory limit, reservation, swap, checkBeforeUpdate;
// every cpu field; blockIO (per-device entries upserted); pids; unified
// (replaced wholesale). Devices, hugepages, network, rdma and the other
// memory fields keep the current values. Fix-ups: limit -1 without swap sets
// swap 0; idle without shares sets shares 0; quota or period alone keeps
// the other; burst, idle, cpus, mems, pids, checkBeforeUpdate not given are
// unset.
Resources merge_update(const Resources& cur, const Resources& req);

// Whether the kernel memory fields are given ("Kernel memory settings are
// ignored and will be removed").
inline bool has_kernel_memory(const Resources& r) { return r.memory.kernel || r.memory.kernel_tcp; }

}  // namespace orun::spec
