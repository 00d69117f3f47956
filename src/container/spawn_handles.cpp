#include "container/spawn_handles.hpp"

#include <sys/socket.h>

#include "orun/log.hpp"
#include "process/spawn.hpp"
#include "security/exe_seal.hpp"

namespace orun::container {

void SpawnHandles::fill(init::InitConfig& ic) const {
  ic.console_fd = console_child ? console_child.get() : -1;
  ic.pidfd_fd = pidfd_socket ? pidfd_socket.get() : -1;
  ic.clear_onlcr = static_cast<bool>(console_parent);
  ic.sealed_exe_fd = sealed_exe ? sealed_exe.get() : -1;
  ic.log_fd = log::fd();
}

Result<SpawnHandles> open_spawn_handles(const GlobalOptions& g, bool terminal, bool foreground,
                                        const std::string& console_socket, const std::string& pidfd_socket) {
  SpawnHandles h;
  if (terminal) {
    if (foreground) {
      int sp[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) return fail_errno("create console socketpair");
      h.console_parent.reset(sp[0]);
      h.console_child.reset(sp[1]);
    } else {
      h.console_child = ORUN_TRY(process::connect_unix(console_socket));
    }
  }
  if (!pidfd_socket.empty()) h.pidfd_socket = ORUN_TRY(process::connect_unix(pidfd_socket));
  // CVE-2019-5736: the payload is exec'd through a sealed clone of orun,
  // never from the host binary.
  h.sealed_exe = ORUN_TRY(security::seal_self_exe(g.root, program_name(g.argv0)));
  log::debug(program_name(g.argv0) + " exeseal: using /proc/self/exe clone");
  return h;
}

}  // namespace orun::container
