// The range and syntax checks on linux.resources that runc leaves to the
// kernel: made once, before anything is written, naming the field.
#include <cctype>
#include <string>

#include "orun/resources.hpp"

namespace orun::spec {

namespace {

bool valid_page_size(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++;
  if (i == 0 || s.size() != i + 2) return false;
  return (s[i] == 'K' || s[i] == 'M' || s[i] == 'G') && s[i + 1] == 'B';
}

}  // namespace

Result<void> validate_resources(const Resources& r, const std::string& where) {
  auto mem = [&](const std::optional<int64_t>& v, const char* name) -> Result<void> {
    if (v.value_or(0) < -1)
      return fail(where + ".memory." + name + ": invalid value " + std::to_string(*v) + " (use -1 for unlimited)");
    return {};
  };
  ORUN_TRY_VOID(mem(r.memory.limit, "limit"));
  ORUN_TRY_VOID(mem(r.memory.reservation, "reservation"));
  ORUN_TRY_VOID(mem(r.memory.swap, "swap"));
  const auto& cpu = r.cpu;
  if (cpu.quota.value_or(0) < -1)
    return fail(where + ".cpu.quota: invalid value " + std::to_string(*cpu.quota) + " (use -1 for unlimited)");
  // The kernel's CFS bounds (1ms..1s) for both cgroup versions.
  uint64_t period = cpu.period.value_or(0);
  if (period != 0 && (period < 1000 || period > 1000000))
    return fail(where + ".cpu.period: " + std::to_string(period) + " is out of range (1000-1000000)");
  if (cpu.idle && *cpu.idle != 0 && *cpu.idle != 1)
    return fail(where + ".cpu.idle: invalid value " + std::to_string(*cpu.idle) + " (must be 0 or 1)");
  if (!valid_cpuset(cpu.cpus)) return fail(where + ".cpu.cpus: invalid cpuset \"" + cpu.cpus + "\"");
  if (!valid_cpuset(cpu.mems)) return fail(where + ".cpu.mems: invalid cpuset \"" + cpu.mems + "\"");
  auto weight = [&](const std::optional<uint16_t>& v, const std::string& name) -> Result<void> {
    uint16_t w = v.value_or(0);
    if (w != 0 && (w < 10 || w > 1000))
      return fail(where + ".blockIO." + name + ": " + std::to_string(w) + " is out of range (10-1000)");
    return {};
  };
  const auto& bio = r.block_io;
  ORUN_TRY_VOID(weight(bio.weight, "weight"));
  ORUN_TRY_VOID(weight(bio.leaf_weight, "leafWeight"));
  for (size_t i = 0; i < bio.weight_device.size(); i++) {
    ORUN_TRY_VOID(weight(bio.weight_device[i].weight, "weightDevice[" + std::to_string(i) + "].weight"));
    ORUN_TRY_VOID(weight(bio.weight_device[i].leaf_weight, "weightDevice[" + std::to_string(i) + "].leafWeight"));
  }
  for (size_t i = 0; i < r.hugepage_limits.size(); i++)
    if (!valid_page_size(r.hugepage_limits[i].page_size))
      return fail(where + ".hugepageLimits[" + std::to_string(i) + "].pageSize: invalid page size \"" +
                  r.hugepage_limits[i].page_size + "\"");
  if (r.unified) {
    for (auto& [key, value] : *r.unified) {
      if (key.find('/') != std::string::npos)
        return fail("unified resource \"" + key + "\" must be a file name (no slashes)");
      auto dot = key.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
        return fail("unified resource \"" + key + "\" must be in the form CONTROLLER.PARAMETER");
    }
  }
  return {};
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

}  // namespace orun::spec
