#include "init/mount_idmap.hpp"

#include "init/mount_plan.hpp"
#include "sys/mount_api.hpp"

namespace orun::init {

std::string format_id_map(const std::vector<spec::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return out;
}

Result<std::map<size_t, UniqueFd>> prepare_idmapped_mounts(const spec::Spec& s, const std::string& bundle,
                                                           int container_userns_fd) {
  std::map<size_t, UniqueFd> out;
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    auto plan = ORUN_TRY(plan_mount(s.mounts[i], bundle));
    if (!plan.idmapped()) continue;
    UniqueFd own_ns;
    int ns = container_userns_fd;
    if (!plan.uid_mappings.empty() || !plan.gid_mappings.empty()) {
      own_ns = ORUN_TRY(sys::userns_with_maps(format_id_map(plan.uid_mappings), format_id_map(plan.gid_mappings)));
      ns = own_ns.get();
    }
    if (ns < 0) return fail("id-mapped mount " + plan.destination + ": no user namespace to map with");
    // rbind clones the whole tree; ridmap maps all of it, idmap (or
    // mappings alone) only the top mount.
    auto tree = sys::open_idmapped_tree(plan.source, plan.recursive_bind(), plan.opts.idmap_recursive, ns);
    if (!tree) return std::unexpected(std::move(tree.error()).context("id-mapped mount " + plan.destination));
    out.emplace(i, std::move(*tree));
  }
  return out;
}

}  // namespace orun::init
