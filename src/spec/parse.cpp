// config.json (runtime-spec 1.3.0) into spec::Spec. Lenient like Go's
// decoder (unknown keys ignored, null and missing mean the zero value);
// wrong types fail naming the field path.
#include "orun/spec_json.hpp"
#include "spec/json_field.hpp"
#include "spec/parse_internal.hpp"

namespace orun::spec {

using namespace detail;

namespace {

Result<std::vector<IdMapping>> parse_id_mappings(const json& v, const std::string& path) {
  if (!v.is_array()) return fail(path + ": expected array, got " + kind_name(v));
  std::vector<IdMapping> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = index_path(path, i);
    IdMapping m;
    if (!v[i].is_null()) {
      ORUN_TRY_VOID(expect_object(v[i], p));
      ORUN_TRY_VOID(read(v[i], "containerID", p, m.container_id));
      ORUN_TRY_VOID(read(v[i], "hostID", p, m.host_id));
      ORUN_TRY_VOID(read(v[i], "size", p, m.size));
    }
    out.push_back(m);
  }
  return out;
}

Result<Root> parse_root(const json& v) {
  ORUN_TRY_VOID(expect_object(v, "root"));
  Root r;
  ORUN_TRY_VOID(read(v, "path", "root", r.path));
  ORUN_TRY_VOID(read(v, "readonly", "root", r.readonly));
  return r;
}

Result<std::vector<Mount>> parse_mounts(const json& v) {
  if (!v.is_array()) return fail(std::string("mounts: expected array, got ") + kind_name(v));
  std::vector<Mount> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = index_path("mounts", i);
    Mount m;
    if (!v[i].is_null()) {
      ORUN_TRY_VOID(expect_object(v[i], p));
      // runc refuses NULs here with its own text (validate_mounts_specconv).
      ORUN_TRY_VOID(read(v[i], "destination", p, m.destination, Nul::keep));
      ORUN_TRY_VOID(read(v[i], "type", p, m.type, Nul::keep));
      ORUN_TRY_VOID(read(v[i], "source", p, m.source, Nul::keep));
      ORUN_TRY_VOID(read(v[i], "options", p, m.options));
      if (const json* u = member(v[i], "uidMappings"))
        m.uid_mappings = ORUN_TRY(parse_id_mappings(*u, join_path(p, "uidMappings")));
      if (const json* g = member(v[i], "gidMappings"))
        m.gid_mappings = ORUN_TRY(parse_id_mappings(*g, join_path(p, "gidMappings")));
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Hook>> parse_hook_list(const json& v, const std::string& path) {
  if (!v.is_array()) return fail(path + ": expected array, got " + kind_name(v));
  std::vector<Hook> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = index_path(path, i);
    Hook h;
    if (!v[i].is_null()) {
      ORUN_TRY_VOID(expect_object(v[i], p));
      ORUN_TRY_VOID(read(v[i], "path", p, h.path));
      ORUN_TRY_VOID(read(v[i], "args", p, h.args));
      // An absent (or null) env inherits the caller's environment; an empty
      // array means an empty one (3.15), so the two must stay apart.
      if (const json* e = member(v[i], "env"))
        h.env = ORUN_TRY(as_string_array(*e, join_path(p, "env")));
      if (const json* t = member(v[i], "timeout"))
        h.timeout = ORUN_TRY(as_i32(*t, join_path(p, "timeout")));
    }
    out.push_back(std::move(h));
  }
  return out;
}

Result<Hooks> parse_hooks(const json& v) {
  ORUN_TRY_VOID(expect_object(v, "hooks"));
  Hooks h;
  const std::pair<const char*, std::vector<Hook>*> kinds[] = {
      {"prestart", &h.prestart},
      {"createRuntime", &h.create_runtime},
      {"createContainer", &h.create_container},
      {"startContainer", &h.start_container},
      {"poststart", &h.poststart},
      {"poststop", &h.poststop},
  };
  for (const auto& [name, list] : kinds)
    if (const json* l = member(v, name)) *list = ORUN_TRY(parse_hook_list(*l, join_path("hooks", name)));
  return h;
}

// runc prints the offending specs.LinuxNamespace with %q: {"type" "path"}.
std::string go_ns_string(const std::string& type, const std::string& path) {
  return "{" + go_quote(type) + " " + go_quote(path) + "}";
}

Result<std::vector<Namespace>> parse_namespaces(const json& v, const std::string& path) {
  if (!v.is_array()) return fail(path + ": expected array, got " + kind_name(v));
  std::vector<Namespace> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = index_path(path, i);
    std::string type, nspath;
    if (!v[i].is_null()) {
      ORUN_TRY_VOID(expect_object(v[i], p));
      ORUN_TRY_VOID(read(v[i], "type", p, type));
      ORUN_TRY_VOID(read(v[i], "path", p, nspath));
    }
    auto t = namespace_type_from_string(type);
    if (!t) return fail("namespace " + go_ns_string(type, nspath) + " does not exist");
    for (const auto& ns : out)
      if (ns.type == *t)
        return fail("malformed spec file: duplicated ns " + go_ns_string(type, nspath));
    out.push_back(Namespace{*t, nspath});
  }
  return out;
}

Result<std::vector<Device>> parse_devices(const json& v, const std::string& path) {
  if (!v.is_array()) return fail(path + ": expected array, got " + kind_name(v));
  std::vector<Device> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = index_path(path, i);
    Device d;
    std::string type;
    if (!v[i].is_null()) {
      ORUN_TRY_VOID(expect_object(v[i], p));
      ORUN_TRY_VOID(read(v[i], "type", p, type));
      ORUN_TRY_VOID(read(v[i], "path", p, d.path));
      ORUN_TRY_VOID(read(v[i], "major", p, d.major));
      ORUN_TRY_VOID(read(v[i], "minor", p, d.minor));
      if (const json* m = member(v[i], "fileMode"))
        d.file_mode = ORUN_TRY(as_u32(*m, join_path(p, "fileMode")));
      if (const json* u = member(v[i], "uid")) d.uid = ORUN_TRY(as_u32(*u, join_path(p, "uid")));
      if (const json* g = member(v[i], "gid")) d.gid = ORUN_TRY(as_u32(*g, join_path(p, "gid")));
    }
    if (type != "c" && type != "u" && type != "b" && type != "p")
      return fail("invalid device type " + go_quote(type));
    d.type = type[0];
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::map<std::string, TimeOffset>> parse_time_offsets(const json& v,
                                                             const std::string& path) {
  ORUN_TRY_VOID(expect_object(v, path));
  std::map<std::string, TimeOffset> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::string p = join_path(path, it.key());
    TimeOffset o;
    if (!it.value().is_null()) {
      ORUN_TRY_VOID(expect_object(it.value(), p));
      ORUN_TRY_VOID(read(it.value(), "secs", p, o.secs));
      ORUN_TRY_VOID(read(it.value(), "nanosecs", p, o.nanosecs));
    }
    out[it.key()] = o;
  }
  return out;
}

Result<Linux> parse_linux(const json& v) {
  const std::string path = "linux";
  ORUN_TRY_VOID(expect_object(v, path));
  Linux l;
  if (const json* u = member(v, "uidMappings"))
    l.uid_mappings = ORUN_TRY(parse_id_mappings(*u, join_path(path, "uidMappings")));
  if (const json* g = member(v, "gidMappings"))
    l.gid_mappings = ORUN_TRY(parse_id_mappings(*g, join_path(path, "gidMappings")));
  ORUN_TRY_VOID(read(v, "sysctl", path, l.sysctl));
  if (const json* r = member(v, "resources")) {
    ORUN_TRY_VOID(expect_object(*r, join_path(path, "resources")));
    ORUN_TRY_VOID(reject_nul(*r, join_path(path, "resources")));
    l.resources = ORUN_TRY(parse_resources(*r, join_path(path, "resources")));
  }
  ORUN_TRY_VOID(read(v, "cgroupsPath", path, l.cgroups_path));
  if (const json* n = member(v, "namespaces"))
    l.namespaces = ORUN_TRY(parse_namespaces(*n, join_path(path, "namespaces")));
  if (const json* d = member(v, "devices"))
    l.devices = ORUN_TRY(parse_devices(*d, join_path(path, "devices")));
  if (const json* n = member(v, "netDevices"))
    l.net_devices = ORUN_TRY(parse_net_devices(*n, join_path(path, "netDevices")));
  if (const json* s = member(v, "seccomp")) l.seccomp = ORUN_TRY(parse_seccomp(*s, join_path(path, "seccomp")));
  ORUN_TRY_VOID(read(v, "rootfsPropagation", path, l.rootfs_propagation));
  ORUN_TRY_VOID(read(v, "maskedPaths", path, l.masked_paths));
  ORUN_TRY_VOID(read(v, "readonlyPaths", path, l.readonly_paths));
  ORUN_TRY_VOID(read(v, "mountLabel", path, l.mount_label));
  if (const json* r = member(v, "intelRdt")) l.intel_rdt = ORUN_TRY(parse_intel_rdt(*r, join_path(path, "intelRdt")));
  if (const json* m = member(v, "memoryPolicy"))
    l.memory_policy = ORUN_TRY(parse_memory_policy(*m, join_path(path, "memoryPolicy")));
  if (const json* p = member(v, "personality"))
    l.personality = ORUN_TRY(parse_personality(*p, join_path(path, "personality")));
  if (const json* t = member(v, "timeOffsets"))
    l.time_offsets = ORUN_TRY(parse_time_offsets(*t, join_path(path, "timeOffsets")));
  return l;
}

}  // namespace

namespace detail {

std::string go_mount_string(const Mount& m) {
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s += ' ';
      s += v[i];
    }
    return s + "]";
  };
  auto maps = [](const std::vector<IdMapping>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s += ' ';
      s += "{ContainerID:" + std::to_string(v[i].container_id) +
           " HostID:" + std::to_string(v[i].host_id) + " Size:" + std::to_string(v[i].size) + "}";
    }
    return s + "]";
  };
  return "{Destination:" + m.destination + " Type:" + m.type + " Source:" + m.source +
         " Options:" + list(m.options) + " UIDMappings:" + maps(m.uid_mappings) +
         " GIDMappings:" + maps(m.gid_mappings) + "}";
}

}  // namespace detail

Result<void> reject_nul_bytes(const nlohmann::json& v, const std::string& path) {
  return reject_nul(v, path);
}

Result<Spec> parse(const nlohmann::json& doc) {
  if (doc.is_null()) return fail("config cannot be null");
  ORUN_TRY_VOID(expect_object(doc, "config"));
  Spec s;
  ORUN_TRY_VOID(read(doc, "ociVersion", "", s.oci_version));
  if (const json* p = member(doc, "process")) s.process = ORUN_TRY(parse_process_at(*p, "process"));
  if (const json* r = member(doc, "root")) s.root = ORUN_TRY(parse_root(*r));
  ORUN_TRY_VOID(read(doc, "hostname", "", s.hostname));
  // runc only acts on a non-empty hostname: "" must never reach sethostname.
  s.has_hostname = !s.hostname.empty();
  ORUN_TRY_VOID(read(doc, "domainname", "", s.domainname));
  if (const json* m = member(doc, "mounts")) s.mounts = ORUN_TRY(parse_mounts(*m));
  if (const json* h = member(doc, "hooks")) s.hooks = ORUN_TRY(parse_hooks(*h));
  ORUN_TRY_VOID(read(doc, "annotations", "", s.annotations));
  if (const json* l = member(doc, "linux")) s.linux = ORUN_TRY(parse_linux(*l));
  s.raw = std::make_shared<const nlohmann::json>(doc);
  return s;
}

}  // namespace orun::spec
