// `orun gc`: what crashed runtimes, shims and hand-removed state dirs left in
// a root (docs/troubleshooting.md, "Leftovers"). Orun's own command, not runc's.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::container {

struct GcOptions {
  bool dry_run = false;  // print what would be done, change nothing
  bool force = false;    // also what may still hold processes or a supervisor's interest
};

// One leftover and what to do about it.
struct GcFinding {
  std::string kind;    // "half-created", "corrupt state", "stopped", "orphan cgroups", ...
  std::string object;  // the id, path or cgroup
  std::string detail;  // why it is a leftover
  std::string action;  // what is done ("remove", "record exit", ...)
  bool needs_force = false;
  std::function<Result<void>()> apply;
  bool report_only = false;  // shown, never acted on (`action` says what a person can do)
};

// Reads the root (and the cgroups its ledger names); changes nothing.
std::vector<GcFinding> gc_scan(const GlobalOptions& g);
// Prints a line per finding, applies those allowed; 1 when one failed.
Result<int> gc(const GlobalOptions& g, const GcOptions& o);

}  // namespace orun::container
