// The argv normaliser: runc parses its command line with Go's `flag` package
// under urfave/cli v1, and callers depend on its quirks (go-runc passes
// `-no-subreaper` with one dash, Docker passes `--rootless=false`, users put
// `--force` after the container id). This file reproduces those rules on a
// plain list of flag definitions, so the result can be handed to CLI11 in one
// canonical form (`--name=value ... -- positional...`). Error texts are Go's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"

namespace orun::cli {

enum class FlagKind { boolean, string, integer, duration, string_slice, int64_slice };

struct FlagDef {
  std::vector<std::string> names;  // canonical (long) name first: {"bundle", "b"}
  FlagKind kind = FlagKind::string;
};

struct FlagValue {
  std::string name;    // canonical name
  std::string value;   // validated; booleans are "true"/"false", integers decimal
};

struct ParsedArgs {
  std::vector<FlagValue> flags;   // in command-line order
  std::vector<std::string> args;  // positional arguments
};

// urfave/cli v1's reorderArgs: known flags (and the value that follows a
// non-boolean one) that appear after positional arguments move to the front;
// `--` stops the reordering. Unknown `-x` words stay where they are.
std::vector<std::string> reorder_args(const std::vector<FlagDef>& defs,
                                      const std::vector<std::string>& args);

// Go's flag.FlagSet.Parse plus urfave's normalizeFlags: `-name`, `--name`,
// `-name=value`, `--name value`; booleans never take the next word but accept
// `=true|false`; parsing stops at the first positional argument or after
// `--`. Errors: "flag provided but not defined: -foo" and the like.
Result<ParsedArgs> parse_go_flags(const std::vector<FlagDef>& defs,
                                  const std::vector<std::string>& args);

// Value parsers with Go's rules (strconv.ParseBool, strconv.ParseInt base 0,
// time.ParseDuration). Errors are the bare reason ("parse error", "value out of
// range").
Result<bool> parse_go_bool(std::string_view s);
Result<int64_t> parse_go_int(std::string_view s);
Result<int64_t> parse_go_duration(std::string_view s);  // nanoseconds

}  // namespace orun::cli
