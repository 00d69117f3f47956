// create: from a bundle to an init blocked on exec.fifo.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "container/lifecycle.hpp"
#include "init/init.hpp"
#include "orun/log.hpp"
#include "orun/spec.hpp"
#include "process/foreground.hpp"
#include "process/hooks.hpp"
#include "process/spawn.hpp"
#include "security/rlimits.hpp"

namespace orun::container {

namespace {

Result<void> mkdir_all(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return fail("mkdir " + path + ": " + ec.message(), ec.value());
  chmod(path.c_str(), mode);
  return {};
}

Result<UniqueFd> connect_console_socket(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("create console socket");
  UniqueFd s(fd);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return fail("console socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0)
    return fail_errno("failed to connect to console socket " + path);
  return s;
}

std::string abs_clean(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_relative()) path = std::filesystem::path(base) / path;
  return path.lexically_normal().string();
}

Result<void> check_terminal(const spec::Process& p, const CreateOptions& o, CreateMode mode) {
  bool detach = mode != CreateMode::run_foreground;
  if (detach && p.terminal && o.console_socket.empty())
    return fail("cannot allocate tty if runc will detach without setting console socket");
  if ((!detach || !p.terminal) && !o.console_socket.empty())
    return fail("cannot use console socket if runc will not detach or allocate tty");
  return {};
}

}  // namespace

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
  ORUN_TRY_VOID(spec::validate(s, bundle));
  const spec::Process& proc = *s.process;
  ORUN_TRY_VOID(check_terminal(proc, o, mode));
  std::string rootfs = abs_clean(bundle, s.root->path);

  ORUN_TRY_VOID(mkdir_all(g.root, 0700));
  std::string dir = state_dir(g.root, o.id);
  if (mkdir(dir.c_str(), 0711) < 0) {
    if (errno == EEXIST) return fail("container with given ID already exists");
    return fail_errno("mkdir " + dir);
  }
  // From here on, a failure removes everything made so far.
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
    if (cgroup_made) (void)cg.destroy();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    // poststop runs on every destroy path, a failed create included.
    if (!s.hooks.poststop.empty()) {
      auto state = process::hook_state(o.id, "stopped", 0, bundle, s.annotations);
      if (auto r = process::run_hooks(s.hooks.poststop, "poststop", state); !r) log::warn(r.error().msg);
    }
  });
  auto lock = ORUN_TRY(Lock::acquire(dir));

  cg = ORUN_TRY(cgroups::Manager::for_container(s.linux.cgroups_path, o.id));
  cgroup_made = true;
  ORUN_TRY_VOID(cg.create());

  std::string fifo = dir + "/exec.fifo";
  if (mkfifo(fifo.c_str(), 0622) < 0) return fail_errno("mkfifo " + fifo);
  chmod(fifo.c_str(), 0622);
  uint32_t root_uid = 0, root_gid = 0;
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
  }
  req.time_offsets = s.linux.time_offsets;
  req.cgroup = &cg;

  UniqueFd console_parent, console_child;
  if (proc.terminal) {
    if (mode == CreateMode::run_foreground) {
      int sp[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) return fail_errno("create console socketpair");
      console_parent.reset(sp[0]);
      console_child.reset(sp[1]);
    } else {
      console_child = ORUN_TRY(connect_console_socket(o.console_socket));
    }
  }

  init::InitConfig ic;
  ic.spec = &s;
  ic.process = &proc;
  ic.id = o.id;
  ic.bundle = bundle;
  ic.rootfs = rootfs;
  ic.no_pivot = o.no_pivot;
  ic.no_new_keyring = o.no_new_keyring;
  ic.preserve_fds = o.preserve_fds;
  ic.fifo_fd = fifo_fd;
  ic.console_fd = console_child ? console_child.get() : -1;
  ic.log_fd = log::fd();
  ic.new_mount_ns = s.linux.has_namespace(spec::NamespaceType::mount);
  ic.new_user_ns = new_userns;
  ic.cgroup_ns = s.linux.has_namespace(spec::NamespaceType::cgroup);
  ic.cgroup_paths = cg.paths();
  req.child_main = [&ic](int sync_fd) -> int {
    ic.sync_fd = sync_fd;
    init::container_main(ic);
  };
  req.on_warning = [](const std::string& w) { log::warn(w); };
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
    st.cgroup_created = cg.created_dirs();
    st.private_pid_ns = private_pid;
    for (auto t : {spec::NamespaceType::pid, spec::NamespaceType::network, spec::NamespaceType::mount,
                   spec::NamespaceType::ipc, spec::NamespaceType::uts, spec::NamespaceType::user,
                   spec::NamespaceType::cgroup, spec::NamespaceType::time}) {
      std::string p = "/proc/" + std::to_string(pid) + "/ns/" + spec::proc_ns_name(t);
      if (access(p.c_str(), F_OK) == 0) st.namespace_paths[spec::to_string(t)] = p;
    }
    st.config = s.raw;
    return save(g.root, st);
  };

  init_pid = ORUN_TRY(process::spawn(req));
  console_child.reset();

  Created out;
  if (console_parent) out.console_master = ORUN_TRY(process::recv_fd(console_parent.get()));
  if (out.console_master) process::clear_onlcr(out.console_master.get());
  if (!pid_file.empty()) ORUN_TRY_VOID(write_pid_file(pid_file, init_pid));
  undo.dismiss();
  out.state = std::move(st);
  return out;
}

}  // namespace orun::container
