#include "cgroups/systemd/annotation_properties.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "sys/go_text.hpp"

namespace orun::cgroups::systemd {

namespace {

// ---- godbus's lexer (variant_lexer.go), tokens as it emits them ----------

enum class Tok { eof, error, number, string, boolean, array_start, array_end, dict_start, dict_end,
                 variant_start, variant_end, colon, comma, type, byte_string };

struct Token {
  Tok type;
  std::string val;
};

// godbus's varTypeMap ("double" maps to "f", which it then cannot parse).
const char* type_keyword(std::string_view w) {
  static const std::pair<const char*, const char*> map[] = {
      {"boolean", "b"}, {"byte", "y"},   {"int16", "n"},  {"uint16", "q"},  {"int32", "i"},      {"uint32", "u"},
      {"int64", "x"},   {"uint64", "t"}, {"double", "f"}, {"string", "s"}, {"objectpath", "o"}, {"signature", "g"}};
  for (auto& [k, v] : map)
    if (w == k) return v;
  return nullptr;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::vector<Token> lex(std::string_view in) {
  std::vector<Token> out;
  size_t pos = 0;
  auto accept = [&](std::string_view set) {
    if (pos < in.size() && set.find(in[pos]) != std::string_view::npos) return ++pos, true;
    return false;
  };
  auto quoted = [&](Tok t, const char* what) {
    size_t start = pos;
    char q = in[pos++];
    for (;;) {
      if (pos >= in.size()) return out.push_back({Tok::error, std::string("unterminated ") + what}), false;
      char c = in[pos++];
      if (c == '\\') {
        if (pos >= in.size()) return out.push_back({Tok::error, std::string("unterminated ") + what}), false;
        pos++;
      } else if (c == q) {
        break;
      }
    }
    out.push_back({t, std::string(in.substr(start, pos - start))});
    return true;
  };
  while (pos < in.size()) {
    char c = in[pos];
    size_t start = pos;
    static const std::string_view punct = "[]{}<>:,";
    static const Tok punct_tok[] = {Tok::array_start, Tok::array_end, Tok::dict_start, Tok::dict_end,
                                    Tok::variant_start, Tok::variant_end, Tok::colon, Tok::comma};
    if (auto p = punct.find(c); p != std::string_view::npos) {
      out.push_back({punct_tok[p], std::string(1, c)});
      pos++;
    } else if (c == '\'' || c == '"') {
      if (!quoted(Tok::string, "string")) return out;
    } else if (is_space(c)) {
      pos++;
    } else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
      accept("+-");
      std::string_view digits = "0123456789";
      if (accept("0")) digits = accept("x") ? "0123456789abcdefABCDEF" : "01234567";
      while (accept(digits)) {
      }
      if (accept(".")) {
        while (accept(digits)) {
        }
      }
      if (accept("eE")) {
        accept("+-");
        while (accept("0123456789")) {
        }
      }
      if (pos < in.size() && is_letter(in[pos])) {
        pos++;
        out.push_back({Tok::error, "bad number syntax: " + sys::go_quote(in.substr(start, pos - start))});
        return out;
      }
      out.push_back({Tok::number, std::string(in.substr(start, pos - start))});
    } else if (c == 'b' && pos + 1 < in.size() && (in[pos + 1] == '"' || in[pos + 1] == '\'')) {
      pos++;
      if (!quoted(Tok::byte_string, "bytestring")) return out;
      out.back().val.insert(0, "b");
    } else if (in.substr(pos, 4) == "true" || in.substr(pos, 5) == "false") {
      size_t n = in[pos] == 't' ? 4 : 5;
      out.push_back({Tok::boolean, std::string(in.substr(pos, n))});
      pos += n;
    } else {
      // A type: up to the next space.
      while (pos < in.size() && !is_space(in[pos])) pos++;
      std::string_view w = in.substr(start, pos - start);
      if (w[0] == '@') {
        std::string sig(w.substr(1));
        if (sig.empty() || !dbus_signature_validate(sig.c_str(), nullptr)) {
          out.push_back({Tok::error, "dbus: invalid signature: " + sys::go_quote(sig)});
          return out;
        }
        out.push_back({Tok::type, std::string(w)});
      } else if (type_keyword(w)) {
        out.push_back({Tok::type, std::string(w)});
      } else {
        out.push_back({Tok::error, "unrecognized type " + sys::go_quote(w)});
        return out;
      }
    }
  }
  out.push_back({Tok::eof, ""});
  return out;
}

// ---- Go's strconv, for the numbers ----------------------------------------

Result<uint64_t> parse_uint_digits(std::string_view s, int base, int bits, const std::string& fn, std::string_view shown) {
  auto err = [&](const char* why) { return fail("strconv." + fn + ": parsing " + sys::go_quote(shown) + ": " + why); };
  if (s.empty()) return err("invalid syntax");
  uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  uint64_t v = 0;
  bool overflow = false;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
    if (d >= base) return err("invalid syntax");
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) overflow = true;
    else v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (overflow || v > max) return err("value out of range");
  return v;
}

Result<int64_t> parse_int(std::string_view s, int base, int bits) {
  bool neg = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    neg = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto u = parse_uint_digits(digits, base, 64, "ParseInt", s);
  if (!u) return std::unexpected(u.error());
  uint64_t cutoff = uint64_t{1} << (bits - 1);
  if ((!neg && *u >= cutoff) || (neg && *u > cutoff))
    return fail("strconv.ParseInt: parsing " + sys::go_quote(s) + ": value out of range");
  return neg ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
}

std::string type_error(std::string_view val, std::string_view sig) {
  return "dbus: can't parse " + sys::go_quote(val) + " as type " + sys::go_quote(sig);
}

// godbus's varNumAs.
Result<Value> num_as(std::string_view s, const std::string& sig) {
  if (sig == "d") {
    std::string str(s);
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(str.c_str(), &end);
    if (str.empty() || *end != '\0') return fail("strconv.ParseFloat: parsing " + sys::go_quote(s) + ": invalid syntax");
    if (errno == ERANGE && std::isinf(d)) return fail("strconv.ParseFloat: parsing " + sys::go_quote(s) + ": value out of range");
    return Value::dbl(d);
  }
  static const std::string kinds = "nixyqut";
  if (sig.size() != 1 || kinds.find(sig[0]) == std::string::npos) return fail(type_error(s, sig));
  int base = 10;
  if (s.starts_with("0x")) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.starts_with("0") && s.size() != 1) {
    base = 8;
    s.remove_prefix(1);
  }
  char k = sig[0];
  if (k == 'y' || k == 'q' || k == 'u' || k == 't') {
    int bits = k == 'y' ? 8 : k == 'q' ? 16 : k == 'u' ? 32 : 64;
    uint64_t v = ORUN_TRY(parse_uint_digits(s, base, bits, "ParseUint", s));
    if (k == 'y') return Value::byte(static_cast<uint8_t>(v));
    if (k == 'q') return Value::u16(static_cast<uint16_t>(v));
    if (k == 'u') return Value::u32(static_cast<uint32_t>(v));
    return Value::u64(v);
  }
  int bits = k == 'n' ? 16 : k == 'i' ? 32 : 64;
  int64_t v = ORUN_TRY(parse_int(s, base, bits));
  if (k == 'n') return Value::i16(static_cast<int16_t>(v));
  if (k == 'i') return Value::i32(static_cast<int32_t>(v));
  return Value::i64(v);
}

// godbus's varParseString: the quotes off, escapes resolved.
Result<std::string> unquote(std::string_view s) {
  s = s.substr(1, s.size() - 2);
  std::string out;
  auto put_rune = [&](uint32_t r) {
    if (r < 0x80) {
      out += static_cast<char>(r);
    } else if (r < 0x800) {
      out += static_cast<char>(0xC0 | (r >> 6));
      out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r < 0x10000 && !(r >= 0xD800 && r < 0xE000)) {
      out += static_cast<char>(0xE0 | (r >> 12));
      out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r >= 0x10000 && r <= 0x10FFFF) {
      out += static_cast<char>(0xF0 | (r >> 18));
      out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (r & 0x3F));
    } else {
      out += "\xEF\xBF\xBD";  // Go writes U+FFFD for an invalid rune
    }
  };
  if (!dbus_validate_utf8(std::string(s).c_str(), nullptr)) return fail("invalid UTF-8");
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i >= s.size()) break;
    char c = s[i];
    switch (c) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '\n': break;
      case 'u':
      case 'U': {
        size_t n = c == 'u' ? 4 : 8;
        if (s.size() - i - 1 < n) return fail("short unicode escape");
        std::string_view hex = s.substr(i + 1, n);
        uint64_t r = ORUN_TRY(parse_uint_digits(hex, 16, 32, "ParseUint", hex));
        put_rune(static_cast<uint32_t>(r));
        i += n;
        break;
      }
      default: out += c;
    }
  }
  return out;
}

// ---- godbus's parser (variant_parser.go) ----------------------------------

struct Node {
  enum Kind { number, string, boolean, array, variant } kind;
  std::string text;  // number: as written ("" once typed, as godbus); string: unquoted
  std::string sig;   // a type annotation, "" without
  bool b = false;
  Value typed;       // a typed number or string, converted when parsed
  std::set<std::string> set;  // array: the signatures it can have
  std::vector<Node> children;
};

const std::set<std::string> kNumSigs = {"y", "n", "q", "i", "u", "x", "t", "d"};

bool float_text(const std::string& s) { return s.find_first_of(".e") != std::string::npos; }

std::set<std::string> sigs(const Node& n) {
  switch (n.kind) {
    case Node::number:
      if (!n.sig.empty()) return {n.sig};
      return float_text(n.text) ? std::set<std::string>{"d"} : kNumSigs;
    case Node::string: return n.sig.empty() ? std::set<std::string>{"s", "g", "o"} : std::set<std::string>{n.sig};
    case Node::boolean: return {"b"};
    case Node::array: return n.set;
    case Node::variant: return {"v"};
  }
  return {};
}

std::string node_string(const Node& n) {
  switch (n.kind) {
    case Node::number:
    case Node::string: return n.text;
    case Node::boolean: return n.b ? "true" : "false";
    case Node::array: {
      std::string s = "[";
      for (size_t i = 0; i < n.children.size(); i++) s += (i ? ", " : "") + node_string(n.children[i]);
      return s + "]";
    }
    case Node::variant: return "<" + node_string(n.children[0]) + ">";
  }
  return "";
}

Result<std::string> infer(const Node& n) {
  auto s = sigs(n);
  if (s.size() == 1) return *s.begin();
  switch (n.kind) {
    case Node::number: return std::string(float_text(n.text) ? "d" : "i");
    case Node::string: return std::string("s");
    case Node::boolean: return std::string("b");
    case Node::variant: return std::string("v");
    case Node::array:
      for (auto& c : n.children)
        if (auto cs = infer(c)) return "a" + *cs;
      return fail("can't infer type for " + sys::go_quote(node_string(n)));
  }
  return fail("can't infer type");
}

Result<Value> node_value(const Node& n, const std::string& sig) {
  switch (n.kind) {
    case Node::number:
      if (!n.sig.empty() && n.sig != sig) return fail(type_error(n.text, sig));
      if (!n.sig.empty()) return n.typed;
      return num_as(n.text, sig);
    case Node::string:
      if (!n.sig.empty() && n.sig != sig) return fail(type_error(n.text, sig));
      if (sig == "g") return Value::signature_value(n.text);
      if (sig == "o") return Value::object_path(n.text);
      if (sig == "s") return Value::string(n.text);
      return fail(type_error(n.text, sig));
    case Node::boolean:
      if (sig != "b") return fail(type_error(node_string(n), sig));
      return Value::boolean(n.b);
    case Node::array: {
      if (sig.size() < 2 || sig[0] != 'a' || sig[1] == '{') return fail("unsupported d-bus type " + sys::go_quote(sig));
      std::string elem = sig.substr(1);
      if (n.set.empty()) return Value::array(elem, {});
      if (!n.set.count(sig)) return fail(type_error(node_string(n), sig));
      std::vector<Value> items;
      for (auto& c : n.children) items.push_back(ORUN_TRY(node_value(c, elem)));
      return Value::array(elem, std::move(items));
    }
    case Node::variant: {
      if (sig != "v") return fail(type_error(node_string(n), sig));
      std::string inner = ORUN_TRY(infer(n.children[0]));
      return Value::variant(ORUN_TRY(node_value(n.children[0], inner)));
    }
  }
  return fail("bad node");
}

class Parser {
 public:
  explicit Parser(std::vector<Token> t) : toks_(std::move(t)) {}

  Result<Node> node() {
    std::string sig;
    for (;;) {
      const Token& t = next();
      switch (t.type) {
        case Tok::eof: return fail("unexpected EOF");
        case Tok::error: return fail(t.val);
        case Tok::number: {
          Node n{Node::number, t.val, "", false, {}, {}, {}};
          if (sig.empty()) return n;
          n.typed = ORUN_TRY(num_as(t.val, sig));
          n.sig = sig;
          n.text.clear();  // godbus keeps no text for a typed number
          return n;
        }
        case Tok::string: {
          if (!sig.empty() && sig != "s" && sig != "g" && sig != "o")
            return fail("invalid type " + sys::go_quote(sig) + " for string");
          Node n{Node::string, ORUN_TRY(unquote(t.val)), sig, false, {}, {}, {}};
          return n;
        }
        case Tok::boolean: {
          if (!sig.empty() && sig != "b") return fail(type_error(t.val, sig));
          return Node{Node::boolean, "", "", t.val == "true", {}, {}, {}};
        }
        case Tok::array_start: return array(sig);
        case Tok::variant_start: {
          Node inner = ORUN_TRY(node());
          const Token& e = next();
          if (e.type != Tok::variant_end) return fail("unexpected " + sys::go_quote(e.val));
          if (!sig.empty() && sig != "v") return fail(type_error(node_string(inner), sig));
          Node n{Node::variant, "", "", false, {}, {}, {}};
          n.children.push_back(std::move(inner));
          return n;
        }
        case Tok::type:
          if (!sig.empty()) return fail("unexpected type annotation");
          sig = t.val[0] == '@' ? t.val.substr(1) : type_keyword(t.val);
          break;
        case Tok::dict_start:
        case Tok::byte_string:
          return fail("orun does not read GVariant dictionaries or byte strings: " + sys::go_quote(t.val));
        default: return fail("unexpected " + sys::go_quote(t.val));
      }
    }
  }

 private:
  const Token& next() { return i_ < toks_.size() ? toks_[i_++] : toks_.back(); }

  Result<Node> array(const std::string& sig) {
    Node n{Node::array, "", "", false, {}, {}, {}};
    if (!sig.empty()) n.set = {sig};
    if (next().type == Tok::array_end) return n;
    i_--;
    for (;;) {
      const Token& t = next();
      if (t.type == Tok::eof) return fail("unexpected EOF");
      if (t.type == Tok::error) return fail(t.val);
      i_--;
      Node c = ORUN_TRY(node());
      auto cs = sigs(c);
      if (!cs.empty()) {
        std::set<std::string> as;
        for (auto& s : cs) as.insert("a" + s);
        if (n.set.empty()) {
          n.set = as;
        } else {
          std::set<std::string> both;
          for (auto& s : as)
            if (n.set.count(s)) both.insert(s);
          if (both.empty()) return fail("can't parse " + sys::go_quote(node_string(c)) + " with given type information");
          n.set = both;
        }
      }
      n.children.push_back(std::move(c));
      const Token& e = next();
      if (e.type == Tok::eof) return fail("unexpected EOF");
      if (e.type == Tok::error) return fail(e.val);
      if (e.type == Tok::array_end) return n;
      if (e.type != Tok::comma) return fail("unexpected " + sys::go_quote(e.val));
    }
  }

  std::vector<Token> toks_;
  size_t i_ = 0;
};

// runc's checkPropertyName.
Result<void> check_name(const std::string& s) {
  if (s.size() < 3) return fail("too short");
  for (char c : s)
    if (!is_letter(c)) return fail("contains non-alphabetic character");
  return {};
}

// runc's convertSecToUSec.
Result<Value> sec_to_usec(const Value& v) {
  constexpr uint64_t M = 1000000;
  if (v.type() == DBUS_TYPE_DOUBLE) return Value::u64(static_cast<uint64_t>(*v.as_double() * M));
  if (auto u = v.as_uint()) return Value::u64(*u * M);
  if (auto i = v.as_int()) return Value::u64(static_cast<uint64_t>(*i) * M);
  return fail("not a number");
}

}  // namespace

Result<Value> parse_gvariant(std::string_view text) {
  Parser p(lex(text));
  Node n = ORUN_TRY(p.node());
  std::string sig = ORUN_TRY(infer(n));
  return node_value(n, sig);
}

Result<std::vector<Property>> annotation_properties(const std::map<std::string, std::string>& annotations) {
  static const std::string prefix = "org.systemd.property.";
  std::vector<Property> out;
  for (auto& [k, v] : annotations) {
    if (!k.starts_with(prefix)) continue;
    std::string name = k.substr(prefix.size());
    if (auto r = check_name(name); !r) return fail("annotation " + k + " name incorrect: " + r.error().msg);
    auto value = parse_gvariant(v);
    if (!value) return fail("annotation " + k + "=" + v + " value parse error: " + value.error().msg);
    if (name.size() > 3 && name.ends_with("Sec")) {
      char before = name[name.size() - 4];
      if (before >= 'a' && before <= 'z') {
        name = name.substr(0, name.size() - 3) + "USec";
        value = sec_to_usec(*value);
        if (!value) return fail("annotation " + k + "=" + v + " value parse error: " + value.error().msg);
      }
    }
    out.push_back({name, std::move(*value)});
  }
  return out;
}

}  // namespace orun::cgroups::systemd
