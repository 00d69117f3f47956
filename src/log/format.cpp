#include "log/format.hpp"

#include <chrono>
#include <cstdio>

namespace orun::log {

namespace {

// The characters logrus leaves unquoted in text values.
bool is_bare_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
}

bool needs_quoting(std::string_view s) {
  for (char c : s)
    if (!is_bare_char(c)) return true;
  return false;
}

void append_text_field(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += '=';
  out += needs_quoting(value) ? go_quote(value) : std::string(value);
}

}  // namespace

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warning";
    case Level::error: return "error";
  }
  return "info";
}

std::string rfc3339(std::time_t t, long gmtoff) {
  std::time_t local = t + gmtoff;
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (gmtoff == 0) {
    out += 'Z';
  } else {
    long off = gmtoff < 0 ? -gmtoff : gmtoff;
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", gmtoff < 0 ? '-' : '+', off / 3600, (off / 60) % 60);
    out += buf;
  }
  return out;
}

std::string rfc3339_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return rfc3339(t, tm.tm_gmtoff);
}

std::string format_text(const Record& r) {
  std::string out;
  append_text_field(out, "time", r.time);
  append_text_field(out, "level", level_name(r.level));
  append_text_field(out, "msg", r.msg);
  if (!r.func.empty()) append_text_field(out, "func", r.func);
  if (!r.file.empty()) append_text_field(out, "file", r.file);
  out += '\n';
  return out;
}

std::string format_json(const Record& r) {
  std::string out = "{";
  if (!r.file.empty()) out += "\"file\":" + go_json_string(r.file) + ",";
  if (!r.func.empty()) out += "\"func\":" + go_json_string(r.func) + ",";
  out += "\"level\":" + go_json_string(level_name(r.level));
  out += ",\"msg\":" + go_json_string(r.msg);
  out += ",\"time\":" + go_json_string(r.time);
  out += "}\n";
  return out;
}

std::string format_tty(const Record& r, long seconds_since_start) {
  int color = 36;  // info: blue
  switch (r.level) {
    case Level::debug: color = 37; break;
    case Level::info: color = 36; break;
    case Level::warn: color = 33; break;
    case Level::error: color = 31; break;
  }
  std::string level(level_name(r.level).substr(0, 4));
  for (auto& c : level) c = static_cast<char>(c - 'a' + 'A');
  std::string caller;
  if (!r.file.empty() && !r.func.empty()) caller = std::string(r.file) + " " + std::string(r.func);
  std::string_view msg = r.msg;
  if (!msg.empty() && msg.back() == '\n') msg.remove_suffix(1);
  char head[64];
  std::snprintf(head, sizeof head, "\x1b[%dm%s\x1b[0m[%04ld]", color, level.c_str(), seconds_since_start);
  std::string out = head;
  out += caller;
  out += ' ';
  out += msg;
  // logrus pads the message to 44 columns (%-44s) and adds a space.
  for (size_t n = msg.size(); n < 44; ++n) out += ' ';
  out += " \n";
  return out;
}

}  // namespace orun::log
