// The global flags (before the command name) and what runc does with them
// before any command runs: the state root, the logger, `--criu`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::cli {

struct GlobalFlags {
  GlobalOptions options;
  bool help = false;
  bool version = false;
  std::string log_format = "text";  // checked by apply_global_flags
  std::optional<std::string> criu;  // the CRIU binary (hidden; runc 1.1 had it)
  bool xdg_root = false;            // default root is $XDG_RUNTIME_DIR/orun
};

// Fills flags.options.root with the default root and declares the flags.
void add_global_flags(CLI::App& app, GlobalFlags& flags);

// runc's app.Before: XDG root creation, --root cleaning (`/` is refused),
// --criu, then the logger (--debug, --log-format, --log).
Result<void> apply_global_flags(GlobalFlags& flags);

// `--version` output: "runc version X" when invoked as runc, else "orun version X".
std::string version_text(std::string_view argv0);

// Whether $XDG_RUNTIME_DIR should be used (runc's shouldHonorXDGRuntimeDir).
bool honor_xdg_runtime_dir();

}  // namespace orun::cli
