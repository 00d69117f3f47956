// OOM kills in a container's memory cgroup: the count and its notification.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "orun/cgroups.hpp"

namespace orun::cgroups {

namespace {

// v1: memory.oom_control's oom_kill line; v2: memory.events' (both count
// the kills in the cgroup and its descendants).
std::string count_file(const Manager& m) {
  const auto& paths = m.paths();
  if (auto it = paths.find("memory"); it != paths.end()) return it->second + "/memory.oom_control";
  if (auto v2 = paths.find(""); v2 != paths.end()) return v2->second + "/memory.events";
  return "";
}

uint64_t read_oom_kill(int fd) {
  char buf[512];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return 0;
  buf[n] = 0;
  std::istringstream in(buf);
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value)
    if (key == "oom_kill") return value;
  return 0;
}

}  // namespace

uint64_t oom_kill_count(const Manager& m) {
  std::string file = count_file(m);
  if (file.empty()) return 0;
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  return fd ? read_oom_kill(fd.get()) : 0;
}

OomWatch OomWatch::open(const Manager& m) {
  OomWatch w;
  std::string file = count_file(m);
  if (file.empty()) return w;
  w.count_fd_ = UniqueFd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!w.count_fd_) return w;
  if (file.ends_with("/memory.events")) {
    // kernfs flags the file (POLLPRI) after a counter changed; a read re-arms it.
    w.v2_ = true;
    (void)w.count();
    return w;
  }
  // v1: an eventfd the kernel signals on each OOM in the cgroup
  // (cgroup.event_control "<eventfd> <memory.oom_control fd>"). The signal
  // comes before the kill, so settle() waits for the count to move.
  UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!efd) return OomWatch();
  std::string dir = file.substr(0, file.rfind('/'));
  UniqueFd ctl(::open((dir + "/cgroup.event_control").c_str(), O_WRONLY | O_CLOEXEC));
  std::string line = std::to_string(efd.get()) + " " + std::to_string(w.count_fd_.get());
  if (!ctl || write(ctl.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) return OomWatch();
  w.event_fd_ = std::move(efd);
  return w;
}

int OomWatch::poll_fd() const { return v2_ ? count_fd_.get() : event_fd_.get(); }

short OomWatch::poll_events() const { return v2_ ? POLLPRI : POLLIN; }

uint64_t OomWatch::count() const { return count_fd_ ? read_oom_kill(count_fd_.get()) : 0; }

uint64_t OomWatch::settle(uint64_t before) const {
  if (!v2_) {
    uint64_t n = 0;
    (void)!read(event_fd_.get(), &n, sizeof(n));
  }
  uint64_t now = count();
  // v1: the kill follows the notification within the allocating task's
  // fault; a short wait covers it (and ends an OOM that killed nothing).
  for (int i = 0; !v2_ && now <= before && i < 50; i++) {
    usleep(2000);
    now = count();
  }
  return now;
}

}  // namespace orun::cgroups
