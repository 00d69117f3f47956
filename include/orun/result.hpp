// Error handling: every fallible function returns Result<T>. An Error carries
// the errno (0 when none applies) and a lower-case message that callers
// prefix with context ("create cgroup /sys/fs/cgroup/pids/x: permission denied").
#pragma once

#include <cerrno>
#include <cstring>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace orun {

struct Error {
  int err = 0;          // errno, or 0 for logical errors
  std::string msg;      // complete, lower-case, no final period

  // Prefixes context: Error{ENOENT,"no such file"}.context("open x") ->
  // "open x: no such file".
  Error context(std::string_view what) const& {
    return Error{err, std::string(what) + ": " + msg};
  }
  Error context(std::string_view what) && {
    msg = std::string(what) + ": " + msg;
    return std::move(*this);
  }
};

template <typename T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string msg, int err = 0) {
  return std::unexpected(Error{err, std::move(msg)});
}

// "<what>: <strerror(errno)>", with errno captured at the call.
inline std::unexpected<Error> fail_errno(std::string_view what, int err = errno) {
  std::string m(what);
  m += ": ";
  m += std::strerror(err);
  // strerror texts start with an upper-case letter; runc's (Go's) are lower.
  auto pos = m.size() - std::strlen(std::strerror(err));
  if (pos < m.size() && m[pos] >= 'A' && m[pos] <= 'Z') m[pos] = static_cast<char>(m[pos] - 'A' + 'a');
  return std::unexpected(Error{err, std::move(m)});
}

// Adds context to an error result (g++ 12's std::expected has no
// transform_error).
template <typename T>
Result<T> with_context(Result<T> r, std::string_view what) {
  if (!r) return std::unexpected(std::move(r.error()).context(what));
  return r;
}

// Go-style lower-case errno text ("no such file or directory").
std::string errno_text(int err);

}  // namespace orun

// Propagates an error with added context; evaluates to the value otherwise.
#define ORUN_TRY(expr)                                      \
  ({                                                        \
    auto orun_try_r_ = (expr);                              \
    if (!orun_try_r_) return std::unexpected(std::move(orun_try_r_.error())); \
    std::move(*orun_try_r_);                                \
  })
#define ORUN_TRY_VOID(expr)                                 \
  do {                                                      \
    auto orun_try_r_ = (expr);                              \
    if (!orun_try_r_) return std::unexpected(std::move(orun_try_r_.error())); \
  } while (0)
