#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "cgroups/remove_tree.hpp"
#include "orun/cgroups.hpp"
#include "sys/go_text.hpp"
#include "sys/path.hpp"
#include "orun/log.hpp"

namespace orun::cgroups {

namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";

struct Hierarchy {
  std::string mount;                     // e.g. /sys/fs/cgroup/cpu,cpuacct
  std::vector<std::string> controllers;  // e.g. cpu, cpuacct; empty for cgroup2
  std::string own_path;                  // orun's own cgroup in it
  bool v2 = false;
  bool hybrid_unified = false;           // cgroup2 next to v1 controllers
};

bool is_fs(const std::string& path, long magic) {
  struct statfs st{};
  return statfs(path.c_str(), &st) == 0 && st.f_type == magic;
}


// /proc/self/cgroup: "4:memory:/x" (v1) and "0::/y" (v2).
std::map<std::string, std::string> own_cgroups() {
  std::map<std::string, std::string> out;
  std::ifstream f("/proc/self/cgroup");
  std::string line;
  while (std::getline(f, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  return out;
}

// v1 hierarchies from /proc/self/mountinfo, plus the cgroup2 mount.
std::vector<Hierarchy> hierarchies(Layout layout) {
  std::vector<Hierarchy> out;
  auto own = own_cgroups();
  if (layout == Layout::v2) {
    out.push_back({kRoot, {}, own[""], true});
    return out;
  }
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  while (std::getline(f, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto fields = sys::split(line.substr(0, dash), ' ', sys::Tail::drop);
    auto tail = sys::split(line.substr(dash + 3), ' ', sys::Tail::drop);
    if (fields.size() < 5 || tail.size() < 3 || tail[0] != "cgroup") continue;
    const std::string& mnt = fields[4];
    if (mnt.rfind(kRoot, 0) != 0) continue;
    Hierarchy h;
    h.mount = mnt;
    std::string key;
    for (auto& opt : sys::split(tail[2], ',', sys::Tail::drop)) {
      // runc also joins the named systemd hierarchy ("name=systemd").
      if (opt == "name=systemd") {
        h.controllers.push_back(opt);
        key += (key.empty() ? "" : ",") + opt;
        continue;
      }
      if (opt == "rw" || opt == "ro" || opt.rfind("name=", 0) == 0 || opt.find('=') != std::string::npos) continue;
      if (opt == "clone_children" || opt == "noprefix" || opt == "xattr") continue;
      h.controllers.push_back(opt);
      key += (key.empty() ? "" : ",") + opt;
    }
    if (h.controllers.empty()) continue;  // other named hierarchies are not ours
    h.own_path = own.count(key) ? own[key] : "/";
    out.push_back(std::move(h));
  }
  // Hybrid: runc (fs driver) joins the unified hierarchy too, so the
  // container's processes show it in /proc/PID/cgroup's "0::" line and
  // cgroup2-only knobs (cgroup.kill, PSI) work on it.
  if (layout == Layout::hybrid) {
    Hierarchy h;
    h.mount = std::string(kRoot) + "/unified";
    h.own_path = own.count("") ? own[""] : "/";
    h.v2 = true;
    h.hybrid_unified = true;
    out.push_back(std::move(h));
  }
  return out;
}

std::string join(const std::string& a, const std::string& b) {
  if (b.empty() || b == "/") return a;
  if (b[0] == '/') return a + b;
  return a + "/" + b;
}

std::string parent_of(const std::string& p) {
  auto pos = p.rfind('/');
  if (pos == std::string::npos || pos == 0) return "/";
  return p.substr(0, pos);
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return fail_errno("read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Result<void> write_file(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno("open " + path);
  UniqueFd guard(fd);
  if (write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size()))
    return fail_errno("write " + path);
  return {};
}

// cgroup2: a controller works in a cgroup only when every ancestor enables
// it for its children. Enable all the root offers (runc's CreateCgroupPath);
// if the batch is refused, each one on its own, ignoring failures.
void enable_controllers(const std::string& leaf) {
  auto avail = read_file(std::string(kRoot) + "/cgroup.controllers");
  if (!avail) return;
  std::istringstream in(*avail);
  std::vector<std::string> ctrls;
  for (std::string c; in >> c;) ctrls.push_back("+" + c);
  if (ctrls.empty()) return;
  std::string all;
  for (auto& c : ctrls) all += (all.empty() ? "" : " ") + c;
  std::vector<std::string> ancestors;
  for (std::string p = parent_of(leaf); p.size() >= std::string(kRoot).size(); p = parent_of(p)) {
    ancestors.push_back(p);
    if (p == kRoot) break;
  }
  for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
    if (write_file(*it + "/cgroup.subtree_control", all)) continue;
    // One at a time: a controller the parent cannot delegate is left out,
    // the others still get enabled (the apply step names a missing one).
    for (auto& c : ctrls)
      if (auto r = write_file(*it + "/cgroup.subtree_control", c); !r) log::debug(r.error().msg);
  }
}

Result<void> inherit_cpuset(const std::string& dir);

bool cpuset_empty(const std::string& dir) {
  for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
    auto v = read_file(dir + "/" + f);
    if (!v) return false;  // not a cpuset dir (the mount's parent)
    if (v->find_first_not_of(" \n") == std::string::npos) return true;
  }
  return false;
}

// A v1 cpuset with no cpus or mems refuses tasks (ENOSPC): fill every empty
// one from the leaf up to the first configured ancestor, top down, as runc's
// cpuset ensureParent. Parents made by someone else (a pod cgroup) count.
Result<void> ensure_cpuset(const std::string& leaf) {
  std::vector<std::string> chain;
  for (std::string p = leaf; p.size() > 1 && cpuset_empty(p); p = parent_of(p)) chain.push_back(p);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) ORUN_TRY_VOID(inherit_cpuset(*it));
  return {};
}

Result<void> inherit_cpuset(const std::string& dir) {
  for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
    auto cur = read_file(dir + "/" + f);
    if (cur && cur->find_first_not_of(" \n") != std::string::npos) continue;
    auto parent = read_file(parent_of(dir) + "/" + f);
    if (!parent) return std::unexpected(parent.error());
    std::string v = *parent;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    if (v.empty()) continue;
    ORUN_TRY_VOID(write_file(dir + "/" + f, v));
  }
  return {};
}

}  // namespace

Layout detect_layout() {
  if (is_fs(kRoot, CGROUP2_SUPER_MAGIC)) return Layout::v2;
  if (is_fs(std::string(kRoot) + "/unified", CGROUP2_SUPER_MAGIC)) return Layout::hybrid;
  return Layout::v1;
}

Result<Manager> Manager::for_container(const std::string& cgroups_path, const std::string& id) {
  Layout layout = detect_layout();
  std::string rel = cgroups_path.empty() ? id : cgroups_path;
  bool absolute = rel[0] == '/';
  // Clean as if rooted so ".." can never climb above the hierarchy root.
  std::string cleaned = sys::clean_path("/" + rel);
  Manager m;
  for (auto& h : hierarchies(layout)) {
    std::string base;
    if (absolute) {
      base = "/";
    } else if (h.v2 && !h.hybrid_unified) {
      base = parent_of(h.own_path);
    } else {
      base = h.own_path;
    }
    std::string dir = join(h.mount, sys::clean_path(join(base, cleaned)));
    if (h.v2) {
      m.paths_[""] = dir;
    } else {
      for (auto& c : h.controllers) m.paths_[c] = dir;
    }
  }
  if (m.paths_.empty()) return fail("no cgroup hierarchies mounted under /sys/fs/cgroup");
  return m;
}

Manager Manager::from_paths(std::map<std::string, std::string> paths, std::string unit) {
  Manager m;
  m.paths_ = std::move(paths);
  m.unit_ = std::move(unit);
  return m;
}

std::vector<std::pair<std::string, std::string>> Manager::distinct_dirs() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : paths_)
    if (std::none_of(out.begin(), out.end(), [&](const auto& e) { return e.second == entry.second; }))
      out.push_back(entry);
  return out;
}

Result<void> Manager::create() {
  for (auto& [ctrl, dir] : distinct_dirs()) {
    // mkdir -p, remembering what we made so destroy() removes exactly that.
    std::vector<std::string> missing;
    for (std::string p = dir; p.size() > 1; p = parent_of(p)) {
      struct stat st{};
      if (stat(p.c_str(), &st) == 0) break;
      missing.push_back(p);
    }
    bool is_cpuset = paths_.count("cpuset") && paths_.at("cpuset") == dir;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (mkdir(it->c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("create cgroup " + *it);
      // The systemd driver's slices are systemd's: only the leaf is ours.
      if (unit_.empty() || *it == dir) created_.push_back(*it);
    }
    if (is_cpuset) ORUN_TRY_VOID(ensure_cpuset(dir));
  }
  // The systemd driver checked before its unit existed (check_unused).
  if (unit_.empty()) {
    if (auto r = check_unused(); !r) {
      owns_leaves_ = false;
      return r;
    }
  }
  if (paths_.size() == 1 && paths_.count("")) enable_controllers(paths_.at(""));
  return {};
}

Result<void> Manager::check_unused() const {
  for (auto& [ctrl, dir] : distinct_dirs()) {
    auto procs = read_file(dir + "/cgroup.procs");
    if (!procs) continue;  // not there (yet)
    size_t n = 0;
    std::istringstream in(*procs);
    std::string l;
    while (std::getline(in, l)) n += !l.empty();
    if (n > 0) return fail("container's cgroup is not empty: " + std::to_string(n) + " process(es) found");
  }
  if (frozen()) return fail("container's cgroup unexpectedly frozen");
  return {};
}

namespace {

bool ignorable(int err) { return err == EPERM || err == EACCES || err == EROFS; }

// The first permission refusal on the way to joining `dir`: its mkdir -p
// (dirs made are appended to `made`) or its membership file. cgroup2 also
// wants the common ancestor of orun's own cgroup and `dir` writable
// (cgroup-v2.rst, "Delegation Containment"). Other errors are returned as
// errors; "" means joinable.
Result<std::string> join_refusal(const std::string& dir, const std::string& v2_mount, std::vector<std::string>& made) {
  std::vector<std::string> missing;
  for (std::string p = dir; p.size() > 1; p = parent_of(p)) {
    struct stat st{};
    if (stat(p.c_str(), &st) == 0) break;
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (mkdir(it->c_str(), 0755) == 0 || errno == EEXIST) {
      made.push_back(*it);
      continue;
    }
    int err = errno;
    if (!ignorable(err)) return fail_errno("create cgroup " + *it, err);
    return "mkdir " + *it + ": " + errno_text(err);
  }
  std::vector<std::string> files{dir + (v2_mount.empty() ? "/tasks" : "/cgroup.procs")};
  if (!v2_mount.empty()) {
    std::string own = own_cgroups()[""];
    std::string rel = dir.substr(v2_mount.size());
    std::string common = own.empty() ? "/" : own;
    while (common != "/" && !(rel == common || rel.rfind(common + "/", 0) == 0)) common = parent_of(common);
    files.push_back(join(v2_mount, common) + "/cgroup.procs");
  }
  for (auto& f : files) {
    if (faccessat(AT_FDCWD, f.c_str(), W_OK, AT_EACCESS) == 0) continue;
    int err = errno;
    if (!ignorable(err)) return fail_errno("open " + f, err);
    return "open " + f + ": " + errno_text(err);
  }
  return std::string();
}

}  // namespace

Result<void> Manager::create_rootless(const RootlessPolicy& policy) {
  Layout layout = detect_layout();
  std::string v2_mount = layout == Layout::hybrid ? std::string(kRoot) + "/unified" : kRoot;
  for (auto& [ctrl, dir] : distinct_dirs()) {
    bool v2 = paths_.count("") && paths_.at("") == dir;
    auto refusal = ORUN_TRY(join_refusal(dir, v2 ? v2_mount : "", created_));
    if (refusal.empty()) continue;
    bool hybrid_unified = v2 && layout == Layout::hybrid;
    if (!hybrid_unified && policy.explicit_path) return fail("unable to apply cgroup configuration: " + refusal, EACCES);
    if (!hybrid_unified && v2 && policy.needs_controllers)
      return fail("rootless needs no limits + no cgrouppath when no permission is granted for cgroups: " + refusal,
                  EACCES);
    // runc's ErrRootless: this hierarchy is left to orun's own cgroup.
    std::erase_if(paths_, [&dropped = dir](const auto& kv) { return kv.second == dropped; });
  }
  return create();
}

Result<JoinHandles> Manager::open_join() const {
  JoinHandles h;
  for (auto& [ctrl, dir] : distinct_dirs()) {
    if (ctrl.empty()) {
      int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return fail_errno("open cgroup " + dir);
      h.v2_dir.reset(fd);
    } else {
      std::string tasks = dir + "/tasks";
      int fd = open(tasks.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return fail_errno("open " + tasks);
      h.v1_tasks.emplace_back(fd);
    }
  }
  return h;
}

Result<void> Manager::add_pid(pid_t pid, bool skip_v2) const {
  std::vector<std::string> done;
  for (auto& [ctrl, dir] : paths_) {
    if (ctrl.empty() && skip_v2) continue;
    bool seen = false;
    for (auto& d : done) seen |= d == dir;
    if (seen) continue;
    done.push_back(dir);
    ORUN_TRY_VOID(write_file(dir + "/cgroup.procs", std::to_string(pid)));
  }
  return {};
}

Result<void> Manager::destroy() {
  Result<void> stopped;
  if (!unit_.empty()) {
    release_placeholder();
    stopped = stop_unit();
  }
  // The container's own cgroups go even when they existed before create
  // (as runc's RemovePaths); the parents orun made on the way too, if empty.
  std::vector<std::string> dirs = created_;
  for (auto& [ctrl, dir] : paths_) {
    if (!owns_leaves_) break;
    bool seen = false;
    for (auto& d : dirs) seen |= d == dir;
    if (!seen) dirs.push_back(dir);
  }
  // Deepest first: rmdir needs the children gone. Reverse iteration below.
  std::stable_sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  // Leaves are the container's own cgroups: retry while the kernel finishes
  // reaping their tasks. Parents orun made on the way are shared with other
  // containers: remove them only if they are empty now.
  std::vector<std::string> leaves;
  for (auto& [ctrl, dir] : paths_) leaves.push_back(dir);
  auto is_leaf = [&](const std::string& d) {
    for (auto& l : leaves)
      if (l == d) return true;
    return false;
  };
  Result<void> result;
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    bool leaf = is_leaf(*it);
    bool removed = false;
    for (int attempt = 0; attempt < (leaf ? 50 : 1); attempt++) {
      // A leaf may hold sub-cgroups the container made (systemd does).
      if ((leaf ? rmdir_tree(*it) : rmdir(it->c_str())) == 0 || errno == ENOENT) {
        removed = true;
        break;
      }
      if (errno != EBUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!removed && leaf && result) result = fail_errno("unable to remove container's cgroup " + *it);
  }
  if (!stopped) return stopped;
  return result;
}

bool Manager::frozen() const {
  auto it = paths_.find("freezer");
  if (it != paths_.end()) {
    auto s = read_file(it->second + "/freezer.state");
    return s && s->rfind("FROZEN", 0) == 0;
  }
  auto v2 = paths_.find("");
  if (v2 != paths_.end()) {
    auto s = read_file(v2->second + "/cgroup.freeze");
    return s && s->rfind("1", 0) == 0;
  }
  return false;
}

Result<void> Manager::set_frozen(bool freeze) const {
  auto v1 = paths_.find("freezer");
  auto v2 = paths_.find("");
  // No freezer: a rootless container left in orun's cgroups (runc's text).
  if (v1 == paths_.end() && v2 == paths_.end()) return fail("cannot toggle freezer: cgroups not configured for container");
  for (int attempt = 0; attempt < 1000; attempt++) {
    if (v1 != paths_.end()) {
      ORUN_TRY_VOID(write_file(v1->second + "/freezer.state", freeze ? "FROZEN" : "THAWED"));
      auto s = ORUN_TRY(read_file(v1->second + "/freezer.state"));
      // FREEZING means some task has not stopped yet: write again and wait.
      if (s.rfind(freeze ? "FROZEN" : "THAWED", 0) == 0) return {};
    } else {
      ORUN_TRY_VOID(write_file(v2->second + "/cgroup.freeze", freeze ? "1" : "0"));
      auto ev = ORUN_TRY(read_file(v2->second + "/cgroup.events"));
      if (ev.find(freeze ? "frozen 1" : "frozen 0") != std::string::npos) return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 1 : 10));
  }
  return fail(std::string("unable to ") + (freeze ? "freeze" : "thaw") + " the container's cgroup");
}

Result<std::vector<pid_t>> Manager::pids() const {
  std::vector<pid_t> out;
  std::string dir;
  if (paths_.count("pids")) dir = paths_.at("pids");
  else if (paths_.count("")) dir = paths_.at("");
  else if (!paths_.empty()) dir = paths_.begin()->second;
  if (dir.empty()) return out;
  auto procs = read_file(dir + "/cgroup.procs");
  if (!procs) {
    if (procs.error().err == ENOENT) return out;
    return std::unexpected(procs.error());
  }
  std::istringstream in(*procs);
  std::string l;
  while (std::getline(in, l))
    if (!l.empty()) out.push_back(static_cast<pid_t>(std::strtol(l.c_str(), nullptr, 10)));
  return out;
}

Result<void> Manager::signal_all(int sig) const {
  // cgroup.kill (v2, kernel >= 5.14) kills atomically.
  if (sig == SIGKILL && paths_.count("")) {
    if (write_file(paths_.at("") + "/cgroup.kill", "1")) return {};
  }
  std::string freezer = paths_.count("freezer") ? paths_.at("freezer") : "";
  bool froze = false;
  if (!freezer.empty() && !frozen()) froze = static_cast<bool>(write_file(freezer + "/freezer.state", "FROZEN"));
  auto pids_r = pids();
  if (pids_r) {
    for (pid_t p : *pids_r) ::kill(p, sig);
  }
  if (froze)
    if (auto r = write_file(freezer + "/freezer.state", "THAWED"); !r) log::warn("thaw after signal: " + r.error().msg);
  if (!pids_r) return std::unexpected(pids_r.error());
  return {};
}

}  // namespace orun::cgroups
