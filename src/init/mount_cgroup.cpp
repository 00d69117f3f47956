// `cgroup`-type mounts. On a cgroup2 host: a cgroup2 mount, or a bind of the
// container's cgroup (or of /sys/fs/cgroup) when the kernel refuses. On v1 and
// hybrid hosts: a tmpfs with one entry per v1 hierarchy, either a fresh cgroup
// mount (with a cgroup ns) or a bind of the container's own cgroup dir, and
// symlinks for the controllers of combined hierarchies (cpu -> cpu,cpuacct).
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "init/mount_exec.hpp"
#include "sys/go_text.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

namespace orun::init {

namespace {

constexpr unsigned long kDefaultFlags = MS_NOEXEC | MS_NOSUID | MS_NODEV;

struct Hierarchy {
  std::string mountpoint;  // /sys/fs/cgroup/cpu,cpuacct
  std::string root;        // the mount's root inside the hierarchy
  std::vector<std::string> controllers;  // {"cpu","cpuacct"} or {"name=systemd"}
};


// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// v1 hierarchies mounted on the host (outside the rootfs), first of each.
Result<std::vector<Hierarchy>> v1_hierarchies(const std::string& rootfs) {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return fail_errno("open /proc/self/mountinfo");
  std::vector<Hierarchy> out;
  std::string line;
  while (std::getline(in, line)) {
    auto fields = sys::split(line, ' ', sys::Tail::drop);
    size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash < 5 || dash + 3 >= fields.size()) continue;
    if (fields[dash + 1] != "cgroup") continue;
    Hierarchy h{unescape(fields[4]), unescape(fields[3]), {}};
    if (sys::is_lexically_in_root(rootfs, h.mountpoint)) continue;
    for (const auto& o : sys::split(fields[dash + 3], ',', sys::Tail::drop)) {
      if (o == "rw" || o == "ro" || o.rfind("release_agent=", 0) == 0 || o == "clone_children" ||
          o == "noprefix" || o == "xattr" || o == "cpuset_v2_mode" || o == "nsdelegate" || o == "favordynmods")
        continue;
      h.controllers.push_back(o);
    }
    bool dup = false;
    for (const auto& e : out) dup = dup || e.mountpoint == h.mountpoint;
    auto base = sys::split_path(h.mountpoint).second;
    for (const auto& e : out) dup = dup || sys::split_path(e.mountpoint).second == base;
    if (!dup) out.push_back(std::move(h));
  }
  return out;
}

// /proc/self/cgroup: controller list -> path ("cpu,cpuacct" -> "/x").
std::vector<std::pair<std::vector<std::string>, std::string>> own_cgroups() {
  std::vector<std::pair<std::vector<std::string>, std::string>> out;
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out.emplace_back(sys::split(line.substr(a + 1, b - a - 1), ',', sys::Tail::drop), line.substr(b + 1));
  }
  return out;
}

// The host dir of the container's cgroup in hierarchy h.
std::string own_dir(const RootfsContext& c, const Hierarchy& h) {
  for (const auto& ctrl : h.controllers) {
    std::string key = ctrl.rfind("name=", 0) == 0 ? ctrl.substr(5) : ctrl;
    auto it = c.cgroup_paths.find(key);
    if (it != c.cgroup_paths.end() && !it->second.empty()) return it->second;
  }
  for (const auto& [ctrls, path] : own_cgroups()) {
    auto a = ctrls, b = h.controllers;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) continue;
    std::string rel = sys::is_lexically_in_root(h.root, path) ? sys::strip_root(h.root, path) : path;
    return sys::join_path(h.mountpoint, rel);
  }
  return h.mountpoint;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> v1_cgroup_binds(
    const std::string& rootfs, const std::map<std::string, std::string>& cgroup_paths, const std::string& destination) {
  RootfsContext ctx;
  ctx.cgroup_paths = cgroup_paths;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : ORUN_TRY(v1_hierarchies(rootfs)))
    out.emplace_back(sys::join_path(destination, sys::split_path(h.mountpoint).second), own_dir(ctx, h));
  return out;
}

bool host_is_cgroup2() {
  struct statfs sf{};
  return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

namespace {

Result<void> mount_v2(const MountEnv& env, const MountPlan& plan, int dst_fd) {
  MountPlan p = plan;
  p.fstype = "cgroup2";
  auto r = mount_propagate(env, p, dst_fd);
  if (r) return {};
  if (r.error().err != EPERM && r.error().err != EBUSY) return std::unexpected(std::move(r.error()));
  // A user ns without its own cgroup ns may not mount cgroup2: bind instead.
  MountPlan b = plan;
  b.kind = MountKind::bind;
  b.fstype = "bind";
  b.source = "/sys/fs/cgroup";
  auto it = env.ctx->cgroup_paths.find("");
  if (env.ctx->cgroup_ns && it != env.ctx->cgroup_paths.end() && !it->second.empty()) b.source = it->second;
  b.opts.flags |= MS_BIND;
  b.opts.data.clear();
  return mount_plan_unwrapped(env, b);
}

Result<void> mount_v1(const MountEnv& env, const MountPlan& plan, int dst_fd) {
  auto hier = ORUN_TRY(v1_hierarchies(env.rootfs));
  MountPlan tmpfs = plan;
  tmpfs.kind = MountKind::tmpfs;
  tmpfs.fstype = "tmpfs";
  tmpfs.source = "tmpfs";
  tmpfs.opts.flags = kDefaultFlags;
  tmpfs.opts.cleared_flags = 0;
  tmpfs.opts.has_rec_attr = false;
  tmpfs.opts.data = "mode=755";
  tmpfs.opts.tmpcopyup = false;
  ORUN_TRY(mount_propagate(env, tmpfs, dst_fd));
  for (const auto& h : hier) {
    std::string base = sys::split_path(h.mountpoint).second;
    std::string dest = sys::join_path(plan.destination, base);
    if (env.ctx->cgroup_ns) {
      // A fresh mount of the hierarchy: the cgroup ns makes its root ours.
      auto fd = ORUN_TRY(sys::mkdir_all_in_root(env.root_fd, dest, 0755));
      unsigned long flags = kDefaultFlags | (plan.opts.flags & MS_RDONLY);
      std::string source = "cgroup", data = base;
      if (base == "systemd") {
        source = "systemd";
        data = "name=systemd";
      }
      ORUN_TRY_VOID(sys::mount_onto_fd(source, fd.get(), dest, "cgroup", flags, data));
    } else {
      MountPlan b;
      b.kind = MountKind::bind;
      b.fstype = "bind";
      b.source = own_dir(*env.ctx, h);
      b.destination = dest;
      b.opts.flags = MS_BIND | MS_REC | plan.opts.flags;
      b.opts.propagation = plan.opts.propagation;
      ORUN_TRY_VOID(mount_plan_unwrapped(env, b));
    }
  }
  for (const auto& h : hier) {
    std::string base = sys::split_path(h.mountpoint).second;
    if (base.find(',') == std::string::npos) continue;
    for (const auto& ss : sys::split(base, ',', sys::Tail::drop)) {
      auto [dir, name] = ORUN_TRY(sys::mkdir_all_parent_in_root(env.root_fd, sys::join_path(plan.destination, ss), 0755));
      if (symlinkat(base.c_str(), dir.get(), name.c_str()) < 0 && errno != EEXIST)
        return fail_errno("symlink " + sys::join_path(plan.destination, ss));
    }
  }
  return {};
}

}  // namespace

Result<void> mount_cgroup(const MountEnv& env, const MountPlan& plan, int dst_fd) {
  if (host_is_cgroup2()) return mount_v2(env, plan, dst_fd);
  return mount_v1(env, plan, dst_fd);
}

}  // namespace orun::init
