// Go's text encodings: what runc prints with %q, and JSON strings as
// encoding/json writes them.
#pragma once

#include <string>
#include <string_view>

namespace orun::sys {

// strconv.Quote: escapes, \xNN for invalid UTF-8, \uNNNN for C1 controls.
std::string go_quote(std::string_view s);
// A JSON string as encoding/json writes it (HTML-safe escaping).
std::string go_json_string(std::string_view s);

}  // namespace orun::sys
