// runtime-spec rules that runc 1.5.1 does not enforce and orun does
// (docs/input-validation.md has the decision for each, with runc's code).
#include <string_view>

#include "orun/spec.hpp"
#include "spec/json_field.hpp"
#include "spec/validate_internal.hpp"

namespace orun::spec::detail {

namespace {

// SemVer 2.0.0 numeric identifier: digits, no leading zero unless "0".
bool numeric_id(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  return s.size() == 1 || s[0] != '0';
}

// Dot-separated identifiers of [0-9A-Za-z-]; pre-release numeric ones
// must not have a leading zero.
bool identifiers(std::string_view s, bool prerelease) {
  if (s.empty()) return false;
  for (;;) {
    size_t dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    if (id.empty()) return false;
    for (char ch : id) {
      bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                ch == '-';
      if (!ok) return false;
    }
    bool all_digits = id.find_first_not_of("0123456789") == std::string_view::npos;
    if (prerelease && all_digits && !numeric_id(id)) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

}  // namespace

bool is_semver(std::string_view v) {
  size_t plus = v.find('+');
  if (plus != std::string_view::npos) {
    if (!identifiers(v.substr(plus + 1), false)) return false;
    v = v.substr(0, plus);
  }
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (!identifiers(v.substr(dash + 1), true)) return false;
    v = v.substr(0, dash);
  }
  for (int part = 0; part < 3; ++part) {
    size_t dot = v.find('.');
    if ((part < 2) == (dot == std::string_view::npos)) return false;
    if (!numeric_id(v.substr(0, dot))) return false;
    v = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
  }
  return true;
}

// config.md: ociVersion is REQUIRED and MUST be SemVer 2.0.0. runc never
// looks at it; every engine writes it.
Result<void> check_oci_version(const Spec& s) {
  if (s.oci_version.empty())
    return fail("ociVersion must be set to the runtime-spec version of the config (e.g. \"1.3.0\")");
  if (!is_semver(s.oci_version))
    return fail("ociVersion " + go_quote(s.oci_version) + " is not a SemVer 2.0.0 version");
  return {};
}

// config-linux.md: a device's path is the "full path to device inside
// container"; runc joins a relative one to the rootfs without a word.
Result<void> check_device_paths(const Linux& l) {
  for (size_t i = 0; i < l.devices.size(); ++i) {
    const std::string& p = l.devices[i].path;
    std::string field = "linux.devices[" + std::to_string(i) + "].path";
    if (p.empty()) return fail(field + " must not be empty");
    if (p[0] != '/') return fail(field + " " + go_quote(p) + " must be an absolute path");
  }
  return {};
}

}  // namespace orun::spec::detail
