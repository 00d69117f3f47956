// The container init: from the moment the C bootstrap has put us in our
// namespaces and cgroup until execve. One line per step, in kernel order;
// each step lives in the file of its concept.
#include "init/init.hpp"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "init/environment.hpp"
#include "init/exit_status.h"
#include "init/hostname.hpp"
#include "init/lookpath.hpp"
#include "init/network.hpp"
#include "init/process_attrs.hpp"
#include "init/rootfs.hpp"
#include "init/sysctl.hpp"
#include "init/user.hpp"
#include "orun/log.hpp"
#include "process/hooks.hpp"
#include "process/spawn.hpp"
#include "security/apparmor.hpp"
#include "security/capabilities.hpp"
#include "security/exe_seal.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_notify.hpp"
#include "security/selinux.hpp"
#include "sys/fds.hpp"
#include "sys/procfs.hpp"

extern "C" {
#include "sync.h"
}

namespace orun::init {

namespace {

// Signals were blocked by a foreground `run` so none were lost before the
// handlers existed; the container starts with a clean slate.
[[noreturn]] void exit_on_signal(int sig) { _exit(128 + sig); }

void reset_signals() {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int s = 1; s < NSIG; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    signal(s, SIG_DFL);
  }
  // As pid 1 of its namespace the init ignores every signal it has no
  // handler for, so a created container would outlive `kill ID TERM` or a
  // SIGTERM through its pidfd. runc's init (Go) exits on these; so does
  // this one, until its execve puts the defaults back.
  for (int s : {SIGHUP, SIGINT, SIGQUIT, SIGTERM}) signal(s, exit_on_signal);
}

Result<void> write_oom_score_adj(const spec::Process& p) {
  if (!p.oom_score_adj) return {};
  auto procfs = ORUN_TRY(sys::open_procfs());
  return with_context(sys::write_proc_file(procfs.get(), "self/oom_score_adj", std::to_string(*p.oom_score_adj)),
                      "set oom_score_adj");
}

// A fresh session keyring per container so containers don't share the
// host's keys (runc: _ses.<id>).
Result<void> join_session_keyring(const InitConfig& c) {
  if (c.no_new_keyring) return {};
  std::string name = "_ses." + c.id;
  long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str(), 0, 0, 0);
  if (r < 0) {
    // Kernels without keyring support, or where it is not permitted: runc
    // only fails on real errors.
    if (errno == ENOSYS || errno == EACCES || errno == EPERM) return {};
    return fail_errno("unable to join session keyring");
  }
  // Possessor may do everything; the owning user may view, read and link it.
  constexpr unsigned long kPosAll = 0x3f000000, kUsrView = 0x00010000, kUsrRead = 0x00020000,
                          kUsrSearch = 0x00080000, kUsrLink = 0x00100000;
  syscall(SYS_keyctl, KEYCTL_SETPERM, r, kPosAll | kUsrView | kUsrRead | kUsrSearch | kUsrLink, 0, 0);
  return {};
}

// Allocates the pty, sends its master to the console socket, and makes the
// slave our stdio and controlling terminal.
Result<void> setup_console(const InitConfig& c) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return fail_errno("open /dev/ptmx");
  UniqueFd m(master);
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) return fail_errno("unlockpt");
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return fail_errno("open pty peer");
  UniqueFd s(slave);
  if (c.process->console_size) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(c.process->console_size->height);
    ws.ws_col = static_cast<unsigned short>(c.process->console_size->width);
    ioctl(master, TIOCSWINSZ, &ws);
  }
  if (!c.is_exec && c.new_mount_ns) ORUN_TRY_VOID(setup_dev_console_fd(slave));
  if (c.clear_onlcr) {
    // orun copies the output to a terminal that translates on its own.
    termios t{};
    if (tcgetattr(master, &t) == 0) {
      t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
      tcsetattr(master, TCSANOW, &t);
    }
  }
  // runc names the master in the message (receivers ignore it).
  ORUN_TRY_VOID(process::send_fd(c.console_fd, master, "/dev/pts/ptmx"));
  for (int fd = 0; fd <= 2; fd++)
    if (dup2(slave, fd) < 0) return fail_errno("dup2 console");
  if (ioctl(0, TIOCSCTTY, 0) < 0) return fail_errno("setctty");
  return {};
}

// --pidfd-socket: a pidfd of ourselves (the container process to be).
Result<void> send_pidfd(const InitConfig& c) {
  if (c.pidfd_fd < 0) return {};
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  if (pidfd < 0) return fail_errno("pidfd_open");
  UniqueFd g(pidfd);
  return process::send_fd(c.pidfd_fd, pidfd, c.is_exec ? "setns" : "standard");
}

Result<void> make_cwd(const spec::Process& p) {
  // A missing cwd is created (runc: MkdirAll(cwd, 0755)) while still root.
  std::string path;
  for (size_t i = 1; i <= p.cwd.size(); i++) {
    if (i == p.cwd.size() || p.cwd[i] == '/') {
      path = p.cwd.substr(0, i);
      if (mkdir(path.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("mkdir " + path);
    }
  }
  return {};
}

Result<void> chdir_cwd(const spec::Process& p) {
  if (chdir(p.cwd.c_str()) < 0) return fail_errno("chdir to cwd (\"" + p.cwd + "\") set in config.json failed");
  return {};
}

// CVE-2024-21626: a leaked fd as cwd would leave us outside the rootfs.
Result<void> verify_cwd() {
  char buf[4096];
  if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
    return fail("current working directory is outside of container mount namespace root -- possible container breakout detected");
  return {};
}

// linux.seccomp: the program the parent compiled (we inherited it by fork).
// With SCMP_ACT_NOTIFY the listener goes to the parent, and on to the agent,
// before we continue; our copy is closed then.
Result<void> load_seccomp(const InitConfig& c) {
  if (!c.seccomp) return {};
  // A rootless parent may take the listener with pidfd_getfd only from a
  // dumpable process: forked, not exec'd, our mm belongs to the host's user
  // namespace, where the user has no CAP_SYS_PTRACE (runc's init is exec'd).
  if (c.rootless_euid) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  int listener = ORUN_TRY(security::seccomp::load(*c.seccomp));
  if (listener < 0) return {};
  UniqueFd l(listener);
  return security::seccomp::send_listener_to_parent(c.sync_fd, listener);
}

// Steps up to the handshake with the parent that writes state.json.
Result<void> setup_before_ready(const InitConfig& c) {
  const spec::Spec& s = *c.spec;
  const spec::Process& p = *c.process;
  if (setsid() < 0) return fail_errno("setsid");
  ORUN_TRY_VOID(write_oom_score_adj(p));
  if (!c.no_new_keyring) ORUN_TRY_VOID(security::selinux_set_keycreate_label(p.selinux_label));
  ORUN_TRY_VOID(join_session_keyring(c));
  // A network namespace made for the container starts with lo down (runc's
  // loopback strategy, before the rootfs as there).
  if (c.new_net_ns) ORUN_TRY_VOID(bring_up_loopback());

  RootfsContext rc;
  rc.spec = c.spec;
  rc.rootfs = c.rootfs;
  rc.bundle = c.bundle;
  rc.no_pivot = c.no_pivot;
  rc.new_mount_ns = c.new_mount_ns;
  rc.in_userns = c.new_user_ns;
  rc.cgroup_paths = c.cgroup_paths;
  rc.cgroup_ns = c.cgroup_ns;
  rc.source_fds = c.mount_source_fds;
  rc.sync_fd = c.sync_fd;
  ORUN_TRY_VOID(prepare_rootfs(rc));
  ORUN_TRY_VOID(process::child_sync(c.sync_fd, ORUN_SYNC_HOOKS, ORUN_SYNC_HOOKS_DONE));
  if (!s.hooks.create_container.empty()) {
    // In the container's namespaces but before pivot (host paths), cwd =
    // rootfs, and an empty environment unless the hook sets one.
    if (chdir(c.rootfs.c_str()) < 0) return fail_errno("chdir " + c.rootfs);
    std::vector<std::string> no_env;
    auto state = process::hook_state(c.id, "creating", getpid(), c.bundle, s.annotations);
    ORUN_TRY_VOID(process::run_hooks(s.hooks.create_container, "createContainer", state, &no_env));
  }
  ORUN_TRY_VOID(enter_rootfs(rc));
  if (p.terminal) ORUN_TRY_VOID(setup_console(c));
  ORUN_TRY_VOID(send_pidfd(c));
  ORUN_TRY_VOID(make_cwd(p));
  ORUN_TRY_VOID(apply_hostname(s));
  ORUN_TRY_VOID(security::apply_apparmor_profile(p.apparmor_profile));
  // Before finalize: readonlyPaths may make /proc/sys read-only.
  ORUN_TRY_VOID(apply_sysctls(s.linux.sysctl));
  ORUN_TRY_VOID(finalize_rootfs(rc));
  set_umask(p.user);
  ORUN_TRY_VOID(apply_process_attrs(s, p));
  return {};
}

// What the identity switch needs from procfs, read while the init may still
// make any syscall: the container's seccomp filter (loaded next, without
// no_new_privs) may deny fsopen, open_tree, openat2 or statx, and after it
// the init makes only the syscalls runc makes there (docs/architecture.md,
// "After the seccomp filter").
struct IdentityInputs {
  bool allow_setgroups = true;                  // /proc/self/setgroups is not "deny"
  std::optional<security::CapabilitySets> caps;  // resolved against cap_last_cap
};

Result<IdentityInputs> read_identity_inputs(const InitConfig& c) {
  IdentityInputs in;
  in.allow_setgroups = ORUN_TRY(setgroups_allowed(c.new_user_ns));
  if (c.process->capabilities) in.caps = security::capability_sets(*c.process->capabilities);
  return in;
}

// Warnings (unknown capabilities ...) travel to the parent's logger, with
// write(2): this may run under the container's seccomp filter.
void send_warning(const InitConfig& c, const std::string& w) {
  orun_sync_write(c.sync_fd, ORUN_SYNC_WARNING, 0, w.data(), w.size());
}

// After the parent has written state.json: identity, then the point of no return.
Result<std::pair<std::string, std::vector<std::string>>> setup_identity(const InitConfig& c) {
  const spec::Process& p = *c.process;
  if (p.no_new_privileges) ORUN_TRY_VOID(set_no_new_privs());
  ORUN_TRY_VOID(security::selinux_set_exec_label(p.selinux_label));
  const IdentityInputs in = ORUN_TRY(read_identity_inputs(c));
  // Without no_new_privs loading a filter needs CAP_SYS_ADMIN: before the
  // capabilities go (runc's order). With it: as late as possible, below.
  if (!p.no_new_privileges) ORUN_TRY_VOID(load_seccomp(c));
  auto warn = [&c](const std::string& w) { send_warning(c, w); };
  if (in.caps) ORUN_TRY_VOID(security::drop_bounding_set(*in.caps, warn));
  // The cwd is entered as root first (it may be reachable only by root),
  // and again as the user when root could not (runc's finalizeNamespace).
  bool in_cwd = false;
  if (chdir(p.cwd.c_str()) == 0) in_cwd = true;
  else if (errno != EACCES && errno != EPERM) ORUN_TRY_VOID(chdir_cwd(p));
  ORUN_TRY_VOID(setup_user(p.user, in.allow_setgroups));
  if (in.caps) ORUN_TRY_VOID(security::apply_capabilities(*in.caps, warn));
  auto env = ORUN_TRY(prepare_env(p.env));
  add_home_if_missing(env, p.user.uid);
  if (!in_cwd) ORUN_TRY_VOID(chdir_cwd(p));
  ORUN_TRY_VOID(verify_cwd());
  std::string path = ORUN_TRY(look_path(p.args[0], env));
  return std::make_pair(path, env);
}

// exec: the process joins a set-up container; only its own stdio, session
// and umask are made here.
Result<void> setup_exec_before_ready(const InitConfig& c) {
  const spec::Process& p = *c.process;
  ORUN_TRY_VOID(write_oom_score_adj(p));
  // Its own session, with or without a terminal, as runc's nsexec gives
  // every process: a session led from outside the container's pid
  // namespace is one CRIU refuses to checkpoint.
  if (setsid() < 0) return fail_errno("setsid");
  if (p.terminal) ORUN_TRY_VOID(setup_console(c));
  ORUN_TRY_VOID(send_pidfd(c));
  ORUN_TRY_VOID(security::apply_apparmor_profile(p.apparmor_profile));
  // The container's umask, if its config sets one; else orun's inherited one.
  if (c.spec->process && c.spec->process->user.umask) umask(static_cast<mode_t>(*c.spec->process->user.umask));
  ORUN_TRY_VOID(apply_process_attrs(*c.spec, p));
  return {};
}

[[noreturn]] void die(const InitConfig& c, const Error& e, bool sync_open) {
  if (sync_open) {
    process::child_report_error(c.sync_fd, e);
  } else {
    dprintf(2, "%s\n", e.msg.c_str());
  }
  _exit(ORUN_INIT_FAILED);
}

}  // namespace

void container_main(const InitConfig& c) {
  reset_signals();
  auto warn = [&c](const std::string& w) { send_warning(c, w); };
  if (auto r = settle_cpu_affinity(*c.spec, *c.process, c.is_exec, warn); !r) die(c, r.error(), true);
  log::debug(c.is_exec ? "nsexec container setup done: child process in init() for exec"
                       : "nsexec container setup done: child process in init()");
  // Only what the container needs survives: stdio, preserved fds and our
  // own handles. Anything else (the state-dir lock, orun's files) goes now.
  std::vector<int> keep{c.sync_fd, c.fifo_fd, c.console_fd, c.pidfd_fd, c.log_fd, c.sealed_exe_fd};
  for (auto& [index, fd] : c.mount_source_fds) keep.push_back(fd);
  sys::close_fds_except(3 + c.preserve_fds, keep);
  if (auto r = c.is_exec ? setup_exec_before_ready(c) : setup_before_ready(c); !r) die(c, r.error(), true);
  if (auto r = process::child_sync(c.sync_fd, ORUN_SYNC_READY, ORUN_SYNC_RUN); !r) die(c, r.error(), true);
  auto ident = setup_identity(c);
  if (!ident) die(c, ident.error(), true);
  auto& [path, env] = *ident;
  // Rootless: `exec` (an ordinary user) opens /proc/<init>/ns/* while the
  // init waits on exec.fifo, which needs it dumpable (the user switch reset
  // it). It is the user's own process. (prctl is in runc's post-filter list
  // without no_new_privs; with it the filter comes below.)
  if (c.rootless_euid && !c.is_exec) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  // With no_new_privs: as few syscalls as possible run under the filter.
  if (c.process->no_new_privileges) {
    if (auto r = load_seccomp(c); !r) die(c, r.error().context("unable to init seccomp"), true);
  }

  // Closing the sync socket tells the parent setup is complete.
  log::debug("init: closing the pipe to signal completion");
  close(c.sync_fd);
  if (c.fifo_fd >= 0) {
    // Blocks until `start` opens the fifo for reading.
    std::string fifo = "/proc/self/fd/" + std::to_string(c.fifo_fd);
    int w = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (w < 0) die(c, Error{errno, "open exec fifo: " + errno_text(errno)}, false);
    if (write(w, "0", 1) != 1) die(c, Error{errno, "write exec fifo: " + errno_text(errno)}, false);
    close(w);
    close(c.fifo_fd);
  }
  if (!c.is_exec && !c.spec->hooks.start_container.empty()) {
    // Inside the container after pivot; the process env is the default.
    auto state = process::hook_state(c.id, "created", getpid(), c.bundle, c.spec->annotations);
    if (auto r = process::run_hooks(c.spec->hooks.start_container, "startContainer", state, &env); !r)
      die(c, r.error(), false);
  }
  log::debug(std::string(c.is_exec ? "setns_init" : "standard_init") + ": about to exec " + path);
  // CVE-2024-21626 / CVE-2016-9962: no orun fd reaches the container.
  // The --log fd goes on to the exec trampoline only (exe_seal_entry.c),
  // which reports an execve failure there too.
  const bool log_on = c.log_fd >= 3 + static_cast<int>(c.preserve_fds);
  sys::close_fds_except(3 + c.preserve_fds, {c.sealed_exe_fd, log_on ? c.log_fd : -1});
  // Preserved fds (LISTEN_FDS and --preserve-fds) reach the process.
  for (int fd = 3; fd < 3 + static_cast<int>(c.preserve_fds); fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }

  std::vector<char*> argv, envp;
  for (auto& a : c.process->args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // CVE-2019-5736: through the sealed clone, never from this process image
  // (the host orun binary).
  security::ExecLog exec_log;
  if (log_on) {
    auto frame = log::error_line_frame();
    exec_log = {c.log_fd, frame.json, std::move(frame.prefix), std::move(frame.suffix)};
  }
  security::exec_sealed(c.sealed_exe_fd, path.c_str(), argv.data(), envp.data(), exec_log);
  _exit(ORUN_INIT_FAILED);
}

}  // namespace orun::init
