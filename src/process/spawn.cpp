#include "process/spawn.hpp"
#include "sys/procfs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

extern "C" {
#include "nsenter.h"
#include "sync.h"
}

namespace orun::process {

namespace {

// Id maps, setgroups and time offsets go through a verified procfs handle,
// never a path a container could have redirected (CVE-2019-16884 class).
Result<void> write_proc(int procfs, pid_t pid, const char* file, const std::string& data) {
  return sys::write_proc_file(procfs, std::to_string(pid) + "/" + file, data);
}

std::string format_map(const std::vector<spec::IdMapping>& m) {
  std::string out;
  for (auto& e : m)
    out += std::to_string(e.container_id) + " " + std::to_string(e.host_id) + " " + std::to_string(e.size) + "\n";
  return out;
}

// newuidmap/newgidmap PID CONTAINER-ID HOST-ID SIZE...: the setuid helpers
// of the shadow suite, which check /etc/subuid and /etc/subgid.
Result<void> run_mapping_tool(const std::string& tool, pid_t pid, const std::vector<spec::IdMapping>& m) {
  std::vector<std::string> args{tool, std::to_string(pid)};
  for (auto& e : m) {
    args.push_back(std::to_string(e.container_id));
    args.push_back(std::to_string(e.host_id));
    args.push_back(std::to_string(e.size));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  if (int err = posix_spawn(&child, tool.c_str(), nullptr, nullptr, argv.data(), environ); err != 0)
    return fail("failed to use " + tool + " on " + std::to_string(pid) + ": " + errno_text(err), err);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return fail_errno("wait for " + tool);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail("failed to use " + tool + " on " + std::to_string(pid) + ": exit status " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)),
                EPERM);
  return {};
}

// runc's update_uidmap/update_gidmap: the map is written directly; only
// when the kernel refuses (EPERM: an unprivileged writer may map its own id
// only) is the helper tried, and without one the refusal stands.
Result<void> write_id_map(int procfs, pid_t pid, const char* file, const std::vector<spec::IdMapping>& m,
                          const std::string& tool) {
  auto direct = write_proc(procfs, pid, file, format_map(m));
  if (direct || direct.error().err != EPERM || tool.empty()) return direct;
  return run_mapping_tool(tool, pid, m);
}

Result<void> write_id_maps(const SpawnRequest& req, pid_t pid) {
  // One procfs handle for the three writes.
  auto procfs = ORUN_TRY(sys::open_procfs());
  if (req.deny_setgroups) ORUN_TRY_VOID(write_proc(procfs.get(), pid, "setgroups", "deny"));
  if (!req.uid_map.empty())
    ORUN_TRY_VOID(with_context(write_id_map(procfs.get(), pid, "uid_map", req.uid_map, req.newuidmap),
                               "write uid mappings"));
  if (!req.gid_map.empty())
    ORUN_TRY_VOID(with_context(write_id_map(procfs.get(), pid, "gid_map", req.gid_map, req.newgidmap),
                               "write gid mappings"));
  return {};
}

Result<void> write_time_offsets(const SpawnRequest& req, pid_t pid) {
  std::string data;
  for (auto& [clock, off] : req.time_offsets)
    data += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
  if (data.empty()) return {};
  auto procfs = ORUN_TRY(sys::open_procfs());
  return with_context(write_proc(procfs.get(), pid, "timens_offsets", data), "write time offsets");
}

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// One sync message with an fd attached.
Result<void> send_sync_fd(int sock, uint32_t type, int fd) {
  orun_sync_hdr hdr{type, 0};
  return send_with_fd(sock, &hdr, sizeof(hdr), fd);
}

}  // namespace

Result<pid_t> spawn(SpawnRequest& req) {
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) return fail_errno("create sync socket");
  UniqueFd parent_end(sp[0]), child_end(sp[1]);

  std::vector<orun_ns_join> joins;
  for (auto& j : req.joins) joins.push_back({j.nstype, j.fd.get()});

  cgroups::JoinHandles cg;
  if (req.cgroup) cg = ORUN_TRY(req.cgroup->open_join());
  std::vector<int> tasks;
  for (auto& fd : cg.v1_tasks) tasks.push_back(fd.get());

  orun_nsenter_config cfg{};
  cfg.new_ns = req.new_ns;
  cfg.joins = joins.data();
  cfg.njoins = static_cast<int>(joins.size());
  cfg.cgroup2_fd = cg.v2_dir ? cg.v2_dir.get() : -1;
  cfg.cgroup_tasks_fds = tasks.data();
  cfg.ncgroup_tasks_fds = static_cast<int>(tasks.size());
  cfg.sync_fd = child_end.get();
  cfg.close_fd = parent_end.get();

  orun_nsenter_result res{};
  int r = orun_nsenter_spawn(&cfg, &res);
  if (r == 1) {
    // The container init (or exec'd process) before exec.
    int code = req.child_main ? req.child_main(child_end.get()) : 1;
    _exit(code);
  }
  if (r < 0) return fail_errno("clone container process", -r);
  child_end.reset();
  cg = {};  // the child holds its own copies

  pid_t stage1 = res.two_stage ? res.pid : 0;
  pid_t init = res.two_stage ? 0 : res.pid;
  auto abort_child = [&](Error e) -> Result<pid_t> {
    orun_sync_send(parent_end.get(), ORUN_SYNC_ABORT, 0, nullptr, 0);
    kill_and_reap(init);
    kill_and_reap(stage1);
    return std::unexpected(std::move(e));
  };

  if (!res.in_cgroup2 && req.cgroup && req.cgroup->paths().count("") && init > 0) {
    if (auto a = req.cgroup->add_pid(init, false); !a) return abort_child(a.error());
  }

  bool ready = false;
  for (;;) {
    orun_sync_hdr hdr{};
    char payload[ORUN_SYNC_MAX_PAYLOAD + 1];
    size_t len = 0;
    int rr = orun_sync_recv(parent_end.get(), &hdr, payload, sizeof(payload), &len);
    if (rr == -EPIPE) break;
    if (rr < 0) return abort_child(Error{-rr, "read sync socket: " + errno_text(-rr)});
    Result<void> step;
    uint32_t reply = 0;
    switch (hdr.type) {
      case ORUN_SYNC_ERROR:
        return abort_child(Error{hdr.value, std::string(payload, len)});
      case ORUN_SYNC_WARNING:
        if (req.on_warning) req.on_warning(std::string(payload, len));
        break;
      case ORUN_SYNC_MAP_REQ:
        // In the one-clone path the child may already be pid 1 of its own
        // namespace: only the parent knows its real pid.
        step = write_id_maps(req, res.two_stage ? hdr.value : init);
        reply = ORUN_SYNC_MAP_ACK;
        break;
      case ORUN_SYNC_TIMENS_REQ:
        step = write_time_offsets(req, hdr.value);
        reply = ORUN_SYNC_TIMENS_ACK;
        break;
      case ORUN_SYNC_MOUNT_REQ: {
        Result<UniqueFd> tree = req.on_mount_request
                                    ? req.on_mount_request(init, std::string(payload, len))
                                    : Result<UniqueFd>(std::unexpected(Error{0, "mount requests not supported"}));
        if (tree) {
          step = send_sync_fd(parent_end.get(), ORUN_SYNC_MOUNT_FD, tree->get());
        } else if (orun_sync_send(parent_end.get(), ORUN_SYNC_MOUNT_ERR, tree.error().err, tree.error().msg.data(),
                                  tree.error().msg.size()) < 0) {
          step = fail_errno("write sync socket");
        }
        break;
      }
      case ORUN_SYNC_STAGE2_PID:
        init = hdr.value;
        while (waitpid(stage1, nullptr, 0) < 0 && errno == EINTR) {
        }
        stage1 = 0;
        break;
      case ORUN_SYNC_HOOKS:
        if (req.on_hooks) step = req.on_hooks(init);
        reply = ORUN_SYNC_HOOKS_DONE;
        break;
      case ORUN_SYNC_SECCOMP:
        step = req.on_seccomp_listener ? req.on_seccomp_listener(init, hdr.value)
                                       : Result<void>(fail("sync: unexpected seccomp listener"));
        reply = ORUN_SYNC_SECCOMP_DONE;
        break;
      case ORUN_SYNC_READY:
        if (req.on_ready) step = req.on_ready(init);
        ready = true;
        reply = ORUN_SYNC_RUN;
        break;
      default:
        step = fail("sync: unexpected message " + std::to_string(hdr.type));
    }
    if (!step) return abort_child(step.error());
    if (reply && orun_sync_send(parent_end.get(), reply, 0, nullptr, 0) < 0)
      return abort_child(Error{errno, "write sync socket"});
  }
  if (stage1) kill_and_reap(stage1);
  if (!ready || init <= 0) {
    // The child went away without saying why.
    int status = 0;
    std::string why = "container init exited unexpectedly";
    if (init > 0 && waitpid(init, &status, WNOHANG) == init) {
      if (WIFSIGNALED(status)) why += " (killed by signal " + std::to_string(WTERMSIG(status)) + ")";
      else why += " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
      init = 0;
    }
    return abort_child(Error{0, why});
  }
  return init;
}

Result<void> send_with_fd(int sock, const void* data, size_t len, int fd) {
  char cbuf[CMSG_SPACE(sizeof(int))];
  std::memset(cbuf, 0, sizeof(cbuf));
  iovec iov{const_cast<void*>(data), len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return fail_errno("send file descriptor");
  }
  return {};
}

Result<void> send_fd(int sock, int fd, const std::string& name) {
  std::string payload = name.empty() ? std::string("fd") : name;
  return send_with_fd(sock, payload.data(), payload.size(), fd);
}

Result<UniqueFd> connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("create socket");
  UniqueFd s(fd);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return fail("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0)
    return fail_errno("failed to connect to socket " + path);
  return s;
}

Result<UniqueFd> recv_fd(int sock) {
  char cbuf[CMSG_SPACE(sizeof(int))];
  char data[4096];
  iovec iov{data, sizeof(data)};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return fail_errno("receive console fd");
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      return UniqueFd(fd);
    }
  }
  return fail("receive console fd: no file descriptor received");
}

Result<UniqueFd> child_request_fd(int sync_fd, uint32_t send_type, const std::string& payload) {
  if (int r = orun_sync_send(sync_fd, send_type, 0, payload.data(), payload.size()); r < 0)
    return fail_errno("write sync socket", -r);
  char cbuf[CMSG_SPACE(sizeof(int))];
  char data[sizeof(orun_sync_hdr) + 1024];
  iovec iov{data, sizeof(data)};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  ssize_t n;
  while ((n = recvmsg(sync_fd, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return fail_errno("read sync socket");
  }
  if (n < static_cast<ssize_t>(sizeof(orun_sync_hdr))) return fail("sync: short reply");
  orun_sync_hdr hdr{};
  std::memcpy(&hdr, data, sizeof(hdr));
  if (hdr.type == ORUN_SYNC_ABORT) _exit(1);
  if (hdr.type == ORUN_SYNC_MOUNT_ERR)
    return fail(std::string(data + sizeof(hdr), static_cast<size_t>(n) - sizeof(hdr)), hdr.value);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      return UniqueFd(fd);
    }
  }
  return fail("sync: unexpected reply " + std::to_string(hdr.type));
}

void child_report_error(int sync_fd, const Error& e) {
  // Possibly under the container's seccomp filter: write(2), as runc.
  orun_sync_write(sync_fd, ORUN_SYNC_ERROR, e.err, e.msg.data(), e.msg.size());
}

Result<void> child_sync(int sync_fd, uint32_t send_type, uint32_t expect_reply) {
  if (int r = orun_sync_send(sync_fd, send_type, 0, nullptr, 0); r < 0)
    return fail_errno("write sync socket", -r);
  orun_sync_hdr hdr{};
  int r = orun_sync_recv(sync_fd, &hdr, nullptr, 0, nullptr);
  if (r < 0) return fail_errno("read sync socket", -r);
  if (hdr.type == ORUN_SYNC_ABORT) _exit(1);
  if (hdr.type != expect_reply) return fail("sync: unexpected reply " + std::to_string(hdr.type));
  return {};
}

}  // namespace orun::process
