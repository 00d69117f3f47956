// spec::Resources back to a linux.resources document, for state.json after
// `update`. Every field given is written (0 included), nothing else, so
// parse_resources reads back the same value.
#include "orun/spec_json.hpp"

namespace orun::spec {

namespace {

using Json = nlohmann::json;

template <typename T>
void put(Json& obj, const char* key, const std::optional<T>& v) {
  if (v) obj[key] = *v;
}

void put(Json& obj, const char* key, const std::string& v) {
  if (!v.empty()) obj[key] = v;
}

Json throttle_list(const std::vector<ThrottleDevice>& list) {
  Json a = Json::array();
  for (auto& t : list) a.push_back({{"major", t.major}, {"minor", t.minor}, {"rate", t.rate}});
  return a;
}

Json block_io_json(const BlockIO& b) {
  Json j = Json::object();
  put(j, "weight", b.weight);
  put(j, "leafWeight", b.leaf_weight);
  if (!b.weight_device.empty()) {
    Json a = Json::array();
    for (auto& wd : b.weight_device) {
      Json e = {{"major", wd.major}, {"minor", wd.minor}};
      put(e, "weight", wd.weight);
      put(e, "leafWeight", wd.leaf_weight);
      a.push_back(e);
    }
    j["weightDevice"] = a;
  }
  if (!b.throttle_read_bps.empty()) j["throttleReadBpsDevice"] = throttle_list(b.throttle_read_bps);
  if (!b.throttle_write_bps.empty()) j["throttleWriteBpsDevice"] = throttle_list(b.throttle_write_bps);
  if (!b.throttle_read_iops.empty()) j["throttleReadIOPSDevice"] = throttle_list(b.throttle_read_iops);
  if (!b.throttle_write_iops.empty()) j["throttleWriteIOPSDevice"] = throttle_list(b.throttle_write_iops);
  return j;
}

}  // namespace

Json resources_to_json(const Resources& r) {
  Json j = Json::object();
  if (!r.devices.empty()) {
    Json d = Json::array();
    for (auto& rule : r.devices) {
      Json e = {{"allow", rule.allow}, {"type", std::string(1, rule.type)}, {"access", rule.access}};
      if (rule.major >= 0) e["major"] = rule.major;
      if (rule.minor >= 0) e["minor"] = rule.minor;
      d.push_back(e);
    }
    j["devices"] = d;
  }
  const auto& mem = r.memory;
  Json m = Json::object();
  put(m, "limit", mem.limit);
  put(m, "reservation", mem.reservation);
  put(m, "swap", mem.swap);
  put(m, "kernel", mem.kernel);
  put(m, "kernelTCP", mem.kernel_tcp);
  put(m, "swappiness", mem.swappiness);
  put(m, "disableOOMKiller", mem.disable_oom_killer);
  put(m, "useHierarchy", mem.use_hierarchy);
  put(m, "checkBeforeUpdate", mem.check_before_update);
  if (!m.empty()) j["memory"] = m;
  const auto& cpu = r.cpu;
  Json c = Json::object();
  put(c, "shares", cpu.shares);
  put(c, "quota", cpu.quota);
  put(c, "burst", cpu.burst);
  put(c, "period", cpu.period);
  put(c, "realtimeRuntime", cpu.realtime_runtime);
  put(c, "realtimePeriod", cpu.realtime_period);
  put(c, "cpus", cpu.cpus);
  put(c, "mems", cpu.mems);
  put(c, "idle", cpu.idle);
  if (!c.empty()) j["cpu"] = c;
  if (r.pids.limit) j["pids"] = {{"limit", *r.pids.limit}};
  if (Json b = block_io_json(r.block_io); !b.empty()) j["blockIO"] = b;
  if (!r.hugepage_limits.empty()) {
    Json a = Json::array();
    for (auto& h : r.hugepage_limits) a.push_back({{"pageSize", h.page_size}, {"limit", h.limit}});
    j["hugepageLimits"] = a;
  }
  Json n = Json::object();
  put(n, "classID", r.network.class_id);
  if (!r.network.priorities.empty()) {
    Json a = Json::array();
    for (auto& p : r.network.priorities) a.push_back({{"name", p.name}, {"priority", p.priority}});
    n["priorities"] = a;
  }
  if (!n.empty()) j["network"] = n;
  if (!r.rdma.empty()) {
    Json a = Json::object();
    for (auto& [dev, l] : r.rdma) {
      Json e = Json::object();
      put(e, "hcaHandles", l.hca_handles);
      put(e, "hcaObjects", l.hca_objects);
      a[dev] = e;
    }
    j["rdma"] = a;
  }
  if (r.unified) j["unified"] = *r.unified;
  return j;
}

}  // namespace orun::spec
