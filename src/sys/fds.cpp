#include "sys/fds.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

namespace orun::sys {

namespace {

bool close_range_works(unsigned lo, unsigned hi) {
  return syscall(SYS_close_range, lo, hi, 0) == 0;
}

void close_by_walk(int from, const std::vector<int>& keep) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return;
  std::vector<int> fds;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd >= from && fd != dirfd(d) && std::find(keep.begin(), keep.end(), fd) == keep.end()) fds.push_back(fd);
  }
  closedir(d);
  for (int fd : fds) close(fd);
}

}  // namespace

void close_fds_except(int from, std::vector<int> keep) {
  keep.erase(std::remove_if(keep.begin(), keep.end(), [&](int fd) { return fd < from; }), keep.end());
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  unsigned lo = static_cast<unsigned>(from);
  for (int k : keep) {
    if (static_cast<unsigned>(k) > lo && !close_range_works(lo, static_cast<unsigned>(k) - 1)) {
      close_by_walk(from, keep);
      return;
    }
    lo = static_cast<unsigned>(k) + 1;
  }
  if (!close_range_works(lo, UINT_MAX)) close_by_walk(from, keep);
}

void ensure_std_fds() {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    int n = open("/dev/null", O_RDWR);
    if (n >= 0 && n != fd) {
      dup2(n, fd);
      close(n);
    }
  }
}

}  // namespace orun::sys
