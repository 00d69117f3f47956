#include "cgroups/apply.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "orun/log.hpp"
#include "orun/spec.hpp"
#include "sys/file.hpp"

namespace orun::cgroups {

namespace {

// Go's os.PathError text: "write /sys/fs/cgroup/x/cpu.max: invalid argument".
Error write_error(const std::string& path, const std::string& value, int err) {
  return Error{err, "failed to write \"" + value + "\": write " + path + ": " + errno_text(err)};
}

// One write(2) of `value` (or one per line); errno on failure.
int write_value(int fd, const std::string& value, bool by_line, std::string* failed_line) {
  std::vector<std::string> chunks;
  if (by_line && value.find('\n') != std::string::npos) {
    size_t start = 0;
    while (start < value.size()) {
      size_t nl = value.find('\n', start);
      size_t end = nl == std::string::npos ? value.size() : nl + 1;
      chunks.push_back(value.substr(start, end - start));
      start = end;
    }
  } else {
    chunks.push_back(value);
  }
  for (auto& c : chunks) {
    if (c.empty()) continue;
    if (write(fd, c.data(), c.size()) != static_cast<ssize_t>(c.size())) {
      *failed_line = c;
      return errno;
    }
  }
  return 0;
}

bool in_user_namespace() {
  auto m = sys::read_file("/proc/self/uid_map");
  if (!m) return false;
  std::istringstream in(*m);
  uint64_t a = 0, b = 0, n = 0;
  in >> a >> b >> n;
  return !(a == 0 && b == 0 && n == 4294967295ull);
}

std::string controller_list(const std::string& dir) {
  return sys::read_file(dir + "/cgroup.controllers").value_or("");
}

Error unified_error(const std::string& dir, const std::string& key, const Error& e) {
  if (e.err == ENOENT || e.err == EPERM || e.err == EACCES) {
    auto dot = key.find('.');
    if (dot == std::string::npos)
      return Error{e.err, "unified resource \"" + key + "\" must be in the form CONTROLLER.PARAMETER"};
    std::string ctrl = key.substr(0, dot);
    std::istringstream in(controller_list(dir));
    std::set<std::string> have;
    for (std::string c; in >> c;) have.insert(c);
    if (!have.count(ctrl) && ctrl != "cgroup")
      return Error{e.err, "unified resource \"" + key + "\" can't be set: controller \"" + ctrl + "\" not available"};
  }
  return Error{e.err, "unable to set unified resource \"" + key + "\": " + e.msg};
}

bool lists(const std::string& file, const std::string& word) {
  std::istringstream in(sys::read_file(file).value_or(""));
  for (std::string w; in >> w;)
    if (w == word) return true;
  return false;
}

// cgroup2: a controller's files exist in a cgroup only when every ancestor
// enables it for its children. Enables `ctrl` top-down from the cgroup2
// mount to `dir`'s parent. A refusal there is the real cause of the missing
// file, so it is the error, named where it happened: most often EBUSY from
// the "no internal processes" rule, when an ancestor (the cgroup namespace
// root of a nested engine) holds processes. runc ignores these writes and
// fails later on the missing file. A controller the hierarchy does not
// offer at all is left to the caller's "not available" error.
Result<void> delegate_controller(const std::string& dir, const std::string& ctrl) {
  if (lists(dir + "/cgroup.controllers", ctrl)) return {};
  std::vector<std::string> chain;  // parent first, the mount root last
  for (std::string p = dir;;) {
    auto slash = p.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    p = p.substr(0, slash);
    struct stat st{};
    if (stat((p + "/cgroup.subtree_control").c_str(), &st) != 0) break;
    chain.push_back(p);
  }
  if (chain.empty() || !lists(chain.back() + "/cgroup.controllers", ctrl)) return {};
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (lists(*it + "/cgroup.subtree_control", ctrl)) continue;
    int fd = open((*it + "/cgroup.subtree_control").c_str(), O_WRONLY | O_CLOEXEC);
    std::string v = "+" + ctrl;
    int err = fd < 0 ? errno : 0;
    if (fd >= 0) {
      UniqueFd guard(fd);
      if (write(fd, v.data(), v.size()) != static_cast<ssize_t>(v.size())) err = errno;
    }
    if (err != 0) return fail("cannot enable controller " + ctrl + " in " + *it + ": " + errno_text(err), err);
  }
  return {};
}

}  // namespace

std::string FsProbe::dir(const std::string& ctrl) const {
  auto it = paths_.find(layout_ == Layout::v2 ? std::string() : ctrl);
  return it == paths_.end() ? std::string() : it->second;
}

bool FsProbe::has(const std::string& ctrl) const {
  if (layout_ != Layout::v2) return paths_.count(ctrl) > 0;
  std::istringstream in(controller_list(dir("")));
  for (std::string c; in >> c;)
    if (c == ctrl) return true;
  return false;
}

bool FsProbe::exists(const std::string& ctrl, const std::string& file) const {
  std::string d = dir(ctrl);
  struct stat st{};
  return !d.empty() && stat((d + "/" + file).c_str(), &st) == 0;
}

std::optional<std::string> FsProbe::read(const std::string& ctrl, const std::string& file) const {
  std::string d = dir(ctrl);
  if (d.empty()) return std::nullopt;
  auto r = sys::read_file(d + "/" + file);
  if (!r) return std::nullopt;
  return std::move(*r);
}

Layout layout_of(const std::map<std::string, std::string>& paths) {
  bool v2 = paths.count("") > 0;
  if (v2 && paths.size() == 1) return Layout::v2;
  return v2 ? Layout::hybrid : Layout::v1;
}

Result<void> execute(const Plan& p, Layout layout, const std::map<std::string, std::string>& paths) {
  FsProbe probe(layout, paths);
  std::set<std::string> deferred, delegated;
  for (const auto& w : p.writes) {
    if ((w.flags & kIfDeferred) && !deferred.erase(w.ctrl + "/" + w.file)) continue;
    std::string dir = probe.dir(w.ctrl);
    if (dir.empty()) return fail("cannot set " + w.ctrl + " limit: container could not join or create cgroup");
    std::string path = dir + "/" + w.file;
    // Every cgroup2 controller file (the core "cgroup.*" ones need none).
    std::string file_ctrl = w.file.substr(0, w.file.find('.'));
    bool on_v2 = (w.flags & kEnableController) || (layout == Layout::v2 && file_ctrl != "cgroup");
    if (on_v2 && delegated.insert(file_ctrl).second) ORUN_TRY_VOID(delegate_controller(dir, file_ctrl));
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT && (w.flags & kOptional)) continue;
      Error e{err, "open " + path + ": " + errno_text(err)};
      if (w.flags & kUnified) return std::unexpected(unified_error(dir, w.file, e));
      // cgroup2 without the controller (not enabled for this cgroup, or
      // bound to a v1 hierarchy on a hybrid host): say which.
      std::string ctrl = w.file.substr(0, w.file.find('.'));
      if (err == ENOENT && layout == Layout::v2 && !probe.has(ctrl))
        return fail("cannot set " + ctrl + " limit: controller \"" + ctrl + "\" not available in " + dir + " (" +
                        e.msg + ")",
                    ENOENT);
      return std::unexpected(e);
    }
    UniqueFd guard(fd);
    std::string line;
    int err = write_value(fd, w.value, w.flags & kByLine, &line);
    if (err != 0) {
      if (err == EINVAL && (w.flags & kDeferOnEinval)) {
        deferred.insert(w.ctrl + "/" + w.file);
        continue;
      }
      if ((w.flags & kMemoryLimit) && err == EBUSY) {
        // The kernel cannot shrink the limit under what is in use.
        auto usage = probe.read(w.ctrl, "memory.usage_in_bytes");
        auto peak = probe.read(w.ctrl, "memory.max_usage_in_bytes");
        auto num = [](const std::optional<std::string>& s) {
          std::string v = s.value_or("0");
          while (!v.empty() && v.back() == '\n') v.pop_back();
          return v;
        };
        return fail("unable to set memory limit to " + w.value + " (current usage: " + num(usage) +
                        ", peak usage: " + num(peak) + ")",
                    EBUSY);
      }
      Error e = write_error(path, line, err);
      if (w.flags & kUnified) return std::unexpected(unified_error(dir, w.file, e));
      return std::unexpected(e);
    }
    if (w.flags & kCheckShares) {
      // The kernel clamps cpu.shares silently: say what it allows instead.
      auto back = probe.read(w.ctrl, w.file);
      if (back) {
        uint64_t got = std::strtoull(back->c_str(), nullptr, 10);
        uint64_t want = std::strtoull(w.value.c_str(), nullptr, 10);
        if (want > got) return fail("the maximum allowed cpu-shares is " + std::to_string(got));
        if (want < got) return fail("the minimum allowed cpu-shares is " + std::to_string(got));
      }
    }
  }
  if (p.v2_devices) {
    std::string dir = probe.dir("");
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail_errno("cannot get dir FD for " + dir);
    UniqueFd guard(fd);
    auto r = attach_device_program(fd, device_program(*p.v2_devices));
    if (!r) {
      // In a user namespace bpf(2) is refused; an allow-all rule set then
      // loses nothing (runc's canSkipEBPFError).
      bool allow_all = p.v2_devices->default_allow && p.v2_devices->exceptions.empty();
      if (!(in_user_namespace() && allow_all)) return r;
    }
  }
  return {};
}

Result<void> set_resources(Layout layout, const std::map<std::string, std::string>& paths, const spec::Resources& r,
                           const std::vector<std::string>& config_device_paths, bool skip_devices) {
  FsProbe probe(layout, paths);
  // v1 device rules cannot be changed inside a user namespace (runc skips).
  if (layout != Layout::v2 && in_user_namespace()) skip_devices = true;
  Plan p = ORUN_TRY(plan(layout, r, default_device_rules(config_device_paths), probe, skip_devices));
  return execute(p, layout, paths);
}
}  // namespace orun::cgroups

namespace orun::cgroups {

bool needs_controllers(const spec::Resources& r) {
  spec::Resources c = spec::configured_resources(r);
  c.devices.clear();
  return !(c == spec::Resources{});
}

Result<void> apply_resources(const Manager& m, const spec::Linux& cfg, bool rootless) {
  if (spec::has_kernel_memory(cfg.resources)) log::warn("Kernel memory settings are ignored and will be removed");
  std::vector<std::string> device_paths;
  for (auto& d : cfg.devices) device_paths.push_back(d.path);
  if (!m.unit().empty()) return m.set_systemd(spec::configured_resources(cfg.resources), device_paths);
  return set_resources(layout_of(m.paths()), m.paths(), spec::configured_resources(cfg.resources), device_paths,
                       rootless);
}

}  // namespace orun::cgroups
