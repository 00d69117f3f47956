#include "init/sysctl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "orun/fd.hpp"
#include "sys/procfs.hpp"

namespace orun::init {

std::string sysctl_proc_path(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos)
    for (char& c : path)
      if (c == '.') c = '/';
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  return "sys/" + path;
}

namespace {

// Go's %q for the value in the error text.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<void> apply_sysctls(const std::map<std::string, std::string>& sysctls) {
  if (sysctls.empty()) return {};
  // One full (non-subset) procfs for all keys: /proc/sys is not in subset=pid.
  UniqueFd proc = ORUN_TRY(sys::open_procfs(sys::ProcfsView::full));
  for (const auto& [key, value] : sysctls) {
    auto opened = sys::open_proc_file(proc.get(), sysctl_proc_path(key), O_WRONLY | O_TRUNC);
    if (!opened)
      return fail("open sysctl " + key + " file: " + opened.error().msg, opened.error().err);
    ssize_t n;
    do {
      n = ::write(opened->get(), value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      int e = errno;
      return fail("failed to write sysctl " + key + " = " + quoted(value) + ": " + errno_text(e), e);
    }
  }
  return {};
}

}  // namespace orun::init
