// What every subcommand file provides: its help texts and a `define` function
// that declares its flags on a CLI11 app (bound to an options struct it owns)
// and returns the action that runs once the flags are parsed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::cli {

// Where help, version and usage texts go (stdout in the binary).
using Writer = std::function<void(std::string_view)>;

struct CommandSpec;

struct Invocation {
  const GlobalOptions& global;
  const CommandSpec& command;
  const CLI::App& app;                 // the command's flags, for its help text
  std::vector<std::string> args;       // positional arguments
  const Writer& out;
};

using Action = std::function<Result<int>(const Invocation&)>;

struct CommandSpec {
  std::string name;
  std::string usage;        // one line, shown in the command list
  std::string args_usage;   // after "USAGE: prog cmd [command options] "
  std::string description;
  bool hidden = false;
  bool skip_reorder = false;  // exec, ps: words after the id are passed through
  std::function<Action(CLI::App&)> define;
};

// The commands in runc's help order (hidden ones included).
const std::vector<CommandSpec>& all_commands();
const CommandSpec* find_command(std::string_view name);

// One factory per command file.
CommandSpec check_command();
CommandSpec checkpoint_command();
CommandSpec create_command();
CommandSpec delete_command();
CommandSpec diagnose_command();
CommandSpec gc_command();
CommandSpec events_command();
CommandSpec exec_command();
CommandSpec features_command();
CommandSpec init_command();
CommandSpec kill_command();
CommandSpec list_command();
CommandSpec pause_command();
CommandSpec ps_command();
CommandSpec restore_command();
CommandSpec resume_command();
CommandSpec run_command();
CommandSpec spec_command();
CommandSpec start_command();
CommandSpec state_command();
CommandSpec update_command();

enum class ArgCount { exact, min, max };

// runc's checkArgs: on a wrong count prints "Incorrect Usage.\n\n" and the
// command help to `out`, and returns
// `<argv0>: "<cmd>" requires exactly|a minimum of|a maximum of N argument(s)`.
Result<void> check_args(const Invocation& inv, size_t n, ArgCount kind);

// runc's fatalWithCode: logs the error; when the log is not stderr, also
// prints the bare message on stderr. Returns `code` for the caller to exit with.
int fatal(std::string_view msg, int code = 1);

// basename(argv0), as urfave prints it in help texts (orun/program.hpp).
inline std::string help_name(std::string_view argv0) { return invoked_name(argv0); }

// "--pid-file x" relative to the cwd at invocation: runc makes it absolute
// before the commands chdir into the bundle.
Result<std::string> absolute_path(const std::string& path);

}  // namespace orun::cli
