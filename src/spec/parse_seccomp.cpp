// linux.seccomp into the typed spec::Seccomp. Types only: the names are
// security/seccomp_profile.cpp's (libseccomp values). The type errors keep
// the wording they have always had for this section
// ("linux.seccomp.syscalls[0].names: expected an array of strings").
#include "orun/spec.hpp"
#include "spec/json_field.hpp"
#include "spec/parse_internal.hpp"

namespace orun::spec::detail {

namespace {

// A reader's result with this section's own type-error text.
template <typename T>
Result<T> typed(Result<T> r, const std::string& path, const char* want) {
  if (!r) return fail(path + ": expected " + want);
  return r;
}

Result<void> read_string(const json& obj, const char* key, const std::string& path, std::string& out) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(typed(as_string(*v, join_path(path, key)), join_path(path, key), "a string"));
  return {};
}

Result<std::optional<uint64_t>> read_uint(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (!v) return std::optional<uint64_t>();
  return std::optional<uint64_t>(ORUN_TRY(typed(as_u64(*v, join_path(path, key)), join_path(path, key), "an unsigned integer")));
}

Result<std::optional<std::vector<std::string>>> read_strings(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (!v) return std::optional<std::vector<std::string>>();
  return std::optional<std::vector<std::string>>(
      ORUN_TRY(typed(as_string_array(*v, join_path(path, key)), join_path(path, key), "an array of strings")));
}

// "linux.seccomp.syscalls[2] (mkdir, mkdirat)": how errors name a rule.
std::string rule_label(const std::string& path, const std::vector<std::string>& names) {
  if (names.empty()) return path;
  std::string s = path + " (";
  for (size_t k = 0; k < names.size(); k++) s += (k ? ", " : "") + names[k];
  return s + ")";
}

Result<SeccompArg> parse_arg(const json& a, const std::string& path) {
  if (!a.is_object()) return fail(path + ": expected an object");
  SeccompArg c;
  c.index = ORUN_TRY(read_uint(a, "index", path)).value_or(0);
  c.value = ORUN_TRY(read_uint(a, "value", path)).value_or(0);
  c.value_two = ORUN_TRY(read_uint(a, "valueTwo", path)).value_or(0);
  ORUN_TRY_VOID(read_string(a, "op", path, c.op));
  return c;
}

Result<SeccompSyscall> parse_syscall(const json& s, const std::string& path) {
  if (!s.is_object()) return fail(path + ": expected an object");
  SeccompSyscall r;
  r.names = ORUN_TRY(read_strings(s, "names", path)).value_or(std::vector<std::string>{});
  r.errno_ret = ORUN_TRY(read_uint(s, "errnoRet", path));
  ORUN_TRY_VOID(read_string(s, "action", path, r.action));
  if (const json* a = member(s, "args")) {
    if (!a->is_array()) return fail(path + ".args: expected an array");
    for (size_t k = 0; k < a->size(); k++) {
      auto c = parse_arg((*a)[k], index_path(path + ".args", k));
      if (!c) return std::unexpected(std::move(c.error()).context(rule_label(path, r.names)));
      r.args.push_back(*c);
    }
  }
  return r;
}

}  // namespace

Result<Seccomp> parse_seccomp(const json& sc, const std::string& path) {
  if (!sc.is_object()) return fail(path + ": expected an object");
  ORUN_TRY_VOID(reject_nul(sc, path));
  Seccomp out;
  ORUN_TRY_VOID(read_string(sc, "defaultAction", path, out.default_action));
  const json* syscalls = member(sc, "syscalls");
  if (syscalls && !syscalls->is_array()) return fail(path + ".syscalls: expected an array");
  // No default action and no rules: seccomp is off (runc's SetupSeccomp),
  // whatever else the section holds.
  if (out.default_action.empty() && (!syscalls || syscalls->empty())) return out;

  out.flags = ORUN_TRY(read_strings(sc, "flags", path));
  out.architectures = ORUN_TRY(read_strings(sc, "architectures", path)).value_or(std::vector<std::string>{});
  out.default_errno_ret = ORUN_TRY(read_uint(sc, "defaultErrnoRet", path));
  ORUN_TRY_VOID(read_string(sc, "listenerPath", path, out.listener_path));
  ORUN_TRY_VOID(read_string(sc, "listenerMetadata", path, out.listener_metadata));
  if (syscalls)
    for (size_t i = 0; i < syscalls->size(); i++)
      out.syscalls.push_back(ORUN_TRY(parse_syscall((*syscalls)[i], index_path(path + ".syscalls", i))));
  return out;
}

}  // namespace orun::spec::detail
