// runc's `update` on the typed resources (runc 1.5.1 update.go): which
// fields of the request replace the container's, and its fix-ups.
#include "orun/resources.hpp"

namespace orun::spec {

namespace {

// A device's later entries win in the kernel: update the last one.
void upsert_throttle(std::vector<ThrottleDevice>& list, const ThrottleDevice& td) {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (it->major == td.major && it->minor == td.minor) {
      it->rate = td.rate;
      return;
    }
  }
  list.push_back(td);
}

void merge_block_io(BlockIO& out, const BlockIO& req) {
  if (req.weight) out.weight = req.weight;
  if (req.leaf_weight) out.leaf_weight = req.leaf_weight;
  for (auto& wd : req.weight_device) {
    bool found = false;
    for (auto it = out.weight_device.rbegin(); it != out.weight_device.rend(); ++it) {
      if (it->major != wd.major || it->minor != wd.minor) continue;
      if (wd.weight) it->weight = wd.weight;
      if (wd.leaf_weight) it->leaf_weight = wd.leaf_weight;
      found = true;
      break;
    }
    if (!found) out.weight_device.push_back(wd);
  }
  for (auto& td : req.throttle_read_bps) upsert_throttle(out.throttle_read_bps, td);
  for (auto& td : req.throttle_write_bps) upsert_throttle(out.throttle_write_bps, td);
  for (auto& td : req.throttle_read_iops) upsert_throttle(out.throttle_read_iops, td);
  for (auto& td : req.throttle_write_iops) upsert_throttle(out.throttle_write_iops, td);
}

}  // namespace

Resources configured_resources(Resources r) {
  if (r.unified && r.unified->empty()) r.unified.reset();
  return r;
}

Resources merge_update(const Resources& cur, const Resources& req) {
  MemoryResources mem = req.memory;
  CpuResources cpu = req.cpu;
  if (mem.limit == -1 && !mem.swap) mem.swap = 0;
  if (cpu.idle && !cpu.shares) cpu.shares = 0;

  Resources out = cur;
  merge_block_io(out.block_io, req.block_io);

  // Setting quota and period independently makes little sense, but runc
  // allows it: the one not given keeps its old value. Neither given (or
  // both 0) unsets both.
  bool period = cpu.period.value_or(0) != 0, quota = cpu.quota.value_or(0) != 0;
  if (period == quota) {
    out.cpu.period = cpu.period;
    out.cpu.quota = cpu.quota;
  } else if (period) {
    out.cpu.period = cpu.period;
  } else {
    out.cpu.quota = cpu.quota;
  }
  out.cpu.burst = cpu.burst;
  if (cpu.shares) out.cpu.shares = cpu.shares;
  if (cpu.realtime_period) out.cpu.realtime_period = cpu.realtime_period;
  if (cpu.realtime_runtime) out.cpu.realtime_runtime = cpu.realtime_runtime;
  out.cpu.cpus = cpu.cpus;
  out.cpu.mems = cpu.mems;
  out.cpu.idle = cpu.idle;
  if (mem.limit) out.memory.limit = mem.limit;
  if (mem.reservation) out.memory.reservation = mem.reservation;
  if (mem.swap) out.memory.swap = mem.swap;
  out.memory.check_before_update = mem.check_before_update;
  out.pids = req.pids;
  out.unified = req.unified;
  return out;
}

}  // namespace orun::spec
