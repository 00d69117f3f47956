// update: change a running container's cgroup limits (runc's semantics:
// the request is merged into the container's resources, the whole set is
// applied again except the device rules, and a failure puts the old set back).
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cgroups/apply.hpp"
#include "cgroups/resources.hpp"
#include "container/lifecycle.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "orun/spec.hpp"

namespace orun::commands {

namespace {

using cgroups::OciResources;

// strconv's wording, which runc shows: `invalid value for cpu-period:
// strconv.ParseUint: parsing "x": invalid syntax`.
Result<uint64_t> parse_uint(const std::string& flag, const std::string& v) {
  errno = 0;
  char* end = nullptr;
  bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
  unsigned long long n = digits ? std::strtoull(v.c_str(), &end, 10) : 0;
  if (!digits) return fail("invalid value for " + flag + ": strconv.ParseUint: parsing \"" + v + "\": invalid syntax");
  if (errno == ERANGE)
    return fail("invalid value for " + flag + ": strconv.ParseUint: parsing \"" + v + "\": value out of range");
  return n;
}

Result<int64_t> parse_int(const std::string& flag, const std::string& v) {
  errno = 0;
  char* end = nullptr;
  long long n = v.empty() ? 0 : std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || v[0] == ' ' || v[0] == '+')
    return fail("invalid value for " + flag + ": strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
  if (errno == ERANGE)
    return fail("invalid value for " + flag + ": strconv.ParseInt: parsing \"" + v + "\": value out of range");
  return n;
}

Result<int64_t> parse_bytes(const std::string& flag, const std::string& v) {
  if (v == "-1") return -1;
  auto r = cgroups::ram_in_bytes(v);
  if (!r) return fail("invalid value for " + flag + ": " + r.error().msg);
  return *r;
}

Result<OciResources> from_document(const std::string& source) {
  std::string text;
  if (source == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream f(source);
    if (!f) return fail_errno("open " + source);
    std::stringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail("invalid resources document: not valid JSON");
  // A NUL would cut a cgroup file name or value short (unified keys).
  ORUN_TRY_VOID(spec::reject_nul_bytes(j, "resources"));
  return cgroups::parse_oci(j, "resources");
}

Result<OciResources> from_flags(const UpdateOptions& o) {
  OciResources r;
  r.memory.emplace();
  r.cpu.emplace();
  r.block_io.emplace();
  if (o.blkio_weight) {
    int64_t w = ORUN_TRY(parse_int("blkio-weight", *o.blkio_weight));
    if (w < 0 || w > 65535) return fail("invalid value for blkio-weight: " + *o.blkio_weight);
    if (w != 0) r.block_io->weight = static_cast<uint16_t>(w);
  }
  if (o.cpuset_cpus && !o.cpuset_cpus->empty()) r.cpu->cpus = *o.cpuset_cpus;
  if (o.cpuset_mems && !o.cpuset_mems->empty()) r.cpu->mems = *o.cpuset_mems;
  if (o.cpu_idle && !o.cpu_idle->empty()) r.cpu->idle = ORUN_TRY(parse_int("cpu-idle", *o.cpu_idle));
  auto u = [&](const char* flag, const std::optional<std::string>& v, std::optional<uint64_t>& dst) -> Result<void> {
    if (v && !v->empty()) dst = ORUN_TRY(parse_uint(flag, *v));
    return {};
  };
  ORUN_TRY_VOID(u("cpu-burst", o.cpu_burst, r.cpu->burst));
  ORUN_TRY_VOID(u("cpu-period", o.cpu_period, r.cpu->period));
  ORUN_TRY_VOID(u("cpu-rt-period", o.cpu_rt_period, r.cpu->realtime_period));
  ORUN_TRY_VOID(u("cpu-share", o.cpu_share, r.cpu->shares));
  auto i = [&](const char* flag, const std::optional<std::string>& v, std::optional<int64_t>& dst) -> Result<void> {
    if (v && !v->empty()) dst = ORUN_TRY(parse_int(flag, *v));
    return {};
  };
  ORUN_TRY_VOID(i("cpu-quota", o.cpu_quota, r.cpu->quota));
  ORUN_TRY_VOID(i("cpu-rt-runtime", o.cpu_rt_runtime, r.cpu->realtime_runtime));
  auto b = [&](const char* flag, const std::optional<std::string>& v, std::optional<int64_t>& dst) -> Result<void> {
    if (v && !v->empty()) dst = ORUN_TRY(parse_bytes(flag, *v));
    return {};
  };
  ORUN_TRY_VOID(b("memory", o.memory, r.memory->limit));
  ORUN_TRY_VOID(b("memory-swap", o.memory_swap, r.memory->swap));
  ORUN_TRY_VOID(b("kernel-memory", o.kernel_memory, r.memory->kernel));
  ORUN_TRY_VOID(b("kernel-memory-tcp", o.kernel_memory_tcp, r.memory->kernel_tcp));
  ORUN_TRY_VOID(b("memory-reservation", o.memory_reservation, r.memory->reservation));
  if (o.pids_limit) r.pids = ORUN_TRY(parse_int("pids-limit", *o.pids_limit));
  return r;
}

std::vector<std::string> config_device_paths(const nlohmann::json& config) {
  std::vector<std::string> out;
  if (!config.is_object() || !config.contains("linux") || !config["linux"].is_object()) return out;
  const auto& l = config["linux"];
  if (l.contains("devices") && l["devices"].is_array())
    for (auto& d : l["devices"])
      if (d.is_object() && d.contains("path") && d["path"].is_string()) out.push_back(d["path"].get<std::string>());
  return out;
}

nlohmann::json current_resources(const nlohmann::json& config) {
  if (config.is_object() && config.contains("linux") && config["linux"].is_object() &&
      config["linux"].contains("resources"))
    return config["linux"]["resources"];
  return nullptr;
}

}  // namespace

Result<int> update(const GlobalOptions& g, const UpdateOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto lock = ORUN_TRY(container::Lock::acquire(container::state_dir(g.root, o.id)));
  auto s = ORUN_TRY(container::load(g.root, o.id));

  OciResources req = o.resources.empty() ? ORUN_TRY(from_flags(o)) : ORUN_TRY(from_document(o.resources));
  if (req.memory && (req.memory->kernel || req.memory->kernel_tcp))
    log::warn("Kernel memory settings are ignored and will be removed");
  // orun has no Intel RDT support, so a schema can never be applied.
  if (o.resources.empty()) {
    if (o.l3_cache_schema && !o.l3_cache_schema->empty()) return fail("Intel RDT/CAT: l3 cache schema is not enabled");
    if (o.mem_bw_schema && !o.mem_bw_schema->empty())
      return fail("Intel RDT/MBA: memory bandwidth schema is not enabled");
  }

  if (container::status_of(g.root, s) == container::Status::stopped) return fail("container not running");

  auto cur_oci = ORUN_TRY(cgroups::parse_oci(current_resources(s.config)));
  cgroups::Resources cur = ORUN_TRY(cgroups::from_oci(cur_oci));
  cgroups::Resources next = cgroups::merge_update(cur, req);
  ORUN_TRY_VOID(cgroups::validate(next, "resources"));

  auto layout = cgroups::layout_of(s.cgroup_paths);
  auto devices = config_device_paths(s.config);
  if (auto r = cgroups::set_resources(layout, s.cgroup_paths, next, devices); !r) {
    cur.skip_devices = true;
    if (auto back = cgroups::set_resources(layout, s.cgroup_paths, cur, devices); !back)
      log::warn("Setting back cgroup configs failed due to error: " + back.error().msg +
                ", your state.json and actual configs might be inconsistent.");
    return std::unexpected(r.error());
  }
  next.skip_devices = false;
  if (!s.config.is_object()) s.config = nlohmann::json::object();
  if (!s.config.contains("linux") || !s.config["linux"].is_object()) s.config["linux"] = nlohmann::json::object();
  s.config["linux"]["resources"] = cgroups::to_oci(next);
  ORUN_TRY_VOID(container::save(g.root, s));
  return 0;
}

}  // namespace orun::commands
