#include "cli/goflag.hpp"

#include <cerrno>
#include <climits>
#include <map>
#include <set>

namespace orun::cli {

namespace {

std::string_view strip_dashes(std::string_view arg) {
  // urfave's argIsFlag: "--x" -> "x", "-x" -> "x", then drop "=value".
  if (arg.starts_with("--")) arg.remove_prefix(2);
  else if (arg.starts_with("-")) arg.remove_prefix(1);
  return arg.substr(0, arg.find('='));
}

const FlagDef* find_def(const std::vector<FlagDef>& defs, std::string_view name) {
  for (const auto& d : defs)
    for (const auto& n : d.names)
      if (n == name) return &d;
  return nullptr;
}

const FlagDef* known_flag(const std::vector<FlagDef>& defs, std::string_view arg) {
  if (arg == "-" || arg == "--" || !arg.starts_with("-")) return nullptr;
  return find_def(defs, strip_dashes(arg));
}

std::string quote(std::string_view s) {
  // Go's %q for the ASCII texts that reach flag errors; enough for error output.
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Go's underscoreOK: underscores only between digits or right after a base prefix.
bool underscores_ok(std::string_view s, bool has_prefix) {
  char prev = has_prefix ? '0' : '^';  // '0' means "digit or base prefix"
  for (char c : s) {
    if (c == '_') {
      if (prev != '0') return false;
      prev = '_';
    } else {
      prev = '0';
    }
  }
  return prev != '_';
}

Result<std::string> check_value(const FlagDef& def, std::string_view name, const std::string& value) {
  switch (def.kind) {
    case FlagKind::boolean: {
      auto b = parse_go_bool(value);
      if (!b) return fail("invalid boolean value " + quote(value) + " for -" + std::string(name) + ": parse error");
      return std::string(*b ? "true" : "false");
    }
    case FlagKind::integer: {
      auto i = parse_go_int(value);
      if (!i) return fail("invalid value " + quote(value) + " for flag -" + std::string(name) + ": " +
                          (i.error().err == ERANGE ? "value out of range" : "parse error"));
      return std::to_string(*i);
    }
    case FlagKind::int64_slice: {
      auto i = parse_go_int(value);
      if (!i) return fail("invalid value " + quote(value) + " for flag -" + std::string(name) +
                          ": strconv.ParseInt: parsing " + quote(value) + ": " + i.error().msg);
      return std::to_string(*i);
    }
    case FlagKind::duration:
      if (!parse_go_duration(value))
        return fail("invalid value " + quote(value) + " for flag -" + std::string(name) + ": parse error");
      return value;
    case FlagKind::string:
    case FlagKind::string_slice:
      return value;
  }
  return value;
}

}  // namespace

std::vector<std::string> reorder_args(const std::vector<FlagDef>& defs,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> flags, rest;
  bool next_may_be_value = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const FlagDef* def = known_flag(defs, arg);
    if (next_may_be_value && def == nullptr) {
      next_may_be_value = false;
      flags.push_back(arg);
    } else if (arg == "--") {
      rest.insert(rest.begin(), "--");
      rest.insert(rest.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (def != nullptr) {
      flags.push_back(arg);
      // urfave also pulls the word after a boolean flag forward, which turns
      // `kill ctr --all 9` into id "9"; a boolean never takes a value here.
      next_may_be_value = def->kind != FlagKind::boolean && arg.find('=') == std::string::npos;
    } else {
      rest.push_back(arg);
    }
  }
  flags.insert(flags.end(), rest.begin(), rest.end());
  return flags;
}

Result<ParsedArgs> parse_go_flags(const std::vector<FlagDef>& defs,
                                  const std::vector<std::string>& args) {
  ParsedArgs out;
  std::map<const FlagDef*, std::string> first_form;  // for "two forms" detection
  size_t i = 0;
  while (i < args.size()) {
    std::string_view s = args[i];
    if (s.size() < 2 || s[0] != '-') break;  // first positional argument
    size_t dashes = 1;
    if (s[1] == '-') {
      dashes = 2;
      if (s.size() == 2) {  // "--" ends the options and is dropped
        ++i;
        break;
      }
    }
    std::string_view name = s.substr(dashes);
    if (name.empty() || name[0] == '-' || name[0] == '=')
      return fail("bad flag syntax: " + std::string(s));
    ++i;
    bool has_value = false;
    std::string value;
    if (auto eq = name.find('=', 1); eq != std::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagDef* def = find_def(defs, name);
    if (def == nullptr) return fail("flag provided but not defined: -" + std::string(name));
    if (def->kind == FlagKind::boolean) {
      if (!has_value) value = "true";
    } else if (!has_value) {
      if (i >= args.size()) return fail("flag needs an argument: -" + std::string(name));
      value = args[i++];
    }
    auto checked = ORUN_TRY(check_value(*def, name, value));
    auto [it, inserted] = first_form.emplace(def, std::string(name));
    if (!inserted && it->second != name)
      return fail("Cannot use two forms of the same flag: " + std::string(name) + " " + it->second);
    out.flags.push_back({def->names.front(), std::move(checked)});
  }
  out.args.assign(args.begin() + static_cast<long>(i), args.end());
  return out;
}

Result<bool> parse_go_bool(std::string_view s) {
  static const std::set<std::string_view> yes{"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string_view> no{"0", "f", "F", "FALSE", "false", "False"};
  if (yes.contains(s)) return true;
  if (no.contains(s)) return false;
  return fail("invalid syntax", EINVAL);
}

Result<int64_t> parse_go_int(std::string_view s) {
  if (s.empty()) return fail("invalid syntax", EINVAL);
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  bool prefix = false;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') base = 16, prefix = true;
    else if (p == 'b') base = 2, prefix = true;
    else if (p == 'o') base = 8, prefix = true;
    else base = 8;  // a leading 0 means octal
    if (prefix) s.remove_prefix(2);
  }
  if (s.empty()) return fail("invalid syntax", EINVAL);
  if (!underscores_ok(s, prefix)) return fail("invalid syntax", EINVAL);
  unsigned long long v = 0;
  bool overflow = false;
  bool any_digit = false;
  for (char c : s) {
    if (c == '_') continue;
    int d = digit_value(c);
    if (d >= base) return fail("invalid syntax", EINVAL);
    any_digit = true;
    if (v > (ULLONG_MAX - static_cast<unsigned>(d)) / static_cast<unsigned>(base)) overflow = true;
    else v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
  }
  if (!any_digit) return fail("invalid syntax", EINVAL);
  const unsigned long long limit = neg ? (1ULL << 63) : (1ULL << 63) - 1;
  if (overflow || v > limit) return fail("value out of range", ERANGE);
  if (neg) return v == (1ULL << 63) ? INT64_MIN : -static_cast<int64_t>(v);
  return static_cast<int64_t>(v);
}

Result<int64_t> parse_go_duration(std::string_view s) {
  static const std::map<std::string_view, unsigned long long> units{
      {"ns", 1ULL},
      {"us", 1000ULL},
      {"\xC2\xB5s", 1000ULL},  // U+00B5 micro sign
      {"\xCE\xBCs", 1000ULL},  // U+03BC Greek mu
      {"ms", 1000000ULL},
      {"s", 1000000000ULL},
      {"m", 60ULL * 1000000000ULL},
      {"h", 3600ULL * 1000000000ULL},
  };
  auto invalid = [] { return fail("invalid duration", EINVAL); };
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid();
  long double total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    size_t k = 0;
    long double whole = 0, frac = 0, scale = 1;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') whole = whole * 10 + (s[k++] - '0');
    bool pre = k > 0;
    bool post = false;
    if (k < s.size() && s[k] == '.') {
      ++k;
      size_t start = k;
      while (k < s.size() && s[k] >= '0' && s[k] <= '9') {
        frac = frac * 10 + (s[k++] - '0');
        scale *= 10;
      }
      post = k > start;
    }
    if (!pre && !post) return invalid();
    size_t u = k;
    while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) ++u;
    if (u == k) return invalid();  // missing unit
    auto unit = units.find(s.substr(k, u - k));
    if (unit == units.end()) return invalid();
    total += (whole + frac / scale) * static_cast<long double>(unit->second);
    s.remove_prefix(u);
  }
  if (total > static_cast<long double>(INT64_MAX) + (neg ? 1 : 0)) return invalid();
  auto ns = static_cast<int64_t>(neg ? -total : total);
  return ns;
}

}  // namespace orun::cli
