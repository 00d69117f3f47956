// State roots other than the one in use: where runc, containerd's and
// Docker's runc shims, or a rootless user keep containers. `check` lists the
// ones holding containers and `diagnose` names the one holding an id that
// --root does not, a common cause of "container does not exist".
#pragma once

#include <string>
#include <vector>

namespace orun::diagnose {

// Existing directories among /run/orun, /run/runc, $XDG_RUNTIME_DIR/{orun,runc},
// /run/user/<uid>/{orun,runc}, /run/containerd/runc/<namespace> and
// /run/docker/runtime-runc/<namespace>, without duplicates; only stat and
// readdir, nothing is made.
std::vector<std::string> known_roots();

// Those of known_roots() other than `except` with <root>/<id>/state.json.
std::vector<std::string> roots_holding(const std::string& id, const std::string& except);

// The container directories in `root` (sub-directories, sorted).
std::vector<std::string> container_dirs(const std::string& root);

}  // namespace orun::diagnose
