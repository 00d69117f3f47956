#include "container/exit_record.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "orun/cgroups.hpp"
#include "sys/file.hpp"
#include "log/format.hpp"
#include "orun/log.hpp"

namespace orun::container {

namespace {

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// The wait status of an unreaped zombie (/proc/PID/stat field 52).
std::optional<int> zombie_wait_status(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z') return std::nullopt;
  std::istringstream in(stat.substr(close + 2));
  std::string field, last;
  int n = 0;
  while (in >> field) last = field, n++;
  if (n < 50) return std::nullopt;  // fields 3..52
  return std::atoi(last.c_str());
}

}  // namespace

ExitRecord exit_from_wait_status(int status, bool oom_killed) {
  ExitRecord r;
  if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.core_dumped = WCOREDUMP(status);
  } else {
    r.code = WEXITSTATUS(status);
  }
  r.oom = oom_killed ? "yes" : "no";
  r.time = log::rfc3339_now();
  return r;
}

std::string describe(const ExitRecord& r) {
  if (r.oom == "yes") return "container init was OOM-killed";
  if (r.signal) return "container killed by " + signal_name(*r.signal) + (r.core_dumped ? " (core dumped)" : "");
  if (r.code) return "container exited with code " + std::to_string(*r.code);
  std::string s = "container stopped (exit status unknown: its init was reaped by another process)";
  if (r.oom == "possible") s += "; the cgroup counted an OOM kill since the last one orun attributed elsewhere";
  return s;
}

nlohmann::json to_json(const ExitRecord& r) {
  nlohmann::json j;
  j["reason"] = describe(r);
  if (r.code) j["exit_code"] = *r.code;
  if (r.signal) j["signal"] = signal_name(*r.signal);
  j["core_dumped"] = r.core_dumped;
  j["oom_killed"] = r.oom;
  j["time"] = r.time;
  j["seen_by"] = r.seen_by;
  return j;
}

Result<void> save_exit(const std::string& root, const std::string& id, ExitRecord r) {
  return sys::write_file_atomic(state_dir(root, id), "exit.json", to_json(r).dump() + "\n", "exit record");
}

std::optional<nlohmann::json> load_exit(const std::string& root, const std::string& id) {
  auto text = sys::read_file(state_dir(root, id) + "/exit.json");
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

ExitRecord observe_stopped(const State& s) {
  uint64_t kills = cgroups::oom_kill_count(cgroups::Manager::from_paths(s.cgroup_paths));
  bool counted = kills > s.oom_kills_seen;
  ExitRecord r;
  if (auto status = s.init_pid > 0 ? zombie_wait_status(s.init_pid) : std::nullopt) {
    r = exit_from_wait_status(*status, counted && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
  } else {
    r.oom = counted ? "possible" : "no";
    r.time = log::rfc3339_now();
  }
  r.seen_by = "state";
  return r;
}

void record_if_stopped(const std::string& root, const State& s, Status st) {
  if (st != Status::stopped || load_exit(root, s.id)) return;
  // Best effort: `state` must not fail on it.
  if (auto r = save_exit(root, s.id, observe_stopped(s)); !r) log::debug("record exit: " + r.error().msg);
}

}  // namespace orun::container
