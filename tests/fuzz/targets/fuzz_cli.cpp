// The command line (words separated by NUL bytes): the global flags, then the
// command's flags as run() parses them (Go flag rules, urfave's reordering,
// CLI11's conversions); the command itself is not run.
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "cli/global.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun::cli;
  auto words = orun::fuzz::split(orun::fuzz::text_of(data, size), '\0');
  GlobalFlags flags;
  CLI::App global;
  global.set_help_flag();
  add_global_flags(global, flags);
  std::vector<std::string> positionals;
  add_positionals(global, positionals);
  auto parsed = parse_go_flags(flag_defs(global), words);
  if (!parsed || !apply(global, *parsed) || parsed->args.empty()) return 0;
  const CommandSpec* cmd = find_command(parsed->args.front());
  if (cmd == nullptr) return 0;
  CLI::App app;
  app.set_help_flag();
  bool help = false;
  std::vector<std::string> pos;
  // The action owns the options the flags write to: it outlives the parse.
  const Action action = cmd->define ? cmd->define(app) : Action{};
  add_bool(app, {"help,h", "show help", "", true}, help);
  add_positionals(app, pos);
  std::vector<std::string> rest(parsed->args.begin() + 1, parsed->args.end());
  (void)parse_command_words(*cmd, app, rest);
  return 0;
}
