#include "cgroups/resources.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace orun::cgroups {

namespace {

using Json = nlohmann::json;

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Go's encoding/json: an exact key wins, else a case-insensitive one.
const Json* field(const Json& obj, const std::string& name) {
  auto it = obj.find(name);
  if (it != obj.end()) return it->is_null() ? nullptr : &*it;
  const Json* found = nullptr;
  for (auto i = obj.begin(); i != obj.end(); ++i)
    if (iequals(i.key(), name)) found = &i.value();
  return found && !found->is_null() ? found : nullptr;
}

Result<int64_t> get_int(const Json& v, const std::string& where, int64_t lo, int64_t hi) {
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(hi)) return fail(where + ": value " + std::to_string(u) + " out of range");
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    auto i = v.get<int64_t>();
    if (i < lo || i > hi) return fail(where + ": value " + std::to_string(i) + " out of range");
    return i;
  }
  return fail(where + ": expected an integer");
}

Result<uint64_t> get_uint(const Json& v, const std::string& where, uint64_t hi) {
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > hi) return fail(where + ": value " + std::to_string(u) + " out of range");
    return u;
  }
  if (v.is_number_integer()) return fail(where + ": negative value " + std::to_string(v.get<int64_t>()) + " not allowed");
  return fail(where + ": expected a non-negative integer");
}

template <typename T>
Result<void> opt_int(const Json& obj, const std::string& key, const std::string& where, std::optional<T>& out) {
  const Json* v = field(obj, key);
  if (!v) return {};
  if constexpr (std::is_signed_v<T>) {
    out = static_cast<T>(ORUN_TRY(get_int(*v, where + "." + key, std::numeric_limits<T>::min(), std::numeric_limits<T>::max())));
  } else {
    out = static_cast<T>(ORUN_TRY(get_uint(*v, where + "." + key, std::numeric_limits<T>::max())));
  }
  return {};
}

Result<void> opt_bool(const Json& obj, const std::string& key, const std::string& where, std::optional<bool>& out) {
  const Json* v = field(obj, key);
  if (!v) return {};
  if (!v->is_boolean()) return fail(where + "." + key + ": expected a boolean");
  out = v->get<bool>();
  return {};
}

Result<void> opt_string(const Json& obj, const std::string& key, const std::string& where, std::string& out) {
  const Json* v = field(obj, key);
  if (!v) return {};
  if (!v->is_string()) return fail(where + "." + key + ": expected a string");
  out = v->get<std::string>();
  return {};
}

Result<const Json*> opt_object(const Json& obj, const std::string& key, const std::string& where) {
  const Json* v = field(obj, key);
  if (v && !v->is_object()) return fail(where + "." + key + ": expected an object");
  return v;
}

Result<const Json*> opt_array(const Json& obj, const std::string& key, const std::string& where) {
  const Json* v = field(obj, key);
  if (v && !v->is_array()) return fail(where + "." + key + ": expected an array");
  return v;
}

Result<std::vector<ThrottleDevice>> throttles(const Json& obj, const std::string& key, const std::string& where) {
  std::vector<ThrottleDevice> out;
  const Json* arr = ORUN_TRY(opt_array(obj, key, where));
  if (!arr) return out;
  for (size_t i = 0; i < arr->size(); i++) {
    std::string w = where + "." + key + "[" + std::to_string(i) + "]";
    const Json& e = (*arr)[i];
    if (!e.is_object()) return fail(w + ": expected an object");
    std::optional<int64_t> major, minor;
    std::optional<uint64_t> rate;
    ORUN_TRY_VOID(opt_int(e, "major", w, major));
    ORUN_TRY_VOID(opt_int(e, "minor", w, minor));
    ORUN_TRY_VOID(opt_int(e, "rate", w, rate));
    out.push_back({major.value_or(0), minor.value_or(0), rate.value_or(0)});
  }
  return out;
}

Result<OciResources::Memory> parse_memory(const Json& m, const std::string& w) {
  OciResources::Memory out;
  ORUN_TRY_VOID(opt_int(m, "limit", w, out.limit));
  ORUN_TRY_VOID(opt_int(m, "reservation", w, out.reservation));
  ORUN_TRY_VOID(opt_int(m, "swap", w, out.swap));
  ORUN_TRY_VOID(opt_int(m, "kernel", w, out.kernel));
  ORUN_TRY_VOID(opt_int(m, "kernelTCP", w, out.kernel_tcp));
  // Docker has sent -1 for "unset": read it as the uint64 runc would wrap to.
  if (const Json* s = field(m, "swappiness"); s && s->is_number_integer() && !s->is_number_unsigned() &&
                                              s->get<int64_t>() == -1) {
    out.swappiness = std::numeric_limits<uint64_t>::max();
  } else {
    ORUN_TRY_VOID(opt_int(m, "swappiness", w, out.swappiness));
  }
  ORUN_TRY_VOID(opt_bool(m, "disableOOMKiller", w, out.disable_oom_killer));
  ORUN_TRY_VOID(opt_bool(m, "useHierarchy", w, out.use_hierarchy));
  ORUN_TRY_VOID(opt_bool(m, "checkBeforeUpdate", w, out.check_before_update));
  return out;
}

Result<OciResources::Cpu> parse_cpu(const Json& c, const std::string& w) {
  OciResources::Cpu out;
  ORUN_TRY_VOID(opt_int(c, "shares", w, out.shares));
  ORUN_TRY_VOID(opt_int(c, "quota", w, out.quota));
  ORUN_TRY_VOID(opt_int(c, "burst", w, out.burst));
  ORUN_TRY_VOID(opt_int(c, "period", w, out.period));
  ORUN_TRY_VOID(opt_int(c, "realtimeRuntime", w, out.realtime_runtime));
  ORUN_TRY_VOID(opt_int(c, "realtimePeriod", w, out.realtime_period));
  ORUN_TRY_VOID(opt_string(c, "cpus", w, out.cpus));
  ORUN_TRY_VOID(opt_string(c, "mems", w, out.mems));
  ORUN_TRY_VOID(opt_int(c, "idle", w, out.idle));
  return out;
}

Result<OciResources::BlockIO> parse_blockio(const Json& b, const std::string& w) {
  OciResources::BlockIO out;
  ORUN_TRY_VOID(opt_int(b, "weight", w, out.weight));
  ORUN_TRY_VOID(opt_int(b, "leafWeight", w, out.leaf_weight));
  if (const Json* arr = ORUN_TRY(opt_array(b, "weightDevice", w))) {
    for (size_t i = 0; i < arr->size(); i++) {
      std::string wi = w + ".weightDevice[" + std::to_string(i) + "]";
      const Json& e = (*arr)[i];
      if (!e.is_object()) return fail(wi + ": expected an object");
      OciResources::WeightDev d;
      std::optional<int64_t> major, minor;
      ORUN_TRY_VOID(opt_int(e, "major", wi, major));
      ORUN_TRY_VOID(opt_int(e, "minor", wi, minor));
      d.major = major.value_or(0);
      d.minor = minor.value_or(0);
      ORUN_TRY_VOID(opt_int(e, "weight", wi, d.weight));
      ORUN_TRY_VOID(opt_int(e, "leafWeight", wi, d.leaf_weight));
      out.weight_device.push_back(d);
    }
  }
  out.throttle_read_bps = ORUN_TRY(throttles(b, "throttleReadBpsDevice", w));
  out.throttle_write_bps = ORUN_TRY(throttles(b, "throttleWriteBpsDevice", w));
  out.throttle_read_iops = ORUN_TRY(throttles(b, "throttleReadIOPSDevice", w));
  out.throttle_write_iops = ORUN_TRY(throttles(b, "throttleWriteIOPSDevice", w));
  return out;
}

Result<std::vector<DeviceRule>> parse_devices(const Json& arr, const std::string& w) {
  std::vector<DeviceRule> out;
  for (size_t i = 0; i < arr.size(); i++) {
    std::string wi = w + "[" + std::to_string(i) + "]";
    const Json& e = arr[i];
    if (!e.is_object()) return fail(wi + ": expected an object");
    DeviceRule d;
    std::optional<bool> allow;
    ORUN_TRY_VOID(opt_bool(e, "allow", wi, allow));
    d.allow = allow.value_or(false);
    std::string type;
    ORUN_TRY_VOID(opt_string(e, "type", wi, type));
    if (type.empty()) type = "a";
    if (type != "a" && type != "b" && type != "c") return fail("invalid cgroup device type \"" + type + "\"");
    d.type = type[0];
    std::optional<int64_t> major, minor;
    ORUN_TRY_VOID(opt_int(e, "major", wi, major));
    ORUN_TRY_VOID(opt_int(e, "minor", wi, minor));
    d.major = major.value_or(-1);
    d.minor = minor.value_or(-1);
    std::string access;
    ORUN_TRY_VOID(opt_string(e, "access", wi, access));
    if (access.empty()) return fail("device access at " + std::to_string(i) + " field cannot be empty");
    // Like runc, letters other than r, w and m are ignored ("rwa" is "rw").
    for (char c : std::string("rwm"))
      if (access.find(c) != std::string::npos) d.access += c;
    out.push_back(d);
  }
  return out;
}

template <typename T>
void upsert_throttle(std::vector<ThrottleDevice>& list, const T& td) {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (it->major == td.major && it->minor == td.minor) {
      it->rate = td.rate;
      return;
    }
  }
  list.push_back(td);
}

bool valid_page_size(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++;
  if (i == 0 || s.size() != i + 2) return false;
  return (s[i] == 'K' || s[i] == 'M' || s[i] == 'G') && s[i + 1] == 'B';
}

}  // namespace

Result<OciResources> parse_oci(const Json& j, const std::string& where) {
  OciResources r;
  if (j.is_null()) return r;
  if (!j.is_object()) return fail(where + ": expected an object");
  if (const Json* d = ORUN_TRY(opt_array(j, "devices", where))) r.devices = ORUN_TRY(parse_devices(*d, where + ".devices"));
  if (const Json* m = ORUN_TRY(opt_object(j, "memory", where))) r.memory = ORUN_TRY(parse_memory(*m, where + ".memory"));
  if (const Json* c = ORUN_TRY(opt_object(j, "cpu", where))) r.cpu = ORUN_TRY(parse_cpu(*c, where + ".cpu"));
  if (const Json* p = ORUN_TRY(opt_object(j, "pids", where))) {
    std::optional<int64_t> limit;
    ORUN_TRY_VOID(opt_int(*p, "limit", where + ".pids", limit));
    r.pids = limit;
  }
  if (const Json* b = ORUN_TRY(opt_object(j, "blockIO", where))) r.block_io = ORUN_TRY(parse_blockio(*b, where + ".blockIO"));
  if (const Json* h = ORUN_TRY(opt_array(j, "hugepageLimits", where))) {
    for (size_t i = 0; i < h->size(); i++) {
      std::string w = where + ".hugepageLimits[" + std::to_string(i) + "]";
      const Json& e = (*h)[i];
      if (!e.is_object()) return fail(w + ": expected an object");
      HugepageLimit l;
      ORUN_TRY_VOID(opt_string(e, "pageSize", w, l.page_size));
      std::optional<uint64_t> limit;
      ORUN_TRY_VOID(opt_int(e, "limit", w, limit));
      l.limit = limit.value_or(0);
      r.hugepage_limits.push_back(l);
    }
  }
  if (const Json* n = ORUN_TRY(opt_object(j, "network", where))) {
    std::string w = where + ".network";
    ORUN_TRY_VOID(opt_int(*n, "classID", w, r.net_class_id));
    if (const Json* pr = ORUN_TRY(opt_array(*n, "priorities", w))) {
      for (size_t i = 0; i < pr->size(); i++) {
        std::string wi = w + ".priorities[" + std::to_string(i) + "]";
        if (!(*pr)[i].is_object()) return fail(wi + ": expected an object");
        IfPrio p;
        ORUN_TRY_VOID(opt_string((*pr)[i], "name", wi, p.name));
        std::optional<uint32_t> prio;
        ORUN_TRY_VOID(opt_int((*pr)[i], "priority", wi, prio));
        p.priority = prio.value_or(0);
        r.net_priorities.push_back(p);
      }
    }
  }
  if (const Json* rd = ORUN_TRY(opt_object(j, "rdma", where))) {
    for (auto it = rd->begin(); it != rd->end(); ++it) {
      std::string w = where + ".rdma." + it.key();
      if (!it->is_object()) return fail(w + ": expected an object");
      RdmaLimit l;
      ORUN_TRY_VOID(opt_int(*it, "hcaHandles", w, l.hca_handles));
      ORUN_TRY_VOID(opt_int(*it, "hcaObjects", w, l.hca_objects));
      r.rdma[it.key()] = l;
    }
  }
  if (const Json* u = ORUN_TRY(opt_object(j, "unified", where))) {
    std::map<std::string, std::string> m;
    for (auto it = u->begin(); it != u->end(); ++it) {
      if (!it->is_string()) return fail(where + ".unified." + it.key() + ": expected a string");
      m[it.key()] = it->get<std::string>();
    }
    r.unified = std::move(m);
  }
  return r;
}

Result<Resources> from_oci(const OciResources& o, std::vector<std::string>* warnings) {
  Resources r;
  r.devices = o.devices;
  if (o.memory) {
    const auto& m = *o.memory;
    r.memory = m.limit.value_or(0);
    r.memory_reservation = m.reservation.value_or(0);
    r.memory_swap = m.swap.value_or(0);
    if ((m.kernel || m.kernel_tcp) && warnings) warnings->push_back("Kernel memory settings are ignored and will be removed");
    r.swappiness = m.swappiness;
    r.oom_kill_disable = m.disable_oom_killer.value_or(false);
    r.check_before_update = m.check_before_update.value_or(false);
  }
  if (o.cpu) {
    const auto& c = *o.cpu;
    r.cpu_shares = c.shares.value_or(0);
    r.cpu_quota = c.quota.value_or(0);
    r.cpu_burst = c.burst;
    r.cpu_period = c.period.value_or(0);
    r.cpu_rt_runtime = c.realtime_runtime.value_or(0);
    r.cpu_rt_period = c.realtime_period.value_or(0);
    r.cpuset_cpus = c.cpus;
    r.cpuset_mems = c.mems;
    r.cpu_idle = c.idle;
  }
  if (o.pids) r.pids_limit = *o.pids;
  if (o.block_io) {
    const auto& b = *o.block_io;
    r.blkio_weight = b.weight.value_or(0);
    r.blkio_leaf_weight = b.leaf_weight.value_or(0);
    for (auto& wd : b.weight_device)
      r.blkio_weight_device.push_back({wd.major, wd.minor, wd.weight.value_or(0), wd.leaf_weight.value_or(0)});
    r.throttle_read_bps = b.throttle_read_bps;
    r.throttle_write_bps = b.throttle_write_bps;
    r.throttle_read_iops = b.throttle_read_iops;
    r.throttle_write_iops = b.throttle_write_iops;
  }
  r.hugepage_limits = o.hugepage_limits;
  r.rdma = o.rdma;
  r.net_cls_classid = o.net_class_id.value_or(0);
  r.net_prio_ifpriomap = o.net_priorities;
  if (o.unified && !o.unified->empty()) {
    r.has_unified = true;
    r.unified = *o.unified;
  }
  ORUN_TRY_VOID(validate(r));
  return r;
}

Result<void> validate(const Resources& r, const std::string& where) {
  auto mem = [&](int64_t v, const char* name) -> Result<void> {
    if (v < -1) return fail(where + ".memory." + name + ": invalid value " + std::to_string(v) + " (use -1 for unlimited)");
    return {};
  };
  ORUN_TRY_VOID(mem(r.memory, "limit"));
  ORUN_TRY_VOID(mem(r.memory_reservation, "reservation"));
  ORUN_TRY_VOID(mem(r.memory_swap, "swap"));
  if (r.cpu_quota < -1)
    return fail(where + ".cpu.quota: invalid value " + std::to_string(r.cpu_quota) + " (use -1 for unlimited)");
  // The kernel's CFS bounds (1ms..1s) for both cgroup versions.
  if (r.cpu_period != 0 && (r.cpu_period < 1000 || r.cpu_period > 1000000))
    return fail(where + ".cpu.period: " + std::to_string(r.cpu_period) + " is out of range (1000-1000000)");
  if (r.cpu_idle && *r.cpu_idle != 0 && *r.cpu_idle != 1)
    return fail(where + ".cpu.idle: invalid value " + std::to_string(*r.cpu_idle) + " (must be 0 or 1)");
  if (!valid_cpuset(r.cpuset_cpus)) return fail(where + ".cpu.cpus: invalid cpuset \"" + r.cpuset_cpus + "\"");
  if (!valid_cpuset(r.cpuset_mems)) return fail(where + ".cpu.mems: invalid cpuset \"" + r.cpuset_mems + "\"");
  auto weight = [&](uint16_t v, const std::string& name) -> Result<void> {
    if (v != 0 && (v < 10 || v > 1000))
      return fail(where + ".blockIO." + name + ": " + std::to_string(v) + " is out of range (10-1000)");
    return {};
  };
  ORUN_TRY_VOID(weight(r.blkio_weight, "weight"));
  ORUN_TRY_VOID(weight(r.blkio_leaf_weight, "leafWeight"));
  for (size_t i = 0; i < r.blkio_weight_device.size(); i++) {
    ORUN_TRY_VOID(weight(r.blkio_weight_device[i].weight, "weightDevice[" + std::to_string(i) + "].weight"));
    ORUN_TRY_VOID(weight(r.blkio_weight_device[i].leaf_weight, "weightDevice[" + std::to_string(i) + "].leafWeight"));
  }
  for (size_t i = 0; i < r.hugepage_limits.size(); i++)
    if (!valid_page_size(r.hugepage_limits[i].page_size))
      return fail(where + ".hugepageLimits[" + std::to_string(i) + "].pageSize: invalid page size \"" +
                  r.hugepage_limits[i].page_size + "\"");
  for (auto& [key, value] : r.unified) {
    if (key.find('/') != std::string::npos)
      return fail("unified resource \"" + key + "\" must be a file name (no slashes)");
    auto dot = key.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
      return fail("unified resource \"" + key + "\" must be in the form CONTROLLER.PARAMETER");
  }
  return {};
}

Resources merge_update(const Resources& cur, const OciResources& r) {
  OciResources::Memory mem = r.memory.value_or(OciResources::Memory{});
  OciResources::Cpu cpu = r.cpu.value_or(OciResources::Cpu{});
  OciResources::BlockIO bio = r.block_io.value_or(OciResources::BlockIO{});
  std::optional<int64_t> pids = r.pids ? *r.pids : std::nullopt;
  // runc's fix-ups: unlimited memory without swap unlimits swap as well;
  // idle without shares must not write a weight.
  if (mem.limit && *mem.limit == -1 && !mem.swap) mem.swap = 0;
  if (cpu.idle && !cpu.shares) cpu.shares = 0;

  Resources out = cur;
  if (bio.weight) out.blkio_weight = *bio.weight;
  if (bio.leaf_weight) out.blkio_leaf_weight = *bio.leaf_weight;
  for (auto& wd : bio.weight_device) {
    bool found = false;
    for (auto it = out.blkio_weight_device.rbegin(); it != out.blkio_weight_device.rend(); ++it) {
      if (it->major != wd.major || it->minor != wd.minor) continue;
      if (wd.weight) it->weight = *wd.weight;
      if (wd.leaf_weight) it->leaf_weight = *wd.leaf_weight;
      found = true;
      break;
    }
    if (!found) out.blkio_weight_device.push_back({wd.major, wd.minor, wd.weight.value_or(0), wd.leaf_weight.value_or(0)});
  }
  for (auto& td : bio.throttle_read_bps) upsert_throttle(out.throttle_read_bps, td);
  for (auto& td : bio.throttle_write_bps) upsert_throttle(out.throttle_write_bps, td);
  for (auto& td : bio.throttle_read_iops) upsert_throttle(out.throttle_read_iops, td);
  for (auto& td : bio.throttle_write_iops) upsert_throttle(out.throttle_write_iops, td);

  // Only one of quota/period given: the other keeps its old value.
  uint64_t p = cpu.period.value_or(0);
  int64_t q = cpu.quota.value_or(0);
  if ((p == 0 && q == 0) || (p != 0 && q != 0)) {
    out.cpu_period = p;
    out.cpu_quota = q;
  } else if (p != 0) {
    out.cpu_period = p;
  } else {
    out.cpu_quota = q;
  }
  out.cpu_burst = cpu.burst;
  if (cpu.shares) out.cpu_shares = *cpu.shares;
  if (cpu.realtime_period) out.cpu_rt_period = *cpu.realtime_period;
  if (cpu.realtime_runtime) out.cpu_rt_runtime = *cpu.realtime_runtime;
  out.cpuset_cpus = cpu.cpus;
  out.cpuset_mems = cpu.mems;
  if (mem.limit) out.memory = *mem.limit;
  out.cpu_idle = cpu.idle;
  if (mem.reservation) out.memory_reservation = *mem.reservation;
  if (mem.swap) out.memory_swap = *mem.swap;
  out.check_before_update = mem.check_before_update.value_or(false);
  out.pids_limit = pids;
  out.has_unified = r.unified.has_value();
  out.unified = r.unified.value_or(std::map<std::string, std::string>{});
  out.skip_devices = true;
  return out;
}

Json to_oci(const Resources& r) {
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
  Json m = Json::object();
  if (r.memory) m["limit"] = r.memory;
  if (r.memory_reservation) m["reservation"] = r.memory_reservation;
  if (r.memory_swap) m["swap"] = r.memory_swap;
  if (r.swappiness) m["swappiness"] = *r.swappiness;
  if (r.oom_kill_disable) m["disableOOMKiller"] = true;
  if (r.check_before_update) m["checkBeforeUpdate"] = true;
  if (!m.empty()) j["memory"] = m;
  Json c = Json::object();
  if (r.cpu_shares) c["shares"] = r.cpu_shares;
  if (r.cpu_quota) c["quota"] = r.cpu_quota;
  if (r.cpu_period) c["period"] = r.cpu_period;
  if (r.cpu_burst) c["burst"] = *r.cpu_burst;
  if (r.cpu_rt_runtime) c["realtimeRuntime"] = r.cpu_rt_runtime;
  if (r.cpu_rt_period) c["realtimePeriod"] = r.cpu_rt_period;
  if (!r.cpuset_cpus.empty()) c["cpus"] = r.cpuset_cpus;
  if (!r.cpuset_mems.empty()) c["mems"] = r.cpuset_mems;
  if (r.cpu_idle) c["idle"] = *r.cpu_idle;
  if (!c.empty()) j["cpu"] = c;
  if (r.pids_limit) j["pids"] = {{"limit", *r.pids_limit}};
  Json b = Json::object();
  if (r.blkio_weight) b["weight"] = r.blkio_weight;
  if (r.blkio_leaf_weight) b["leafWeight"] = r.blkio_leaf_weight;
  if (!r.blkio_weight_device.empty()) {
    Json a = Json::array();
    for (auto& wd : r.blkio_weight_device) {
      Json e = {{"major", wd.major}, {"minor", wd.minor}};
      if (wd.weight) e["weight"] = wd.weight;
      if (wd.leaf_weight) e["leafWeight"] = wd.leaf_weight;
      a.push_back(e);
    }
    b["weightDevice"] = a;
  }
  auto put = [&](const char* key, const std::vector<ThrottleDevice>& list) {
    if (list.empty()) return;
    Json a = Json::array();
    for (auto& t : list) a.push_back({{"major", t.major}, {"minor", t.minor}, {"rate", t.rate}});
    b[key] = a;
  };
  put("throttleReadBpsDevice", r.throttle_read_bps);
  put("throttleWriteBpsDevice", r.throttle_write_bps);
  put("throttleReadIOPSDevice", r.throttle_read_iops);
  put("throttleWriteIOPSDevice", r.throttle_write_iops);
  if (!b.empty()) j["blockIO"] = b;
  if (!r.hugepage_limits.empty()) {
    Json a = Json::array();
    for (auto& h : r.hugepage_limits) a.push_back({{"pageSize", h.page_size}, {"limit", h.limit}});
    j["hugepageLimits"] = a;
  }
  Json n = Json::object();
  if (r.net_cls_classid) n["classID"] = r.net_cls_classid;
  if (!r.net_prio_ifpriomap.empty()) {
    Json a = Json::array();
    for (auto& p : r.net_prio_ifpriomap) a.push_back({{"name", p.name}, {"priority", p.priority}});
    n["priorities"] = a;
  }
  if (!n.empty()) j["network"] = n;
  if (!r.rdma.empty()) {
    Json a = Json::object();
    for (auto& [dev, l] : r.rdma) {
      Json e = Json::object();
      if (l.hca_handles) e["hcaHandles"] = *l.hca_handles;
      if (l.hca_objects) e["hcaObjects"] = *l.hca_objects;
      a[dev] = e;
    }
    j["rdma"] = a;
  }
  if (r.has_unified) j["unified"] = r.unified;
  return j;
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // A quadratic in log2(shares) through runc's three fixed points (2→1,
  // 1024→100, 262144→10000); the same doubles as Go's math, so the same
  // result to the last digit.
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10, exponent)));
}

Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t memory) {
  if (memory == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (memory == -1) return swap;
  if (memory == 0) return fail("unable to set swap limit without memory limit");
  if (memory < 0) return fail("invalid memory value: " + std::to_string(memory));
  if (swap < memory) return fail("memory+swap limit should be >= memory limit");
  return swap - memory;
}

uint64_t blkio_weight_to_io_weight(uint16_t weight) {
  if (weight == 0) return 0;
  return 1 + (static_cast<uint64_t>(weight) - 10) * 9999 / 990;
}

bool valid_cpuset(const std::string& in) {
  std::string s = in;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.empty()) return true;
  size_t i = 0;
  auto number = [&](unsigned long& out) {
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++;
    if (i == start || i - start > 9) return false;
    out = std::stoul(s.substr(start, i - start));
    return true;
  };
  for (;;) {
    unsigned long a = 0, b = 0;
    if (!number(a)) return false;
    if (i < s.size() && s[i] == '-') {
      i++;
      if (!number(b) || b < a) return false;
    }
    if (i == s.size()) return true;
    if (s[i] != ',') return false;
    i++;
  }
}

Result<int64_t> ram_in_bytes(const std::string& s) {
  // <number>[ ]<unit k|m|g|t|p>[i][b], binary multiples.
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) i++;
  std::string num = s.substr(0, i);
  if (num.empty() || num[0] == '.' || num.back() == '.' || num.find("..") != std::string::npos)
    return fail("invalid size: '" + s + "'");
  std::string unit = s.substr(i);
  if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
  double mult = 1;
  size_t u = 0;
  if (u < unit.size()) {
    switch (std::tolower(static_cast<unsigned char>(unit[u]))) {
      case 'k': mult = 1024.0; u++; break;
      case 'm': mult = 1024.0 * 1024; u++; break;
      case 'g': mult = 1024.0 * 1024 * 1024; u++; break;
      case 't': mult = 1024.0 * 1024 * 1024 * 1024; u++; break;
      case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; u++; break;
      default: break;
    }
  }
  if (u < unit.size() && (unit[u] == 'i' || unit[u] == 'I')) u++;
  if (u < unit.size() && (unit[u] == 'b' || unit[u] == 'B')) u++;
  if (u != unit.size()) return fail("invalid size: '" + s + "'");
  double v = std::strtod(num.c_str(), nullptr);
  return static_cast<int64_t>(v * mult);
}

}  // namespace orun::cgroups
