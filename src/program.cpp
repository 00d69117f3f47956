// See include/orun/program.hpp.
#include "orun/program.hpp"

namespace orun {

namespace {

// The recorded argv[0]. A plain string: set once per CLI run, before any
// thread or child exists.
std::string& invocation() {
  static std::string argv0 = "orun";
  return argv0;
}

void replace_all(std::string& s, std::string_view token, std::string_view with) {
  for (size_t pos = s.find(token); pos != std::string::npos; pos = s.find(token, pos + with.size()))
    s.replace(pos, token.size(), with);
}

}  // namespace

std::string invoked_name(std::string_view argv0) {
  auto slash = argv0.rfind('/');
  std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  return std::string(base.empty() ? "orun" : base);
}

std::string program_name(std::string_view argv0) {
  return invoked_name(argv0) == "runc" ? "runc" : "orun";
}

std::string expand_names(std::string_view text, std::string_view argv0) {
  std::string out(text);
  replace_all(out, "{name}", program_name(argv0));
  replace_all(out, "{prog}", invoked_name(argv0));
  return out;
}

void set_invocation(std::string_view argv0) { invocation() = std::string(argv0.empty() ? "orun" : argv0); }

std::string program_name() { return program_name(invocation()); }

std::string named(std::string_view text) { return expand_names(text, invocation()); }

}  // namespace orun
