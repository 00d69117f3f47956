// The handles every container process (init or exec'd) is spawned with, made
// by the parent: the console channel, the --pidfd-socket connection and the
// sealed clone of orun the payload is exec'd through.
#pragma once

#include <string>

#include "init/init.hpp"
#include "orun/fd.hpp"
#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::container {

struct SpawnHandles {
  UniqueFd console_parent;  // foreground tty: orun's end, where the pty master arrives
  UniqueFd console_child;   // the process's end (or the --console-socket connection)
  UniqueFd pidfd_socket;
  UniqueFd sealed_exe;      // security/exe_seal.hpp

  // The fds above, as the init code takes them (plus the log fd).
  void fill(init::InitConfig& ic) const;
};

// `terminal`: process.terminal. A foreground tty is proxied by orun through a
// socketpair; a detached one goes to `console_socket`.
Result<SpawnHandles> open_spawn_handles(const GlobalOptions& g, bool terminal, bool foreground,
                                        const std::string& console_socket, const std::string& pidfd_socket);

}  // namespace orun::container
