#include "security/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <set>

namespace orun::security {

namespace {

const std::vector<std::string>& known_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; ++c) {
      char* n = cap_to_name(c);
      if (!n) break;
      std::string s(n);
      cap_free(n);
      // libcap prints capabilities it has no name for as plain numbers.
      if (s.rfind("cap_", 0) != 0) break;
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      out.push_back(std::move(s));
    }
    return out;
  }();
  return names;
}

std::vector<int> to_numbers(const std::vector<std::string>& names, int last_cap, std::set<std::string>& unknown) {
  std::vector<int> out;
  for (const auto& n : names) {
    auto c = capability_from_name(n);
    if (!c || *c > last_cap) {
      unknown.insert(n);
      continue;
    }
    out.push_back(*c);
  }
  return out;
}

bool setpcap_effective() {
  cap_t cur = cap_get_proc();
  if (!cur) return false;
  cap_flag_value_t v = CAP_CLEAR;
  cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &v);
  cap_free(cur);
  return v == CAP_SET;
}

Result<void> drop_bounding(const std::vector<int>& keep, int last_cap) {
  if (!setpcap_effective()) return {};
  for (int c = 0; c <= last_cap; ++c) {
    if (std::find(keep.begin(), keep.end(), c) != keep.end()) continue;
    if (cap_get_bound(c) != 1) continue;  // already dropped
    if (cap_drop_bound(c) < 0) {
      if (errno == EINVAL) break;  // beyond what this kernel knows
      return fail_errno("unable to apply bounding set");
    }
  }
  return {};
}

}  // namespace

std::optional<int> capability_from_name(std::string_view name) {
  const auto& names = known_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::string capability_name(int cap) {
  const auto& names = known_names();
  if (cap < 0 || static_cast<size_t>(cap) >= names.size()) return {};
  return names[static_cast<size_t>(cap)];
}

std::vector<std::string> all_capability_names() { return known_names(); }

int last_supported_capability() {
  static const int last = [] {
    std::ifstream in("/proc/sys/kernel/cap_last_cap");
    int v = -1;
    if (in >> v && v >= 0) return v;
    // cap_max_bits probes the bounding set when procfs is not readable.
    return static_cast<int>(cap_max_bits()) - 1;
  }();
  return last;
}

CapabilitySets resolve_capabilities(const spec::Capabilities& caps, int last_cap) {
  std::set<std::string> unknown;
  CapabilitySets s;
  s.bounding = to_numbers(caps.bounding, last_cap, unknown);
  s.effective = to_numbers(caps.effective, last_cap, unknown);
  s.inheritable = to_numbers(caps.inheritable, last_cap, unknown);
  s.permitted = to_numbers(caps.permitted, last_cap, unknown);
  s.ambient = to_numbers(caps.ambient, last_cap, unknown);
  s.unknown.assign(unknown.begin(), unknown.end());
  s.last_cap = last_cap;
  return s;
}

CapabilitySets capability_sets(const spec::Capabilities& caps) {
  return resolve_capabilities(caps, last_supported_capability());
}

std::string unknown_capabilities_warning(const std::vector<std::string>& unknown) {
  std::string msg = "ignoring unknown or unavailable capabilities: [";
  for (size_t i = 0; i < unknown.size(); ++i) {
    if (i) msg += ' ';
    msg += unknown[i];
  }
  return msg + "]";
}

Result<void> drop_bounding_set(const CapabilitySets& s, const WarnFn& warn) {
  if (!s.unknown.empty() && warn) warn(unknown_capabilities_warning(s.unknown));
  return drop_bounding(s.bounding, s.last_cap);
}

Result<void> apply_capabilities(const CapabilitySets& s, const WarnFn& warn) {
  const int last = s.last_cap;

  // runc re-applies the bounding set here too; it is a no-op after
  // drop_bounding_set, or skipped once CAP_SETPCAP is no longer effective.
  if (auto r = drop_bounding(s.bounding, last); !r)
    return std::unexpected(std::move(r.error()).context("unable to apply caps"));

  // Start from an empty state so nothing is kept that was not asked for; in
  // particular the inheritable set (CVE-2022-29162).
  cap_t want = cap_init();
  if (!want) return fail_errno("unable to apply caps: cap_init");
  auto set = [&](const std::vector<int>& list, cap_flag_t flag) {
    if (list.empty()) return;
    std::vector<cap_value_t> v(list.begin(), list.end());
    cap_set_flag(want, flag, static_cast<int>(v.size()), v.data(), CAP_SET);
  };
  set(s.effective, CAP_EFFECTIVE);
  set(s.permitted, CAP_PERMITTED);
  set(s.inheritable, CAP_INHERITABLE);
  int rc = cap_set_proc(want);
  int e = errno;
  cap_free(want);
  if (rc < 0) return fail("unable to apply caps: can't apply capabilities: " + errno_text(e), e);

  // EINVAL: the kernel has no ambient capabilities (< 4.3); nothing to clear.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return fail_errno("unable to apply caps");
  for (int c : s.ambient) {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && warn) {
      int err = errno;
      warn("can't raise ambient capability " + capability_name(c) + ": " + errno_text(err));
    }
  }
  return {};
}

}  // namespace orun::security
