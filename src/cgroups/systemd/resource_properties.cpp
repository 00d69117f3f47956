#include "cgroups/systemd/resource_properties.hpp"

#include <algorithm>
#include <tuple>

#include "cgroups/convert.hpp"
#include "cgroups/systemd/properties.hpp"

namespace orun::cgroups::systemd {

namespace {

Value device_allow(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<Value> items;
  for (auto& [path, perms] : entries) items.push_back(Value::structure({Value::string(path), Value::string(perms)}));
  return Value::array("(ss)", std::move(items));
}

std::string group_prefix(char type) { return type == 'b' ? "block-" : "char-"; }

}  // namespace

Result<DeviceProperties> device_properties(const DeviceState& state, int systemd_version) {
  DeviceProperties out;
  std::vector<Property> deny_all = {{"DeviceAllow", device_allow({})}, {"DevicePolicy", Value::string("strict")}};
  if (state.default_allow) {
    if (state.exceptions.empty()) {
      out.properties = {{"DeviceAllow", device_allow({})}, {"DevicePolicy", Value::string("auto")}};
      return out;
    }
    out.warnings.push_back("systemd doesn't support blacklist device rules -- applying temporary deny-all rule");
    out.properties = std::move(deny_all);
    return out;
  }
  // runc's orderedEntries: by (major, minor, type).
  std::vector<std::pair<std::tuple<char, int64_t, int64_t>, std::string>> ordered(state.exceptions.begin(),
                                                                                  state.exceptions.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    auto [ta, ma, na] = a.first;
    auto [tb, mb, nb] = b.first;
    return std::tie(ma, na, ta) < std::tie(mb, nb, tb);
  });
  std::vector<std::pair<std::string, std::string>> allow;
  for (auto& [key, perms] : ordered) {
    auto [type, major, minor] = key;
    if (type != 'b' && type != 'c') return fail(std::string("invalid device type for DeviceAllow: ") + type);
    std::string path;
    if (major < 0) {
      if (minor >= 0) {
        out.warnings.push_back("systemd doesn't support '*:n' device rules -- temporarily ignoring rule: " +
                               std::string(1, type) + " *:" + std::to_string(minor) + " " + perms);
        continue;
      }
      path = group_prefix(type) + "*";
    } else if (minor < 0) {
      // systemd < 240 wants the group name from /proc/devices; 252 is the
      // oldest this driver is tested with, so only the number form is made.
      if (systemd_version < 240) {
        out.warnings.push_back("systemd v" + std::to_string(systemd_version) + " is too old for '" +
                               std::string(1, type) + " " + std::to_string(major) + ":*' rules -- ignoring it");
        continue;
      }
      path = group_prefix(type) + std::to_string(major);
    } else {
      path = std::string(type == 'b' ? "/dev/block/" : "/dev/char/") + std::to_string(major) + ":" +
             std::to_string(minor);
    }
    allow.emplace_back(path, perms);
  }
  out.properties = std::move(deny_all);
  out.properties.push_back({"DeviceAllow", device_allow(allow)});
  return out;
}

namespace {

// What v1 and v2 share, in runc's order: the device rules come first, the
// CPU quota after the weights, TasksMax and the cpuset last.
Result<ResourceProperties> devices_first(const std::vector<spec::DeviceRule>& rules, int systemd_version) {
  ResourceProperties out;
  auto state = emulate(rules);
  if (!state) return fail("unable to apply rule for systemd: " + state.error().msg, state.error().err);
  auto dev = ORUN_TRY(device_properties(*state, systemd_version));
  out.properties = std::move(dev.properties);
  out.warnings = std::move(dev.warnings);
  return out;
}

void add_cpu_quota(ResourceProperties& out, const spec::Resources& r, int systemd_version) {
  auto quota = cpu_quota_properties(r.cpu.quota.value_or(0), r.cpu.period.value_or(0), systemd_version);
  for (auto& p : quota.properties) out.properties.push_back(std::move(p));
  out.cpu_quota = quota.quota;
}

Result<void> add_tasks_and_cpuset(ResourceProperties& out, const spec::Resources& r, int systemd_version) {
  if (r.pids.limit) {
    int64_t limit = *r.pids.limit;
    uint64_t tasks = limit < 0 ? UINT64_MAX : limit == 0 ? 1 : static_cast<uint64_t>(limit);
    out.properties.push_back({"TasksMax", Value::u64(tasks)});
  }
  auto cpuset = ORUN_TRY(cpuset_properties(r.cpu.cpus, r.cpu.mems, systemd_version));
  for (auto& p : cpuset) out.properties.push_back(std::move(p));
  return {};
}

}  // namespace

Result<ResourceProperties> v1_resource_properties(const spec::Resources& r, const std::vector<spec::DeviceRule>& rules,
                                            int systemd_version) {
  ResourceProperties out = ORUN_TRY(devices_first(rules, systemd_version));

  if (int64_t mem = r.memory.limit.value_or(0); mem != 0)
    out.properties.push_back({"MemoryLimit", Value::u64(static_cast<uint64_t>(mem))});
  if (uint64_t shares = r.cpu.shares.value_or(0); shares != 0)
    out.properties.push_back({"CPUShares", Value::u64(shares)});
  add_cpu_quota(out, r, systemd_version);
  if (uint16_t w = r.block_io.weight.value_or(0); w != 0)
    out.properties.push_back({"BlockIOWeight", Value::u64(w)});
  ORUN_TRY_VOID(add_tasks_and_cpuset(out, r, systemd_version));
  return out;
}

Result<ResourceProperties> v2_resource_properties(const spec::Resources& r, const std::vector<spec::DeviceRule>& rules,
                                            int systemd_version) {
  if (r.unified && !r.unified->empty())
    return fail("the systemd cgroup driver does not convert linux.resources.unified yet");
  ResourceProperties out = ORUN_TRY(devices_first(rules, systemd_version));

  int64_t mem = r.memory.limit.value_or(0);
  if (mem != 0) out.properties.push_back({"MemoryMax", Value::u64(static_cast<uint64_t>(mem))});
  if (int64_t low = r.memory.reservation.value_or(0); low != 0)
    out.properties.push_back({"MemoryLow", Value::u64(static_cast<uint64_t>(low))});
  int64_t swap = ORUN_TRY(memory_swap_to_v2(r.memory.swap.value_or(0), mem));
  if (swap != 0) out.properties.push_back({"MemorySwapMax", Value::u64(static_cast<uint64_t>(swap))});
  bool idle = r.cpu.idle.value_or(0) == 1 && systemd_version >= 252;
  if (idle) out.properties.push_back({"CPUWeight", Value::u64(0)});
  if (uint64_t weight = cpu_shares_to_weight(r.cpu.shares.value_or(0)); weight != 0) {
    if (idle) out.warnings.push_back("unable to apply both CPUWeight and CpuIdle to systemd, ignoring CPUWeight");
    else out.properties.push_back({"CPUWeight", Value::u64(weight)});
  }
  add_cpu_quota(out, r, systemd_version);
  ORUN_TRY_VOID(add_tasks_and_cpuset(out, r, systemd_version));
  return out;
}

}  // namespace orun::cgroups::systemd
