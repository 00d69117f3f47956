// Pieces of the config.json parser shared between its files.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::spec::detail {

// Parses a process object whose fields are named under `path` in errors
// ("process" for config.json, "" for an exec process.json).
Result<Process> parse_process_at(const nlohmann::json& v, const std::string& path);

// Go's %+v rendering of a specs.Mount, used by runc in "invalid mount ..."
// errors.
std::string go_mount_string(const Mount& m);

}  // namespace orun::spec::detail
