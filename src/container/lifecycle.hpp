// Lifecycle verbs shared by the commands: create (the spawn of init),
// start (the exec.fifo handshake), destroy.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "container/state.hpp"
#include "orun/cgroups.hpp"
#include "orun/fd.hpp"
#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::container {

enum class CreateMode { create, run_detached, run_foreground };

struct Created {
  State state;
  UniqueFd console_master;  // foreground run with a terminal
};

// Everything up to init blocking on exec.fifo: validates, makes the state
// dir and cgroup, spawns init, writes state.json and the pid file. On any
// error nothing is left behind.
Result<Created> create_container(const GlobalOptions& g, const CreateOptions& o, CreateMode mode);

// Releases init from exec.fifo (runc's `start`): returns once init has
// passed the fifo; fails if it died first.
Result<void> start_container(const std::string& root, const State& s);

// Kills what is left (when there is no private pid namespace), removes the
// cgroup and the state dir, runs poststop hooks.
Result<void> destroy_container(const std::string& root, const State& s);

// runc's killContainer for delete: SIGKILL then wait up to 10 s for init.
Result<void> kill_and_wait(const std::string& root, const State& s);

// readlink of /proc/PID/fd/{0,1,2} ("" where unreadable): State::external_descriptors.
std::vector<std::string> stdio_descriptors(pid_t pid);

// Writes the pid file atomically (temp + rename), decimal, no newline.
Result<void> write_pid_file(const std::string& path, pid_t pid);

}  // namespace orun::container
