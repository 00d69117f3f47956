// Help texts in urfave/cli v1's layout (its AppHelpTemplate and
// CommandHelpTemplate, aligned with text/tabwriter(minwidth 1, tabwidth 8,
// padding 2)), so scripts and tests that read `runc -h` output keep working.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"

namespace orun::cli {

// `prog -h`: `global` holds the global flags.
std::string app_help(std::string_view prog, const CLI::App& global);
// `prog CMD -h`, `prog help CMD`, and the text after "Incorrect Usage".
std::string command_help(std::string_view prog, const CommandSpec& cmd, const CLI::App& flags);

// text/tabwriter for cells separated by one tab: runs of consecutive lines
// that hold a tab get their first cell padded to the widest one plus 2.
std::string tabwrite(std::string_view text);

}  // namespace orun::cli
