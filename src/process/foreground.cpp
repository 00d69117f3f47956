#include "process/foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "orun/fd.hpp"

namespace orun::process {

namespace {

// Puts the caller's terminal in raw mode for the life of the proxy.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (!isatty(fd) || tcgetattr(fd, &saved_) < 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST;  // keep output post-processing as runc's console does
    active_ = tcsetattr(fd, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void resize(int master) {
  winsize ws{};
  for (int fd : {0, 1, 2}) {
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
      ioctl(master, TIOCSWINSZ, &ws);
      return;
    }
  }
}

bool copy(int from, int to) {
  char buf[16384];
  ssize_t n = read(from, buf, sizeof(buf));
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, static_cast<size_t>(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += w;
  }
  return true;
}

int exit_code(int status) {
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

void clear_onlcr(int master) {
  termios t{};
  if (tcgetattr(master, &t) == 0) {
    t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
    tcsetattr(master, TCSANOW, &t);
  }
}

sigset_t block_all_signals() {
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  return old;
}

Result<int> forward_until_exit(pid_t target, int tty_master, const Watch& watch, int* wait_status) {
  sigset_t all;
  sigfillset(&all);
  int sfd = signalfd(-1, &all, SFD_CLOEXEC);
  if (sfd < 0) return fail_errno("signalfd");
  UniqueFd sig(sfd);

  RawTerminal raw(0);
  if (tty_master >= 0) {
    // The master stays blocking for writes; reads are driven by poll.
    int blocking = 0;
    ioctl(tty_master, FIONBIO, &blocking);

    resize(tty_master);
  }
  bool stdin_open = tty_master >= 0;
  bool master_open = tty_master >= 0;
  int code = -1;
  while (code < 0 || master_open) {
    pollfd p[4] = {{sfd, POLLIN, 0},
                   {stdin_open ? 0 : -1, POLLIN, 0},
                   {master_open ? tty_master : -1, POLLIN, 0},
                   {code < 0 ? watch.fd : -1, watch.events, 0}};
    // Once the target is gone, drain what the pty still holds, then stop.
    int timeout = code >= 0 ? 100 : -1;
    int n = poll(p, 4, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    if (n == 0 && code >= 0) break;
    if (p[3].revents != 0 && watch.on_ready) watch.on_ready();
    if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!copy(tty_master, 1)) master_open = false;
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!copy(0, tty_master)) stdin_open = false;
    }
    if (p[0].revents & POLLIN) {
      signalfd_siginfo si{};
      if (read(sfd, &si, sizeof(si)) != sizeof(si)) continue;
      int s = static_cast<int>(si.ssi_signo);
      if (s == SIGCHLD) {
        int status = 0;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
          if (pid == target) {
            code = exit_code(status);
            if (wait_status) *wait_status = status;
          }
        }
      } else if (s == SIGWINCH) {
        if (tty_master >= 0) resize(tty_master);
      } else if (s != SIGURG && code < 0) {
        ::kill(target, s);
      }
    }
  }
  return code;
}

}  // namespace orun::process
