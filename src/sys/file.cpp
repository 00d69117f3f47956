#include "sys/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "orun/fd.hpp"

namespace orun::sys {

Result<std::string> read_fd(int fd, const std::string& name) {
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read " + name);
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open " + path);
  return read_fd(fd.get(), path);
}

std::string read_file_or_empty(const std::string& path) { return read_file(path).value_or(""); }

Result<void> write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> mkdir_all(const std::string& path, mode_t mode) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return fail("mkdir " + path + ": not a directory", ENOTDIR);
  }
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) ORUN_TRY_VOID(mkdir_all(path.substr(0, slash), mode));
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return fail_errno("mkdir " + path);
  return {};
}

Result<void> write_file_atomic(const std::string& dir, const std::string& name, const std::string& data,
                               const std::string& what) {
  std::string tmp = dir + "/" + name + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return fail_errno("create temporary " + what + " in " + dir);
  if (auto w = write_all(fd.get(), data, tmp); !w) {
    ::unlink(tmp.c_str());
    return w;
  }
  if (::rename(tmp.c_str(), (dir + "/" + name).c_str()) < 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail_errno("rename " + what, e);
  }
  return {};
}

}  // namespace orun::sys
