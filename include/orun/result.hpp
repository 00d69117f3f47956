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

// std::expected with [[nodiscard]] (libstdc++ 12's expected has none): an
// ignored Result is a compile error under -Werror. A discard that is a real
// choice says so: `if (auto r = f(); !r) log::debug(...)`, with a comment.
template <typename T = void>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using Base = std::expected<T, Error>;
  using Base::Base;
  Result(const Base& b) : Base(b) {}
  Result(Base&& b) : Base(std::move(b)) {}
};

inline std::unexpected<Error> fail(std::string msg, int err = 0) {
  return std::unexpected(Error{err, std::move(msg)});
}

// Go-style lower-case errno text ("no such file or directory"): the one
// errno-to-text function (src/sys/errno_text.cpp).
std::string errno_text(int err);

// "<what>: <errno_text(err)>", with errno captured at the call.
inline std::unexpected<Error> fail_errno(std::string_view what, int err = errno) {
  std::string m(what);
  m += ": ";
  m += errno_text(err);
  return std::unexpected(Error{err, std::move(m)});
}

// Adds context to an error result (g++ 12's std::expected has no
// transform_error).
template <typename T>
Result<T> with_context(Result<T> r, std::string_view what) {
  if (!r) return std::unexpected(std::move(r.error()).context(what));
  return r;
}

}  // namespace orun

// ORUN_TRY(expr): evaluates `expr` (a Result<T>) once; on an error, returns
// that Error unchanged from the enclosing function (which must return a
// Result of any T); otherwise the whole expression is the moved-out value.
// It adds no context: wrap `expr` in with_context() for that. A GNU
// statement expression, so it works inside other expressions:
//   int fd = ORUN_TRY(open_thing(path));
// ORUN_TRY_VOID(expr) is the same for a Result<void> (or a value not needed).
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
