// The state root: present, on tmpfs (state must not survive a reboot: the
// pids in it would name other processes), writable by the caller, and its
// stale entries (init gone: stopped containers nobody deleted, and
// directories a killed create left without state.json). Also the other
// roots that hold containers, in case --root points at the wrong one.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "container/gc.hpp"
#include "container/state.hpp"
#include "diagnose/probes.hpp"
#include "diagnose/proc_status.hpp"
#include "diagnose/roots.hpp"

namespace orun::diagnose {

namespace {

std::string parent_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == 0 || s == std::string::npos ? "/" : p.substr(0, s);
}

void probe_entries(Items& out, const std::string& root) {
  std::vector<std::string> stopped, broken;
  size_t total = 0;
  for (const auto& name : container_dirs(root)) {
    ++total;
    auto s = container::load(root, name);
    if (!s) broken.push_back(name);
    else if (!container::init_alive(*s)) stopped.push_back(name);
  }
  std::string detail = std::to_string(total) + " container(s)";
  // What else `orun gc` would find: orphan cgroups (from the root's ledger),
  // temporary names of killed commands, mounts under the root.
  GlobalOptions g;
  g.root = root;
  std::vector<std::string> other;
  for (const auto& f : container::gc_scan(g))
    if (f.kind != "stopped" && f.kind != "half-created" && f.kind != "unreadable state" && f.kind != "fifo" &&
        f.kind != "unknown dir")
      other.push_back(f.kind + " " + f.object);
  if (!other.empty()) detail += "; leftovers: " + join(other);
  if (stopped.empty() && broken.empty() && other.empty()) {
    out.push_back(ok_item("state entries", detail + ", none stale"));
    return;
  }
  if (!stopped.empty()) detail += "; init gone: " + join(stopped);
  if (!broken.empty()) detail += "; no readable state.json: " + join(broken);
  out.push_back(warn_item("state entries", detail, "orun gc (orun gc --force deletes stopped ones)"));
}

}  // namespace

void probe_state_root(Items& out, const std::string& root) {
  struct stat st{};
  bool is_root = ::geteuid() == 0;
  if (::stat(root.c_str(), &st) != 0) {
    std::string parent = parent_of(root);
    if (::access(parent.c_str(), W_OK) == 0) {
      out.push_back(ok_item("state root", root + " does not exist yet (made by the first create)"));
    } else {
      auto item = warn_item("state root", root + " does not exist and " + parent + " is not writable",
                       "pass --root DIR (or set XDG_RUNTIME_DIR)");
      if (is_root) item = fail_item("state root", item.detail, item.fix);
      out.push_back(item);
    }
  } else if (!S_ISDIR(st.st_mode)) {
    out.push_back(fail_item("state root", root + " is not a directory", "remove it or pass --root DIR"));
    return;
  } else {
    struct statfs fs{};
    bool tmpfs = ::statfs(root.c_str(), &fs) == 0 &&
                 (static_cast<unsigned long>(fs.f_type) == TMPFS_MAGIC ||
                  static_cast<unsigned long>(fs.f_type) == RAMFS_MAGIC);
    bool writable = ::access(root.c_str(), W_OK | X_OK) == 0;
    std::string detail = root + (tmpfs ? " on tmpfs" : " not on tmpfs") + (writable ? ", writable" : ", not writable");
    if (!writable) {
      auto item = warn_item("state root", detail + " by uid " + std::to_string(::geteuid()),
                       "pass --root DIR (or set XDG_RUNTIME_DIR)");
      if (is_root) item = fail_item("state root", item.detail, "make it writable (read-only mount?)");
      out.push_back(item);
    } else if (!tmpfs) {
      out.push_back(warn_item("state root", detail, "use a tmpfs (stale state survives reboots)"));
    } else {
      out.push_back(ok_item("state root", detail));
    }
    if (::access(root.c_str(), R_OK | X_OK) == 0) probe_entries(out, root);
  }
  std::vector<std::string> others;
  for (const auto& r : known_roots()) {
    if (r == root) continue;
    size_t n = container_dirs(r).size();
    if (n > 0) others.push_back(r + " (" + std::to_string(n) + ")");
  }
  if (!others.empty())
    out.push_back(ok_item("other roots", join(others, ", ") + ": containers there need --root"));
}

}  // namespace orun::diagnose
