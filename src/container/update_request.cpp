#include "container/update_request.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "orun/spec.hpp"

namespace orun::container {

namespace {

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
  auto r = ram_in_bytes(v);
  if (!r) return fail("invalid value for " + flag + ": " + r.error().msg);
  return *r;
}

Result<spec::Resources> from_document(const std::string& source) {
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
  return spec::parse_resources_document(text);
}

Result<spec::Resources> from_flags(const UpdateOptions& o) {
  spec::Resources r;
  auto& cpu = r.cpu;
  auto& mem = r.memory;
  if (o.blkio_weight) {
    int64_t w = ORUN_TRY(parse_int("blkio-weight", *o.blkio_weight));
    if (w < 0 || w > 65535) return fail("invalid value for blkio-weight: " + *o.blkio_weight);
    if (w != 0) r.block_io.weight = static_cast<uint16_t>(w);
  }
  if (o.cpuset_cpus && !o.cpuset_cpus->empty()) cpu.cpus = *o.cpuset_cpus;
  if (o.cpuset_mems && !o.cpuset_mems->empty()) cpu.mems = *o.cpuset_mems;
  if (o.cpu_idle && !o.cpu_idle->empty()) cpu.idle = ORUN_TRY(parse_int("cpu-idle", *o.cpu_idle));
  auto u = [&](const char* flag, const std::optional<std::string>& v, std::optional<uint64_t>& dst) -> Result<void> {
    if (v && !v->empty()) dst = ORUN_TRY(parse_uint(flag, *v));
    return {};
  };
  ORUN_TRY_VOID(u("cpu-burst", o.cpu_burst, cpu.burst));
  ORUN_TRY_VOID(u("cpu-period", o.cpu_period, cpu.period));
  ORUN_TRY_VOID(u("cpu-rt-period", o.cpu_rt_period, cpu.realtime_period));
  ORUN_TRY_VOID(u("cpu-share", o.cpu_share, cpu.shares));
  auto i = [&](const char* flag, const std::optional<std::string>& v, std::optional<int64_t>& dst) -> Result<void> {
    if (v && !v->empty()) dst = ORUN_TRY(parse_int(flag, *v));
    return {};
  };
  ORUN_TRY_VOID(i("cpu-quota", o.cpu_quota, cpu.quota));
  ORUN_TRY_VOID(i("cpu-rt-runtime", o.cpu_rt_runtime, cpu.realtime_runtime));
  auto b = [&](const char* flag, const std::optional<std::string>& v, std::optional<int64_t>& dst) -> Result<void> {
    if (v && !v->empty()) dst = ORUN_TRY(parse_bytes(flag, *v));
    return {};
  };
  ORUN_TRY_VOID(b("memory", o.memory, mem.limit));
  ORUN_TRY_VOID(b("memory-swap", o.memory_swap, mem.swap));
  ORUN_TRY_VOID(b("kernel-memory", o.kernel_memory, mem.kernel));
  ORUN_TRY_VOID(b("kernel-memory-tcp", o.kernel_memory_tcp, mem.kernel_tcp));
  ORUN_TRY_VOID(b("memory-reservation", o.memory_reservation, mem.reservation));
  if (o.pids_limit) r.pids.limit = ORUN_TRY(parse_int("pids-limit", *o.pids_limit));
  return r;
}

}  // namespace

Result<spec::Resources> update_request(const UpdateOptions& o) {
  return o.resources.empty() ? from_flags(o) : from_document(o.resources);
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
  double v = std::strtod(num.c_str(), nullptr) * mult;
  // Converting a double past INT64_MAX is undefined behaviour (found by
  // tests/fuzz: "13372929223372337215"); Go's int64() gives INT64_MIN there,
  // which no cgroup file takes either: refuse it.
  if (!(v < 9223372036854775808.0)) return fail("invalid size: '" + s + "': value out of range");
  return static_cast<int64_t>(v);
}

}  // namespace orun::container
