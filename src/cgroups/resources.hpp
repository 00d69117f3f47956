// The cgroup resource model: linux.resources as the drivers apply it.
//
// Two shapes, as in runc: `OciResources` is the document (every field
// optional, so `update` can tell "not given" from "0"), `Resources` the
// flattened limits a driver writes (0 means "leave alone", as runc's
// cgroups.Resources). from_oci is runc's specconv step, merge_update its
// `update` semantics, to_oci the way back for state.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "orun/result.hpp"

namespace orun::cgroups {

struct DeviceRule {
  char type = 'a';      // 'a', 'c', 'b'
  int64_t major = -1;   // -1: any
  int64_t minor = -1;
  std::string access;   // subset of "rwm"
  bool allow = false;
  bool operator==(const DeviceRule&) const = default;
};

struct WeightDevice {
  int64_t major = 0, minor = 0;
  uint16_t weight = 0, leaf_weight = 0;  // 0: not set
  bool operator==(const WeightDevice&) const = default;
};

struct ThrottleDevice {
  int64_t major = 0, minor = 0;
  uint64_t rate = 0;
  bool operator==(const ThrottleDevice&) const = default;
};

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB"
  uint64_t limit = 0;
  bool operator==(const HugepageLimit&) const = default;
};

struct IfPrio {
  std::string name;
  uint32_t priority = 0;
  bool operator==(const IfPrio&) const = default;
};

struct RdmaLimit {
  std::optional<uint32_t> hca_handles, hca_objects;
  bool operator==(const RdmaLimit&) const = default;
};

struct Resources {
  // memory
  int64_t memory = 0;               // -1: unlimited
  int64_t memory_reservation = 0;
  int64_t memory_swap = 0;          // memory+swap, as in v1
  std::optional<uint64_t> swappiness;
  bool oom_kill_disable = false;
  bool check_before_update = false;
  // cpu
  uint64_t cpu_shares = 0;
  int64_t cpu_quota = 0;
  uint64_t cpu_period = 0;
  std::optional<uint64_t> cpu_burst;
  int64_t cpu_rt_runtime = 0;
  uint64_t cpu_rt_period = 0;
  std::string cpuset_cpus, cpuset_mems;
  std::optional<int64_t> cpu_idle;
  // pids: negative means max, 0 is written as 1 (runc 1.4)
  std::optional<int64_t> pids_limit;
  // block io
  uint16_t blkio_weight = 0, blkio_leaf_weight = 0;
  std::vector<WeightDevice> blkio_weight_device;
  std::vector<ThrottleDevice> throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
  std::vector<HugepageLimit> hugepage_limits;
  uint32_t net_cls_classid = 0;
  std::vector<IfPrio> net_prio_ifpriomap;
  std::map<std::string, RdmaLimit> rdma;
  bool has_unified = false;          // given (even empty): v1 refuses it
  std::map<std::string, std::string> unified;
  // The config's own rules; the default allow-list is added when applied.
  std::vector<DeviceRule> devices;
  bool skip_devices = false;

  bool operator==(const Resources&) const = default;
};

// linux.resources as written, each field present or not.
struct OciResources {
  struct Memory {
    std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
  };
  struct Cpu {
    std::optional<uint64_t> shares, period, realtime_period, burst;
    std::optional<int64_t> quota, realtime_runtime, idle;
    std::string cpus, mems;
  };
  struct WeightDev {
    int64_t major = 0, minor = 0;
    std::optional<uint16_t> weight, leaf_weight;
  };
  struct BlockIO {
    std::optional<uint16_t> weight, leaf_weight;
    std::vector<WeightDev> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
  };
  std::vector<DeviceRule> devices;
  std::optional<Memory> memory;
  std::optional<Cpu> cpu;
  std::optional<std::optional<int64_t>> pids;  // outer: "pids" given; inner: its limit
  std::optional<BlockIO> block_io;
  std::vector<HugepageLimit> hugepage_limits;
  std::optional<uint32_t> net_class_id;
  std::vector<IfPrio> net_priorities;
  std::map<std::string, RdmaLimit> rdma;
  std::optional<std::map<std::string, std::string>> unified;
};

// Decodes a LinuxResources document. Keys match case-insensitively, as Go's
// encoding/json does ("CPU": {"Cpus": "0"} is accepted by runc). Errors name
// the field: `linux.resources.memory.limit: expected an integer`.
Result<OciResources> parse_oci(const nlohmann::json& j, const std::string& where = "linux.resources");

// runc's specconv.CreateCgroupConfig for the resources, plus range checks
// runc leaves to the kernel (so that a bad value fails before anything is
// made, naming the field). `warnings` gets "Kernel memory settings ...".
Result<Resources> from_oci(const OciResources& r, std::vector<std::string>* warnings = nullptr);
Result<void> validate(const Resources& r, const std::string& where = "linux.resources");

// runc's `update`: `cur` (the container's resources) updated with `r`.
// Devices are never changed by update (SkipDevices).
Resources merge_update(const Resources& cur, const OciResources& r);

// Back to a linux.resources document (round-trips through parse_oci +
// from_oci) for state.json.
nlohmann::json to_oci(const Resources& r);

// Conversions for cgroup v2 (runc's, bit for bit).
uint64_t cpu_shares_to_weight(uint64_t shares);
Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t memory);
uint64_t blkio_weight_to_io_weight(uint16_t weight);

// A cpuset list ("0-3,5") as the kernel accepts it.
bool valid_cpuset(const std::string& s);

// docker's units.RAMInBytes ("512m", "1g", "100"): update's memory flags.
Result<int64_t> ram_in_bytes(const std::string& s);

}  // namespace orun::cgroups
