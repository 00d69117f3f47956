#include "sys/file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "orun/fd.hpp"

namespace orun::sys {

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open " + path);
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read " + path);
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

Result<void> write_file_atomic(const std::string& dir, const std::string& name, const std::string& data,
                               const std::string& what) {
  std::string tmp = dir + "/" + name + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return fail_errno("create temporary " + what + " in " + dir);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::unlink(tmp.c_str());
      return fail_errno("write " + tmp, e);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::rename(tmp.c_str(), (dir + "/" + name).c_str()) < 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail_errno("rename " + what, e);
  }
  return {};
}

}  // namespace orun::sys
