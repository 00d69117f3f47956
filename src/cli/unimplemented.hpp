// Commands whose flags are parsed but whose work is not written yet. Each is
// one function so the real entry point replaces exactly one call.
#pragma once

#include "cli/criu_options.hpp"
#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::cli::unimplemented {

Result<int> checkpoint(const GlobalOptions& g, const CheckpointOptions& o);
Result<int> restore(const GlobalOptions& g, const RestoreOptions& o);
Result<int> init(const GlobalOptions& g);

}  // namespace orun::cli::unimplemented
