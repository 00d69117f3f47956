#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "container/lifecycle.hpp"

namespace orun::container {

Result<void> write_pid_file(const std::string& path, pid_t pid) {
  // containerd reads the file with Atoi the moment we return: it must be
  // complete, so write a temp file beside it and rename.
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string tmp = dir + "/.orun-pid-XXXXXX";
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return fail_errno("create pid file in " + dir);
  UniqueFd g(fd);
  std::string data = std::to_string(pid);
  if (write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
    int e = errno;
    unlink(tmp.c_str());
    return fail_errno("write pid file", e);
  }
  fchmod(fd, 0644);
  if (rename(tmp.c_str(), path.c_str()) < 0) {
    int e = errno;
    unlink(tmp.c_str());
    return fail_errno("rename pid file " + path, e);
  }
  return {};
}

}  // namespace orun::container
