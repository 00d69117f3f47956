#include "container/state.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "orun/cgroups.hpp"
#include "orun/spec_json.hpp"
#include "sys/file.hpp"
#include "orun/log.hpp"

namespace orun::container {

const char* to_string(Status s) {
  switch (s) {
    case Status::created: return "created";
    case Status::running: return "running";
    case Status::paused: return "paused";
    case Status::stopped: return "stopped";
  }
  return "unknown";
}

void State::set_config(const spec::Spec& s) { config = s.raw ? *s.raw : nlohmann::json(); }

Result<spec::Spec> State::config_spec() const { return spec::parse(config); }

void State::set_resources(const spec::Resources& r) {
  if (!config.is_object()) config = nlohmann::json::object();
  if (!config.contains("linux") || !config["linux"].is_object()) config["linux"] = nlohmann::json::object();
  config["linux"]["resources"] = spec::resources_to_json(r);
}

nlohmann::json State::to_json() const {
  nlohmann::json j;
  j["id"] = id;
  j["init_process_pid"] = init_pid;
  j["init_process_start"] = init_start;
  j["created"] = created;
  j["oci_version"] = oci_version;
  j["bundle"] = bundle;
  j["rootfs"] = rootfs;
  j["annotations"] = annotations;
  j["cgroup_paths"] = cgroup_paths;
  j["cgroup_created"] = cgroup_created;
  if (!cgroup_unit.empty()) j["cgroup_unit"] = cgroup_unit;
  j["namespace_paths"] = namespace_paths;
  j["private_pid_ns"] = private_pid_ns;
  j["oom_kills_seen"] = oom_kills_seen;
  if (!log_path.empty()) j["log_path"] = log_path;
  if (!external_descriptors.empty()) j["external_descriptors"] = external_descriptors;
  j["config"] = config;
  return j;
}

Result<State> State::from_json(const nlohmann::json& j) {
  try {
    State s;
    s.id = j.at("id").get<std::string>();
    s.init_pid = j.at("init_process_pid").get<pid_t>();
    s.init_start = j.at("init_process_start").get<uint64_t>();
    s.created = j.at("created").get<std::string>();
    s.oci_version = j.value("oci_version", "");
    s.bundle = j.value("bundle", "");
    s.rootfs = j.value("rootfs", "");
    s.annotations = j.value("annotations", std::map<std::string, std::string>{});
    s.cgroup_paths = j.value("cgroup_paths", std::map<std::string, std::string>{});
    s.cgroup_created = j.value("cgroup_created", std::vector<std::string>{});
    s.cgroup_unit = j.value("cgroup_unit", "");
    s.namespace_paths = j.value("namespace_paths", std::map<std::string, std::string>{});
    s.private_pid_ns = j.value("private_pid_ns", true);
    s.oom_kills_seen = j.value("oom_kills_seen", uint64_t{0});
    s.log_path = j.value("log_path", "");
    s.external_descriptors = j.value("external_descriptors", std::vector<std::string>{});
    s.config = j.value("config", nlohmann::json());
    return s;
  } catch (const nlohmann::json::exception& e) {
    // Drop nlohmann's "[json.exception.type_error.302] " tag.
    std::string msg = e.what();
    if (auto end = msg.find("] "); !msg.empty() && msg[0] == '[' && end != std::string::npos)
      msg.erase(0, end + 2);
    return fail(msg);
  }
}

bool valid_id(const std::string& id) {
  if (id.empty() || id == "." || id == "..") return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<void> check_id(const std::string& id) {
  if (id.empty()) return fail("container id cannot be empty");
  if (!valid_id(id)) return fail("invalid container ID format");
  return {};
}

std::string state_dir(const std::string& root, const std::string& id) { return root + "/" + id; }

Result<Lock> Lock::acquire(const std::string& dir, bool exclusive) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail("container does not exist", ENOENT);
    return fail_errno("open " + dir);
  }
  Lock l;
  l.fd_.reset(fd);
  while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
    if (errno != EINTR) return fail_errno("lock " + dir);
  }
  return l;
}

bool Lock::held_elsewhere(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return false;
  return flock(fd.get(), LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

Result<Lock> make_state_dir(const std::string& root, const std::string& id, const std::string& file,
                            const std::string& data) {
  std::string dir = state_dir(root, id);
  std::string tmp = root + "/" + kCreatingPrefix + id + "." + std::to_string(getpid());
  // A leftover of a killed create that had our pid: nothing in it is live.
  if (mkdir(tmp.c_str(), 0711) < 0 && (errno != EEXIST || rmdir(tmp.c_str()) < 0 || mkdir(tmp.c_str(), 0711) < 0))
    return fail_errno("mkdir " + tmp);
  auto lock = Lock::acquire(tmp);
  if (lock) {
    if (auto w = sys::write_file_atomic(tmp, file, data, "create record"); !w) {
      std::error_code ec;
      std::filesystem::remove_all(tmp, ec);
      return std::unexpected(w.error());
    }
  }
  if (lock && renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_NOREPLACE) == 0) {
    chmod(dir.c_str(), 0711);
    return lock;
  }
  int err = lock ? errno : lock.error().err;
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  if (err == EEXIST) return fail("container with given ID already exists");
  if (lock && err != EINVAL && err != ENOSYS) return fail_errno("rename " + tmp + " to " + dir, err);
  if (!lock) return std::unexpected(lock.error());
  // A filesystem without RENAME_NOREPLACE: mkdir, then lock.
  if (mkdir(dir.c_str(), 0711) < 0) {
    if (errno == EEXIST) return fail("container with given ID already exists");
    return fail_errno("mkdir " + dir);
  }
  auto direct = ORUN_TRY(Lock::acquire(dir));
  ORUN_TRY_VOID(sys::write_file_atomic(dir, file, data, "create record"));
  return direct;
}

Result<void> save(const std::string& root, const State& s) {
  return sys::write_file_atomic(state_dir(root, s.id), "state.json", s.to_json().dump(), "state file");
}

Result<State> load(const std::string& root, const std::string& id) {
  ORUN_TRY_VOID(check_id(id));
  std::string path = state_dir(root, id) + "/state.json";
  // Plain read(2): an ifstream throws from underflow when state.json is a
  // directory or unreadable, which aborted every command on that id.
  auto data = sys::read_file(path);
  if (!data) {
    if (data.error().err == ENOENT) {
      // The text stays runc's (engines match it); the root goes to --debug.
      log::debug("container " + id + " not found: no " + path + " (--root " + root + ")");
      return fail("container does not exist", ENOENT);
    }
    return std::unexpected(data.error());
  }
  nlohmann::json j = nlohmann::json::parse(*data, nullptr, false);
  if (j.is_discarded()) return fail("malformed state file " + path);
  auto s = State::from_json(j);
  if (!s) return fail("malformed state file " + path + ": " + s.error().msg);
  return s;
}

uint64_t process_start_time(pid_t pid, char* state) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return 0;
  // comm may contain spaces and parens: fields resume after the last ')'.
  auto rp = line.rfind(')');
  if (rp == std::string::npos) return 0;
  std::istringstream in(line.substr(rp + 2));
  std::string field;
  // field 3 is the state; field 22 the start time.
  std::vector<std::string> fields;
  while (in >> field) fields.push_back(field);
  if (fields.size() < 20) return 0;
  if (state) *state = fields[0].empty() ? '?' : fields[0][0];
  return std::stoull(fields[19]);
}

bool init_alive(const State& s) {
  char st = '?';
  uint64_t start = process_start_time(s.init_pid, &st);
  return start != 0 && start == s.init_start && st != 'Z' && st != 'X';
}

Status status_of(const std::string& root, const State& s) {
  auto cg = cgroups::Manager::from_paths(s.cgroup_paths);
  if (cg.frozen()) return Status::paused;
  if (!init_alive(s)) return Status::stopped;
  struct stat st{};
  if (stat((state_dir(root, s.id) + "/exec.fifo").c_str(), &st) == 0) return Status::created;
  return Status::running;
}

std::string now_rfc3339nano() {
  struct timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return rfc3339nano(ts);
}

std::string rfc3339nano(const struct timespec& ts) {
  struct tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char base[32];
  strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = base;
  if (ts.tv_nsec != 0) {
    char frac[16];
    snprintf(frac, sizeof(frac), "%09ld", ts.tv_nsec);
    std::string f = frac;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + "Z";
}

}  // namespace orun::container
