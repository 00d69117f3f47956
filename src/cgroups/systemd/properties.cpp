#include "cgroups/systemd/properties.hpp"

#include "sys/go_text.hpp"

namespace orun::cgroups::systemd {

namespace {

constexpr uint64_t kDefaultCpuPeriod = 100000;

// Go's strconv.ParseUint(s, 10, 32) with its error texts.
Result<uint64_t> parse_uint32(const std::string& s) {
  auto syntax = [&] { return fail("strconv.ParseUint: parsing " + sys::go_quote(s) + ": invalid syntax"); };
  if (s.empty()) return syntax();
  uint64_t v = 0;
  bool range = false;
  for (char c : s) {
    if (c < '0' || c > '9') return syntax();
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) {
      range = true;
      v = UINT32_MAX;
    }
  }
  if (range) return fail("strconv.ParseUint: parsing " + sys::go_quote(s) + ": value out of range");
  return v;
}

std::string trim_space(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r\v\f");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n\r\v\f");
  return s.substr(b, e - b + 1);
}

}  // namespace

CpuQuotaProperties cpu_quota_properties(int64_t quota, uint64_t period, int systemd_version) {
  CpuQuotaProperties out;
  out.quota = quota;
  if (period != 0 && systemd_version >= 242) out.properties.push_back({"CPUQuotaPeriodUSec", Value::u64(period)});
  if (quota == 0 && period == 0) return out;
  uint64_t per_sec = kUsecInfinity;
  if (quota > 0) {
    if (period == 0) period = kDefaultCpuPeriod;
    per_sec = static_cast<uint64_t>(quota) * 1000000 / period;
    if (per_sec % 10000 != 0) {
      per_sec = (per_sec / 10000 + 1) * 10000;
      out.quota = static_cast<int64_t>(per_sec) * static_cast<int64_t>(period) / 1000000;
    }
  }
  out.properties.push_back({"CPUQuotaPerSecUSec", Value::u64(per_sec)});
  return out;
}

Result<std::vector<uint8_t>> range_to_bits(const std::string& list) {
  std::vector<uint8_t> bytes;
  auto set = [&](uint64_t bit) {
    if (bytes.size() <= bit / 8) bytes.resize(bit / 8 + 1, 0);
    bytes[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
  };
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    std::string r = trim_space(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!r.empty()) {
      size_t dash = r.find('-');
      if (dash != std::string::npos) {
        uint64_t lo = ORUN_TRY(parse_uint32(r.substr(0, dash)));
        uint64_t hi = ORUN_TRY(parse_uint32(r.substr(dash + 1)));
        if (lo > hi) return fail("invalid range: " + r);
        for (uint64_t i = lo; i <= hi; ++i) set(i);
      } else {
        set(ORUN_TRY(parse_uint32(r)));
      }
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (bytes.empty()) return fail("empty value");
  return bytes;
}

Result<std::vector<Property>> cpuset_properties(const std::string& cpus, const std::string& mems,
                                                int systemd_version) {
  std::vector<Property> out;
  if ((cpus.empty() && mems.empty()) || systemd_version < 244) return out;
  if (!cpus.empty()) {
    auto bits = range_to_bits(cpus);
    if (!bits) return fail("resources.CPU.Cpus=" + sys::go_quote(cpus) + " conversion error: " + bits.error().msg);
    out.push_back({"AllowedCPUs", Value::bytes(*bits)});
  }
  if (!mems.empty()) {
    auto bits = range_to_bits(mems);
    if (!bits) return fail("resources.CPU.Mems=" + sys::go_quote(mems) + " conversion error: " + bits.error().msg);
    out.push_back({"AllowedMemoryNodes", Value::bytes(*bits)});
  }
  return out;
}

Result<int> systemd_version_number(const std::string& version) {
  size_t b = version.find_first_not_of("\"v");
  std::string digits = b == std::string::npos ? "" : version.substr(b);
  size_t e = digits.find_first_not_of("0123456789");
  if (e != std::string::npos) digits.resize(e);
  if (digits.empty() || digits.size() > 9)
    return fail("can't parse version: strconv.Atoi: parsing " + sys::go_quote(digits) + ": invalid syntax");
  return std::stoi(digits);
}

}  // namespace orun::cgroups::systemd
