#include "cli/flags.hpp"

#include <algorithm>

namespace orun::cli {

namespace {

struct KindName {
  FlagKind kind;
  const char* name;
};

// The kind travels in the CLI11 option's type name.
constexpr KindName kKindNames[] = {
    {FlagKind::boolean, "bool"},           {FlagKind::string, "string"},
    {FlagKind::integer, "int"},            {FlagKind::duration, "duration"},
    {FlagKind::string_slice, "string..."}, {FlagKind::int64_slice, "int64..."},
};

const char* kind_name(FlagKind k) {
  for (const auto& kn : kKindNames)
    if (kn.kind == k) return kn.name;
  return "string";
}

FlagKind kind_of(const CLI::Option& opt) {
  std::string t = opt.get_type_name();
  for (const auto& kn : kKindNames)
    if (t == kn.name) return kn.kind;
  return FlagKind::string;
}

std::vector<std::string> split_names(std::string_view names) {
  std::vector<std::string> out;
  while (!names.empty()) {
    auto comma = names.find(',');
    std::string_view n = names.substr(0, comma);
    while (!n.empty() && n.front() == ' ') n.remove_prefix(1);
    while (!n.empty() && n.back() == ' ') n.remove_suffix(1);
    if (!n.empty()) out.emplace_back(n);
    if (comma == std::string_view::npos) break;
    names.remove_prefix(comma + 1);
  }
  return out;
}

std::string dash(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

std::vector<std::string> all_names(const CLI::Option& opt) {
  std::vector<std::string> names = opt.get_lnames();
  for (const auto& s : opt.get_snames()) names.push_back(s);
  return names;
}

// Every value reaches CLI11 behind this marker: CLI11 reads an empty
// `--name=` as "the value is the next word", and `--bundle ""` is valid.
constexpr char kValueMark = ':';

std::string go_quote_ascii(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

CLI::Option* add_flag(CLI::App& app, const FlagInfo& info, FlagKind kind,
                      std::function<void(const std::string&)> set) {
  std::string cli_names;
  for (const auto& n : split_names(info.names)) {
    if (!cli_names.empty()) cli_names += ',';
    cli_names += dash(n);
  }
  CLI::callback_t cb = [set = std::move(set)](const CLI::results_t& values) {
    for (const auto& v : values) set(v.empty() ? v : v.substr(1));
    return true;
  };
  CLI::Option* opt = app.add_option(cli_names, std::move(cb), info.usage);
  opt->type_name(kind_name(kind));
  opt->expected(1);
  opt->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  std::string def = info.default_text;
  if (def.empty() && kind == FlagKind::integer) def = "0";  // urfave always shows int defaults
  if (!def.empty()) opt->default_str(def);
  if (info.hidden) opt->group("");
  return opt;
}

CLI::Option* add_bool(CLI::App& app, const FlagInfo& info, bool& target) {
  return add_flag(app, info, FlagKind::boolean, [&target](const std::string& v) { target = v == "true"; });
}

CLI::Option* add_bool(CLI::App& app, const FlagInfo& info, std::optional<bool>& target) {
  return add_flag(app, info, FlagKind::boolean, [&target](const std::string& v) { target = v == "true"; });
}

CLI::Option* add_string(CLI::App& app, const FlagInfo& info, std::string& target) {
  return add_flag(app, info, FlagKind::string, [&target](const std::string& v) { target = v; });
}

CLI::Option* add_string(CLI::App& app, const FlagInfo& info, std::optional<std::string>& target) {
  return add_flag(app, info, FlagKind::string, [&target](const std::string& v) { target = v; });
}

CLI::Option* add_strings(CLI::App& app, const FlagInfo& info, std::vector<std::string>& target) {
  return add_flag(app, info, FlagKind::string_slice, [&target](const std::string& v) { target.push_back(v); });
}

CLI::Option* add_int(CLI::App& app, const FlagInfo& info, int64_t& target) {
  return add_flag(app, info, FlagKind::integer, [&target](const std::string& v) { target = std::stoll(v); });
}

CLI::Option* add_int64s(CLI::App& app, const FlagInfo& info, std::vector<int64_t>& target) {
  return add_flag(app, info, FlagKind::int64_slice,
                  [&target](const std::string& v) { target.push_back(std::stoll(v)); });
}

CLI::Option* add_int_text(CLI::App& app, const FlagInfo& info, std::optional<std::string>& target) {
  return add_flag(app, info, FlagKind::integer, [&target](const std::string& v) { target = v; });
}

CLI::Option* add_count(CLI::App& app, const FlagInfo& info, unsigned& target) {
  std::string name = info.names.substr(0, info.names.find(','));
  return add_flag(app, info, FlagKind::integer, [&target, name](const std::string& v) {
    long long n = std::stoll(v);
    // runc takes a negative count as 0 (its fd loop never runs); it is a
    // mistake, so say so in the wording of goflag's other value errors.
    if (n < 0)
      throw CLI::ValidationError("invalid value \"" + v + "\" for flag -" + name + ": must not be negative");
    target = static_cast<unsigned>(std::min<long long>(n, 1 << 30));
  });
}

CLI::Option* add_duration(CLI::App& app, const FlagInfo& info, std::string& target) {
  return add_flag(app, info, FlagKind::duration, [&target](const std::string& v) { target = v; });
}

void add_positionals(CLI::App& app, std::vector<std::string>& target) {
  app.add_option("args", target)->expected(0, -1);
}

std::vector<FlagDef> flag_defs(const CLI::App& app) {
  std::vector<FlagDef> defs;
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) continue;
    defs.push_back({all_names(*opt), kind_of(*opt)});
  }
  return defs;
}

Result<void> apply(CLI::App& app, const ParsedArgs& parsed) {
  // CLI11 takes the words in reverse order.
  std::vector<std::string> words;
  for (auto it = parsed.args.rbegin(); it != parsed.args.rend(); ++it) words.push_back(*it);
  words.emplace_back("--");
  for (auto it = parsed.flags.rbegin(); it != parsed.flags.rend(); ++it)
    words.push_back("--" + it->name + "=" + kValueMark + it->value);
  try {
    app.parse(words);
  } catch (const CLI::ParseError& e) {
    return fail(e.what());
  }
  return {};
}

std::vector<std::string> flag_help_lines(const CLI::App& app) {
  std::vector<std::string> lines;
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional() || opt->get_group().empty()) continue;
    FlagKind kind = kind_of(*opt);
    bool takes_value = kind != FlagKind::boolean;
    std::string line;
    for (const auto& n : all_names(*opt)) {
      if (!line.empty()) line += ", ";
      line += dash(n);
      if (takes_value) line += " value";
    }
    std::string usage = opt->get_description();
    std::string def = opt->get_default_str();
    if (!def.empty()) usage += " (default: " + (kind == FlagKind::string ? go_quote_ascii(def) : def) + ")";
    // urfave trims the joined usage text.
    while (!usage.empty() && (usage.back() == ' ' || usage.back() == '\n')) usage.pop_back();
    while (!usage.empty() && (usage.front() == ' ' || usage.front() == '\n')) usage.erase(0, 1);
    lines.push_back(line + "\t" + usage);
  }
  return lines;
}

}  // namespace orun::cli
