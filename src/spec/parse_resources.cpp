// linux.resources (and an `update --resources` document) into
// spec::Resources. Lenient like Go's decoder: unknown keys ignored, null is
// absent, keys match case-insensitively ("CPU": {"Cpus": "0"} is accepted
// by runc). Type errors name the field: `linux.resources.memory.limit:
// expected an integer`. The device rules are checked here, as runc's
// specconv does while converting them.
#include <cctype>
#include <limits>
#include <type_traits>

#include "orun/spec_json.hpp"

namespace orun::spec {

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

// A member whose absence means 0 (Go's zero value).
template <typename T>
Result<void> int_or_zero(const Json& obj, const std::string& key, const std::string& where, T& out) {
  std::optional<T> v;
  ORUN_TRY_VOID(opt_int(obj, key, where, v));
  out = v.value_or(T{});
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

// Each object of the array `key` through `one(element, its path)`.
template <typename T, typename F>
Result<std::vector<T>> objects(const Json& obj, const std::string& key, const std::string& where, F one) {
  std::vector<T> out;
  const Json* arr = ORUN_TRY(opt_array(obj, key, where));
  if (!arr) return out;
  for (size_t i = 0; i < arr->size(); i++) {
    std::string w = where + "." + key + "[" + std::to_string(i) + "]";
    if (!(*arr)[i].is_object()) return fail(w + ": expected an object");
    out.push_back(ORUN_TRY(one((*arr)[i], w)));
  }
  return out;
}

Result<std::vector<ThrottleDevice>> throttles(const Json& obj, const std::string& key, const std::string& where) {
  return objects<ThrottleDevice>(obj, key, where, [](const Json& e, const std::string& w) -> Result<ThrottleDevice> {
    ThrottleDevice t;
    ORUN_TRY_VOID(int_or_zero(e, "major", w, t.major));
    ORUN_TRY_VOID(int_or_zero(e, "minor", w, t.minor));
    ORUN_TRY_VOID(int_or_zero(e, "rate", w, t.rate));
    return t;
  });
}

Result<MemoryResources> parse_memory(const Json& m, const std::string& w) {
  MemoryResources out;
  ORUN_TRY_VOID(opt_int(m, "limit", w, out.limit));
  ORUN_TRY_VOID(opt_int(m, "reservation", w, out.reservation));
  ORUN_TRY_VOID(opt_int(m, "swap", w, out.swap));
  ORUN_TRY_VOID(opt_int(m, "kernel", w, out.kernel));
  ORUN_TRY_VOID(opt_int(m, "kernelTCP", w, out.kernel_tcp));
  if (const Json* s = field(m, "swappiness"); s && s->is_number_integer() && !s->is_number_unsigned() &&
                                              s->get<int64_t>() == -1) {
    out.swappiness = kUnsetSwappiness;
  } else {
    ORUN_TRY_VOID(opt_int(m, "swappiness", w, out.swappiness));
  }
  ORUN_TRY_VOID(opt_bool(m, "disableOOMKiller", w, out.disable_oom_killer));
  ORUN_TRY_VOID(opt_bool(m, "useHierarchy", w, out.use_hierarchy));
  ORUN_TRY_VOID(opt_bool(m, "checkBeforeUpdate", w, out.check_before_update));
  return out;
}

Result<CpuResources> parse_cpu(const Json& c, const std::string& w) {
  CpuResources out;
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

Result<BlockIO> parse_blockio(const Json& b, const std::string& w) {
  BlockIO out;
  ORUN_TRY_VOID(opt_int(b, "weight", w, out.weight));
  ORUN_TRY_VOID(opt_int(b, "leafWeight", w, out.leaf_weight));
  out.weight_device = ORUN_TRY(objects<WeightDevice>(b, "weightDevice", w, [](const Json& e, const std::string& wi)
                                                         -> Result<WeightDevice> {
    WeightDevice d;
    ORUN_TRY_VOID(int_or_zero(e, "major", wi, d.major));
    ORUN_TRY_VOID(int_or_zero(e, "minor", wi, d.minor));
    ORUN_TRY_VOID(opt_int(e, "weight", wi, d.weight));
    ORUN_TRY_VOID(opt_int(e, "leafWeight", wi, d.leaf_weight));
    return d;
  }));
  out.throttle_read_bps = ORUN_TRY(throttles(b, "throttleReadBpsDevice", w));
  out.throttle_write_bps = ORUN_TRY(throttles(b, "throttleWriteBpsDevice", w));
  out.throttle_read_iops = ORUN_TRY(throttles(b, "throttleReadIOPSDevice", w));
  out.throttle_write_iops = ORUN_TRY(throttles(b, "throttleWriteIOPSDevice", w));
  return out;
}

// runc's specconv errors for the rules ("invalid cgroup device type",
// "device access at N field cannot be empty").
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
    // None of r, w, m: runc keeps the text and the kernel refuses it when the
    // rule is written (devices.allow: invalid argument); an empty access
    // would also not read back from state.json after `update` (found by
    // tests/fuzz, fuzz_resources). Refused here, naming the value.
    if (d.access.empty())
      return fail("device access at " + std::to_string(i) + " field is invalid: \"" + access + "\"");
    out.push_back(d);
  }
  return out;
}

Result<NetworkResources> parse_network(const Json& n, const std::string& w) {
  NetworkResources out;
  ORUN_TRY_VOID(opt_int(n, "classID", w, out.class_id));
  out.priorities = ORUN_TRY(objects<InterfacePriority>(n, "priorities", w, [](const Json& e, const std::string& wi)
                                                           -> Result<InterfacePriority> {
    InterfacePriority p;
    ORUN_TRY_VOID(opt_string(e, "name", wi, p.name));
    ORUN_TRY_VOID(int_or_zero(e, "priority", wi, p.priority));
    return p;
  }));
  return out;
}

// Go decodes every key that folds to a field's name into that field, in
// document order: two objects ("cpu" and "CPU") are merged into one struct.
// Such object members are merged here (nlohmann keeps keys sorted, so when
// both set the same member the later one in sort order wins, where Go takes
// the later one in the document). Maps (rdma, unified) keep their keys as
// written: Go does not fold map keys.
Json merge_folded_objects(const Json& j) {
  if (!j.is_object()) return j;
  Json out = Json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool is_map = iequals(it.key(), "rdma") || iequals(it.key(), "unified");
    Json v = is_map ? it.value() : merge_folded_objects(it.value());
    auto same = out.end();
    for (auto o = out.begin(); o != out.end(); ++o)
      if (iequals(o.key(), it.key()) && o->is_object() && v.is_object()) same = o;
    if (same == out.end()) {
      out[it.key()] = std::move(v);
      continue;
    }
    for (auto m = v.begin(); m != v.end(); ++m) (*same)[m.key()] = m.value();
    if (!is_map) *same = merge_folded_objects(*same);
  }
  return out;
}

}  // namespace

Result<Resources> parse_resources(const Json& input, const std::string& where) {
  Resources r;
  if (input.is_null()) return r;
  if (!input.is_object()) return fail(where + ": expected an object");
  const Json j = merge_folded_objects(input);
  if (const Json* d = ORUN_TRY(opt_array(j, "devices", where))) r.devices = ORUN_TRY(parse_devices(*d, where + ".devices"));
  if (const Json* m = ORUN_TRY(opt_object(j, "memory", where))) r.memory = ORUN_TRY(parse_memory(*m, where + ".memory"));
  if (const Json* c = ORUN_TRY(opt_object(j, "cpu", where))) r.cpu = ORUN_TRY(parse_cpu(*c, where + ".cpu"));
  if (const Json* p = ORUN_TRY(opt_object(j, "pids", where))) ORUN_TRY_VOID(opt_int(*p, "limit", where + ".pids", r.pids.limit));
  if (const Json* b = ORUN_TRY(opt_object(j, "blockIO", where))) r.block_io = ORUN_TRY(parse_blockio(*b, where + ".blockIO"));
  r.hugepage_limits = ORUN_TRY(objects<HugepageLimit>(j, "hugepageLimits", where, [](const Json& e, const std::string& w)
                                                          -> Result<HugepageLimit> {
    HugepageLimit l;
    ORUN_TRY_VOID(opt_string(e, "pageSize", w, l.page_size));
    ORUN_TRY_VOID(int_or_zero(e, "limit", w, l.limit));
    return l;
  }));
  if (const Json* n = ORUN_TRY(opt_object(j, "network", where))) r.network = ORUN_TRY(parse_network(*n, where + ".network"));
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

Result<Resources> parse_resources_document(const std::string& text) {
  auto j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail("invalid resources document: not valid JSON");
  // A NUL would cut a cgroup file name or value short (unified keys).
  ORUN_TRY_VOID(reject_nul_bytes(j, "resources"));
  return parse_resources(j, "resources");
}

}  // namespace orun::spec
