// Commands whose flags are parsed but whose work is not written yet. Each is
// one function so the real entry point replaces exactly one call.
#pragma once

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::cli::unimplemented {

Result<int> init(const GlobalOptions& g);

}  // namespace orun::cli::unimplemented
