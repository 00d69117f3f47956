#include "init/mount_idmap.hpp"

#include "init/mount_plan.hpp"
#include "process/spawn.hpp"
#include "sys/mount_api.hpp"
#include "sys/path.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

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

std::string IdmapRequest::encode() const {
  std::string out = source;
  out += '\0';
  out += recursive ? '1' : '0';
  out += '\0';
  out += idmap_recursive ? '1' : '0';
  out += '\0';
  out += uid_map;
  out += '\0';
  out += gid_map;
  return out;
}

Result<IdmapRequest> IdmapRequest::decode(std::string_view payload) {
  std::vector<std::string_view> f;
  for (size_t at = 0;;) {
    size_t nul = payload.find('\0', at);
    f.push_back(payload.substr(at, nul == std::string_view::npos ? std::string_view::npos : nul - at));
    if (nul == std::string_view::npos) break;
    at = nul + 1;
  }
  auto flag = [](std::string_view v) { return v == "0" || v == "1"; };
  if (f.size() != 5 || !flag(f[1]) || !flag(f[2])) return fail("malformed mount request");
  return IdmapRequest{std::string(f[0]), f[1] == "1", f[2] == "1", std::string(f[3]), std::string(f[4])};
}

Result<UniqueFd> idmapped_tree_in_container(pid_t init, const std::string& request) {
  auto [source, recursive, idmap_recursive, uid_map, gid_map] = ORUN_TRY(IdmapRequest::decode(request));
  std::string proc = "/proc/" + std::to_string(init) + "/ns/";
  UniqueFd userns;
  if (!uid_map.empty() || !gid_map.empty()) {
    userns = ORUN_TRY(sys::userns_with_maps(uid_map, gid_map));
  } else {
    userns.reset(open((proc + "user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!userns) return fail_errno("open " + proc + "user");
  }
  UniqueFd mntns(open((proc + "mnt").c_str(), O_RDONLY | O_CLOEXEC));
  if (!mntns) return fail_errno("open " + proc + "mnt");
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) return fail_errno("socketpair");
  UniqueFd ours(sp[0]), theirs(sp[1]);
  pid_t helper = fork();
  if (helper < 0) return fail_errno("fork");
  if (helper == 0) {
    ours.reset();
    if (setns(mntns.get(), CLONE_NEWNS) < 0) {
      std::string e = "join the container's mount namespace: " + errno_text(errno);
      (void)!write(theirs.get(), e.data(), e.size());
      _exit(1);
    }
    auto tree = sys::open_idmapped_tree(source, recursive, idmap_recursive, userns.get());
    if (!tree) {
      (void)!write(theirs.get(), tree.error().msg.data(), tree.error().msg.size());
      _exit(1);
    }
    _exit(process::send_fd(theirs.get(), tree->get(), "tree") ? 0 : 1);
  }
  theirs.reset();
  char text[1024] = {};
  char cbuf[CMSG_SPACE(sizeof(int))];
  iovec iov{text, sizeof(text) - 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  ssize_t n;
  while ((n = recvmsg(ours.get(), &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  while (waitpid(helper, nullptr, 0) < 0 && errno == EINTR) {
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      return UniqueFd(fd);
    }
  }
  return fail("id-mapped mount of " + source + ": " + (n > 0 ? std::string(text, static_cast<size_t>(n)) : "helper failed"));
}

}  // namespace orun::init
