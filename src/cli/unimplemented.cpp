#include "cli/unimplemented.hpp"

#include <string>

namespace orun::cli::unimplemented {

namespace {
Result<int> not_yet(const char* cmd) { return fail(std::string(cmd) + ": not implemented yet in orun"); }
}  // namespace

Result<int> init(const GlobalOptions&) { return not_yet("init"); }

}  // namespace orun::cli::unimplemented
