// The container side of the fork: everything between clone and execve, as
// one orchestrator (init.cpp) calling one function per kernel concept.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orun/spec.hpp"

namespace orun::security::seccomp {
struct Program;
}

namespace orun::init {

struct InitConfig {
  const spec::Spec* spec = nullptr;
  const spec::Process* process = nullptr;  // init: spec->process; exec: the exec'd one
  std::string id;
  std::string bundle;
  std::string rootfs;                      // absolute host path
  bool is_exec = false;                    // joining a running container
  bool rootless_euid = false;              // orun runs as an ordinary user (its parent is one)
  bool no_pivot = false;
  bool no_new_keyring = false;
  unsigned preserve_fds = 0;
  int sync_fd = -1;
  int fifo_fd = -1;                        // O_PATH exec.fifo (create), else -1
  int console_fd = -1;                     // socket to send the pty master on, else -1
  int pidfd_fd = -1;                       // socket to send a pidfd of the process on, else -1
  bool clear_onlcr = false;                // foreground tty: orun proxies the output
  int sealed_exe_fd = -1;                  // sealed clone of orun to exec the payload through (exe_seal.hpp)
  int log_fd = -1;                         // kept open for debug logging
  const security::seccomp::Program* seccomp = nullptr;  // compiled by the parent; null: no filter
  bool new_mount_ns = false;
  bool new_user_ns = false;                // container has its own userns (new or joined)
  bool new_net_ns = false;                 // a network namespace made for it (not joined by path)
  bool cgroup_ns = false;
  std::map<std::string, std::string> cgroup_paths;
  std::map<size_t, int> mount_source_fds;  // mount index -> detached tree made by the parent
};

// Never returns: execs the container process, or reports the error over the
// sync socket (or, once that is closed, on stderr) and exits
// ORUN_INIT_FAILED (init/exit_status.h).
[[noreturn]] void container_main(const InitConfig& c);

}  // namespace orun::init
