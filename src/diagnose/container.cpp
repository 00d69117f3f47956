// The live part of `diagnose`: what /proc says about the container's init
// (namespaces, id maps, capabilities, seccomp, no_new_privs, mounts) next to
// what state.json and the config say it should be. A stopped container has
// no init: only the recorded and the cgroup parts are shown.
#include "diagnose/container.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cgroups/events.hpp"
#include "container/exit_record.hpp"
#include "diagnose/mountinfo.hpp"
#include "diagnose/proc_status.hpp"
#include "diagnose/seccomp_audit.hpp"
#include "security/seccomp.hpp"
#include "sys/file.hpp"
#include "orun/spec.hpp"
#include "sys/file.hpp"

namespace orun::diagnose {

namespace {

using Json = nlohmann::ordered_json;

std::string ns_link(const std::string& proc_dir, const char* ns) {
  char buf[128];
  ssize_t n = ::readlink((proc_dir + "/ns/" + ns).c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

Json namespaces(const std::string& proc, const spec::Spec* cfg) {
  Json arr = Json::array();
  for (auto t : {spec::NamespaceType::pid, spec::NamespaceType::network, spec::NamespaceType::mount,
                 spec::NamespaceType::ipc, spec::NamespaceType::uts, spec::NamespaceType::user,
                 spec::NamespaceType::cgroup, spec::NamespaceType::time}) {
    const char* name = spec::proc_ns_name(t);
    std::string mine = ns_link(proc, name);
    if (mine.empty()) continue;
    Json j;
    j["type"] = spec::to_string(t);
    j["id"] = mine;
    std::string host = ns_link("/proc/1", name);
    if (!host.empty()) j["shared_with_host"] = mine == host;
    j["shared_with_orun"] = mine == ns_link("/proc/self", name);
    if (cfg) {
      const auto* want = cfg->linux.find_namespace(t);
      j["config"] = want == nullptr ? "inherited" : want->path.empty() ? "new" : want->path;
    }
    arr.push_back(std::move(j));
  }
  return arr;
}

Json capabilities(const std::map<std::string, std::string>& status) {
  Json j;
  for (auto [key, name] : {std::pair{"CapBnd", "bounding"}, {"CapEff", "effective"}, {"CapPrm", "permitted"},
                           {"CapInh", "inheritable"}, {"CapAmb", "ambient"}}) {
    auto it = status.find(key);
    if (it == status.end()) continue;
    auto mask = parse_cap_mask(it->second);
    if (mask) j[name] = cap_names(*mask);
  }
  return j;
}

// Paths orun mounts without a mounts[] entry: masked and read-only paths,
// /dev/console, the devices it binds when it cannot mknod, and "/".
std::vector<std::string> explained_mounts(const spec::Spec& cfg) {
  std::vector<std::string> out = {"/", "/dev/console"};
  for (const auto& p : cfg.linux.masked_paths) out.push_back(p);
  for (const auto& p : cfg.linux.readonly_paths) out.push_back(p);
  for (const auto& d : cfg.linux.devices) out.push_back(d.path);
  for (const char* d : {"/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/random", "/dev/urandom"})
    out.push_back(d);
  return out;
}

Json mounts(const std::string& proc, const spec::Spec& cfg, bool own_mount_ns) {
  Json j;
  if (!own_mount_ns) {
    j["compared"] = false;
    j["reason"] = "the init shares orun's mount namespace";
    return j;
  }
  auto mounted = parse_mountinfo(sys::read_file_or_empty(proc + "/mountinfo"));
  std::vector<std::string> configured, trees;
  for (const auto& m : cfg.mounts) {
    configured.push_back(m.destination);
    bool rbind = std::find(m.options.begin(), m.options.end(), "rbind") != m.options.end();
    if (m.type == "cgroup" || rbind) trees.push_back(m.destination);
  }
  auto d = diff_mounts(configured, explained_mounts(cfg), trees, mounted);
  j["compared"] = true;
  j["count"] = mounted.size();
  j["missing"] = d.missing;
  j["extra"] = d.extra;
  return j;
}

void process_part(Json& r, pid_t pid, const spec::Spec* cfg) {
  const std::string proc = "/proc/" + std::to_string(pid);
  auto status = parse_status(sys::read_file_or_empty(proc + "/status"));
  if (auto it = status.find("State"); it != status.end()) r["init"]["state"] = it->second;
  if (auto it = status.find("Name"); it != status.end()) r["init"]["command"] = it->second;
  Json ns = namespaces(proc, cfg);
  bool own_mnt = true;
  for (const auto& n : ns)
    if (n["type"] == "mount") own_mnt = !n["shared_with_orun"].get<bool>();
  r["namespaces"] = ns;
  r["uid_map"] = parse_id_map(sys::read_file_or_empty(proc + "/uid_map"));
  r["gid_map"] = parse_id_map(sys::read_file_or_empty(proc + "/gid_map"));
  r["capabilities"] = capabilities(status);
  Json sc;
  sc["mode"] = seccomp_mode_name(status["Seccomp"]);
  if (status.count("Seccomp_filters")) sc["filters"] = std::stoul(status["Seccomp_filters"]);
  r["seccomp"] = sc;
  if (status.count("NoNewPrivs")) r["no_new_privs"] = status["NoNewPrivs"] == "1";
  if (cfg) r["mounts"] = mounts(proc, *cfg, own_mnt);
}

}  // namespace

std::vector<std::string> tail_lines(const std::string& path, size_t n) {
  std::vector<std::string> out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  off_t size = ::lseek(fd, 0, SEEK_END);
  constexpr off_t kMax = 64 * 1024;
  off_t from = size > kMax ? size - kMax : 0;
  std::string data(static_cast<size_t>(size - from), '\0');
  ssize_t got = size > from ? ::pread(fd, data.data(), data.size(), from) : 0;
  ::close(fd);
  data.resize(got > 0 ? static_cast<size_t>(got) : 0);
  std::istringstream in(data);
  std::string line;
  bool first = from > 0;  // a partial first line
  while (std::getline(in, line)) {
    if (first) {
      first = false;
      continue;
    }
    out.push_back(line);
  }
  if (out.size() > n) out.erase(out.begin(), out.end() - static_cast<long>(n));
  return out;
}

// RFC 3339 (state.json's created) to epoch seconds; 0 when unreadable.
double epoch_of(const std::string& rfc3339) {
  struct tm tm{};
  const char* rest = ::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return 0;
  double frac = *rest == '.' ? std::strtod(rest, nullptr) : 0;
  return static_cast<double>(::timegm(&tm)) + frac;
}

Json denials_part(const container::State& s) {
  std::vector<pid_t> pids;
  if (auto all = cgroups::all_pids(s.cgroup_paths)) pids = *all;
  pids.push_back(s.init_pid);
  Json d = seccomp_denials(epoch_of(s.created), pids, s.rootfs);
  d["report"] = security::seccomp::report_requested(s.annotations);
  auto logged = sys::read_file("/proc/sys/kernel/seccomp/actions_logged");
  if (logged) d["actions_logged"] = logged->substr(0, logged->find('\n'));
  return d;
}

Json inspect_container(const std::string& root, const container::State& s) {
  Json r;
  auto st = container::status_of(root, s);
  bool alive = container::init_alive(s);
  r["id"] = s.id;
  r["root"] = root;
  r["status"] = container::to_string(st);
  r["bundle"] = s.bundle;
  r["rootfs"] = s.rootfs;
  r["created"] = s.created;
  r["init"]["pid"] = s.init_pid;
  r["init"]["alive"] = alive;
  auto parsed = s.config_spec();
  const spec::Spec* cfg = parsed ? &*parsed : nullptr;
  if (!parsed) r["config_error"] = parsed.error().msg;
  if (alive) process_part(r, s.init_pid, cfg);
  r["cgroup"] = inspect_cgroups(s.cgroup_paths);
  if (st == container::Status::stopped) {
    // What an orun process recorded when it saw the end, else what can
    // still be seen now (nothing is written: diagnose is read-only).
    if (auto rec = container::load_exit(root, s.id)) r["exit"] = *rec;
    else r["exit"] = container::to_json(container::observe_stopped(s));
  }
  if (s.config.is_object() && s.config.contains("linux") && s.config["linux"].is_object() &&
      s.config["linux"].contains("seccomp") && s.config["linux"]["seccomp"].is_object())
    r["seccomp_denials"] = denials_part(s);
  if (!s.log_path.empty()) {
    r["log"]["path"] = s.log_path;
    r["log"]["lines"] = tail_lines(s.log_path, 10);
  }
  return r;
}

}  // namespace orun::diagnose
