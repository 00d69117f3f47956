#include "init/lookpath.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "init/environment.hpp"
#include "sys/go_text.hpp"
#include "sys/path.hpp"

namespace orun::init {

std::string go_join_path(std::string_view dir, std::string_view file) {
  if (dir.empty() && file.empty()) return "";
  if (dir.empty()) return sys::clean_path(file);
  if (file.empty()) return sys::clean_path(dir);
  std::string joined(dir);
  joined += '/';
  joined += file;
  return sys::clean_path(joined);
}


namespace {

// Go's findExecutable: 0 when usable, else an errno with its message.
Result<void> find_executable(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) < 0) return fail_errno("stat " + path);
  if (S_ISDIR(st.st_mode)) return fail(errno_text(EISDIR), EISDIR);
  if (::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0) return {};
  int e = errno;
  if (e != ENOSYS && e != EPERM) return fail(errno_text(e), e);
  if (st.st_mode & 0111) return {};
  return fail(errno_text(EACCES), EACCES);
}

}  // namespace

Result<std::string> look_path(const std::string& file, const std::vector<std::string>& env) {
  const std::string prefix = "exec: " + sys::go_quote(file) + ": ";
  if (file.find('/') != std::string::npos) {
    auto r = find_executable(file);
    if (!r) return fail(prefix + r.error().msg, r.error().err);
    return file;
  }
  std::string path;
  env_lookup(env, "PATH", &path);
  if (!path.empty()) {
    size_t pos = 0;
    while (true) {
      size_t colon = path.find(':', pos);
      std::string dir = path.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
      if (dir.empty()) dir = ".";
      std::string candidate = go_join_path(dir, file);
      if (find_executable(candidate)) {
        if (candidate.front() != '/')
          return fail(prefix + "cannot run executable found relative to current directory", ENOENT);
        return candidate;
      }
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
  }
  return fail(prefix + "executable file not found in $PATH", ENOENT);
}

}  // namespace orun::init
