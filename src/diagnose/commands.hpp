// Entry points of `orun check` and `orun diagnose` (src/cli/check.cpp and
// src/cli/diagnose.cpp parse the flags and call these).
#pragma once

#include <string>

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::diagnose {

struct CheckOptions {
  std::string format = "text";  // text | json
};

struct DiagnoseOptions {
  std::string id;
  std::string format = "text";
};

// Prints the host report; returns 1 when a blocking item failed, else 0.
Result<int> check(const GlobalOptions& g, const CheckOptions& o);
// Prints one container's report; "container does not exist" (runc's text)
// when --root has no such id, after naming the other roots that have it.
Result<int> diagnose(const GlobalOptions& g, const DiagnoseOptions& o);

}  // namespace orun::diagnose
