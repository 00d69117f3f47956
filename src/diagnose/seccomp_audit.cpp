#include "diagnose/seccomp_audit.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "orun/fd.hpp"

namespace orun::diagnose {

namespace {

// The value of ` key=` in `line`: a quoted string or a bare token.
std::optional<std::string> field(std::string_view line, std::string_view key) {
  std::string pat = " " + std::string(key) + "=";
  auto p = line.find(pat);
  if (p == std::string_view::npos) return std::nullopt;
  p += pat.size();
  if (p < line.size() && line[p] == '"') {
    auto e = line.find('"', p + 1);
    if (e == std::string_view::npos) return std::nullopt;
    return std::string(line.substr(p + 1, e - p - 1));
  }
  auto e = line.find(' ', p);
  return std::string(line.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p));
}

}  // namespace

std::optional<SeccompAudit> parse_seccomp_audit(std::string_view line) {
  auto t = line.find("type=1326 audit(");
  if (t == std::string_view::npos) return std::nullopt;
  SeccompAudit a;
  a.time = std::strtod(std::string(line.substr(t + 16, 32)).c_str(), nullptr);
  auto pid = field(line, "pid");
  auto sc = field(line, "syscall");
  auto arch = field(line, "arch");
  auto code = field(line, "code");
  if (!pid || !sc || !arch || !code) return std::nullopt;
  a.pid = static_cast<pid_t>(std::strtol(pid->c_str(), nullptr, 10));
  a.syscall = static_cast<int>(std::strtol(sc->c_str(), nullptr, 10));
  a.arch = static_cast<uint32_t>(std::strtoul(arch->c_str(), nullptr, 16));
  a.code = static_cast<uint32_t>(std::strtoul(code->c_str(), nullptr, 16));
  a.comm = field(line, "comm").value_or("");
  a.exe = field(line, "exe").value_or("");
  return a;
}

std::string seccomp_action_name(uint32_t code) {
  uint32_t data = code & SECCOMP_RET_DATA;
  switch (code & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS: return "kill process";
    case SECCOMP_RET_KILL_THREAD: return "kill thread";
    case SECCOMP_RET_TRAP: return "trap (SIGSYS)";
    case SECCOMP_RET_ERRNO: {
      // The kernel's record carries the action only, not the errno value.
      if (data == 0) return "errno";
      const char* name = strerrorname_np(static_cast<int>(data));
      return "errno " + std::to_string(data) + (name ? std::string(" (") + name + ")" : "");
    }
    case SECCOMP_RET_USER_NOTIF: return "user notification";
    case SECCOMP_RET_TRACE: return "trace";
    case SECCOMP_RET_LOG: return "log (allowed)";
    case SECCOMP_RET_ALLOW: return "allow";
  }
  return "action 0x" + [&] {
    char b[16];
    std::snprintf(b, sizeof(b), "%x", code);
    return std::string(b);
  }();
}

std::string seccomp_syscall_name(uint32_t arch, int nr) {
  char* name = seccomp_syscall_resolve_num_arch(arch, nr);
  if (!name) return "syscall " + std::to_string(nr);
  std::string out = name;
  std::free(name);
  return out;
}

std::vector<SeccompAudit> read_seccomp_audits(std::string& error) {
  std::vector<SeccompAudit> out;
  UniqueFd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    error = std::string("open /dev/kmsg: ") + std::strerror(errno);
    return out;
  }
  // One record per read(2); EPIPE when the ring overwrote the next record.
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf) - 1);
    if (n < 0 && errno == EPIPE) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view rec(buf, static_cast<size_t>(n));
    if (auto a = parse_seccomp_audit(rec.substr(0, rec.find('\n')))) out.push_back(*a);
  }
  return out;
}

nlohmann::ordered_json seccomp_denials(double since, const std::vector<pid_t>& pids, const std::string& rootfs) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  std::string error;
  auto records = read_seccomp_audits(error);
  if (!error.empty()) {
    j["error"] = error;
    return j;
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (auto& a : records) {
    // Not older than the container (the audit clock is the coarse wall
    // clock: a tick, up to 10 ms, behind).
    if (a.time + 0.05 < since) continue;
    bool ours = std::find(pids.begin(), pids.end(), a.pid) != pids.end();
    struct stat st{};
    bool gone = !ours && ::kill(a.pid, 0) < 0 && errno == ESRCH;
    if (!ours && !(gone && !a.exe.empty() && ::stat((rootfs + a.exe).c_str(), &st) == 0)) continue;
    nlohmann::ordered_json e;
    e["time"] = a.time;
    e["pid"] = a.pid;
    e["comm"] = a.comm;
    e["exe"] = a.exe;
    e["syscall"] = seccomp_syscall_name(a.arch, a.syscall);
    e["action"] = seccomp_action_name(a.code);
    if (!ours) e["process"] = "gone";
    list.push_back(e);
  }
  // The most recent ones matter: keep the last 20.
  if (list.size() > 20) list.erase(list.begin(), list.end() - 20);
  j["records"] = list;
  return j;
}

}  // namespace orun::diagnose
