// The process-wide logger: one spdlog logger with one synchronous sink that
// formats like logrus and writes each line with a single write(2). No thread,
// no lock (null_mutex) and no registry: the container init is a fork of this
// process and must be able to log without inheriting a held lock.
#include "orun/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>

#include <spdlog/details/null_mutex.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include "log/format.hpp"
#include "log/internal.hpp"

namespace orun::log {

namespace {

enum class Style { text, json, tty };

struct State {
  int fd = STDERR_FILENO;
  bool owns_fd = false;
  Style style = Style::text;
  LogFormat format = LogFormat::text;
  bool debug = false;
  std::time_t start = std::time(nullptr);
};

Style default_style(int fd) { return ::isatty(fd) ? Style::tty : Style::text; }

State& state() {
  // logrus colours its text lines when writing to a terminal.
  static State s = [] {
    State st;
    st.style = default_style(STDERR_FILENO);
    return st;
  }();
  return s;
}

Level from_spdlog(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug: return Level::debug;
    case spdlog::level::info: return Level::info;
    case spdlog::level::warn: return Level::warn;
    default: return Level::error;
  }
}

// "/work/main/src/cli/app.cpp" -> "cli/app.cpp"; logrus trims runc's module
// prefix the same way under --debug.
std::string_view short_file(std::string_view path) {
  auto pos = path.rfind("/src/");
  if (pos != std::string_view::npos) return path.substr(pos + 5);
  pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

// "orun::Result<int> orun::commands::create(const ...)" -> "orun::commands::create()".
std::string short_func(std::string_view pretty) {
  auto paren = pretty.find('(');
  std::string_view head = pretty.substr(0, paren);
  auto space = head.rfind(' ');
  if (space != std::string_view::npos) head = head.substr(space + 1);
  return std::string(head) + "()";
}

class LogrusFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& m, spdlog::memory_buf_t& dest) override {
    const State& s = state();
    std::string time = rfc3339_now();
    std::string func, file;
    if (s.debug && !m.source.empty()) {
      func = short_func(m.source.funcname ? m.source.funcname : "");
      file = std::string(short_file(m.source.filename)) + ":" + std::to_string(m.source.line);
    }
    Record r{from_spdlog(m.level), std::string_view(m.payload.data(), m.payload.size()), time, func, file};
    std::string line;
    switch (s.style) {
      case Style::text: line = format_text(r); break;
      case Style::json: line = format_json(r); break;
      case Style::tty: line = format_tty(r, static_cast<long>(std::time(nullptr) - s.start)); break;
    }
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogrusFormatter>();
  }
};

class FdSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& m) override {
    spdlog::memory_buf_t buf;
    formatter_->format(m, buf);
    // One write per line: with O_APPEND the line lands whole even when the
    // parent and the forked init log to the same file.
    const char* p = buf.data();
    size_t left = buf.size();
    while (left > 0) {
      ssize_t n = ::write(state().fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere left to report a logging failure
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  void flush_() override {}
};

spdlog::logger& logger() {
  static spdlog::logger l = [] {
    auto sink = std::make_shared<FdSink>();
    sink->set_formatter(std::make_unique<LogrusFormatter>());
    spdlog::logger lg("orun", std::move(sink));
    lg.set_level(spdlog::level::info);
    return lg;
  }();
  return l;
}

void emit(spdlog::level::level_enum lvl, std::string_view msg, const std::source_location& loc) {
  auto& l = logger();
  if (!l.should_log(lvl)) return;
  l.log(spdlog::source_loc{loc.file_name(), static_cast<int>(loc.line()), loc.function_name()}, lvl,
        spdlog::string_view_t(msg.data(), msg.size()));
}

}  // namespace

Result<void> setup(const GlobalOptions& g) {
  State& s = state();
  if (g.debug) {
    s.debug = true;
    logger().set_level(spdlog::level::debug);
  }
  // Same order as runc: the format is checked (and applied) before --log is
  // opened, so a bad --log path is reported in the requested format.
  s.format = g.log_format;
  if (g.log_format == LogFormat::json) s.style = Style::json;
  if (!g.log.empty()) {
    int fd = ::open(g.log.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_SYNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno("open " + g.log);
    if (s.owns_fd) ::close(s.fd);
    s.fd = fd;
    s.owns_fd = true;
    if (s.style == Style::tty) s.style = Style::text;
  }
  return {};
}

void debug(std::string_view msg, std::source_location loc) {
  emit(spdlog::level::debug, msg, loc);
}
void info(std::string_view msg, std::source_location loc) {
  emit(spdlog::level::info, msg, loc);
}
void warn(std::string_view msg, std::source_location loc) {
  emit(spdlog::level::warn, msg, loc);
}
void error(std::string_view msg, std::source_location loc) {
  emit(spdlog::level::err, msg, loc);
}

bool to_stderr() { return state().fd == STDERR_FILENO; }
int fd() { return state().fd; }

LineFrame error_line_frame() {
  // A message that every format escapes to one fixed token: split there.
  std::string time = rfc3339_now();
  Record r{Level::error, "\x01", time, {}, {}};
  bool json = state().style == Style::json;
  std::string line = json ? format_json(r) : format_text(r);
  std::string_view token = json ? "\\u0001" : "\\x01";
  size_t at = line.find(token);
  if (at == std::string::npos) return {};
  return {line.substr(0, at), line.substr(at + token.size()), json};
}
bool debug_enabled() { return state().debug; }
LogFormat format() { return state().format; }

void reset_for_tests() {
  State& s = state();
  if (s.owns_fd) ::close(s.fd);
  s = State{};
  s.style = default_style(STDERR_FILENO);
  logger().set_level(spdlog::level::info);
}

}  // namespace orun::log
