#pragma once

#include <string>

#include "orun/result.hpp"

namespace orun::container {

// runc's parseSignal: a number (any integer), or a name with or without the
// SIG prefix, case-insensitive. Unknown: `unknown signal "<raw>"`.
Result<int> parse_signal(const std::string& raw);

}  // namespace orun::container
