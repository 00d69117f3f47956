// The top of orun: runc's main() and urfave/cli v1's App.Run, in order:
// global flags, -h / -v, the Before hook (root, logger), then the command.
#include "cli/cli.hpp"

#include <unistd.h>

#include <cstdio>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "cli/global.hpp"
#include "cli/goflag.hpp"
#include "cli/help.hpp"
#include "orun/log.hpp"

namespace orun::cli {

namespace {

constexpr int kUnknownCommand = 3;  // urfave's NewExitError(..., 3)

// urfave's HandleExitCoder path: the message goes to the logger and, when
// logging elsewhere, to stderr as well. runc's logger also gets urfave's
// newline, which it prints as a literal `\n` ("No help topic for 'foo'\n");
// orun logs the message alone (docs/input-validation.md).
int exit_with_message(const std::string& msg, int code) {
  std::string line = msg + "\n";
  log::error(msg);
  if (!log::to_stderr()) {
    if (::write(STDERR_FILENO, line.data(), line.size()) < 0) {}
  }
  return code;
}

int no_help_topic(std::string_view name) {
  return exit_with_message("No help topic for '" + std::string(name) + "'", kUnknownCommand);
}

// Declares a command's flags (plus -h/--help) on `app`; returns its action.
Action define_command(const CommandSpec& cmd, CLI::App& app, bool& help,
                      std::vector<std::string>& positionals) {
  Action action = cmd.define ? cmd.define(app) : Action{};
  add_bool(app, {"help,h", "show help", "", true}, help);
  add_positionals(app, positionals);
  return action;
}

// urfave adds this command itself; it is not in all_commands().
const CommandSpec& help_command() {
  static const CommandSpec spec{
      .name = "help",
      .usage = "Shows a list of commands or help for one command",
      .args_usage = "[command]",
  };
  return spec;
}

// `prog help [command]`.
int run_help(const GlobalOptions& g, const CLI::App& global, const std::vector<std::string>& args,
             const Writer& out) {
  const std::string prog = help_name(g.argv0);
  if (args.empty()) {
    out(app_help(prog, global));
    return 0;
  }
  const CommandSpec* cmd = find_command(args.front());
  if (args.front() == "help" || args.front() == "h") cmd = &help_command();
  if (cmd == nullptr) return no_help_topic(args.front());
  CLI::App app;
  app.set_help_flag();
  bool help = false;
  std::vector<std::string> pos;
  define_command(*cmd, app, help, pos);
  out(command_help(prog, *cmd, app));
  return 0;
}

int run_command(const GlobalOptions& g, const CommandSpec& cmd, const std::vector<std::string>& words,
                const Writer& out) {
  const std::string prog = help_name(g.argv0);
  CLI::App app;
  app.set_help_flag();
  bool help = false;
  std::vector<std::string> positionals;
  Action action = define_command(cmd, app, help, positionals);

  auto parsed = parse_command_words(cmd, app, words);
  if (!parsed) {
    out("Incorrect Usage: " + parsed.error().msg + "\n\n");
    out(command_help(prog, cmd, app));
    return fatal(parsed.error().msg);
  }
  if (help) {
    out(command_help(prog, cmd, app));
    return 0;
  }
  Invocation inv{g, cmd, app, parsed->args, out};
  auto result = action(inv);
  if (!result) return fatal(result.error().msg);
  return *result;
}

}  // namespace

Result<ParsedArgs> parse_command_words(const CommandSpec& cmd, CLI::App& app,
                                       const std::vector<std::string>& words) {
  const auto defs = flag_defs(app);
  auto parsed = ORUN_TRY(parse_go_flags(defs, cmd.skip_reorder ? words : reorder_args(defs, words)));
  ORUN_TRY_VOID(apply(app, parsed));
  return parsed;
}

int run(const std::vector<std::string>& argv, const Writer& out) {
  GlobalFlags flags;
  flags.options.argv0 = argv.empty() ? "orun" : argv.front();
  set_invocation(flags.options.argv0);  // the name every later text uses (orun/program.hpp)
  const std::string prog = help_name(flags.options.argv0);

  CLI::App global;
  global.set_help_flag();
  add_global_flags(global, flags);
  std::vector<std::string> positionals;
  add_positionals(global, positionals);

  std::vector<std::string> words(argv.size() > 1 ? argv.begin() + 1 : argv.end(), argv.end());
  auto parsed = parse_go_flags(flag_defs(global), words);
  if (parsed) {
    if (auto applied = apply(global, *parsed); !applied) parsed = std::unexpected(applied.error());
  }
  if (!parsed) {
    out("Incorrect Usage. " + parsed.error().msg + "\n\n");
    out(app_help(prog, global));
    return fatal(parsed.error().msg);
  }
  if (flags.help) {
    out(app_help(prog, global));
    return 0;
  }
  if (flags.version) {
    out(version_text(flags.options.argv0));
    return 0;
  }
  if (auto before = apply_global_flags(flags); !before) return fatal(before.error().msg);

  const auto& args = parsed->args;
  if (args.empty()) {
    out(app_help(prog, global));
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args.front() == "help" || args.front() == "h") {
    // The help command has no flags of its own but -h/--help.
    std::vector<std::string> topics;
    for (const auto& w : rest)
      if (w != "-h" && w != "--help") topics.push_back(w);
    return run_help(flags.options, global, topics, out);
  }
  const CommandSpec* cmd = find_command(args.front());
  if (cmd == nullptr) return no_help_topic(args.front());
  return run_command(flags.options, *cmd, rest, out);
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  Writer out = [](std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  };
  int code = run(args, out);
  std::fflush(stdout);
  return code;
}

}  // namespace orun::cli
