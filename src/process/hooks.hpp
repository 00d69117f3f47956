// OCI hooks: each one run as its own process with the container state on
// stdin, its output captured for the error message, and its timeout enforced
// with SIGKILL. Called at runc's moments (docs/hooks in runc-reference 3.15):
// prestart/createRuntime/poststart/poststop by the parent, createContainer
// and startContainer by the container init.
#pragma once

#include <string>
#include <vector>


#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::process {

// The state document on a hook's stdin: {ociVersion,id,status,pid?,bundle,annotations?}.
std::string hook_state(const std::string& id, const std::string& status, int pid, const std::string& bundle,
                       const std::map<std::string, std::string>& annotations);

// Runs `hooks` in order. `kind` is the spec name ("prestart", "poststop" ...).
// A hook without env gets `default_env` (or, when null, orun's own environ).
// Error: "error running <kind> hook #<i>: <reason>, stdout: <out>, stderr: <err>".
Result<void> run_hooks(const std::vector<spec::Hook>& hooks, const std::string& kind, const std::string& state,
                       const std::vector<std::string>* default_env = nullptr);

}  // namespace orun::process
