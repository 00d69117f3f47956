// Go's text encodings, for messages and outputs that must read exactly as
// runc's (Go) would: strconv.Quote and encoding/json strings.
#include "sys/go_text.hpp"

#include <cstdio>

namespace orun::sys {

namespace {

// Decodes one UTF-8 sequence at s[i]. Returns the code point and its length;
// an invalid or truncated sequence yields {-1, 1} (Go's RuneError, width 1).
struct Rune {
  long cp;
  size_t len;
};

Rune decode_rune(std::string_view s, size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  size_t n = 0;
  long cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) { n = 2; cp = b0 & 0x1F; min = 0x80; }
  else if ((b0 & 0xF0) == 0xE0) { n = 3; cp = b0 & 0x0F; min = 0x800; }
  else if ((b0 & 0xF8) == 0xF0) { n = 4; cp = b0 & 0x07; min = 0x10000; }
  else return {-1, 1};
  if (i + n > s.size()) return {-1, 1};
  for (size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {-1, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range values are invalid in Go too.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {-1, 1};
  return {cp, n};
}

void append_hex(std::string& out, const char* prefix, unsigned long v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*lx", digits, v);
  out += prefix;
  out += buf;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    Rune r = decode_rune(s, i);
    if (r.cp < 0) {
      append_hex(out, "\\x", static_cast<unsigned char>(s[i]), 2);
    } else if (r.cp == '"' || r.cp == '\\') {
      out += '\\';
      out += static_cast<char>(r.cp);
    } else if (r.cp >= 0x20 && r.cp < 0x7F) {
      out += static_cast<char>(r.cp);
    } else if (r.cp < 0x80) {
      switch (r.cp) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default: append_hex(out, "\\x", static_cast<unsigned long>(r.cp), 2);
      }
    } else if (r.cp < 0xA0 || r.cp == 0xAD) {
      // C1 controls and the soft hyphen are not printable for Go.
      append_hex(out, "\\u", static_cast<unsigned long>(r.cp), 4);
    } else {
      out.append(s.substr(i, r.len));
    }
    i += r.len;
  }
  out += '"';
  return out;
}

std::string go_json_string(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    Rune r = decode_rune(s, i);
    if (r.cp < 0) {
      out += "\\ufffd";
    } else if (r.cp < 0x80) {
      char c = static_cast<char>(r.cp);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '<': case '>': case '&':  // Go escapes these for HTML safety
          append_hex(out, "\\u", static_cast<unsigned long>(r.cp), 4);
          break;
        default:
          if (r.cp < 0x20) append_hex(out, "\\u", static_cast<unsigned long>(r.cp), 4);
          else out += c;
      }
    } else if (r.cp == 0x2028 || r.cp == 0x2029) {
      append_hex(out, "\\u", static_cast<unsigned long>(r.cp), 4);
    } else {
      out.append(s.substr(i, r.len));
    }
    i += r.len;
  }
  out += '"';
  return out;
}

std::vector<std::string> split(std::string_view s, char sep, Tail tail) {
  std::vector<std::string> out;
  for (size_t pos = 0;;) {
    size_t next = s.find(sep, pos);
    out.emplace_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  if (tail == Tail::drop && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace orun::sys
