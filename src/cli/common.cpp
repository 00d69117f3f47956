// Helpers shared by the subcommand files: the command table, runc's
// checkArgs and fatal, program names and path cleaning.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/command.hpp"
#include "sys/path.hpp"
#include "cli/help.hpp"
#include "orun/log.hpp"

namespace orun::cli {

const std::vector<CommandSpec>& all_commands() {
  // runc's order in `runc --help` (features last), the hidden ones, then orun's own.
  static const std::vector<CommandSpec> commands = {
      checkpoint_command(), create_command(), delete_command(), events_command(),
      exec_command(),       kill_command(),   list_command(),   pause_command(),
      ps_command(),         restore_command(), resume_command(), run_command(),
      spec_command(),       start_command(),  state_command(),  update_command(),
      features_command(),   init_command(),
      // orun's own, after runc's.
      check_command(),      diagnose_command(), gc_command(),
  };
  return commands;
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : all_commands())
    if (c.name == name) return &c;
  return nullptr;
}

Result<void> check_args(const Invocation& inv, size_t n, ArgCount kind) {
  const size_t got = inv.args.size();
  const char* what = nullptr;
  if (kind == ArgCount::exact && got != n) what = "exactly";
  if (kind == ArgCount::min && got < n) what = "a minimum of";
  if (kind == ArgCount::max && got > n) what = "a maximum of";
  if (what == nullptr) return {};
  inv.out("Incorrect Usage.\n\n");
  inv.out(command_help(help_name(inv.global.argv0), inv.command, inv.app));
  return fail(inv.global.argv0 + ": \"" + inv.command.name + "\" requires " + what + " " +
              std::to_string(n) + " argument(s)");
}

int fatal(std::string_view msg, int code) {
  log::error(msg);
  if (!log::to_stderr()) {
    std::string line(msg);
    line += '\n';
    // Best effort: there is nowhere else to report a failing stderr.
    if (::write(STDERR_FILENO, line.data(), line.size()) < 0) {}
  }
  return code;
}

Result<std::string> absolute_path(const std::string& path) {
  if (!path.empty() && path.front() == '/') return sys::clean_path(path);
  std::unique_ptr<char, decltype(&std::free)> cwd(::getcwd(nullptr, 0), &std::free);
  if (!cwd) return fail_errno("getwd");
  return sys::clean_path(std::string(cwd.get()) + "/" + path);
}

}  // namespace orun::cli
