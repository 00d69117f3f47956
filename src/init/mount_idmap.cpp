#include "init/mount_idmap.hpp"

#include "init/mount_plan.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <cerrno>

namespace orun::init {

std::string format_id_map(const std::vector<spec::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return out;
}

Result<std::map<size_t, UniqueFd>> prepare_mount_sources(const spec::Spec& s, const std::string& bundle,
                                                         const std::string& rootfs, int container_userns_fd) {
  std::map<size_t, UniqueFd> out;
  bool userns = s.linux.has_namespace(spec::NamespaceType::user);
  UniqueFd container_ns;  // built lazily from the container's maps
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    auto plan = ORUN_TRY(plan_mount(s.mounts[i], bundle, rootfs));
    if (!plan.is_bind()) continue;
    if (!plan.idmapped()) {
      if (!userns || sys::is_lexically_in_root(rootfs, plan.source)) continue;
      UniqueFd tree(::open_tree(AT_FDCWD, plan.source.c_str(),
                                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (plan.recursive_bind() ? AT_RECURSIVE : 0)));
      // A missing source is reported by the init, with runc's wording.
      if (!tree) {
        if (errno == ENOENT) continue;
        return fail_errno("open_tree(OPEN_TREE_CLONE) " + plan.source);
      }
      out.emplace(i, std::move(tree));
      continue;
    }
    // Sources inside the rootfs may be earlier mounts of the container,
    // which only its mount ns has: the init builds those itself.
    if (sys::is_lexically_in_root(rootfs, plan.source)) continue;
    UniqueFd own_ns;
    int ns = container_userns_fd;
    if (!plan.uid_mappings.empty() || !plan.gid_mappings.empty()) {
      own_ns = ORUN_TRY(sys::userns_with_maps(format_id_map(plan.uid_mappings), format_id_map(plan.gid_mappings)));
      ns = own_ns.get();
    } else if (ns < 0) {
      if (!container_ns)
        container_ns = ORUN_TRY(sys::userns_with_maps(format_id_map(s.linux.uid_mappings),
                                                       format_id_map(s.linux.gid_mappings)));
      ns = container_ns.get();
    }
    // rbind clones the whole tree; ridmap maps all of it, idmap (or
    // mappings alone) only the top mount.
    auto tree = sys::open_idmapped_tree(plan.source, plan.recursive_bind(), plan.opts.idmap_recursive, ns);
    if (!tree) return std::unexpected(std::move(tree.error()).context("id-mapped mount " + plan.destination));
    out.emplace(i, std::move(*tree));
  }
  return out;
}

}  // namespace orun::init
