// The executor: a Plan written to the container's cgroup files, and the
// whole Set step (probe the host, plan, write, attach the device program).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cgroups/plan.hpp"

namespace orun::cgroups {

// The container's cgroup dirs seen through the Probe interface.
class FsProbe : public Probe {
 public:
  FsProbe(Layout layout, const std::map<std::string, std::string>& paths) : layout_(layout), paths_(paths) {}
  bool has(const std::string& ctrl) const override;
  bool exists(const std::string& ctrl, const std::string& file) const override;
  std::optional<std::string> read(const std::string& ctrl, const std::string& file) const override;
  std::string dir(const std::string& ctrl) const;

 private:
  Layout layout_;
  const std::map<std::string, std::string>& paths_;
};

// runc's Manager.Set: applies `r`, and its device rules unless
// `skip_devices` (update). `config_device_paths` are linux.devices[].path
// (they replace defaults).
Result<void> set_resources(Layout layout, const std::map<std::string, std::string>& paths, const spec::Resources& r,
                           const std::vector<std::string>& config_device_paths, bool skip_devices = false);

Result<void> execute(const Plan& p, Layout layout, const std::map<std::string, std::string>& paths);

// The layout the container's paths were made for (state.json has no field:
// a "" entry next to v1 controllers is hybrid).
Layout layout_of(const std::map<std::string, std::string>& paths);

}  // namespace orun::cgroups
