// config.json "process" (also the whole of an `exec -p` process.json) into
// spec::Process.
#include "orun/spec_json.hpp"
#include "spec/json_field.hpp"
#include "spec/parse_internal.hpp"

namespace orun::spec {

using namespace detail;

namespace {

Result<User> parse_user(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_object(v, path));
  User u;
  ORUN_TRY_VOID(read(v, "uid", path, u.uid));
  ORUN_TRY_VOID(read(v, "gid", path, u.gid));
  if (const json* m = member(v, "umask")) u.umask = ORUN_TRY(as_u32(*m, join_path(path, "umask")));
  if (const json* g = member(v, "additionalGids"))
    u.additional_gids = ORUN_TRY(as_u32_array(*g, join_path(path, "additionalGids")));
  ORUN_TRY_VOID(read(v, "username", path, u.username));
  return u;
}

Result<Capabilities> parse_caps(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_object(v, path));
  Capabilities c;
  ORUN_TRY_VOID(read(v, "bounding", path, c.bounding));
  ORUN_TRY_VOID(read(v, "effective", path, c.effective));
  ORUN_TRY_VOID(read(v, "inheritable", path, c.inheritable));
  ORUN_TRY_VOID(read(v, "permitted", path, c.permitted));
  ORUN_TRY_VOID(read(v, "ambient", path, c.ambient));
  return c;
}

Result<std::vector<Rlimit>> parse_rlimits(const json& v, const std::string& path) {
  if (!v.is_array()) return fail(path + ": expected array, got " + kind_name(v));
  std::vector<Rlimit> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = index_path(path, i);
    Rlimit r;
    if (!v[i].is_null()) {
      ORUN_TRY_VOID(expect_object(v[i], p));
      ORUN_TRY_VOID(read(v[i], "type", p, r.type));
      ORUN_TRY_VOID(read(v[i], "hard", p, r.hard));
      ORUN_TRY_VOID(read(v[i], "soft", p, r.soft));
    }
    r.resource = ORUN_TRY(rlimit_from_string(r.type));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

namespace detail {

Result<Process> parse_process_at(const json& v, const std::string& path) {
  ORUN_TRY_VOID(expect_object(v, path));
  Process p;
  ORUN_TRY_VOID(read(v, "terminal", path, p.terminal));
  if (const json* c = member(v, "consoleSize")) {
    std::string cp = join_path(path, "consoleSize");
    ORUN_TRY_VOID(expect_object(*c, cp));
    ConsoleSize cs;
    uint32_t h = 0, w = 0;
    ORUN_TRY_VOID(read(*c, "height", cp, h));
    ORUN_TRY_VOID(read(*c, "width", cp, w));
    cs.height = h;
    cs.width = w;
    p.console_size = cs;
  }
  if (const json* u = member(v, "user")) p.user = ORUN_TRY(parse_user(*u, join_path(path, "user")));
  ORUN_TRY_VOID(read(v, "args", path, p.args));
  std::string command_line;  // Windows only: type-checked, then ignored
  ORUN_TRY_VOID(read(v, "commandLine", path, command_line));
  // runc refuses NULs in env with its own text (validate_process).
  ORUN_TRY_VOID(read(v, "env", path, p.env, Nul::keep));
  ORUN_TRY_VOID(read(v, "cwd", path, p.cwd));
  if (const json* c = member(v, "capabilities"))
    p.capabilities = ORUN_TRY(parse_caps(*c, join_path(path, "capabilities")));
  if (const json* r = member(v, "rlimits"))
    p.rlimits = ORUN_TRY(parse_rlimits(*r, join_path(path, "rlimits")));
  ORUN_TRY_VOID(read(v, "noNewPrivileges", path, p.no_new_privileges));
  ORUN_TRY_VOID(read(v, "apparmorProfile", path, p.apparmor_profile));
  if (const json* o = member(v, "oomScoreAdj"))
    p.oom_score_adj = ORUN_TRY(as_i32(*o, join_path(path, "oomScoreAdj")));
  if (const json* s = member(v, "scheduler")) p.scheduler = ORUN_TRY(parse_scheduler(*s, join_path(path, "scheduler")));
  ORUN_TRY_VOID(read(v, "selinuxLabel", path, p.selinux_label));
  if (const json* io = member(v, "ioPriority"))
    p.io_priority = ORUN_TRY(parse_io_priority(*io, join_path(path, "ioPriority")));
  if (const json* a = member(v, "execCPUAffinity"))
    p.exec_cpu_affinity = ORUN_TRY(parse_exec_cpu_affinity(*a, join_path(path, "execCPUAffinity")));
  return p;
}

}  // namespace detail

Result<Process> parse_process(const nlohmann::json& doc) {
  if (doc.is_null()) return fail("process property must not be empty");
  return detail::parse_process_at(doc, "");
}

}  // namespace orun::spec
