#include "cgroups/systemd/unit_name.hpp"

#include "sys/go_text.hpp"

namespace orun::cgroups::systemd {

namespace {

constexpr std::string_view kSliceSuffix = ".slice";

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<UnitPath> parse_unit_path(const std::string& cgroups_path, const std::string& id) {
  if (cgroups_path.empty()) return UnitPath{"", "runc", id};
  UnitPath p;
  std::string* parts[] = {&p.parent, &p.prefix, &p.name};
  size_t n = 0, start = 0;
  for (;;) {
    size_t colon = cgroups_path.find(':', start);
    std::string part = cgroups_path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (n < 3) *parts[n] = part;
    ++n;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (n != 3)
    return fail("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got " +
                sys::go_quote(cgroups_path) + " instead");
  return p;
}

std::string default_slice(bool rootless) { return rootless ? "user.slice" : "system.slice"; }

bool is_slice_unit(const std::string& unit) { return ends_with(unit, kSliceSuffix); }

std::string unit_name(const UnitPath& p) {
  if (is_slice_unit(p.name)) return p.name;
  return p.prefix + "-" + p.name + ".scope";
}

Result<std::string> expand_slice(const std::string& slice) {
  auto invalid = [&] { return fail("invalid slice name: " + slice); };
  if (slice.size() < kSliceSuffix.size() || !ends_with(slice, kSliceSuffix)) return invalid();
  if (slice.find('/') != std::string::npos) return invalid();
  std::string base = slice.substr(0, slice.size() - kSliceSuffix.size());
  if (base == "-") return std::string("/");
  std::string path, prefix;
  size_t start = 0;
  for (;;) {
    size_t dash = base.find('-', start);
    std::string component = base.substr(start, dash == std::string::npos ? std::string::npos : dash - start);
    // "a--b.slice", "-a.slice", "a-.slice" and ".slice" have an empty one.
    if (component.empty()) return invalid();
    path += "/" + prefix + component + std::string(kSliceSuffix);
    prefix += component + "-";
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  return path;
}

Result<std::string> unit_cgroup_path(const UnitPath& p, bool rootless) {
  auto slice = ORUN_TRY(expand_slice(p.parent.empty() ? default_slice(rootless) : p.parent));
  return (slice == "/" ? "" : slice) + "/" + unit_name(p);
}

}  // namespace orun::cgroups::systemd
