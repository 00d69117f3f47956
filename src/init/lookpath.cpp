#include "init/lookpath.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "init/environment.hpp"

namespace orun::init {

std::string go_clean_path(std::string_view p) {
  if (p.empty()) return ".";
  bool rooted = p.front() == '/';
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t slash = p.find('/', pos);
    std::string_view comp = p.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (comp.empty() || comp == ".") {
      // skip
    } else if (comp == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!rooted) parts.push_back(comp);
    } else {
      parts.push_back(comp);
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  if (out.empty()) return ".";
  return out;
}

std::string go_join_path(std::string_view dir, std::string_view file) {
  if (dir.empty() && file.empty()) return "";
  if (dir.empty()) return go_clean_path(file);
  if (file.empty()) return go_clean_path(dir);
  std::string joined(dir);
  joined += '/';
  joined += file;
  return go_clean_path(joined);
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
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
  const std::string prefix = "exec: " + go_quote(file) + ": ";
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
