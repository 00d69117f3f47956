// process.capabilities: applied in the container init with libcap, in two
// steps around the user switch (runc's finalizeNamespace):
//   capability_sets    (before the seccomp filter: reads cap_last_cap)
//   drop_bounding_set  (still uid 0, before init::setup_user)
//   init::setup_user   (keeps the permitted set with PR_SET_KEEPCAPS)
//   apply_capabilities (effective, permitted, inheritable, then ambient)
// A missing capabilities object means "no changes at all": do not call these.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::security {

using WarnFn = std::function<void(const std::string&)>;

// The numeric sets of a config, with unknown or unavailable names set aside.
struct CapabilitySets {
  std::vector<int> bounding, effective, inheritable, permitted, ambient;
  std::vector<std::string> unknown;  // sorted, unique
  int last_cap = -1;                 // the kernel's last capability
};

// "CAP_CHOWN" -> 0. Exact, upper-case names only, as runc accepts them
// ("cap_chown" or "CHOWN" are unknown). Covers every capability libcap knows.
std::optional<int> capability_from_name(std::string_view name);
// 0 -> "CAP_CHOWN"; "" when unknown.
std::string capability_name(int cap);
// CAP_CHOWN .. the last capability libcap knows, upper-case, in number order
// (what `features` reports as known).
std::vector<std::string> all_capability_names();
// The running kernel's last capability (/proc/sys/kernel/cap_last_cap).
int last_supported_capability();

// Pure: names -> numbers; a name that is unknown or above `last_cap` goes to
// `unknown`.
CapabilitySets resolve_capabilities(const spec::Capabilities& caps, int last_cap);
// resolve_capabilities against the running kernel. Reads
// /proc/sys/kernel/cap_last_cap, so the init calls it before the container's
// seccomp filter; drop_bounding_set and apply_capabilities then make only
// capget, capset and prctl.
CapabilitySets capability_sets(const spec::Capabilities& caps);
// "ignoring unknown or unavailable capabilities: [CAP_A CAP_B]".
std::string unknown_capabilities_warning(const std::vector<std::string>& unknown);

// Drops from the bounding set every capability not in caps.bounding (only when
// CAP_SETPCAP is effective; otherwise the bounding set is left as is, as runc
// does). Reports unknown names once through `warn`.
// Error: "unable to apply bounding set: <errno text>".
Result<void> drop_bounding_set(const CapabilitySets& caps, const WarnFn& warn = {});

// Sets effective, permitted and inheritable to exactly the configured lists
// (so inheritable ends empty unless asked: CVE-2022-29162), then clears the
// ambient set and raises each configured ambient capability one by one; a
// failing raise only warns ("can't raise ambient capability CAP_X: <errno>").
// Errors: "unable to apply caps: can't apply capabilities: <errno text>".
Result<void> apply_capabilities(const CapabilitySets& caps, const WarnFn& warn = {});

}  // namespace orun::security
