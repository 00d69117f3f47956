// update: change a running container's cgroup limits (runc's semantics:
// the request is merged into the container's resources, the whole set is
// applied again except the device rules, and a failure puts the old set back).
#include "cgroups/apply.hpp"
#include "container/lifecycle.hpp"
#include "container/update_request.hpp"
#include "orun/commands.hpp"
#include "orun/cgroups.hpp"
#include "orun/log.hpp"
#include "orun/spec.hpp"

namespace orun::commands {

Result<int> update(const GlobalOptions& g, const UpdateOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto lock = ORUN_TRY(container::Lock::acquire(container::state_dir(g.root, o.id)));
  auto s = ORUN_TRY(container::load(g.root, o.id));

  spec::Resources req = ORUN_TRY(container::update_request(o));
  if (spec::has_kernel_memory(req)) log::warn("Kernel memory settings are ignored and will be removed");
  // orun has no Intel RDT support, so a schema can never be applied.
  if (o.resources.empty()) {
    if (o.l3_cache_schema && !o.l3_cache_schema->empty()) return fail("Intel RDT/CAT: l3 cache schema is not enabled");
    if (o.mem_bw_schema && !o.mem_bw_schema->empty())
      return fail("Intel RDT/MBA: memory bandwidth schema is not enabled");
  }

  if (container::status_of(g.root, s) == container::Status::stopped) return fail("container not running");

  // The container's config as create stored it (and earlier updates changed it).
  spec::Spec cfg = ORUN_TRY(s.config_spec());
  spec::Resources cur = spec::configured_resources(cfg.linux.resources);
  spec::Resources next = spec::merge_update(cur, req);
  ORUN_TRY_VOID(spec::validate_resources(next, "resources"));

  auto layout = cgroups::layout_of(s.cgroup_paths);
  std::vector<std::string> devices;
  for (auto& d : cfg.linux.devices) devices.push_back(d.path);
  // The systemd driver: SetUnitProperties, then the same files.
  auto cg = cgroups::Manager::from_paths(s.cgroup_paths, s.cgroup_unit);
  auto apply = [&](const spec::Resources& r) -> Result<void> {
    if (!cg.unit().empty()) return cg.set_systemd(r, devices, /*skip_devices=*/true);
    return cgroups::set_resources(layout, s.cgroup_paths, r, devices, /*skip_devices=*/true);
  };
  if (auto r = apply(next); !r) {
    if (auto back = apply(cur); !back)
      log::warn("Setting back cgroup configs failed due to error: " + back.error().msg +
                ", your state.json and actual configs might be inconsistent.");
    return std::unexpected(r.error());
  }
  s.set_resources(next);
  ORUN_TRY_VOID(container::save(g.root, s));
  return 0;
}

}  // namespace orun::commands
