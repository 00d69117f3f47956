// Parent side of making a container process: the sync socket, the C
// bootstrap (nsenter/), the id-map and time-offset requests, and the
// hooks/ready handshakes. The child side is a callback (src/init/).
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "orun/cgroups.hpp"
#include "orun/fd.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::process {

struct NamespaceJoin {
  int nstype;     // CLONE_NEW*
  UniqueFd fd;
};

struct SpawnRequest {
  unsigned long new_ns = 0;                  // CLONE_NEW* to create
  std::vector<NamespaceJoin> joins;
  const cgroups::Manager* cgroup = nullptr;  // null: stay in orun's cgroups
  std::vector<spec::IdMapping> uid_map, gid_map;
  bool deny_setgroups = false;
  // Rootless (euid != 0): a map the kernel refuses to take from us (it names
  // more than our own id) is written by these setuid helpers, as runc's
  // nsexec does; "" when not on PATH.
  std::string newuidmap, newgidmap;
  std::map<std::string, spec::TimeOffset> time_offsets;

  // Runs in the child once it is in its namespaces and cgroup; returns an
  // exit code only on failure (it reports the error over the sync fd first).
  std::function<int(int sync_fd)> child_main;
  // Parent callbacks at the handshakes (may be empty).
  std::function<Result<void>(pid_t init)> on_hooks;
  std::function<Result<void>(pid_t init)> on_ready;
  std::function<void(const std::string&)> on_warning;
  // An id-mapped bind source inside the container (user ns): the parent,
  // with the host's privileges, makes the detached tree.
  std::function<Result<UniqueFd>(pid_t init, const std::string& request)> on_mount_request;
  // SCMP_ACT_NOTIFY: the child loaded its filter; `child_fd` is the listener's
  // fd number in the child (take it with pidfd_getfd). Replied to with
  // ORUN_SYNC_SECCOMP_DONE once this returns.
  std::function<Result<void>(pid_t init, int child_fd)> on_seccomp_listener;
};

// Starts the child and drives the handshakes until the child closes its end
// of the sync socket (it is then blocked on exec.fifo, or has exec'd).
// Returns the container init's pid. On failure the child is killed and reaped.
Result<pid_t> spawn(SpawnRequest& req);

// Sends `fd` over a unix socket as the only SCM_RIGHTS fd, with `name` as
// the payload (runc's console-socket wire format).
Result<void> send_fd(int sock, int fd, const std::string& name);
// One sendmsg: `data` as the payload, `fd` as the only SCM_RIGHTS fd.
Result<void> send_with_fd(int sock, const void* data, size_t len, int fd);
// Connects to an AF_UNIX stream socket by path (--console-socket, --pidfd-socket).
Result<UniqueFd> connect_unix(const std::string& path);
Result<UniqueFd> recv_fd(int sock);

// Child side helpers for the sync protocol.
void child_report_error(int sync_fd, const Error& e);
Result<void> child_sync(int sync_fd, uint32_t send_type, uint32_t expect_reply);
// Sends a request and waits for an fd (ORUN_SYNC_MOUNT_FD) or an error text.
Result<UniqueFd> child_request_fd(int sync_fd, uint32_t send_type, const std::string& payload);

}  // namespace orun::process
