#include "cgroups/stats.hpp"
#include "sys/file.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <nlohmann/json.hpp>

namespace orun::cgroups {

namespace {

using OJson = nlohmann::ordered_json;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// A single-number file; "max" reads as UINT64_MAX (runc's GetCgroupParamUint).
std::optional<uint64_t> read_u64(const std::string& dir, const std::string& file) {
  auto s = sys::read_file(dir + "/" + file);
  if (!s) return std::nullopt;
  std::string v = *s;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  if (v == "max") return kMax;
  if (v.empty()) return std::nullopt;
  if (v[0] == '-') return 0;  // negative values mean "none" for these counters
  char* end = nullptr;
  uint64_t n = std::strtoull(v.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return n;
}

uint64_t u64(const std::string& dir, const std::string& file) { return read_u64(dir, file).value_or(0); }

// Go's omitempty for numbers.
void put_nz(OJson& j, const char* key, uint64_t v) {
  if (v != 0) j[key] = v;
}

std::vector<std::string> hugepage_sizes() {
  std::vector<std::string> out;
  DIR* d = opendir("/sys/kernel/mm/hugepages");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind("hugepages-", 0) == 0) out.push_back(hugepage_size_name(n));
  }
  closedir(d);
  return out;
}

// MemoryEntry: limit and failcnt always, usage and max when non-zero.
OJson memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt) {
  OJson e;
  e["limit"] = limit;
  put_nz(e, "usage", usage);
  put_nz(e, "max", max);
  e["failcnt"] = failcnt;
  return e;
}

bool zero_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt) {
  return limit == 0 && usage == 0 && max == 0 && failcnt == 0;
}

OJson cpu_usage(uint64_t total, const std::vector<uint64_t>& percpu, const std::vector<uint64_t>& pk,
                const std::vector<uint64_t>& pu, uint64_t kernel, uint64_t user) {
  OJson u;
  put_nz(u, "total", total);
  if (!percpu.empty()) u["percpu"] = percpu;
  if (!pk.empty()) u["percpu_kernel"] = pk;
  if (!pu.empty()) u["percpu_user"] = pu;
  u["kernel"] = kernel;
  u["user"] = user;
  return u;
}

OJson throttling(uint64_t periods, uint64_t throttled, uint64_t time) {
  OJson t = OJson::object();
  put_nz(t, "periods", periods);
  put_nz(t, "throttledPeriods", throttled);
  put_nz(t, "throttledTime", time);
  return t;
}

std::vector<uint64_t> numbers(const std::string& s) {
  std::vector<uint64_t> out;
  std::istringstream in(s);
  for (uint64_t v; in >> v;) out.push_back(v);
  return out;
}

OJson cpuset_stats(const std::string& dir) {
  OJson c;
  auto cpus = parse_cpuset_list(sys::read_file(dir + "/cpuset.cpus").value_or(""));
  if (!cpus.empty()) c["cpus"] = cpus;
  c["cpu_exclusive"] = u64(dir, "cpuset.cpu_exclusive");
  auto mems = parse_cpuset_list(sys::read_file(dir + "/cpuset.mems").value_or(""));
  if (!mems.empty()) c["mems"] = mems;
  c["mem_hardwall"] = u64(dir, "cpuset.mem_hardwall");
  c["mem_exclusive"] = u64(dir, "cpuset.mem_exclusive");
  c["memory_migrate"] = u64(dir, "cpuset.memory_migrate");
  c["memory_spread_page"] = u64(dir, "cpuset.memory_spread_page");
  c["memory_spread_slab"] = u64(dir, "cpuset.memory_spread_slab");
  c["memory_pressure"] = u64(dir, "cpuset.memory_pressure");
  c["sched_load_balance"] = u64(dir, "cpuset.sched_load_balance");
  auto relax = sys::read_file(dir + "/cpuset.sched_relax_domain_level");
  c["sched_relax_domain_level"] = relax ? std::strtoll(relax->c_str(), nullptr, 10) : 0;
  return c;
}

OJson empty_cpuset() { return cpuset_stats("/nonexistent"); }

OJson finish(OJson cpu, OJson cpuset, OJson memory, OJson pids, OJson blkio, OJson hugetlb) {
  OJson d;
  d["cpu"] = std::move(cpu);
  d["cpuset"] = std::move(cpuset);
  d["memory"] = std::move(memory);
  d["pids"] = std::move(pids);
  d["blkio"] = std::move(blkio);
  d["hugetlb"] = std::move(hugetlb);
  d["intel_rdt"] = OJson::object();
  d["network_interfaces"] = nullptr;
  return d;
}

OJson stats_v1(const std::map<std::string, std::string>& paths, OomCounters oom_counters) {
  auto dir = [&](const char* c) -> std::string {
    auto it = paths.find(c);
    return it == paths.end() ? std::string() : it->second;
  };
  // cpu: throttling from cpu.stat, usage from cpuacct.
  OJson cpu = OJson::object();
  std::string acct = dir("cpuacct");
  if (!acct.empty()) {
    uint64_t total = u64(acct, "cpuacct.usage");
    auto percpu = numbers(sys::read_file(acct + "/cpuacct.usage_percpu").value_or(""));
    std::vector<uint64_t> pk, pu;
    if (auto all = sys::read_file(acct + "/cpuacct.usage_all")) {
      std::istringstream in(*all);
      std::string header;
      std::getline(in, header);  // "cpu user system"
      for (uint64_t c, u, s; in >> c >> u >> s;) {
        pu.push_back(u);
        pk.push_back(s);
      }
    }
    // cpuacct.stat counts USER_HZ ticks.
    auto st = parse_flat_keyed(sys::read_file(acct + "/cpuacct.stat").value_or(""));
    uint64_t ns_per_tick = 1000000000ull / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
    OJson u = cpu_usage(total, percpu, pk, pu, st["system"] * ns_per_tick, st["user"] * ns_per_tick);
    if (total || !percpu.empty() || st["system"] || st["user"]) cpu["usage"] = u;
  }
  if (std::string c = dir("cpu"); !c.empty()) {
    auto st = parse_flat_keyed(sys::read_file(c + "/cpu.stat").value_or(""));
    OJson t = throttling(st["nr_periods"], st["nr_throttled"], st["throttled_time"]);
    if (!t.empty()) cpu["throttling"] = t;
  }
  OJson cpuset = dir("cpuset").empty() ? empty_cpuset() : cpuset_stats(dir("cpuset"));

  OJson memory = OJson::object();
  if (std::string m = dir("memory"); !m.empty()) {
    auto raw = parse_flat_keyed(sys::read_file(m + "/memory.stat").value_or(""));
    put_nz(memory, "cache", raw.count("cache") ? raw["cache"] : 0);
    auto entry = [&](const char* key, const std::string& prefix) {
      uint64_t limit = u64(m, prefix + "limit_in_bytes"), usage = u64(m, prefix + "usage_in_bytes");
      uint64_t max = u64(m, prefix + "max_usage_in_bytes"), failcnt = u64(m, prefix + "failcnt");
      if (!zero_entry(limit, usage, max, failcnt)) memory[key] = memory_entry(limit, usage, max, failcnt);
    };
    entry("usage", "memory.");
    entry("swap", "memory.memsw.");
    entry("kernel", "memory.kmem.");
    entry("kernelTCP", "memory.kmem.tcp.");
    if (!raw.empty()) memory["raw"] = raw;
    // orun's own (callers ignore unknown fields): the OOM killer's count, and
    // under_oom for a cgroup stalled at its limit with the killer disabled.
    auto oc = oom_counters == OomCounters::include
                  ? parse_flat_keyed(sys::read_file(m + "/memory.oom_control").value_or(""))
                  : std::map<std::string, uint64_t>{};  // not read at all for the stream
    if (!oc.empty()) {
      OJson oom = OJson::object();
      for (const char* k : {"oom_kill", "under_oom", "oom_kill_disable"})
        if (oc.count(k)) oom[k] = oc[k];
      memory["oom_events"] = oom;
    }
  }

  OJson pids = OJson::object();
  if (std::string p = dir("pids"); !p.empty()) {
    put_nz(pids, "current", u64(p, "pids.current"));
    uint64_t limit = u64(p, "pids.max");
    put_nz(pids, "limit", limit == kMax ? 0 : limit);
  }

  OJson blkio = OJson::object();
  if (std::string b = dir("blkio"); !b.empty()) {
    // cfq names, else bfq, else the throttling layer's counters.
    for (const char* prefix : {"blkio.", "blkio.bfq.", "blkio.throttle."}) {
      auto bytes = sys::read_file(b + "/" + prefix + "io_service_bytes_recursive");
      auto ios = sys::read_file(b + "/" + prefix + "io_serviced_recursive");
      if (!bytes && !ios) continue;
      OJson e1 = parse_blkio_v1(bytes.value_or("")), e2 = parse_blkio_v1(ios.value_or(""));
      if (!e1.empty()) blkio["ioServiceBytesRecursive"] = e1;
      if (!e2.empty()) blkio["ioServicedRecursive"] = e2;
      break;
    }
  }

  OJson hugetlb = OJson::object();
  std::string h = dir("hugetlb");
  bool v2_hugetlb = h.empty() && paths.count("");  // hybrid: hugetlb lives on cgroup2
  if (v2_hugetlb) h = paths.at("");
  if (!h.empty()) {
    for (auto& size : hugepage_sizes()) {
      std::string p = "hugetlb." + size;
      OJson e;
      if (v2_hugetlb) {
        if (!read_u64(h, p + ".current")) continue;
        put_nz(e, "usage", u64(h, p + ".current"));
        e["failcnt"] = parse_flat_keyed(sys::read_file(h + "/" + p + ".events").value_or(""))["max"];
      } else {
        put_nz(e, "usage", u64(h, p + ".usage_in_bytes"));
        put_nz(e, "max", u64(h, p + ".max_usage_in_bytes"));
        e["failcnt"] = u64(h, p + ".failcnt");
      }
      hugetlb[size] = e;
    }
  }
  return finish(cpu, cpuset, memory, pids, blkio, hugetlb);
}

OJson stats_v2(const std::string& dir, OomCounters oom_counters) {
  OJson cpu = OJson::object();
  auto cs = parse_flat_keyed(sys::read_file(dir + "/cpu.stat").value_or(""));
  if (cs["usage_usec"] || cs["user_usec"] || cs["system_usec"])
    cpu["usage"] = cpu_usage(cs["usage_usec"] * 1000, {}, {}, {}, cs["system_usec"] * 1000, cs["user_usec"] * 1000);
  OJson t = throttling(cs["nr_periods"], cs["nr_throttled"], cs["throttled_usec"] * 1000);
  if (!t.empty()) cpu["throttling"] = t;
  if (auto psi = sys::read_file(dir + "/cpu.pressure")) cpu["psi"] = parse_psi(*psi);

  OJson cpuset = empty_cpuset();
  if (auto eff = sys::read_file(dir + "/cpuset.cpus.effective")) {
    auto cpus = parse_cpuset_list(*eff);
    auto mems = parse_cpuset_list(sys::read_file(dir + "/cpuset.mems.effective").value_or(""));
    OJson c;
    if (!cpus.empty()) c["cpus"] = cpus;
    c["cpu_exclusive"] = 0;
    if (!mems.empty()) c["mems"] = mems;
    for (const char* k : {"mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                          "memory_spread_slab", "memory_pressure", "sched_load_balance", "sched_relax_domain_level"})
      c[k] = 0;
    cpuset = c;
  }

  OJson memory = OJson::object();
  if (auto stat = sys::read_file(dir + "/memory.stat")) {
    auto raw = parse_flat_keyed(*stat);
    put_nz(memory, "cache", raw["file"]);
    auto events = parse_flat_keyed(sys::read_file(dir + "/memory.events").value_or(""));
    uint64_t usage = u64(dir, "memory.current"), limit = u64(dir, "memory.max");
    memory["usage"] = memory_entry(limit, usage, u64(dir, "memory.peak"), events["max"]);
    // v1 reports swap as memory+swap: do the same.
    if (auto sw = read_u64(dir, "memory.swap.current")) {
      uint64_t slimit = u64(dir, "memory.swap.max");
      if (slimit != kMax) slimit += limit;
      memory["swap"] = memory_entry(slimit, *sw + usage, 0, 0);
    }
    memory["raw"] = raw;
    if (auto psi = sys::read_file(dir + "/memory.pressure")) memory["psi"] = parse_psi(*psi);
    // orun's own: the OOM counters (v2 has no under_oom: no disabled killer).
    OJson oom = OJson::object();
    for (const char* k : {"oom", "oom_kill", "oom_group_kill", "max"})
      if (events.count(k)) oom[k] = events[k];
    if (!oom.empty() && oom_counters == OomCounters::include) memory["oom_events"] = oom;
  }

  OJson pids = OJson::object();
  if (auto cur = read_u64(dir, "pids.current")) {
    put_nz(pids, "current", *cur);
    uint64_t limit = u64(dir, "pids.max");
    put_nz(pids, "limit", limit == kMax ? 0 : limit);
  } else {
    // No pids controller: count the processes.
    std::istringstream in(sys::read_file(dir + "/cgroup.procs").value_or(""));
    uint64_t n = 0;
    for (std::string l; std::getline(in, l);) n += !l.empty();
    put_nz(pids, "current", n);
  }

  OJson blkio = OJson::object();
  if (auto io = sys::read_file(dir + "/io.stat")) {
    auto [bytes, ios] = parse_io_stat(*io);
    if (!bytes.empty()) blkio["ioServiceBytesRecursive"] = bytes;
    if (!ios.empty()) blkio["ioServicedRecursive"] = ios;
  }
  if (auto psi = sys::read_file(dir + "/io.pressure")) blkio["psi"] = parse_psi(*psi);

  OJson hugetlb = OJson::object();
  for (auto& size : hugepage_sizes()) {
    std::string p = "hugetlb." + size;
    auto cur = read_u64(dir, p + ".current");
    if (!cur) continue;
    OJson e;
    put_nz(e, "usage", *cur);
    e["failcnt"] = parse_flat_keyed(sys::read_file(dir + "/" + p + ".events").value_or(""))["max"];
    hugetlb[size] = e;
  }
  return finish(cpu, cpuset, memory, pids, blkio, hugetlb);
}

}  // namespace

std::map<std::string, uint64_t> parse_flat_keyed(const std::string& content) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string key, value;
    if (!(l >> key >> value)) continue;
    if (value == "max") {
      out[key] = kMax;
      continue;
    }
    char* end = nullptr;
    uint64_t v = std::strtoull(value.c_str(), &end, 10);
    if (*end == '\0' && value[0] != '-') out[key] = v;
  }
  return out;
}

std::vector<uint16_t> parse_cpuset_list(const std::string& s) {
  std::vector<uint16_t> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    while (!part.empty() && (part.back() == '\n' || part.back() == ' ')) part.pop_back();
    if (part.empty()) continue;
    auto dash = part.find('-');
    unsigned long a = std::strtoul(part.c_str(), nullptr, 10);
    unsigned long b = dash == std::string::npos ? a : std::strtoul(part.c_str() + dash + 1, nullptr, 10);
    for (unsigned long i = a; i <= b && i < 65536; i++) out.push_back(static_cast<uint16_t>(i));
  }
  return out;
}

OJson parse_psi(const std::string& content) {
  OJson psi = OJson::object();
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string kind;
    l >> kind;
    if (kind != "some" && kind != "full") continue;
    OJson d;
    d["avg10"] = 0.0;
    d["avg60"] = 0.0;
    d["avg300"] = 0.0;
    d["total"] = 0;
    for (std::string kv; l >> kv;) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
      if (k == "total") d["total"] = std::strtoull(v.c_str(), nullptr, 10);
      else if (k == "avg10" || k == "avg60" || k == "avg300") d[k] = std::strtod(v.c_str(), nullptr);
    }
    psi[kind] = d;
  }
  return psi;
}

OJson parse_blkio_v1(const std::string& content) {
  OJson out = OJson::array();
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    for (char& c : line)
      if (c == ':') c = ' ';
    std::istringstream l(line);
    std::vector<std::string> f;
    for (std::string w; l >> w;) f.push_back(w);
    if (f.size() < 3) continue;  // "Total N"
    OJson e;
    uint64_t major = std::strtoull(f[0].c_str(), nullptr, 10), minor = std::strtoull(f[1].c_str(), nullptr, 10);
    std::string op = f.size() == 4 ? f[2] : "";
    uint64_t value = std::strtoull(f.back().c_str(), nullptr, 10);
    put_nz(e, "major", major);
    put_nz(e, "minor", minor);
    if (!op.empty()) e["op"] = op;
    put_nz(e, "value", value);
    out.push_back(e);
  }
  return out;
}

std::pair<OJson, OJson> parse_io_stat(const std::string& content) {
  OJson bytes = OJson::array(), ios = OJson::array();
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string dev;
    if (!(l >> dev)) continue;
    auto colon = dev.find(':');
    if (colon == std::string::npos) continue;
    uint64_t major = std::strtoull(dev.c_str(), nullptr, 10), minor = std::strtoull(dev.c_str() + colon + 1, nullptr, 10);
    auto entry = [&](const char* op, uint64_t v) {
      OJson e;
      put_nz(e, "major", major);
      put_nz(e, "minor", minor);
      e["op"] = op;
      put_nz(e, "value", v);
      return e;
    };
    for (std::string kv; l >> kv;) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string k = kv.substr(0, eq);
      uint64_t v = std::strtoull(kv.c_str() + eq + 1, nullptr, 10);
      if (k == "rbytes") bytes.push_back(entry("Read", v));
      else if (k == "wbytes") bytes.push_back(entry("Write", v));
      else if (k == "rios") ios.push_back(entry("Read", v));
      else if (k == "wios") ios.push_back(entry("Write", v));
    }
  }
  return {bytes, ios};
}

std::string hugepage_size_name(const std::string& dir_name) {
  // hugepages-2048kB -> 2MB, hugepages-1048576kB -> 1GB
  std::string n = dir_name.substr(dir_name.find('-') + 1);
  uint64_t kb = std::strtoull(n.c_str(), nullptr, 10);
  const char* units[] = {"KB", "MB", "GB", "TB", "PB"};
  int i = 0;
  while (kb >= 1024 && kb % 1024 == 0 && i < 4) {
    kb /= 1024;
    i++;
  }
  return std::to_string(kb) + units[i];
}

Result<OJson> collect_stats(const std::map<std::string, std::string>& paths, OomCounters oom_counters) {
  // No cgroup at all (a rootless container left in orun's): runc's fs
  // GetStats skips every hierarchy and reports the empty stats.
  bool v2 = paths.count("") && paths.size() == 1;
  return v2 ? stats_v2(paths.at(""), oom_counters) : stats_v1(paths, oom_counters);
}

}  // namespace orun::cgroups
