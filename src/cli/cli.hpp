// orun's command line, parsed exactly as runc 1.5.1 (urfave/cli v1) parses it.
#pragma once

#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/goflag.hpp"

namespace orun::cli {

// Runs the command line `argv` (argv[0] included); help and version texts go
// to `out`. Returns the process exit code: 0, 1 on errors, 3 for an unknown
// command, or what the command returned (a container's exit status).
int run(const std::vector<std::string>& argv, const Writer& out);

// The words after a command name, normalised (reordered unless the command
// passes them through) and handed to the command's CLI11 app `app`.
Result<ParsedArgs> parse_command_words(const CommandSpec& cmd, CLI::App& app,
                                       const std::vector<std::string>& words);

// The process entry point: run() with `out` writing to stdout.
int main(int argc, char** argv);

}  // namespace orun::cli
