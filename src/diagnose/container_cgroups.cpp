// Limits and usage per controller, read from the files runc's own stats read
// (v1 memory.*, pids.*, cpu.*, cpuacct.usage; v2 memory.max/current/peak,
// pids.*, cpu.max/weight/stat, *.pressure). A value that is unlimited is
// reported as the string "max".
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cgroups/stats.hpp"
#include "diagnose/container.hpp"
#include "orun/cgroups.hpp"

namespace orun::diagnose {

namespace {

// v1's "no limit" for memory (PAGE_COUNTER_MAX pages, rounded): any value
// at or above 2^62 means unlimited.
constexpr uint64_t kV1Unlimited = uint64_t{1} << 62;

std::optional<std::string> read_trimmed(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A number, or "max" for unlimited; absent when the file is.
void put_value(nlohmann::ordered_json& j, const char* key, const std::string& path) {
  auto v = read_trimmed(path);
  if (!v || v->empty()) return;
  if (*v == "max" || *v == "-1") {
    j[key] = "max";
    return;
  }
  try {
    uint64_t n = std::stoull(*v);
    if (n >= kV1Unlimited) j[key] = "max";
    else j[key] = n;
  } catch (...) {
    j[key] = *v;
  }
}

const std::string* find(const std::map<std::string, std::string>& paths, const std::string& key) {
  auto it = paths.find(key);
  return it == paths.end() ? nullptr : &it->second;
}

bool has_file(const std::string& p) { return static_cast<bool>(std::ifstream(p)); }

nlohmann::ordered_json memory(const std::map<std::string, std::string>& paths) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (auto d = find(paths, "memory")) {
    j["path"] = *d;
    put_value(j, "limit", *d + "/memory.limit_in_bytes");
    put_value(j, "usage", *d + "/memory.usage_in_bytes");
    put_value(j, "max_usage", *d + "/memory.max_usage_in_bytes");
    put_value(j, "swap_limit", *d + "/memory.memsw.limit_in_bytes");
    put_value(j, "failcnt", *d + "/memory.failcnt");
    auto oc = cgroups::parse_flat_keyed(read_trimmed(*d + "/memory.oom_control").value_or(""));
    if (oc.count("oom_kill_disable")) j["oom_kill_disable"] = oc["oom_kill_disable"] != 0;
    if (oc.count("under_oom")) j["under_oom"] = oc["under_oom"] != 0;
  } else if (auto d2 = find(paths, ""); d2 && has_file(*d2 + "/memory.max")) {
    j["path"] = *d2;
    put_value(j, "limit", *d2 + "/memory.max");
    put_value(j, "usage", *d2 + "/memory.current");
    put_value(j, "max_usage", *d2 + "/memory.peak");
    put_value(j, "swap_limit", *d2 + "/memory.swap.max");
    auto ev = cgroups::parse_flat_keyed(read_trimmed(*d2 + "/memory.events").value_or(""));
    if (ev.count("oom")) j["oom_events"] = ev["oom"];
    if (auto p = read_trimmed(*d2 + "/memory.pressure")) j["pressure"] = cgroups::parse_psi(*p);
  }
  if (!j.empty()) j["oom_kills"] = cgroups::oom_kill_count(cgroups::Manager::from_paths(paths));
  return j;
}

nlohmann::ordered_json pids(const std::map<std::string, std::string>& paths) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  const std::string* d = find(paths, "pids");
  if (!d) {
    d = find(paths, "");
    if (d && !has_file(*d + "/pids.max")) d = nullptr;
  }
  if (!d) return j;
  j["path"] = *d;
  put_value(j, "current", *d + "/pids.current");
  put_value(j, "limit", *d + "/pids.max");
  return j;
}

nlohmann::ordered_json cpu(const std::map<std::string, std::string>& paths) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (auto d = find(paths, "cpu")) {
    j["path"] = *d;
    put_value(j, "quota_us", *d + "/cpu.cfs_quota_us");
    put_value(j, "period_us", *d + "/cpu.cfs_period_us");
    put_value(j, "shares", *d + "/cpu.shares");
    auto st = cgroups::parse_flat_keyed(read_trimmed(*d + "/cpu.stat").value_or(""));
    if (st.count("nr_throttled")) j["nr_throttled"] = st["nr_throttled"];
  }
  if (auto d = find(paths, "cpuacct")) {
    auto v = read_trimmed(*d + "/cpuacct.usage");
    if (v && !v->empty()) j["usage_ns"] = std::stoull(*v);
  }
  if (j.empty()) {
    auto d2 = find(paths, "");
    if (!d2 || !has_file(*d2 + "/cpu.stat")) return j;
    j["path"] = *d2;
    if (auto max = read_trimmed(*d2 + "/cpu.max")) j["max"] = *max;
    put_value(j, "weight", *d2 + "/cpu.weight");
    auto st = cgroups::parse_flat_keyed(read_trimmed(*d2 + "/cpu.stat").value_or(""));
    if (st.count("usage_usec")) j["usage_ns"] = st["usage_usec"] * 1000;
    if (st.count("nr_throttled")) j["nr_throttled"] = st["nr_throttled"];
    if (auto p = read_trimmed(*d2 + "/cpu.pressure")) j["pressure"] = cgroups::parse_psi(*p);
  }
  return j;
}

}  // namespace

nlohmann::ordered_json inspect_cgroups(const std::map<std::string, std::string>& paths) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json p = nlohmann::ordered_json::object();
  for (const auto& [k, v] : paths) p[k.empty() ? "unified" : k] = v;
  j["paths"] = p;
  bool any = false;
  for (const auto& [k, v] : paths) any |= has_file(v + "/cgroup.procs");
  j["exists"] = any;
  if (!any) return j;
  j["frozen"] = cgroups::Manager::from_paths(paths).frozen();
  j["memory"] = memory(paths);
  j["pids"] = pids(paths);
  j["cpu"] = cpu(paths);
  return j;
}

}  // namespace orun::diagnose
