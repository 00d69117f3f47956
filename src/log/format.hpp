// Pure formatting of log lines the way logrus (runc's logger) writes them.
// Kept free of I/O so the exact byte layout is unit-tested.
#pragma once

#include "sys/go_text.hpp"

#include <ctime>
#include <string>
#include <string_view>

namespace orun::log {

enum class Level { debug, info, warn, error };

struct Record {
  Level level = Level::info;
  std::string_view msg;
  std::string_view time;   // RFC 3339, see rfc3339()
  std::string_view func;   // caller, only under --debug (empty otherwise)
  std::string_view file;   // "dir/file.cpp:123", only under --debug
};

// logrus level names: "debug", "info", "warning", "error".
std::string_view level_name(Level l);

// Go's time.RFC3339 layout: 2026-01-02T03:04:05Z or ...05+01:00.
std::string rfc3339(std::time_t t, long gmtoff_seconds);
std::string rfc3339_now();

// logrus quotes with Go's strconv.Quote and writes JSON strings as Go does.
using sys::go_json_string;
using sys::go_quote;

// logrus TextFormatter, not on a terminal:
// time="..." level=error msg="..." [func=... file=...]\n
std::string format_text(const Record& r);
// logrus JSONFormatter: keys in alphabetical order, one object per line.
std::string format_json(const Record& r);
// logrus TextFormatter on a terminal: coloured "ERRO[0000] msg".
std::string format_tty(const Record& r, long seconds_since_start);

}  // namespace orun::log
