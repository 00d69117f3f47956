// SCMP_ACT_NOTIFY: getting the listener fd from the container init to the
// seccomp agent at linux.seccomp.listenerPath, as runc does:
//   child:  seccomp() returns the listener; ORUN_SYNC_SECCOMP{value = fd}
//           goes to the parent with write(2) (hence no NOTIFY on write);
//           waits for ORUN_SYNC_SECCOMP_DONE, then closes its copy
//   parent: pidfd_getfd() takes a copy, connects to listenerPath (unix
//           stream; "@name" is an abstract socket) and sends one message:
//           the ContainerProcessState JSON with the fd as SCM_RIGHTS; then
//           closes its copy, so only the agent holds the listener (when the
//           agent dies, notified syscalls fail with ENOSYS)
#pragma once

#include <sys/types.h>

#include <string>

#include <nlohmann/json.hpp>

#include "orun/result.hpp"
#include "security/seccomp.hpp"

namespace orun::security::seccomp {

// Child side. Errors are the sync socket's.
Result<void> send_listener_to_parent(int sync_fd, int listener_fd);

// The message for the agent: {ociVersion, fds:["seccompFd"], pid, metadata?,
// state}. `state` is the container state ({ociVersion,id,status,pid,bundle,
// annotations}): status "creating" for init, "running" for exec.
nlohmann::json container_process_state(const Program& p, pid_t pid, const nlohmann::json& state);

// Parent side: `child_fd` is the fd number in process `pid`; `state` is the
// container state as the hooks get it (process::hook_state's JSON text).
Result<void> send_listener_to_agent(const Program& p, pid_t pid, int child_fd, const std::string& state);

}  // namespace orun::security::seccomp
