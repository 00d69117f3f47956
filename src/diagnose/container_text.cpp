// The text form of `diagnose`: one labelled line (or block) per fact, from
// the same model as --format json, so both always say the same.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "diagnose/container.hpp"
#include "diagnose/proc_status.hpp"

namespace orun::diagnose {

namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kLabel = 12;

void line(std::string& out, const std::string& label, const std::string& text) {
  std::string l = label;
  l.resize(kLabel, ' ');
  out += l + text + "\n";
}

std::string str(const Json& j, const char* key, const std::string& dflt = "") {
  if (!j.is_object() || !j.contains(key)) return dflt;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string bytes(const Json& j, const char* key) {
  if (!j.contains(key)) return "?";
  if (j[key].is_number_integer()) return human_bytes(j[key].get<uint64_t>());
  return str(j, key);
}

std::string names(const Json& arr) {
  if (!arr.is_array() || arr.empty()) return "(none)";
  std::vector<std::string> v;
  for (const auto& x : arr) v.push_back(x.get<std::string>());
  return join(v);
}

void render_namespaces(std::string& out, const Json& r) {
  if (!r.contains("namespaces")) return;
  std::string label = "namespaces";
  for (const auto& n : r["namespaces"]) {
    std::string t = n["id"].get<std::string>();
    std::vector<std::string> notes;
    if (n.value("shared_with_host", false)) notes.push_back("shared with the host");
    else if (n.value("shared_with_orun", false)) notes.push_back("shared with orun");
    else notes.push_back("own");
    if (n.contains("config")) notes.push_back("config: " + n["config"].get<std::string>());
    line(out, label, t + " (" + join(notes, ", ") + ")");
    label.clear();
  }
}

void render_security(std::string& out, const Json& r) {
  for (auto [key, label] : {std::pair{"uid_map", "uid map"}, {"gid_map", "gid map"}}) {
    if (!r.contains(key)) continue;
    auto maps = r[key].get<std::vector<std::string>>();
    line(out, label, maps.empty() ? "(none)" : join(maps, "; "));
  }
  if (r.contains("capabilities")) {
    std::string label = "caps";
    for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"}) {
      if (!r["capabilities"].contains(set)) continue;
      std::string s = set;
      s.resize(12, ' ');
      line(out, label, s + names(r["capabilities"][set]));
      label.clear();
    }
  }
  if (r.contains("seccomp")) {
    std::string s = str(r["seccomp"], "mode");
    if (r["seccomp"].contains("filters")) s += ", " + str(r["seccomp"], "filters") + " filter(s)";
    if (r.contains("no_new_privs")) s += "; no_new_privs " + std::string(r["no_new_privs"].get<bool>() ? "yes" : "no");
    line(out, "seccomp", s);
  }
}

void render_cgroup(std::string& out, const Json& c) {
  std::string label = "cgroup";
  size_t width = 0;
  for (const auto& [k, v] : c["paths"].items()) width = std::max(width, k.size());
  for (const auto& [k, v] : c["paths"].items()) {
    std::string key = k;
    key.resize(width + 2, ' ');
    line(out, label, key + v.get<std::string>());
    label.clear();
  }
  if (!c.value("exists", false)) {
    line(out, "", "(gone)");
    return;
  }
  if (c.value("frozen", false)) line(out, "", "frozen");
  const Json& m = c["memory"];
  if (!m.empty()) {
    std::string s = "usage " + bytes(m, "usage");
    if (m.contains("max_usage")) s += ", peak " + bytes(m, "max_usage");
    s += ", limit " + bytes(m, "limit");
    if (m.contains("failcnt")) s += ", failcnt " + str(m, "failcnt");
    s += "; OOM kills " + str(m, "oom_kills", "0");
    if (m.value("under_oom", false)) s += "; UNDER OOM (stalled, OOM killer disabled)";
    else if (m.value("oom_kill_disable", false)) s += "; OOM killer disabled";
    line(out, "memory", s);
  }
  const Json& p = c["pids"];
  if (!p.empty()) line(out, "pids", str(p, "current", "?") + " of " + str(p, "limit", "?"));
  const Json& u = c["cpu"];
  if (!u.empty()) {
    std::string s;
    if (u.contains("usage_ns")) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.3f s", static_cast<double>(u["usage_ns"].get<uint64_t>()) / 1e9);
      s += std::string("usage ") + buf;
    }
    if (u.contains("quota_us")) {
      std::string q = str(u, "quota_us") == "max" ? "no quota" : "quota " + str(u, "quota_us") + " us per " + str(u, "period_us") + " us";
      s += (s.empty() ? "" : "; ") + q;
    }
    if (u.contains("max")) s += (s.empty() ? "" : "; ") + std::string("max ") + str(u, "max");
    if (u.contains("shares")) s += ", shares " + str(u, "shares");
    if (u.contains("weight")) s += ", weight " + str(u, "weight");
    if (u.contains("nr_throttled")) s += ", throttled " + str(u, "nr_throttled") + "x";
    line(out, "cpu", s);
  }
}

// The kernel's audit records of the container's seccomp filter.
void render_denials(std::string& out, const Json& d) {
  if (d.contains("error")) {
    line(out, "seccomp log", "unreadable: " + str(d, "error"));
    return;
  }
  const Json& recs = d["records"];
  std::string head = std::to_string(recs.size()) + " record(s) in the kernel log";
  if (!d.value("report", false))
    head += "; errno and trap denials are logged only with the annotation org.orun.seccomp.report=true";
  line(out, "seccomp log", head);
  for (const auto& e : recs) {
    time_t t = static_cast<time_t>(e.value("time", 0.0));
    struct tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string s = str(e, "syscall") + ": " + str(e, "action") + ", pid " + str(e, "pid") + " (" + str(e, "comm") +
                    ", " + str(e, "exe") + (e.contains("process") ? ", gone" : "") + ") at " + when;
    line(out, "", s);
  }
}

}  // namespace

std::string human_bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n) / 1024;
  size_t i = 0;
  while (v >= 1024 && i + 1 < std::size(units)) {
    v /= 1024;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, units[i]);
  return buf;
}

std::string render_container_text(const Json& r) {
  std::string out;
  line(out, "container", str(r, "id") + " (" + str(r, "status") + "), root " + str(r, "root"));
  line(out, "bundle", str(r, "bundle"));
  line(out, "created", str(r, "created"));
  const Json& init = r["init"];
  std::string i = "pid " + str(init, "pid") + (init.value("alive", false) ? ", alive" : ", gone");
  if (init.contains("command")) i += ", " + str(init, "command");
  if (init.contains("state")) i += ", " + str(init, "state");
  line(out, "init", i);
  if (r.contains("exit")) {
    const Json& e = r["exit"];
    line(out, "exit", str(e, "reason") + " (seen by " + str(e, "seen_by") + " at " + str(e, "time") + ")");
  }
  if (r.contains("config_error")) line(out, "config", "unreadable: " + str(r, "config_error"));
  render_namespaces(out, r);
  render_security(out, r);
  if (r.contains("cgroup")) render_cgroup(out, r["cgroup"]);
  if (r.contains("mounts")) {
    const Json& m = r["mounts"];
    if (!m.value("compared", false)) {
      line(out, "mounts", "not compared: " + str(m, "reason"));
    } else if (m["missing"].empty() && m["extra"].empty()) {
      line(out, "mounts", str(m, "count") + " mounted, as configured");
    } else {
      std::string s = str(m, "count") + " mounted";
      if (!m["missing"].empty()) s += "; missing (in config, not mounted): " + names(m["missing"]);
      if (!m["extra"].empty()) s += "; extra (mounted, not in config): " + names(m["extra"]);
      line(out, "mounts", s);
    }
  }
  if (r.contains("seccomp_denials")) render_denials(out, r["seccomp_denials"]);
  if (r.contains("log")) {
    const Json& l = r["log"];
    line(out, "log", str(l, "path") + " (last " + std::to_string(l["lines"].size()) + " lines)");
    for (const auto& x : l["lines"]) line(out, "", x.get<std::string>());
  }
  return out;
}

}  // namespace orun::diagnose
