// What checkpoint and restore share on the host side (runc's criuOptions,
// prepareImagePaths, the CRIU config file, the external mounts, the quoting
// of CRIU's log on failure).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "criu/plan.hpp"
#include "criu/rpc.hpp"
#include "orun/fd.hpp"
#include "orun/options.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::container {

// runc's prepareImagePaths: the image dir (default <cwd>/checkpoint) made
// with mode 0600 (sic), and --parent-path checked against it.
Result<std::string> prepare_image_path(const std::string& image_path, const std::string& parent_path);

// The CRIU binary and its version, with runc's errors.
struct CriuBinary {
  std::string path;
  int version = 0;
};
Result<CriuBinary> find_criu(const GlobalOptions& g);

// The image dir (and work dir, made if missing) opened for CRIU; logs go to
// the work dir when there is one.
struct CriuDirs {
  UniqueFd image, work;
  std::string log_dir;
};
Result<CriuDirs> open_criu_dirs(const std::string& image_path, const std::string& work_path);

// org.criu.config: present and non-empty names the file; present and empty:
// none; absent: /etc/criu/runc.conf.
std::optional<std::string> criu_config_file(const std::map<std::string, std::string>& annotations);

// The container's bind mounts and v1 cgroup binds with their destination
// resolved inside the rootfs (runc's SecureJoin) and host source.
Result<std::vector<criu::MountRef>> criu_bind_mounts(const spec::Spec& s, const std::string& bundle, const std::string& rootfs,
                                                     const std::map<std::string, std::string>& cgroup_paths);

// runc's logCriuErrors: quotes the failing lines of CRIU's log as warnings.
void log_criu_errors(const std::string& dir, const std::string& file);

}  // namespace orun::container
