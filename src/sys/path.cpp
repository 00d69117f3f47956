// Root-confined path resolution: openat2(RESOLVE_IN_ROOT) when the kernel has
// it (5.6+), otherwise a component-by-component O_PATH|O_NOFOLLOW walk that
// emulates symlinks with the root as "/".
#include "sys/path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

namespace orun::sys {

namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's MAXSYMLINKS

std::vector<std::string> components(std::string_view p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

int g_openat2 = -1;  // -1 unknown, 0 missing, 1 present
bool g_openat2_disabled = false;

long raw_openat2(int dirfd, const char* path, int flags, unsigned long long resolve) {
  struct open_how how{};
  how.flags = static_cast<unsigned long long>(flags);
  how.resolve = resolve;
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

Result<std::string> readlink_at(int dirfd, const char* name) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = readlinkat(dirfd, name, buf.data(), buf.size());
    if (n < 0) return fail_errno("readlink");
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

// The userspace fallback: each component is opened O_PATH|O_NOFOLLOW relative
// to the previous directory; ".." pops back but never above the root; a
// symlink's target is pushed in front of the remaining components (an
// absolute target restarts at the root).
Result<UniqueFd> walk_in_root(int root_fd, std::string_view path, int flags) {
  std::deque<std::string> todo;
  for (auto& c : components(path)) todo.push_back(std::move(c));
  std::vector<UniqueFd> stack;  // directories entered below the root
  auto cur = [&] { return stack.empty() ? root_fd : stack.back().get(); };
  int links = 0;
  UniqueFd last;  // the final component (may be a symlink when O_NOFOLLOW)
  bool have_last = false;
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    have_last = false;
    if (comp == ".") continue;
    if (comp == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    UniqueFd fd(openat(cur(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return fail_errno("openat " + comp);
    struct stat st{};
    if (fstat(fd.get(), &st) < 0) return fail_errno("fstat " + comp);
    bool is_last = todo.empty();
    if (S_ISLNK(st.st_mode) && (!is_last || !(flags & O_NOFOLLOW))) {
      if (++links > kMaxSymlinks) return fail("too many levels of symbolic links", ELOOP);
      auto target = ORUN_TRY(readlink_at(fd.get(), ""));
      if (!target.empty() && target[0] == '/') stack.clear();
      auto tc = components(target);
      for (auto it = tc.rbegin(); it != tc.rend(); ++it) todo.push_front(*it);
      continue;
    }
    if (is_last) {
      last = std::move(fd);
      have_last = true;
      break;
    }
    if (!S_ISDIR(st.st_mode)) return fail("not a directory", ENOTDIR);
    stack.push_back(std::move(fd));
  }
  int final_fd = have_last ? last.get() : cur();
  struct stat st{};
  if (fstat(final_fd, &st) < 0) return fail_errno("fstat");
  if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) return fail("not a directory", ENOTDIR);
  if (flags & O_PATH) {
    int d = fcntl(final_fd, F_DUPFD_CLOEXEC, 0);
    if (d < 0) return fail_errno("dup");
    return UniqueFd(d);
  }
  if (S_ISLNK(st.st_mode)) return fail("too many levels of symbolic links", ELOOP);
  // Reopen the verified inode with the wanted access mode.
  int fd = open(fd_path(final_fd).c_str(), (flags & ~O_NOFOLLOW) | O_CLOEXEC);
  if (fd < 0) return fail_errno("reopen");
  return UniqueFd(fd);
}

}  // namespace

Result<std::string> resolve_partial_in_root(int root_fd, std::string_view path) {
  std::deque<std::string> todo;
  for (auto& c : components(clean_abs(path))) todo.push_back(std::move(c));
  std::vector<UniqueFd> stack;
  std::vector<std::string> names;
  auto cur = [&] { return stack.empty() ? root_fd : stack.back().get(); };
  int links = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (!stack.empty()) {
        stack.pop_back();
        names.pop_back();
      }
      continue;
    }
    UniqueFd fd(openat(cur(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (errno != ENOENT) return fail_errno("resolve " + std::string(path));
      // Missing from here on: the rest is only lexical.
      std::string rest = comp;
      for (auto& t : todo) rest += "/" + t;
      std::string base = "/";
      for (auto& n : names) base += n + "/";
      return clean_abs(base + rest);
    }
    struct stat st{};
    if (fstat(fd.get(), &st) < 0) return fail_errno("fstat " + comp);
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) return fail("resolve " + std::string(path) + ": too many levels of symbolic links", ELOOP);
      auto target = ORUN_TRY(readlink_at(fd.get(), ""));
      if (!target.empty() && target[0] == '/') {
        stack.clear();
        names.clear();
      }
      auto tc = components(target);
      for (auto it = tc.rbegin(); it != tc.rend(); ++it) todo.push_front(*it);
      continue;
    }
    if (!todo.empty() && !S_ISDIR(st.st_mode)) return fail("resolve " + std::string(path) + ": not a directory", ENOTDIR);
    stack.push_back(std::move(fd));
    names.push_back(comp);
  }
  std::string out = "/";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "/" : "") + names[i];
  return out;
}

std::string clean_path(std::string_view p) {
  if (p.empty()) return ".";
  bool abs = p[0] == '/';
  std::vector<std::string> out;
  for (auto& c : components(p)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!out.empty() && out.back() != "..") out.pop_back();
      else if (!abs) out.push_back("..");
      continue;
    }
    out.push_back(std::move(c));
  }
  std::string r = abs ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) r += '/';
    r += out[i];
  }
  return r.empty() ? "." : r;
}

std::string clean_abs(std::string_view p) { return clean_path("/" + std::string(p)); }

bool is_lexically_in_root(std::string_view root, std::string_view path) {
  std::string r = clean_path(root), p = clean_path(path);
  if (r == "/") return !p.empty() && p[0] == '/';
  return p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/');
}

std::string strip_root(std::string_view root, std::string_view path) {
  std::string r = clean_path(root), p = clean_path(path);
  if (!is_lexically_in_root(r, p)) return p;
  if (r == "/") return p;
  return clean_abs(p.substr(r.size()));
}

std::string join_path(std::string_view a, std::string_view b) {
  return clean_path(std::string(a) + "/" + std::string(b));
}

std::pair<std::string, std::string> split_path(std::string_view p) {
  std::string c = clean_path(p);
  auto pos = c.rfind('/');
  if (pos == std::string::npos) return {".", c};
  if (pos == 0) return {"/", c.substr(1)};
  return {c.substr(0, pos), c.substr(pos + 1)};
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<std::string> fd_readlink(int fd) {
  auto r = readlink_at(AT_FDCWD, fd_path(fd).c_str());
  if (!r) return std::unexpected(std::move(r.error()).context("readlink " + fd_path(fd)));
  return r;
}

bool have_openat2() {
  if (g_openat2_disabled) return false;
  if (g_openat2 < 0) {
    long fd = raw_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0);
    if (fd >= 0) close(static_cast<int>(fd));
    g_openat2 = (fd < 0 && (errno == ENOSYS || errno == E2BIG)) ? 0 : 1;
  }
  return g_openat2 == 1;
}

void set_openat2_disabled(bool disabled) { g_openat2_disabled = disabled; }

Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags) {
  std::string rel = clean_abs(path);
  if (have_openat2()) {
    std::string p = rel == "/" ? "." : rel.substr(1);
    for (int i = 0; i < 128; ++i) {
      long fd = raw_openat2(root_fd, p.c_str(), flags | O_CLOEXEC,
                            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      if (fd >= 0) return UniqueFd(static_cast<int>(fd));
      // EAGAIN: a rename raced with the lookup; the kernel asks for a retry.
      if (errno != EAGAIN) return fail_errno("openat2 " + rel);
    }
    return fail_errno("openat2 " + rel);
  }
  auto r = walk_in_root(root_fd, rel, flags);
  if (!r) return std::unexpected(std::move(r.error()).context("open " + rel));
  return r;
}

Result<UniqueFd> mkdir_all_in_root(int root_fd, std::string_view path, unsigned mode) {
  std::string unsafe = ORUN_TRY(resolve_partial_in_root(root_fd, path));
  for (int attempt = 0; attempt <= kMaxSymlinks; ++attempt) {
    auto comps = components(unsafe);
    // The deepest prefix that already exists (symlinks followed in root).
    size_t have = comps.size();
    UniqueFd base;
    for (;; --have) {
      std::string prefix = "/";
      for (size_t i = 0; i < have; ++i) prefix += (i ? "/" : "") + comps[i];
      auto r = open_in_root(root_fd, prefix, O_PATH);
      if (r) {
        base = std::move(*r);
        break;
      }
      if (r.error().err != ENOENT || have == 0)
        return std::unexpected(std::move(r.error()).context("mkdir " + unsafe));
    }
    struct stat st{};
    if (fstat(base.get(), &st) < 0) return fail_errno("mkdir " + unsafe + ": fstat");
    if (!S_ISDIR(st.st_mode)) return fail("mkdir " + unsafe + ": not a directory", ENOTDIR);
    bool restarted = false;
    for (size_t i = have; i < comps.size(); ++i) {
      const std::string& name = comps[i];
      if (mkdirat(base.get(), name.c_str(), mode) < 0 && errno != EEXIST)
        return fail_errno("mkdir " + unsafe);
      UniqueFd next(openat(base.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
      if (!next) {
        int e = errno;
        // A dangling symlink: create what it points to, inside the root.
        UniqueFd l(openat(base.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        struct stat lst{};
        if (!l || fstat(l.get(), &lst) < 0 || !S_ISLNK(lst.st_mode))
          return fail_errno("mkdir " + unsafe, e);
        auto target = ORUN_TRY(readlink_at(l.get(), ""));
        auto root_real = ORUN_TRY(fd_readlink(root_fd));
        auto base_real = ORUN_TRY(fd_readlink(base.get()));
        std::string next_path = (!target.empty() && target[0] == '/')
                                    ? target
                                    : join_path(strip_root(root_real, base_real), target);
        for (size_t j = i + 1; j < comps.size(); ++j) next_path += "/" + comps[j];
        unsafe = clean_abs(next_path);
        restarted = true;
        break;
      }
      base = std::move(next);
    }
    if (!restarted) return base;
  }
  return fail("mkdir " + std::string(path) + ": too many levels of symbolic links", ELOOP);
}

Result<std::pair<UniqueFd, std::string>> mkdir_all_parent_in_root(int root_fd, std::string_view path,
                                                                  unsigned dir_mode) {
  auto [dir, name] = split_path(clean_abs(path));
  if (name.empty() || name == "/") return fail("cannot use the root as " + std::string(path), EINVAL);
  auto parent = ORUN_TRY(mkdir_all_in_root(root_fd, dir, dir_mode));
  return std::pair<UniqueFd, std::string>(std::move(parent), name);
}

Result<UniqueFd> create_in_root(int root_fd, std::string_view path, unsigned mode) {
  // A dangling symlink in the last spot is where the file goes (runc's
  // CreateInRoot), so resolve first; the create itself never follows.
  auto resolved = ORUN_TRY(resolve_partial_in_root(root_fd, path));
  auto [parent, name] = ORUN_TRY(mkdir_all_parent_in_root(root_fd, resolved, 0755));
  int fd = openat(parent.get(), name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, mode);
  if (fd < 0) return fail_errno("create " + resolved);
  return UniqueFd(fd);
}

}  // namespace orun::sys
