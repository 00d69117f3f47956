#include "container/criu_common.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "criu/session.hpp"
#include "init/mount_exec.hpp"
#include "orun/log.hpp"
#include "sys/path.hpp"

namespace orun::container {

namespace {

Result<void> mkdir_if_missing(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) < 0 && errno != EEXIST) return fail_errno("mkdir " + path);
  return {};
}

}  // namespace

Result<std::string> prepare_image_path(const std::string& image_path, const std::string& parent_path) {
  std::string path = image_path;
  if (path.empty()) {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd))) return fail_errno("getcwd");
    path = std::string(cwd) + "/checkpoint";
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    std::filesystem::create_directories(path, ec);
    if (ec) return fail("mkdir " + path + ": " + errno_text(ec.value()), ec.value());
    chmod(path.c_str(), 0600);
  }
  if (parent_path.empty()) return path;
  if (parent_path[0] == '/') return fail("--parent-path must be relative");
  std::string real_parent = std::filesystem::path(path + "/" + parent_path).lexically_normal().string();
  struct stat st{};
  if (stat(real_parent.c_str(), &st) < 0) return fail_errno("invalid --parent-path: stat " + real_parent);
  if (!S_ISDIR(st.st_mode)) return fail("invalid --parent-path: " + real_parent + ": " + errno_text(ENOTDIR), ENOTDIR);
  return path;
}

Result<CriuBinary> find_criu(const GlobalOptions& g) {
  auto path = criu::find_binary(g.criu);
  if (!path) return std::unexpected(std::move(path.error()).context("CRIU version check failed"));
  CriuBinary out{*path, ORUN_TRY(criu::version(*path))};
  ORUN_TRY_VOID(criu::require_version(out.version, 30000));
  log::debug("Using CRIU " + std::to_string(out.version) + " (" + out.path + ")");
  return out;
}

Result<CriuDirs> open_criu_dirs(const std::string& image_path, const std::string& work_path) {
  CriuDirs d;
  d.image.reset(open(image_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.image) return fail_errno("open " + image_path);
  d.log_dir = image_path;
  if (!work_path.empty()) {
    ORUN_TRY_VOID(mkdir_if_missing(work_path, 0700));
    d.work.reset(open(work_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d.work) return fail_errno("open " + work_path);
    d.log_dir = work_path;
  }
  return d;
}

std::optional<std::string> criu_config_file(const std::map<std::string, std::string>& annotations) {
  auto it = annotations.find("org.criu.config");
  if (it == annotations.end()) return "/etc/criu/runc.conf";
  if (it->second.empty()) return std::nullopt;
  return it->second;
}

Result<std::vector<criu::MountRef>> criu_bind_mounts(const spec::Spec& s, const std::string& bundle, const std::string& rootfs,
                                                     const std::map<std::string, std::string>& cgroup_paths) {
  UniqueFd root(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail_errno("open rootfs " + rootfs);
  auto resolve = [&](const std::string& dest) {
    std::string d = dest;
    if (sys::is_lexically_in_root(rootfs, d)) d = sys::strip_root(rootfs, d);
    auto r = sys::resolve_partial_in_root(root.get(), d);
    return r ? *r : d;
  };
  bool cgroupns = s.linux.has_namespace(spec::NamespaceType::cgroup);
  std::vector<criu::MountRef> out;
  for (const auto& m : s.mounts) {
    if (criu::is_bind_mount(m)) {
      std::string src = m.source;
      if (!src.empty() && src[0] != '/') src = sys::join_path(bundle, src);
      out.push_back({resolve(m.destination), src});
    } else if (m.type == "cgroup" && !cgroupns && !init::host_is_cgroup2()) {
      for (auto& [dest, src] : ORUN_TRY(init::v1_cgroup_binds(rootfs, cgroup_paths, m.destination)))
        out.push_back({resolve(dest), src});
    }
  }
  return out;
}

void log_criu_errors(const std::string& dir, const std::string& file) {
  std::string path = dir + "/" + file;
  std::ifstream in(path);
  if (!in) {
    log::warn("open " + path + ": " + errno_text(errno));
    return;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  for (auto& line : criu::quote_errors(ss.str(), path)) log::warn(line);
}

}  // namespace orun::container
