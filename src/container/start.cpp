// The exec.fifo handshake: opening the fifo for reading releases init.
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/lifecycle.hpp"

namespace orun::container {

Result<void> start_container(const std::string& root, const State& s) {
  std::string fifo = state_dir(root, s.id) + "/exec.fifo";
  // Non-blocking: the open succeeds at once, and we then wait for either
  // init's byte or init's death (its pidfd), so a dead init can't hang us.
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail("cannot start an already running container");
    return fail_errno("open exec fifo");
  }
  UniqueFd f(fd);
  int pfd = static_cast<int>(syscall(SYS_pidfd_open, s.init_pid, 0));
  UniqueFd pidfd(pfd);
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {pfd, POLLIN, 0}};
    int n = poll(p, pfd >= 0 ? 2 : 1, pfd >= 0 ? -1 : 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll exec fifo");
    }
    char buf[16];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r > 0) break;
    bool dead = (pfd >= 0 && (p[1].revents & POLLIN)) || (pfd < 0 && !init_alive(s));
    if (dead) {
      r = read(fd, buf, sizeof(buf));
      if (r > 0) break;
      return fail("container process is already dead");
    }
    if (r == 0 && (p[0].revents & POLLHUP)) return fail("cannot start an already running container");
  }
  // Unlinking the fifo is what makes the status "running".
  if (unlink(fifo.c_str()) < 0 && errno != ENOENT) return fail_errno("remove exec fifo");
  return {};
}

}  // namespace orun::container
