// The systemd driver's names: `slice:prefix:name` cgroupsPath parsing, the
// unit name, and slice expansion, as runc 1.5.1 (specconv's
// createCgroupConfigSystemd, opencontainers/cgroups/systemd's ExpandSlice and
// getUnitName). Pure functions.
#pragma once

#include <string>

#include "orun/result.hpp"

namespace orun::cgroups::systemd {

struct UnitPath {
  std::string parent;  // the slice; empty means the driver's default
  std::string prefix;  // the scope prefix
  std::string name;    // the container's cgroup name
};

// An empty cgroupsPath is {"", "runc", id}; otherwise exactly three parts,
// each possibly empty, else runc's `expected cgroupsPath to be of format
// "slice:prefix:name" for systemd cgroups, got "X" instead`.
Result<UnitPath> parse_unit_path(const std::string& cgroups_path, const std::string& id);

// The parent slice when none is given: system.slice, user.slice rootless.
std::string default_slice(bool rootless);

// "<prefix>-<name>.scope", or name itself when it ends in ".slice".
std::string unit_name(const UnitPath& p);
bool is_slice_unit(const std::string& unit);

// "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", "-.slice" -> "/";
// `invalid slice name: X` when X does not end in ".slice" (or is just
// ".slice"), contains '/', or has an empty dash-separated component.
Result<std::string> expand_slice(const std::string& slice);

// The unit's cgroup path below the hierarchy root:
// expand_slice(parent or default) + "/" + unit_name.
Result<std::string> unit_cgroup_path(const UnitPath& p, bool rootless);

}  // namespace orun::cgroups::systemd
