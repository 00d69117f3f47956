// Go's text encodings: what runc prints with %q, and JSON strings as
// encoding/json writes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orun::sys {

// strconv.Quote: escapes, \xNN for invalid UTF-8, \uNNNN for C1 controls.
std::string go_quote(std::string_view s);
// A JSON string as encoding/json writes it (HTML-safe escaping).
std::string go_json_string(std::string_view s);

// Go's strings.Split: n+1 fields for n separators, so "" gives {""} and
// "a," gives {"a", ""}. With Tail::drop an empty last field is left out
// ("" gives none, "a," gives {"a"}): how std::getline splits, which the
// /proc/self/mountinfo and /proc/self/cgroup readers rely on.
enum class Tail { keep, drop };
std::vector<std::string> split(std::string_view s, char sep, Tail tail = Tail::keep);

}  // namespace orun::sys
