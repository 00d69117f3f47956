#include "cgroups/plan.hpp"

#include <cstdlib>
#include <limits>

#include "cgroups/convert.hpp"

namespace orun::cgroups {

namespace {

using spec::DeviceRule;
using spec::Resources;
using spec::ThrottleDevice;

std::string str(int64_t v) { return std::to_string(v); }
std::string str(uint64_t v) { return std::to_string(v); }

std::optional<uint64_t> read_uint(const Probe& p, const std::string& ctrl, const std::string& file) {
  auto s = p.read(ctrl, file);
  if (!s) return std::nullopt;
  std::string v = *s;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  if (v == "max") return std::numeric_limits<uint64_t>::max();
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::strtoull(v.c_str(), nullptr, 10);
}

std::string pids_value(int64_t limit) {
  // 0 becomes 1: systemd cannot express TasksMax=0 and runc keeps both
  // drivers alike; negative is "max".
  if (limit > 0) return str(limit);
  return limit == 0 ? "1" : "max";
}

// memory.checkBeforeUpdate: refuse a limit at or under the current usage,
// which would make the kernel OOM-kill the container.
// The memory numbers as runc's cgroup config has them: absent is 0.
struct MemoryLimits {
  int64_t limit, swap, reservation;
  bool check_before_update;
  explicit MemoryLimits(const spec::MemoryResources& m)
      : limit(m.limit.value_or(0)),
        swap(m.swap.value_or(0)),
        reservation(m.reservation.value_or(0)),
        check_before_update(m.check_before_update.value_or(false)) {}
  bool any() const { return limit != 0 || swap != 0 || reservation != 0; }
};

Result<void> check_memory_usage(const MemoryLimits& r, const Probe& p, const std::string& ctrl, const char* usage_file) {
  if (!r.check_before_update) return {};
  auto usage = read_uint(p, ctrl, usage_file);
  if (!usage) return {};  // best effort, as runc
  if (r.swap > 0 && static_cast<uint64_t>(r.swap) <= *usage)
    return fail("rejecting memory+swap limit " + str(r.swap) + " <= usage " + str(*usage));
  if (r.limit > 0 && static_cast<uint64_t>(r.limit) <= *usage)
    return fail("rejecting memory limit " + str(r.limit) + " <= usage " + str(*usage));
  return {};
}

Result<void> plan_v1_memory(const spec::MemoryResources& in, const Probe& p, std::vector<Write>& w) {
  MemoryLimits r(in);
  const std::string m = "memory";
  if (r.any()) ORUN_TRY_VOID(check_memory_usage(r, p, m, "memory.usage_in_bytes"));
  // Unlimited memory without a swap value unlimits swap too (when the
  // kernel accounts swap at all).
  if (r.limit == -1 && r.swap == 0 && p.exists(m, "memory.memsw.limit_in_bytes")) r.swap = -1;
  auto mem = [&] {
    if (r.limit != 0) w.push_back({m, "memory.limit_in_bytes", str(r.limit), kMemoryLimit});
  };
  auto swap = [&] {
    if (r.swap != 0) w.push_back({m, "memory.memsw.limit_in_bytes", str(r.swap)});
  };
  // The kernel wants memsw >= memory at every step: raise swap first when
  // it grows past the current limit.
  bool swap_first = false;
  if (r.limit != 0 && r.swap != 0) {
    auto cur = read_uint(p, m, "memory.limit_in_bytes");
    swap_first = r.swap == -1 || (cur && *cur < static_cast<uint64_t>(r.swap));
  }
  if (swap_first) {
    swap();
    mem();
  } else {
    mem();
    swap();
  }
  if (r.reservation != 0) w.push_back({m, "memory.soft_limit_in_bytes", str(r.reservation)});
  if (in.disable_oom_killer.value_or(false)) w.push_back({m, "memory.oom_control", "1"});
  if (in.swappiness && *in.swappiness != spec::kUnsetSwappiness) {
    if (*in.swappiness > 100)
      return fail("invalid memory swappiness value: " + str(*in.swappiness) + " (valid range is 0-100)");
    w.push_back({m, "memory.swappiness", str(*in.swappiness)});
  }
  return {};
}

void plan_v1_rt(const spec::CpuResources& r, std::vector<Write>& w) {
  // rt period and runtime depend on each other: a period the kernel refuses
  // now may pass once the runtime is written.
  uint64_t period = r.realtime_period.value_or(0);
  int64_t runtime = r.realtime_runtime.value_or(0);
  if (period != 0) w.push_back({"cpu", "cpu.rt_period_us", str(period), runtime != 0 ? kDeferOnEinval : 0u});
  if (runtime != 0) {
    w.push_back({"cpu", "cpu.rt_runtime_us", str(runtime)});
    if (period != 0) w.push_back({"cpu", "cpu.rt_period_us", str(period), kIfDeferred});
  }
}

void plan_v1_cpu(const spec::CpuResources& r, std::vector<Write>& w) {
  const std::string c = "cpu";
  uint64_t shares = r.shares.value_or(0), period = r.period.value_or(0);
  int64_t quota = r.quota.value_or(0);
  if (shares != 0) w.push_back({c, "cpu.shares", str(shares), kCheckShares});
  // A smaller period (or larger burst) can exceed the parent's quota until
  // the new quota is in: retry those after it.
  unsigned defer = quota != 0 ? kDeferOnEinval : 0u;
  if (period != 0) w.push_back({c, "cpu.cfs_period_us", str(period), defer});
  if (r.burst) w.push_back({c, "cpu.cfs_burst_us", str(*r.burst), defer | kOptional});
  if (quota != 0) {
    w.push_back({c, "cpu.cfs_quota_us", str(quota)});
    if (period != 0) w.push_back({c, "cpu.cfs_period_us", str(period), kIfDeferred});
    if (r.burst) w.push_back({c, "cpu.cfs_burst_us", str(*r.burst), kIfDeferred | kOptional});
  }
  if (r.idle) w.push_back({c, "cpu.idle", str(*r.idle)});
  plan_v1_rt(r, w);
}

std::string dev(int64_t major, int64_t minor) { return str(major) + ":" + str(minor); }

void plan_v1_blkio(const spec::BlockIO& r, const Probe& p, std::vector<Write>& w) {
  const std::string b = "blkio";
  bool plain = p.exists(b, "blkio.weight");
  std::string weight = plain ? "blkio.weight" : "blkio.bfq.weight";
  std::string weight_dev = plain ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (uint64_t v = r.weight.value_or(0)) w.push_back({b, weight, str(v)});
  if (uint64_t v = r.leaf_weight.value_or(0)) w.push_back({b, "blkio.leaf_weight", str(v)});
  for (auto& wd : r.weight_device) {
    if (uint64_t v = wd.weight.value_or(0)) w.push_back({b, weight_dev, dev(wd.major, wd.minor) + " " + str(v)});
    if (uint64_t v = wd.leaf_weight.value_or(0))
      w.push_back({b, "blkio.leaf_weight_device", dev(wd.major, wd.minor) + " " + str(v)});
  }
  auto thr = [&](const std::vector<ThrottleDevice>& list, const char* file) {
    for (auto& t : list) w.push_back({b, file, dev(t.major, t.minor) + " " + str(t.rate)});
  };
  thr(r.throttle_read_bps, "blkio.throttle.read_bps_device");
  thr(r.throttle_write_bps, "blkio.throttle.write_bps_device");
  thr(r.throttle_read_iops, "blkio.throttle.read_iops_device");
  thr(r.throttle_write_iops, "blkio.throttle.write_iops_device");
}

std::string rdma_line(const std::string& device, const spec::RdmaLimit& l) {
  std::string s = device;
  if (l.hca_handles) s += " hca_handle=" + str(uint64_t{*l.hca_handles});
  if (l.hca_objects) s += " hca_object=" + str(uint64_t{*l.hca_objects});
  return s;
}

void plan_hugetlb(const Resources& r, const std::string& ctrl, const char* suffix, std::vector<Write>& w) {
  for (auto& h : r.hugepage_limits) {
    std::string prefix = "hugetlb." + h.page_size;
    w.push_back({ctrl, prefix + suffix, str(h.limit)});
    // Reservations (5.7+) are limited alike, where the kernel has them.
    w.push_back({ctrl, prefix + ".rsvd" + suffix, str(h.limit), kOptional});
  }
}

Result<Plan> plan_v1(const Resources& r, const std::vector<DeviceRule>& defaults, const Probe& p, bool skip_devices) {
  if (r.unified) return fail("invalid configuration: cannot use unified on cgroup v1");
  Plan out;
  auto& w = out.writes;
  // runc's subsystem order: cpuset, devices, memory, cpu, pids, blkio,
  // hugetlb, net_cls, net_prio, rdma.
  if (!r.cpu.cpus.empty()) w.push_back({"cpuset", "cpuset.cpus", r.cpu.cpus});
  if (!r.cpu.mems.empty()) w.push_back({"cpuset", "cpuset.mems", r.cpu.mems});
  if (!skip_devices) {
    std::vector<DeviceRule> rules = r.devices;
    rules.insert(rules.end(), defaults.begin(), defaults.end());
    DeviceState s = ORUN_TRY(emulate(rules));
    for (auto& [file, line] : v1_device_writes(s)) w.push_back({"devices", file, line});
  }
  ORUN_TRY_VOID(plan_v1_memory(r.memory, p, w));
  plan_v1_cpu(r.cpu, w);
  if (r.pids.limit) w.push_back({"pids", "pids.max", pids_value(*r.pids.limit)});
  plan_v1_blkio(r.block_io, p, w);
  if (!p.has("hugetlb") && p.has("")) {
    // Hybrid hosts may have hugetlb only on cgroup2 (this kernel's default
    // when no v1 hierarchy claims it): limit it there rather than fail as
    // runc does ("cannot set hugetlb limit").
    size_t first = w.size();
    plan_hugetlb(r, "", ".max", w);
    if (first < w.size()) w[first].flags |= kEnableController;
  } else {
    plan_hugetlb(r, "hugetlb", ".limit_in_bytes", w);
  }
  if (uint64_t id = r.network.class_id.value_or(0)) w.push_back({"net_cls", "net_cls.classid", str(id)});
  for (auto& pr : r.network.priorities)
    w.push_back({"net_prio", "net_prio.ifpriomap", pr.name + " " + str(uint64_t{pr.priority})});
  for (auto& [device, l] : r.rdma) w.push_back({"rdma", "rdma.max", rdma_line(device, l)});
  return out;
}

Result<void> plan_v2_memory(const spec::MemoryResources& in, const Probe& p, std::vector<Write>& w) {
  MemoryLimits r(in);
  if (!r.any()) return {};
  ORUN_TRY_VOID(check_memory_usage(r, p, "", "memory.current"));
  int64_t swap = ORUN_TRY(memory_swap_to_v2(r.swap, r.limit));
  std::string swap_str = swap == 0 ? "" : swap == -1 ? "max" : str(swap);
  // memory+swap equal to memory: no swap at all.
  if (swap == 0 && r.swap > 0) swap_str = "0";
  // Without swap accounting the file is absent: "max" and "0" are then
  // what the kernel does anyway.
  if (!swap_str.empty())
    w.push_back({"", "memory.swap.max", swap_str, (swap_str == "max" || swap_str == "0") ? kOptional : 0u});
  auto v2num = [](int64_t v) { return v == -1 ? std::string("max") : str(v); };
  if (r.limit != 0) w.push_back({"", "memory.max", v2num(r.limit)});
  if (r.reservation != 0) w.push_back({"", "memory.low", v2num(r.reservation)});
  return {};
}

void plan_v2_io(const spec::BlockIO& r, const Probe& p, std::vector<Write>& w) {
  uint16_t weight = r.weight.value_or(0);
  bool any = weight != 0 || !r.weight_device.empty() || !r.throttle_read_bps.empty() ||
             !r.throttle_write_bps.empty() || !r.throttle_read_iops.empty() || !r.throttle_write_iops.empty();
  if (!any) return;
  bool bfq = (weight != 0 || !r.weight_device.empty()) && p.exists("", "io.bfq.weight");
  if (weight != 0) {
    if (bfq) w.push_back({"", "io.bfq.weight", str(uint64_t{weight})});
    else w.push_back({"", "io.weight", str(blkio_weight_to_io_weight(weight))});
  }
  // Per-device bfq weights (5.4+): the file then reads "default N" lines
  // rather than a bare number.
  if (bfq) {
    auto content = p.read("", "io.bfq.weight");
    std::string c = content.value_or("");
    while (!c.empty() && (c.back() == '\n' || c.back() == ' ')) c.pop_back();
    bool per_device = !c.empty() && c.find_first_not_of("0123456789") != std::string::npos;
    if (per_device)
      for (auto& wd : r.weight_device)
        if (uint64_t v = wd.weight.value_or(0)) w.push_back({"", "io.bfq.weight", dev(wd.major, wd.minor) + " " + str(v)});
  }
  auto thr = [&](const std::vector<ThrottleDevice>& list, const char* key) {
    for (auto& t : list) w.push_back({"", "io.max", dev(t.major, t.minor) + " " + key + "=" + str(t.rate)});
  };
  thr(r.throttle_read_bps, "rbps");
  thr(r.throttle_write_bps, "wbps");
  thr(r.throttle_read_iops, "riops");
  thr(r.throttle_write_iops, "wiops");
}

void plan_v2_cpu(const spec::CpuResources& r, std::vector<Write>& w) {
  uint64_t weight = cpu_shares_to_weight(r.shares.value_or(0));
  int64_t quota = r.quota.value_or(0);
  uint64_t period = r.period.value_or(0);
  if (!(weight != 0 || quota != 0 || period != 0 || r.idle || r.burst)) return;
  if (r.idle) w.push_back({"", "cpu.idle", str(*r.idle)});
  if (weight != 0) w.push_back({"", "cpu.weight", str(weight)});
  if (r.burst) w.push_back({"", "cpu.max.burst", str(*r.burst), quota != 0 ? kDeferOnEinval : 0u});
  if (quota != 0 || period != 0) {
    std::string v = quota > 0 ? str(quota) : "max";
    v += " " + str(period != 0 ? period : uint64_t{100000});  // the kernel's default period
    w.push_back({"", "cpu.max", v});
    if (r.burst) w.push_back({"", "cpu.max.burst", str(*r.burst), kIfDeferred});
  }
}

Result<Plan> plan_v2(const Resources& r, const std::vector<DeviceRule>& defaults, const Probe& p, bool skip_devices) {
  Plan out;
  auto& w = out.writes;
  // fs2's order: pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, unified.
  if (r.pids.limit) w.push_back({"", "pids.max", pids_value(*r.pids.limit)});
  ORUN_TRY_VOID(plan_v2_memory(r.memory, p, w));
  plan_v2_io(r.block_io, p, w);
  plan_v2_cpu(r.cpu, w);
  if (!skip_devices) {
    std::vector<DeviceRule> rules = r.devices;
    rules.insert(rules.end(), defaults.begin(), defaults.end());
    out.v2_devices = ORUN_TRY(emulate(rules));
  }
  if (!r.cpu.cpus.empty()) w.push_back({"", "cpuset.cpus", r.cpu.cpus});
  if (!r.cpu.mems.empty()) w.push_back({"", "cpuset.mems", r.cpu.mems});
  plan_hugetlb(r, "", ".max", w);
  for (auto& [device, l] : r.rdma) w.push_back({"", "rdma.max", rdma_line(device, l)});
  if (r.unified) {
    for (auto& [key, value] : *r.unified) {
      if (key.find('/') != std::string::npos)
        return fail("unified resource \"" + key + "\" must be a file name (no slashes)");
      w.push_back({"", key, value, kUnified | kByLine});
    }
  }
  return out;
}

}  // namespace

Result<Plan> plan(Layout layout, const spec::Resources& r, const std::vector<spec::DeviceRule>& defaults,
                  const Probe& probe, bool skip_devices) {
  if (layout == Layout::v2) return plan_v2(r, defaults, probe, skip_devices);
  return plan_v1(r, defaults, probe, skip_devices);
}

}  // namespace orun::cgroups
