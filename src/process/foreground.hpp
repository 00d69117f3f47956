// A foreground `run`/`exec`: signal forwarding, the tty proxy, the exit code.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>

#include "orun/result.hpp"

namespace orun::process {

// Blocks every signal so none is lost between spawn and the wait loop; the
// child unblocks its own mask. Returns the previous mask.
sigset_t block_all_signals();

// No \r\n translation on the pty's output: the caller's terminal does its
// own. Must happen before the container process writes anything.
void clear_onlcr(int master);

// One more fd for the wait loop: `on_ready` runs when poll reports `events`
// on it, while the target is alive.
struct Watch {
  int fd = -1;
  short events = 0;
  std::function<void()> on_ready;
};

// Forwards every signal but SIGCHLD/SIGWINCH/SIGURG to `target`, proxies the
// pty master (if >= 0) to stdin/stdout, resizes it on SIGWINCH, reaps
// children, and returns the target's exit code (128+signal when killed);
// its wait(2) status in `*wait_status` when given.
Result<int> forward_until_exit(pid_t target, int tty_master, const Watch& watch = {}, int* wait_status = nullptr);

}  // namespace orun::process
