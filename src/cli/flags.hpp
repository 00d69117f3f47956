// Declaring runc's flags on a CLI11 app. Each flag is a CLI11 option that
// also records what the Go-style normaliser and the urfave-style help need:
// its kind (in the option's type name), its default text and whether it is
// hidden (empty group). The normaliser turns argv into `--name=value` words,
// so CLI11 only ever sees one canonical form.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/goflag.hpp"
#include "orun/result.hpp"

namespace orun::cli {

struct FlagInfo {
  std::string names;          // "bundle,b": long name first, as runc spells it
  std::string usage;
  std::string default_text;   // shown as (default: ...); empty: none
  bool hidden = false;
};

// The setter gets each occurrence's validated value, in command-line order.
CLI::Option* add_flag(CLI::App& app, const FlagInfo& info, FlagKind kind,
                      std::function<void(const std::string&)> set);

// Typed shorthands.
CLI::Option* add_bool(CLI::App& app, const FlagInfo& info, bool& target);
CLI::Option* add_bool(CLI::App& app, const FlagInfo& info, std::optional<bool>& target);
CLI::Option* add_string(CLI::App& app, const FlagInfo& info, std::string& target);
CLI::Option* add_string(CLI::App& app, const FlagInfo& info, std::optional<std::string>& target);
CLI::Option* add_strings(CLI::App& app, const FlagInfo& info, std::vector<std::string>& target);
CLI::Option* add_int(CLI::App& app, const FlagInfo& info, int64_t& target);
CLI::Option* add_int64s(CLI::App& app, const FlagInfo& info, std::vector<int64_t>& target);
// An integer flag (Go int) kept as its decimal text, set only when given.
CLI::Option* add_int_text(CLI::App& app, const FlagInfo& info, std::optional<std::string>& target);
// `--preserve-fds`: a Go int; negative counts pass nothing, as in runc.
CLI::Option* add_count(CLI::App& app, const FlagInfo& info, unsigned& target);
CLI::Option* add_duration(CLI::App& app, const FlagInfo& info, std::string& target);

// The positional arguments of a command (everything after the options).
void add_positionals(CLI::App& app, std::vector<std::string>& target);

// What the normaliser needs to know about the app's flags.
std::vector<FlagDef> flag_defs(const CLI::App& app);

// Hands the normalised flags and arguments to CLI11 (which calls the setters).
Result<void> apply(CLI::App& app, const ParsedArgs& parsed);

// urfave's rendering of the visible flags: "--bundle value, -b value\tusage".
std::vector<std::string> flag_help_lines(const CLI::App& app);

}  // namespace orun::cli
