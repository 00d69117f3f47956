#include "process/notify_socket.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace orun::process {

namespace {

constexpr const char* kContainerDir = "/run/notify";
constexpr const char* kSocketName = "notify.sock";

Result<void> send_to(const std::string& path, const std::string& msg) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("notify socket");
  UniqueFd s(fd);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return fail("NOTIFY_SOCKET path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  socklen_t len = sizeof(sa_family_t) + path.size();
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract socket
  if (sendto(fd, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len) < 0)
    return fail_errno("send to NOTIFY_SOCKET " + path);
  return {};
}

// Gone or a zombie (an unreaped child of ours is still "alive" to kill(0)).
bool process_dead(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", pid);
  FILE* f = fopen(path, "re");
  if (!f) return true;
  char buf[512];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char* rp = strrchr(buf, ')');
  return !rp || rp[1] == '\0' || rp[2] == 'Z' || rp[2] == 'X';
}

}  // namespace

std::string host_notify_socket() {
  const char* v = getenv("NOTIFY_SOCKET");
  return v ? v : "";
}

Result<void> prepare_notify(spec::Spec& s, const std::string& state_dir) {
  std::string dir = state_dir + "/notify";
  if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("mkdir " + dir);
  spec::Mount m;
  m.destination = kContainerDir;
  m.type = "bind";
  m.source = dir;
  m.options = {"bind", "nosuid", "noexec", "nodev", "ro"};
  s.mounts.push_back(m);
  if (s.process) s.process->env.push_back(std::string("NOTIFY_SOCKET=") + kContainerDir + "/" + kSocketName);
  return {};
}

Result<UniqueFd> bind_notify(const std::string& state_dir) {
  std::string path = state_dir + "/notify/" + kSocketName;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("notify socket");
  UniqueFd s(fd);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return fail("notify socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) return fail_errno("bind " + path);
  chmod(path.c_str(), 0777);
  return s;
}

Result<void> wait_ready_and_relay(int sock, pid_t watched, pid_t mainpid) {
  for (;;) {
    pollfd p{sock, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n < 0 && errno != EINTR) return fail_errno("poll notify socket");
    if (n > 0) {
      char buf[4096];
      ssize_t r = recv(sock, buf, sizeof(buf) - 1, 0);
      if (r > 0) {
        std::string msg(buf, static_cast<size_t>(r));
        // Any line READY=... counts; other states are not relayed.
        size_t pos = msg.rfind("READY=", 0) == 0 ? 0 : msg.find("\nREADY=");
        if (pos != std::string::npos) break;
      }
      continue;
    }
    if (process_dead(watched)) return fail("container process is already dead");
  }
  std::string host = host_notify_socket();
  if (host.empty()) return {};
  return send_to(host, "READY=1\nMAINPID=" + std::to_string(mainpid) + "\n");
}

}  // namespace orun::process
