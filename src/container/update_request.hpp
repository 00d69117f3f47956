// What `update` is asked to change, as typed resources: the --resources
// document (a file or stdin), or else the individual flags, with runc's
// parsing and error texts.
#pragma once

#include <cstdint>
#include <string>

#include "orun/options.hpp"
#include "orun/resources.hpp"
#include "orun/result.hpp"

namespace orun::container {

// --resources FILE|- when given (every flag is then ignored, as runc), else
// the flags; only what was given is set.
Result<spec::Resources> update_request(const UpdateOptions& o);

// docker's units.RAMInBytes ("512m", "1g", "100"): update's memory flags.
Result<int64_t> ram_in_bytes(const std::string& s);

}  // namespace orun::container
