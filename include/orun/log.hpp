// orun's logger: runc's `--log`, `--log-format text|json` and `--debug`.
// Lines look like logrus's (what containerd parses from `--log`):
//   text: time="2026-01-02T03:04:05Z" level=error msg="container does not exist"
//   json: {"level":"error","msg":"container does not exist","time":"2026-01-02T03:04:05Z"}
// Every line is one write(2) on a plain fd, with no lock and no thread, so a
// forked child (the container init) may keep logging through the same fd.
#pragma once

#include <source_location>
#include <string>
#include <string_view>

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::log {

// Applies --debug, --log-format and --log. Before it is called (or when it
// fails) the logger writes text lines to stderr at info level, like logrus's
// defaults. Errors: `invalid log-format: X`, or the open(2) failure of --log.
Result<void> setup(const GlobalOptions& g);

void debug(std::string_view msg, std::source_location loc = std::source_location::current());
void info(std::string_view msg, std::source_location loc = std::source_location::current());
void warn(std::string_view msg, std::source_location loc = std::source_location::current());
void error(std::string_view msg, std::source_location loc = std::source_location::current());

// True while lines go to stderr (no --log): runc's fatal path then does not
// print the bare message a second time.
bool to_stderr();
// The fd lines are written to (2, or the --log file opened O_CLOEXEC).
int fd();
bool debug_enabled();
LogFormat format();

// An error line of the current format split around its message, for code
// that must write one without this logger (the exec trampoline, after the
// init image is gone): prefix + escaped message + suffix. `json` tells how
// the message is escaped (a JSON string's body, else Go's %q body).
struct LineFrame {
  std::string prefix, suffix;
  bool json = false;
};
LineFrame error_line_frame();

}  // namespace orun::log
