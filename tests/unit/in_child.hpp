// Runs a test body in a forked child: for code that changes process-wide
// state (credentials, capabilities, rlimits, namespaces) the test runner
// must keep.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace orun::unittest {

// fn's return value as the child's exit status; 128+signal if it died.
inline int in_child(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace orun::unittest
