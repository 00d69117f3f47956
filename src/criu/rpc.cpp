#include "criu/rpc.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "rpc.pb-c.h"

namespace orun::criu {

namespace {

char* cstr(const std::string& s) { return const_cast<char*>(s.c_str()); }

// The protobuf-c view of Options: the messages point into `o` and into the
// vectors here, so this lives no longer than the Options it was made from.
class EncodedOpts {
 public:
  explicit EncodedOpts(const Options& o) {
    CriuOpts init = CRIU_OPTS__INIT;
    m_ = init;
    m_.images_dir_fd = o.images_dir_fd;
    if (o.work_dir_fd) set(m_.has_work_dir_fd, m_.work_dir_fd, *o.work_dir_fd);
    if (o.pid) set(m_.has_pid, m_.pid, *o.pid);
    set(m_.has_log_level, m_.log_level, o.log_level);
    if (!o.log_file.empty()) m_.log_file = cstr(o.log_file);
    if (!o.root.empty()) m_.root = cstr(o.root);
    if (o.config_file) m_.config_file = cstr(*o.config_file);
    if (o.parent_img) m_.parent_img = cstr(*o.parent_img);
    if (o.freeze_cgroup) m_.freeze_cgroup = cstr(*o.freeze_cgroup);
    if (o.lsm_profile) m_.lsm_profile = cstr(*o.lsm_profile);
    if (o.lsm_mount_context) m_.lsm_mount_context = cstr(*o.lsm_mount_context);
    if (o.page_server_address) {
      CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
      ps_ = ps;
      ps_.address = cstr(*o.page_server_address);
      set(ps_.has_port, ps_.port, o.page_server_port);
      m_.ps = &ps_;
    }
    if (o.status_fd) set(m_.has_status_fd, m_.status_fd, *o.status_fd);
    set(m_.has_manage_cgroups, m_.manage_cgroups, 1);  // obsoleted by the mode; runc still sends it
    m_.has_manage_cgroups_mode = 1;
    m_.manage_cgroups_mode = static_cast<CriuCgMode>(o.manage_cgroups_mode);
    set(m_.has_empty_ns, m_.empty_ns, o.empty_ns);
    set(m_.has_notify_scripts, m_.notify_scripts, 1);
    set(m_.has_orphan_pts_master, m_.orphan_pts_master, 1);
    set(m_.has_leave_running, m_.leave_running, o.leave_running);
    set(m_.has_ext_unix_sk, m_.ext_unix_sk, o.ext_unix_sk);
    set(m_.has_tcp_established, m_.tcp_established, o.tcp_established);
    set(m_.has_tcp_skip_in_flight, m_.tcp_skip_in_flight, o.tcp_skip_in_flight);
    set(m_.has_link_remap, m_.link_remap, o.link_remap);
    set(m_.has_shell_job, m_.shell_job, o.shell_job);
    set(m_.has_file_locks, m_.file_locks, o.file_locks);
    set(m_.has_auto_dedup, m_.auto_dedup, o.auto_dedup);
    set(m_.has_lazy_pages, m_.lazy_pages, o.lazy_pages);
    if (o.evasive_devices) set(m_.has_evasive_devices, m_.evasive_devices, 1);
    if (o.rst_sibling) set(m_.has_rst_sibling, m_.rst_sibling, 1);
    if (o.track_mem) set(m_.has_track_mem, m_.track_mem, 1);

    for (auto& e : o.ext_mnt) {
      ExtMountMap x = EXT_MOUNT_MAP__INIT;
      x.key = cstr(e.key);
      x.val = cstr(e.val);
      ext_.push_back(x);
    }
    for (auto& e : o.inherit_fd) {
      ::InheritFd x = INHERIT_FD__INIT;
      x.key = cstr(e.key);
      x.fd = e.fd;
      inh_.push_back(x);
    }
    for (auto& e : o.join_ns) {
      JoinNamespace x = JOIN_NAMESPACE__INIT;
      x.ns = cstr(e.ns);
      x.ns_file = cstr(e.ns_file);
      join_.push_back(x);
    }
    for (auto& e : o.cg_root) {
      ::CgroupRoot x = CGROUP_ROOT__INIT;
      x.ctrl = cstr(e.ctrl);
      x.path = cstr(e.path);
      cg_.push_back(x);
    }
    for (auto& e : o.external) external_.push_back(cstr(e));
    for (auto& e : o.cgroup_dump_controller) dump_ctrl_.push_back(cstr(e));
    m_.n_cgroup_dump_controller = dump_ctrl_.size();
    m_.cgroup_dump_controller = dump_ctrl_.empty() ? nullptr : dump_ctrl_.data();
    point(ext_, ext_p_, m_.n_ext_mnt, m_.ext_mnt);
    point(inh_, inh_p_, m_.n_inherit_fd, m_.inherit_fd);
    point(join_, join_p_, m_.n_join_ns, m_.join_ns);
    point(cg_, cg_p_, m_.n_cg_root, m_.cg_root);
    m_.n_external = external_.size();
    m_.external = external_.empty() ? nullptr : external_.data();
  }
  EncodedOpts(const EncodedOpts&) = delete;
  CriuOpts* get() { return &m_; }

 private:
  template <typename H, typename V, typename T>
  static void set(H& has, V& v, T value) {
    has = 1;
    v = static_cast<V>(value);
  }
  template <typename T>
  static void point(std::vector<T>& items, std::vector<T*>& ptrs, size_t& n, T**& out) {
    for (auto& i : items) ptrs.push_back(&i);
    n = ptrs.size();
    out = ptrs.empty() ? nullptr : ptrs.data();
  }

  CriuOpts m_;
  CriuPageServerInfo ps_;
  std::vector<ExtMountMap> ext_;
  std::vector<ExtMountMap*> ext_p_;
  std::vector<::InheritFd> inh_;
  std::vector<::InheritFd*> inh_p_;
  std::vector<JoinNamespace> join_;
  std::vector<JoinNamespace*> join_p_;
  std::vector<::CgroupRoot> cg_;
  std::vector<::CgroupRoot*> cg_p_;
  std::vector<char*> external_;
  std::vector<char*> dump_ctrl_;
};

std::string b(bool v) { return v ? "true" : "false"; }

}  // namespace

const char* to_string(ReqType t) {
  switch (t) {
    case ReqType::empty: return "EMPTY";
    case ReqType::dump: return "DUMP";
    case ReqType::restore: return "RESTORE";
    case ReqType::check: return "CHECK";
    case ReqType::pre_dump: return "PRE_DUMP";
    case ReqType::page_server: return "PAGE_SERVER";
    case ReqType::notify: return "NOTIFY";
    case ReqType::feature_check: return "FEATURE_CHECK";
    case ReqType::version: return "VERSION";
  }
  return "UNKNOWN";
}

std::vector<std::string> describe(const Options& o) {
  std::vector<std::string> out;
  auto add = [&](const char* name, const std::string& v) { out.push_back(std::string(name) + " " + v); };
  add("ImagesDirFd", std::to_string(o.images_dir_fd));
  if (o.work_dir_fd) add("WorkDirFd", std::to_string(*o.work_dir_fd));
  if (o.pid) add("Pid", std::to_string(*o.pid));
  add("LogLevel", std::to_string(o.log_level));
  add("LogFile", o.log_file);
  add("Root", o.root);
  if (o.config_file) add("ConfigFile", *o.config_file);
  if (o.parent_img) add("ParentImg", *o.parent_img);
  if (o.freeze_cgroup) add("FreezeCgroup", *o.freeze_cgroup);
  add("ManageCgroupsMode", std::to_string(static_cast<int>(o.manage_cgroups_mode)));
  add("EmptyNs", std::to_string(o.empty_ns));
  add("LeaveRunning", b(o.leave_running));
  add("ShellJob", b(o.shell_job));
  add("TcpEstablished", b(o.tcp_established));
  add("ExtUnixSk", b(o.ext_unix_sk));
  add("FileLocks", b(o.file_locks));
  add("LazyPages", b(o.lazy_pages));
  for (auto& e : o.ext_mnt) add("ExtMnt", e.key + ":" + e.val);
  for (auto& e : o.external) add("External", e);
  for (auto& e : o.inherit_fd) add("InheritFd", e.key + ":" + std::to_string(e.fd));
  for (auto& e : o.join_ns) add("JoinNs", e.ns + ":" + e.ns_file);
  for (auto& e : o.cg_root) add("CgRoot", e.ctrl + ":" + e.path);
  for (auto& e : o.cgroup_dump_controller) add("CgroupDumpController", e);
  return out;
}

Result<std::string> find_binary(const std::string& explicit_path) {
  std::string name = explicit_path.empty() ? "criu" : explicit_path;
  auto executable = [](const std::string& p) {
    struct stat st{};
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return name;
    struct stat st{};
    int err = stat(name.c_str(), &st) < 0 ? errno : EACCES;
    return fail("fork/exec " + name + ": " + errno_text(err), err);
  }
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string p = dir + "/" + name;
    if (executable(p)) return p;
    start = end + 1;
  }
  return fail("exec: \"" + name + "\": executable file not found in $PATH", ENOENT);
}

Result<Swrk> Swrk::start(const std::string& binary, const int (&stdio)[3], const std::vector<int>& extra) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return fail_errno("socketpair");
  UniqueFd client(sv[0]), server(sv[1]);
  UniqueFd devnull;
  for (int fd : stdio)
    if (fd < 0 && !devnull) {
      devnull.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!devnull) return fail_errno("open /dev/null");
    }
  // Every fd the child ends up with, in order: 0, 1, 2, 3 (socket), 4...
  std::vector<int> want = {stdio[0] < 0 ? devnull.get() : stdio[0], stdio[1] < 0 ? devnull.get() : stdio[1],
                           stdio[2] < 0 ? devnull.get() : stdio[2], server.get()};
  want.insert(want.end(), extra.begin(), extra.end());
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork criu");
  if (pid == 0) {
    // Move every source above the target range first, so no dup2 clobbers
    // a source still to be placed.
    int top = static_cast<int>(want.size()) + 3;
    for (auto& fd : want) {
      int moved = fcntl(fd, F_DUPFD_CLOEXEC, top);
      if (moved < 0) _exit(127);
      fd = moved;
    }
    for (size_t i = 0; i < want.size(); i++)
      if (dup2(want[i], static_cast<int>(i)) < 0) _exit(127);  // dup2 clears close-on-exec
    // Nothing else of orun's caller reaches CRIU (Go's exec passes only
    // these): an inherited fd is one more file CRIU would have to know.
    if (syscall(SYS_close_range, want.size(), ~0U, 0) < 0)
      for (int fd = static_cast<int>(want.size()); fd < 65536; fd++) close(fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const char* argv[] = {"criu", "swrk", "3", nullptr};
    execv(binary.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  return Swrk(pid, std::move(client));
}

Swrk::Swrk(Swrk&& o) noexcept : pid_(std::exchange(o.pid_, 0)), sock_(std::move(o.sock_)) {}

Swrk::~Swrk() {
  if (pid_ <= 0) return;
  sock_.reset();
  int st = 0;
  while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
}

Result<void> Swrk::send(const Request& r) {
  CriuReq req = CRIU_REQ__INIT;
  req.type = static_cast<CriuReqType>(r.type);
  std::unique_ptr<EncodedOpts> opts;
  if (r.opts) {
    opts = std::make_unique<EncodedOpts>(*r.opts);
    req.opts = opts->get();
  }
  if (r.notify_success) {
    req.has_notify_success = 1;
    req.notify_success = 1;
  }
  CriuFeatures feat = CRIU_FEATURES__INIT;
  if (r.want_mem_track || r.want_lazy_pages) {
    if (r.want_mem_track) {
      feat.has_mem_track = 1;
      feat.mem_track = *r.want_mem_track;
    }
    if (r.want_lazy_pages) {
      feat.has_lazy_pages = 1;
      feat.lazy_pages = *r.want_lazy_pages;
    }
    req.features = &feat;
  }
  std::vector<uint8_t> buf(criu_req__get_packed_size(&req));
  criu_req__pack(&req, buf.data());
  ssize_t n = ::send(sock_.get(), buf.data(), buf.size(), MSG_NOSIGNAL);
  if (n < 0) return fail_errno("write to criu");
  return {};
}

Result<Response> Swrk::recv() {
  std::vector<uint8_t> buf(10 * 4096);
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov{buf.data(), buf.size()};
  struct msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do n = recvmsg(sock_.get(), &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("read from criu");
  Response out;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (!out.received_fd) out.received_fd.reset(fd);
      else close(fd);
    }
  }
  if (n == 0) return fail("unexpected EOF");
  if (static_cast<size_t>(n) == buf.size()) return fail("buffer is too small");
  CriuResp* resp = criu_resp__unpack(nullptr, static_cast<size_t>(n), buf.data());
  if (!resp) return fail("unable to parse criu's response");
  out.type = static_cast<ReqType>(resp->type);
  out.success = resp->success;
  if (resp->has_cr_errno) out.cr_errno = resp->cr_errno;
  if (resp->cr_errmsg) out.cr_errmsg = resp->cr_errmsg;
  if (resp->notify) {
    if (resp->notify->script) out.notify_script = resp->notify->script;
    if (resp->notify->has_pid) out.notify_pid = resp->notify->pid;
  }
  if (resp->restore) out.restore_pid = resp->restore->pid;
  if (resp->version) {
    out.version = resp->version->major_number * 10000 + resp->version->minor_number * 100 +
                  (resp->version->has_sublevel ? resp->version->sublevel : 0);
  }
  if (resp->features) {
    if (resp->features->has_mem_track) out.mem_track = resp->features->mem_track;
    if (resp->features->has_lazy_pages) out.lazy_pages = resp->features->lazy_pages;
  }
  criu_resp__free_unpacked(resp, nullptr);
  return out;
}

Result<int> Swrk::wait() {
  shutdown(sock_.get(), SHUT_WR);
  int st = 0;
  pid_t r;
  do r = waitpid(pid_, &st, 0);
  while (r < 0 && errno == EINTR);
  pid_ = 0;
  if (r < 0) return fail_errno("wait criu");
  return st;
}

Result<Response> ask(const std::string& binary, const Request& r) {
  // criu's stderr is kept: when it cannot even answer (a missing library,
  // a crash), its own last words are the reason to show.
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  int stdio[3] = {-1, -1, wr.get()};
  auto swrk = ORUN_TRY(Swrk::start(binary, stdio, {}));
  wr.reset();
  auto exchange = [&]() -> Result<Response> {
    ORUN_TRY_VOID(swrk.send(r));
    return swrk.recv();
  };
  auto resp = exchange();
  int st = ORUN_TRY(swrk.wait());
  if (resp) return resp;
  std::string err, chunk(4096, '\0');
  for (ssize_t n; (n = read(rd.get(), chunk.data(), chunk.size())) > 0 && err.size() < 65536;)
    err.append(chunk.data(), static_cast<size_t>(n));
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (auto nl = err.rfind('\n'); nl != std::string::npos) err.erase(0, nl + 1);
  std::string why = "criu " + wait_status_text(st) + (err.empty() ? "" : ": " + err);
  return fail(resp.error().msg + " (" + why + ")", resp.error().err);
}

std::string wait_status_text(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    // Go's signal names are strsignal's, lower-cased ("signal: killed").
    std::string s = strsignal(WTERMSIG(status));
    if (!s.empty()) s[0] = static_cast<char>(tolower(s[0]));
    return "signal: " + s;
  }
  return "unknown status " + std::to_string(status);
}

}  // namespace orun::criu
