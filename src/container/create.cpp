// create: from a bundle to an init blocked on exec.fifo.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "cgroups/systemd/unit_name.hpp"
#include "container/create_record.hpp"
#include "container/lifecycle.hpp"
#include "container/rootless.hpp"
#include "container/spawn_handles.hpp"
#include "init/init.hpp"
#include "init/mount_idmap.hpp"
#include "orun/log.hpp"
#include "sys/file.hpp"
#include "orun/spec.hpp"
#include "process/foreground.hpp"
#include "process/hooks.hpp"
#include "process/notify_socket.hpp"
#include "process/spawn.hpp"
#include "security/rlimits.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_notify.hpp"
#include "orun/program.hpp"

namespace orun::container {

namespace {

// The --log file as opened (absolute, whatever the cwd was), for `diagnose`.
std::string log_file_path() {
  if (log::to_stderr()) return "";
  char buf[PATH_MAX];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(log::fd())).c_str(), buf, sizeof(buf) - 1);
  return n > 0 && buf[0] == '/' ? std::string(buf, static_cast<size_t>(n)) : "";
}

// The state root: made when missing, and left 0700 (it holds every
// container's state; an older orun may have made it with the umask's mode).
// The sticky bit of an XDG root stays (periodic cleanup skips sticky files).
Result<void> make_state_root(const std::string& root) {
  ORUN_TRY_VOID(sys::mkdir_all(root, 0700));
  struct stat st{};
  if (::stat(root.c_str(), &st) == 0 && (st.st_mode & 07777) != (0700 | (st.st_mode & S_ISVTX)) &&
      ::chmod(root.c_str(), 0700 | (st.st_mode & S_ISVTX)) < 0)
    log::debug("chmod " + root + ": " + errno_text(errno));
  return {};
}

std::string abs_clean(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_relative()) path = std::filesystem::path(base) / path;
  return path.lexically_normal().string();
}

Result<void> check_terminal(const spec::Process& p, const CreateOptions& o, CreateMode mode) {
  bool detach = mode != CreateMode::run_foreground;
  if (detach && p.terminal && o.console_socket.empty())
    return fail(named("cannot allocate tty if {name} will detach without setting console socket"));
  if ((!detach || !p.terminal) && !o.console_socket.empty())
    return fail(named("cannot use console socket if {name} will not detach or allocate tty"));
  return {};
}

// Socket activation: fds 3.. handed to us for our own pid go to the
// container, with LISTEN_FDS/LISTEN_PID rewritten for it.
unsigned listen_fds() {
  const char* pid = getenv("LISTEN_PID");
  const char* fds = getenv("LISTEN_FDS");
  if (!pid || !fds || atoi(pid) != getpid()) return 0;
  int n = atoi(fds);
  return n > 0 ? static_cast<unsigned>(n) : 0;
}

Result<void> check_preserved_fds(unsigned total) {
  for (unsigned i = 0; i < total; i++) {
    int fd = 3 + static_cast<int>(i);
    if (fcntl(fd, F_GETFD) < 0)
      return fail_errno("unable to stat preserved-fd " + std::to_string(i) + " (of " + std::to_string(total) + ")");
  }
  return {};
}

// The container's own cgroup dirs create made: not the parents made on the
// way (runc leaves those; callers that made them remove them).
std::vector<std::string> own_cgroup_dirs(const cgroups::Manager& cg) {
  std::vector<std::string> out;
  for (auto& d : cg.created_dirs())
    for (auto& [ctrl, leaf] : cg.paths())
      if (d == leaf && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  return out;
}

}  // namespace

std::vector<std::string> stdio_descriptors(pid_t pid) {
  std::vector<std::string> out(3);
  for (int i = 0; i < 3; i++) {
    char buf[PATH_MAX];
    ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(i)).c_str(), buf, sizeof(buf) - 1);
    if (n > 0) out[static_cast<size_t>(i)].assign(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<Created> create_container(const GlobalOptions& g, const CreateOptions& o, CreateMode mode) {
  ORUN_TRY_VOID(check_id(o.id));

  char cwd_buf[PATH_MAX];
  if (!getcwd(cwd_buf, sizeof(cwd_buf))) return fail_errno("getcwd");
  std::string pid_file = o.pid_file.empty() ? "" : abs_clean(cwd_buf, o.pid_file);
  if (!o.bundle.empty() && chdir(o.bundle.c_str()) < 0) return fail_errno("chdir " + o.bundle);
  // The bundle is the kernel's view of the cwd: symlinks resolved, as runc.
  if (!getcwd(cwd_buf, sizeof(cwd_buf))) return fail_errno("getcwd");
  std::string bundle = cwd_buf;

  spec::Spec s = ORUN_TRY(spec::load(bundle));
  if (!s.process) return fail("process property must not be empty");
  // runc's specconv reads a systemd cgroupsPath before the config is validated.
  if (g.systemd_cgroup) ORUN_TRY_VOID(cgroups::systemd::parse_unit_path(s.linux.cgroups_path, o.id));
  ORUN_TRY_VOID(spec::validate(s, bundle));
  unsigned nlisten = listen_fds();
  if (nlisten > 0) {
    s.process->env.push_back("LISTEN_FDS=" + std::to_string(nlisten));
    s.process->env.push_back("LISTEN_PID=1");
  }
  unsigned preserve = nlisten + o.preserve_fds;
  ORUN_TRY_VOID(check_preserved_fds(preserve));
  const spec::Process& proc = *s.process;
  // An unprivileged user cannot setgroups(2) in its user namespace (runc's start).
  if (rootless_euid() && !proc.user.additional_gids.empty())
    return fail("cannot set any additional groups in a rootless container");
  ORUN_TRY_VOID(check_terminal(proc, o, mode));
  std::string rootfs = abs_clean(bundle, s.root->path);

  // --systemd-cgroup: the path's form and a running systemd are checked
  // before anything is made (runc's specconv and manager.New errors).
  std::optional<cgroups::Manager> systemd_cg;
  if (g.systemd_cgroup) systemd_cg = ORUN_TRY(cgroups::Manager::for_systemd(s.linux.cgroups_path, o.id, s.annotations));

  // runc reads --rootless when it builds the container's config.
  const bool rootless_cg = ORUN_TRY(rootless_cgroups(g));
  ORUN_TRY_VOID(make_state_root(g.root));
  // Compiled (or found in the cache) before anything is made, so a bad
  // profile leaves nothing behind; the child inherits the program by fork.
  auto seccomp = ORUN_TRY(security::seccomp::prepare(s.linux.seccomp, security::seccomp::cache_path_for_root(g.root)));
  if (seccomp) security::seccomp::apply_report(*seccomp, s.annotations);
  std::string dir = state_dir(g.root, o.id);
  // Each host-side resource is named in the create record before it exists,
  // so `delete --force` can undo a create killed at any point; the dir is
  // born with it.
  CreateRecord record;
  record.id = o.id;
  record.bundle = bundle;
  record.created = now_rfc3339nano();
  auto lock = ORUN_TRY(make_state_dir(g.root, o.id, kRecordFile, record.to_json()));
  // From here on, a failure removes everything made so far (under the lock).
  State st;
  st.id = o.id;
  cgroups::Manager cg;
  bool cgroup_made = false;
  pid_t init_pid = 0;
  ScopeGuard undo([&] {
    if (init_pid > 0) {
      ::kill(init_pid, SIGKILL);
      waitpid(init_pid, nullptr, 0);
    }
    // The create's own error is the one reported; this one only at --debug.
    if (cgroup_made) {
      if (auto r = cg.destroy(); r) remove_ledger(g.root, o.id);
      else log::debug("undo create: " + r.error().msg);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    // poststop runs on every destroy path, a failed create included.
    if (!s.hooks.poststop.empty()) {
      auto state = process::hook_state(o.id, "stopped", 0, bundle, s.annotations);
      if (auto r = process::run_hooks(s.hooks.poststop, "poststop", state); !r) log::warn(r.error().msg);
    }
  });
  if (!process::host_notify_socket().empty()) ORUN_TRY_VOID(process::prepare_notify(s, dir));

  if (systemd_cg) {
    cg = std::move(*systemd_cg);
  } else {
    cg = ORUN_TRY(cgroups::Manager::for_container(s.linux.cgroups_path, o.id));
  }
  record.cgroup_paths = cg.paths();
  record.cgroup_unit = cg.unit();
  ORUN_TRY_VOID(save_record(dir, record));
  // Another container's unit and cgroups are never undone by this create.
  if (systemd_cg) ORUN_TRY_VOID(cg.check_unused());
  ORUN_TRY_VOID(save_ledger(g.root, record));
  cgroup_made = true;
  if (systemd_cg) {
    ORUN_TRY_VOID(cg.start_unit());
  } else if (rootless_cg) {
    const size_t asked = cg.paths().size();
    ORUN_TRY_VOID(cg.create_rootless({.explicit_path = !s.linux.cgroups_path.empty(),
                                      .needs_controllers = cgroups::needs_controllers(s.linux.resources)}));
    bool dropped = cg.paths().size() < asked && s.linux.cgroups_path.empty();
    if (dropped && !s.linux.has_namespace(spec::NamespaceType::pid))
      log::warn("Creating a rootless container with no cgroup and no private pid namespace. "
                "Such configuration is strongly discouraged (as it is impossible to properly kill all container's "
                "processes) and will result in an error in a future runc version.");
    // The hierarchies left to orun's own cgroup are not the container's.
    record.cgroup_paths = cg.paths();
  } else {
    ORUN_TRY_VOID(cg.create());
  }
  record.cgroup_made = own_cgroup_dirs(cg);
  record.cgroup_owned = true;
  ORUN_TRY_VOID(save_record(dir, record));
  ORUN_TRY_VOID(save_ledger(g.root, record));
  ORUN_TRY_VOID(cgroups::apply_resources(cg, s.linux, rootless_cg));

  std::string fifo = dir + "/exec.fifo";
  if (mkfifo(fifo.c_str(), 0622) < 0) return fail_errno("mkfifo " + fifo);
  chmod(fifo.c_str(), 0622);
  // Container root's host ids (runc's HostRootUID); with a joined user
  // namespace the config has no maps: orun's own ids (root's, or a rootless
  // user's, who may not chown to anything else).
  uint32_t root_uid = ::geteuid(), root_gid = ::getegid();
  for (auto& m : s.linux.uid_mappings)
    if (m.container_id == 0) root_uid = m.host_id;
  for (auto& m : s.linux.gid_mappings)
    if (m.container_id == 0) root_gid = m.host_id;
  if (chown(fifo.c_str(), root_uid, root_gid) < 0) return fail_errno("chown " + fifo);
  int fifo_fd = open(fifo.c_str(), O_PATH | O_CLOEXEC);
  if (fifo_fd < 0) return fail_errno("open " + fifo);
  UniqueFd fifo_guard(fifo_fd);

  process::SpawnRequest req;
  bool new_userns = false, private_pid = false;
  for (auto& ns : s.linux.namespaces) {
    if (ns.type == spec::NamespaceType::user) new_userns = true;
    if (ns.type == spec::NamespaceType::pid) private_pid = true;
    if (ns.path.empty()) {
      req.new_ns |= spec::clone_flag(ns.type);
    } else {
      int fd = open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return fail_errno("open namespace path " + ns.path);
      req.joins.push_back({static_cast<int>(spec::clone_flag(ns.type)), UniqueFd(fd)});
    }
  }
  if (req.new_ns & CLONE_NEWUSER) {
    req.uid_map = s.linux.uid_mappings;
    req.gid_map = s.linux.gid_mappings;
    if (rootless_euid()) {
      // runc resolves the helpers here, in its own context, not the child's.
      req.newuidmap = look_path("newuidmap");
      req.newgidmap = look_path("newgidmap");
      // An unprivileged writer may map its own gid only after giving up
      // setgroups(2) (user_namespaces(7)); runc does so for exactly that map.
      const std::vector<spec::IdMapping> own{{0, static_cast<uint32_t>(getegid()), 1}};
      req.deny_setgroups = req.gid_map == own;
    }
  }
  req.time_offsets = s.linux.time_offsets;
  req.cgroup = &cg;

  auto handles = ORUN_TRY(open_spawn_handles(g, proc.terminal, mode == CreateMode::run_foreground,
                                             o.console_socket, o.pidfd_socket));
  // Bind sources the container's root may not be able to open (user
  // namespaces) and id-mapped binds are prepared here, on the host side.
  // A joined user namespace maps id-mapped mounts itself (its maps aren't in the config).
  UniqueFd joined_userns;
  if (auto* u = s.linux.find_namespace(spec::NamespaceType::user); u && !u->path.empty()) {
    joined_userns.reset(open(u->path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!joined_userns) return fail_errno("open namespace path " + u->path);
  }
  // Rootless, the host side has no more privilege than the init (runc skips
  // its mount-source helper then): the init opens its bind sources itself.
  std::map<size_t, UniqueFd> mount_sources;
  if (!rootless_euid())
    mount_sources = ORUN_TRY(init::prepare_mount_sources(s, bundle, rootfs, joined_userns ? joined_userns.get() : -1));

  init::InitConfig ic;
  ic.spec = &s;
  ic.process = &proc;
  ic.id = o.id;
  ic.bundle = bundle;
  ic.rootfs = rootfs;
  ic.no_pivot = o.no_pivot;
  ic.rootless_euid = rootless_euid();
  ic.no_new_keyring = o.no_new_keyring;
  ic.preserve_fds = preserve;
  ic.fifo_fd = fifo_fd;
  handles.fill(ic);
  ic.seccomp = seccomp ? &*seccomp : nullptr;
  ic.new_mount_ns = s.linux.has_namespace(spec::NamespaceType::mount);
  ic.new_user_ns = new_userns;
  ic.new_net_ns = (req.new_ns & CLONE_NEWNET) != 0;
  ic.cgroup_ns = s.linux.has_namespace(spec::NamespaceType::cgroup);
  ic.cgroup_paths = cg.paths();
  for (auto& [index, fd] : mount_sources) ic.mount_source_fds[index] = fd.get();
  req.child_main = [&ic](int sync_fd) -> int {
    ic.sync_fd = sync_fd;
    init::container_main(ic);
  };
  req.on_warning = [](const std::string& w) { log::warn(w); };
  req.on_mount_request = [](pid_t pid, const std::string& request) {
    return init::idmapped_tree_in_container(pid, request);
  };
  req.on_seccomp_listener = [&](pid_t pid, int child_fd) -> Result<void> {
    return security::seccomp::send_listener_to_agent(*seccomp, pid, child_fd,
                                                     process::hook_state(o.id, "creating", pid, bundle, s.annotations));
  };
  req.on_hooks = [&](pid_t pid) -> Result<void> {
    // After the mounts, in orun's namespaces: prestart (deprecated), then createRuntime.
    auto state = process::hook_state(o.id, "creating", pid, bundle, s.annotations);
    ORUN_TRY_VOID(process::run_hooks(s.hooks.prestart, "prestart", state));
    return process::run_hooks(s.hooks.create_runtime, "createRuntime", state);
  };
  req.on_ready = [&](pid_t pid) -> Result<void> {
    init_pid = pid;
    auto warnings = ORUN_TRY(security::apply_rlimits(pid, proc.rlimits));
    for (auto& w : warnings) log::warn(w);
    st.init_pid = pid;
    st.init_start = process_start_time(pid);
    st.created = now_rfc3339nano();
    st.oci_version = spec::kOciVersion;
    st.bundle = bundle;
    st.rootfs = rootfs;
    st.annotations = s.annotations;
    st.cgroup_paths = cg.paths();
    st.cgroup_unit = cg.unit();
    st.cgroup_created = own_cgroup_dirs(cg);
    st.private_pid_ns = private_pid;
    // Kills before this init's (a reused cgroup's) are not its own.
    st.oom_kills_seen = cgroups::oom_kill_count(cg);
    for (auto t : {spec::NamespaceType::pid, spec::NamespaceType::network, spec::NamespaceType::mount,
                   spec::NamespaceType::ipc, spec::NamespaceType::uts, spec::NamespaceType::user,
                   spec::NamespaceType::cgroup, spec::NamespaceType::time}) {
      std::string p = "/proc/" + std::to_string(pid) + "/ns/" + spec::proc_ns_name(t);
      if (access(p.c_str(), F_OK) == 0) st.namespace_paths[spec::to_string(t)] = p;
    }
    st.set_config(s);
    st.log_path = log_file_path();
    st.external_descriptors = stdio_descriptors(pid);
    return save(g.root, st);
  };

  log::debug("nsexec container setup: spawning init for " + o.id + " (rootfs " + rootfs + ")");
  init_pid = ORUN_TRY(with_context(process::spawn(req), "unable to start container process: error during container init"));
  log::debug("container init " + std::to_string(init_pid) + " is waiting on exec.fifo");
  cg.release_placeholder();  // the init holds the systemd scope now
  handles.console_child.reset();

  Created out;
  if (handles.console_parent) out.console_master = ORUN_TRY(process::recv_fd(handles.console_parent.get()));
  if (out.console_master) process::clear_onlcr(out.console_master.get());
  if (!pid_file.empty()) ORUN_TRY_VOID(write_pid_file(pid_file, init_pid));
  undo.dismiss();
  out.state = std::move(st);
  return out;
}

}  // namespace orun::container
