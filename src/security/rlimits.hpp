// process.rlimits: set with prlimit(2) from the parent on the container init
// (or on an exec'd process) once it reports ready, before the user namespace
// and the uid switch could stop a raise.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::security {

// Applies each rlimit to `pid` (0: the caller) in config order. An EPERM on
// RLIMIT_MEMLOCK (raising the hard limit needs CAP_SYS_RESOURCE, which some
// hosts withhold) is not fatal: both values are clamped to the current hard
// limit, applied, and a warning is returned. Other failures are fatal:
// "error setting rlimit type RLIMIT_NOFILE: operation not permitted".
// Returns the warnings.
Result<std::vector<std::string>> apply_rlimits(pid_t pid, const std::vector<spec::Rlimit>& rlimits);

// "RLIMIT_NOFILE" for RLIMIT_NOFILE, or the number as text when unknown.
std::string rlimit_name(int resource);

// Pure: `want` limited so that neither value exceeds `hard_cap`.
struct rlimit clamp_rlimit(const struct rlimit& want, rlim_t hard_cap);

}  // namespace orun::security
