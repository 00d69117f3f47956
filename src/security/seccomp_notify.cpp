#include "security/seccomp_notify.hpp"
#include "process/spawn.hpp"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <nlohmann/json.hpp>

#include "orun/fd.hpp"
#include "orun/spec.hpp"

extern "C" {
#include "sync.h"
}

namespace orun::security::seccomp {

namespace {

Result<UniqueFd> connect_agent(const std::string& path) {
  auto dial_error = [&](int err) {
    return fail("failed to connect with seccomp agent specified in the seccomp profile: dial unix " + path +
                    ": connect: " + errno_text(err),
                err);
  };
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return dial_error(ENAMETOOLONG);
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace, as Go's net.Dial
  else len += 1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return dial_error(errno);
  UniqueFd s(fd);
  while (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) < 0) {
    if (errno != EINTR) return dial_error(errno);
  }
  return s;
}

}  // namespace

Result<void> send_listener_to_parent(int sync_fd, int listener_fd) {
  orun_sync_hdr hdr{ORUN_SYNC_SECCOMP, listener_fd};
  // write(2) on purpose: the profile can't route write to the agent
  // (rejected when parsing), while sendmsg could be, and would deadlock us
  // before the agent has the listener.
  for (;;) {
    ssize_t n = write(sync_fd, &hdr, sizeof(hdr));
    if (n == static_cast<ssize_t>(sizeof(hdr))) break;
    if (n < 0 && errno == EINTR) continue;
    return fail_errno("write sync socket");
  }
  orun_sync_hdr reply{};
  if (int r = orun_sync_recv(sync_fd, &reply, nullptr, 0, nullptr); r < 0) return fail_errno("read sync socket", -r);
  if (reply.type == ORUN_SYNC_ABORT) _exit(1);
  if (reply.type != ORUN_SYNC_SECCOMP_DONE) return fail("sync: unexpected reply " + std::to_string(reply.type));
  return {};
}

nlohmann::json container_process_state(const Program& p, pid_t pid, const nlohmann::json& state) {
  nlohmann::json j = {{"ociVersion", spec::kOciVersion}, {"fds", {"seccompFd"}}, {"pid", pid}};
  if (!p.listener_metadata.empty()) j["metadata"] = p.listener_metadata;
  j["state"] = state;
  return j;
}

Result<void> send_listener_to_agent(const Program& p, pid_t pid, int child_fd, const std::string& state) {
  if (p.listener_path.empty()) return fail("seccomp listenerPath is not set");
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return fail_errno("sync \"seccomp\" open pidfd of " + std::to_string(pid));
  UniqueFd pfd(static_cast<int>(pidfd));
  // pidfd_getfd's copy is close-on-exec.
  long got = syscall(SYS_pidfd_getfd, static_cast<int>(pidfd), child_fd, 0);
  if (got < 0) return fail_errno("sync \"seccomp\" get fd " + std::to_string(child_fd) + " from child failed");
  UniqueFd listener(static_cast<int>(got));

  UniqueFd sock = ORUN_TRY(connect_agent(p.listener_path));
  std::string payload = container_process_state(p, pid, nlohmann::json::parse(state)).dump();
  return with_context(process::send_with_fd(sock.get(), payload.data(), payload.size(), listener.get()),
                      "cannot send seccomp fd to " + p.listener_path);
}

}  // namespace orun::security::seccomp
