// exec: a new process in a running container, through the same spawn path
// as init, joining every namespace instead of creating them.
#include <algorithm>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "container/lifecycle.hpp"
#include "container/oom_report.hpp"
#include "container/rootless.hpp"
#include "container/spawn_handles.hpp"
#include "init/init.hpp"
#include "init/process_attrs.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "orun/spec.hpp"
#include "process/foreground.hpp"
#include "process/hooks.hpp"
#include "process/spawn.hpp"
#include "security/rlimits.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_notify.hpp"
#include "orun/program.hpp"

namespace orun::commands {

using container::Status;

namespace {

Result<uint32_t> parse_id(const std::string& s, const char* what) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (s.empty() || *end || errno || v > UINT32_MAX || s[0] == '-')
    return fail(std::string("bad ") + what + ": " + s);
  return static_cast<uint32_t>(v);
}

void add_unique(std::vector<std::string>& v, const std::string& x) {
  for (auto& e : v)
    if (e == x) return;
  v.push_back(x);
}

// runc's getProcess: -p replaces the process; otherwise the bundle's
// config.json (re-read now) is the base and the flags shape it.
Result<spec::Process> exec_process(const ExecOptions& o, const spec::Spec& cfg) {
  spec::Process p;
  if (!o.process.empty()) {
    p = ORUN_TRY(spec::load_process(o.process));
    // Unset fields fall back to the container's.
    if (cfg.process) {
      if (!p.capabilities) p.capabilities = cfg.process->capabilities;
      if (p.rlimits.empty()) p.rlimits = cfg.process->rlimits;
      if (p.apparmor_profile.empty()) p.apparmor_profile = cfg.process->apparmor_profile;
      if (p.selinux_label.empty()) p.selinux_label = cfg.process->selinux_label;
    }
  } else {
    if (!cfg.process) return fail("process property must not be empty");
    p = *cfg.process;
    p.args = o.args;
    p.terminal = o.tty;
    if (!o.cwd.empty()) p.cwd = o.cwd;
    for (auto& e : o.env) p.env.push_back(e);
    if (!o.user.empty()) {
      auto colon = o.user.find(':');
      p.user.uid = ORUN_TRY(parse_id(o.user.substr(0, colon), "uid"));
      if (colon != std::string::npos) p.user.gid = ORUN_TRY(parse_id(o.user.substr(colon + 1), "gid"));
    }
    for (auto g : o.additional_gids) {
      if (g < 0) return fail("additional-gids must be a positive number " + std::to_string(g));
      p.user.additional_gids.push_back(static_cast<uint32_t>(g));
    }
    if (!o.caps.empty()) {
      if (!p.capabilities) p.capabilities = spec::Capabilities{};
      bool ambient = cfg.process && cfg.process->capabilities && !cfg.process->capabilities->inheritable.empty();
      for (auto& c : o.caps) {
        add_unique(p.capabilities->bounding, c);
        add_unique(p.capabilities->effective, c);
        add_unique(p.capabilities->permitted, c);
        if (ambient) add_unique(p.capabilities->ambient, c);
      }
    }
    if (o.no_new_privs) p.no_new_privileges = *o.no_new_privs;
    if (!o.apparmor.empty()) p.apparmor_profile = o.apparmor;
    if (!o.process_label.empty()) p.selinux_label = o.process_label;
  }
  if (p.args.empty()) return fail("exec args cannot be empty");
  ORUN_TRY_VOID(spec::validate_process(p));
  // An unprivileged user cannot setgroups(2) in its user namespace (runc's start).
  if (container::rootless_euid() && !p.user.additional_gids.empty())
    return fail("cannot set any additional groups in a rootless container");
  // The exec'd process's oom_score_adj is the container's.
  p.oom_score_adj = cfg.process ? cfg.process->oom_score_adj : std::nullopt;
  return p;
}

// --cgroup [ctrl[,ctrl]:]path: an existing sub-cgroup of the container's.
Result<std::map<std::string, std::string>> exec_cgroup(const std::map<std::string, std::string>& base,
                                                       const std::vector<std::string>& args) {
  auto paths = base;
  for (auto& a : args) {
    auto colon = a.find(':');
    std::string sub = colon == std::string::npos ? a : a.substr(colon + 1);
    if (sub.empty()) return fail("invalid --cgroup argument: " + a);
    std::vector<std::string> ctrls;
    if (colon != std::string::npos) {
      std::stringstream ss(a.substr(0, colon));
      std::string c;
      while (std::getline(ss, c, ',')) ctrls.push_back(c);
    }
    for (auto& c : ctrls)
      if (!base.count(c)) return fail("invalid --cgroup argument: unknown controller " + c);
    for (auto& [ctrl, dir] : paths) {
      bool match = ctrls.empty();
      for (auto& c : ctrls) match |= c == ctrl;
      if (!match) continue;
      // runc's path.Join: an absolute sub is still below the base ("/" is the base).
      const std::string& b = base.at(ctrl);
      std::string p = std::filesystem::path(b + "/" + sub).lexically_normal().string();
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      if (p != b && p.rfind(b + "/", 0) != 0)
        return fail("invalid --cgroup argument: bad sub cgroup path: " + sub);
      struct stat st{};
      if (stat(p.c_str(), &st) < 0) return fail_errno("failed adding pid to sub-cgroup " + p);
      dir = p;
    }
  }
  return paths;
}

}  // namespace

Result<int> exec(const GlobalOptions& g, const ExecOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  char cwd_buf[PATH_MAX];
  if (!getcwd(cwd_buf, sizeof(cwd_buf))) return fail_errno("getcwd");
  std::string pid_file =
      o.pid_file.empty() ? "" : (std::filesystem::path(cwd_buf) / o.pid_file).lexically_normal().string();

  auto st = ORUN_TRY(container::load(g.root, o.id));
  auto status = container::status_of(g.root, st);
  if (status == Status::stopped) return fail("cannot exec in a stopped container");
  if (status == Status::paused && !o.ignore_paused)
    return fail("cannot exec in a paused container (use --ignore-paused to override)");

  // runc re-reads the bundle's config at exec time; -p needs no bundle.
  spec::Spec cfg;
  if (o.process.empty()) {
    cfg = ORUN_TRY(spec::load(st.bundle));
  } else {
    cfg = ORUN_TRY(st.config_spec());
  }
  // Namespaces always come from the config the container was created with.
  auto created_cfg = st.config_spec();
  const spec::Spec& nscfg = created_cfg ? *created_cfg : cfg;
  spec::Process proc = ORUN_TRY(exec_process(o, cfg));

  if (o.detach && proc.terminal && o.console_socket.empty())
    return fail(named("cannot allocate tty if {name} will detach without setting console socket"));
  if ((!o.detach || !proc.terminal) && !o.console_socket.empty())
    return fail(named("cannot use console socket if {name} will not detach or allocate tty"));

  process::SpawnRequest req;
  bool userns = false;
  for (auto& ns : nscfg.linux.namespaces) {
    if (ns.type == spec::NamespaceType::user) userns = true;
    std::string path = "/proc/" + std::to_string(st.init_pid) + "/ns/" + spec::proc_ns_name(ns.type);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno("open " + path);
    req.joins.push_back({static_cast<int>(spec::clone_flag(ns.type)), UniqueFd(fd)});
  }
  auto cg = cgroups::Manager::from_paths(ORUN_TRY(exec_cgroup(st.cgroup_paths, o.cgroup)), st.cgroup_unit);
  // runc's addIntoCgroupV1 for the systemd driver: AddPid (the unit, then
  // the paths) unless --cgroup names controllers; the process already joined
  // the paths at clone time.
  std::optional<std::string> unit_sub;
  if (!st.cgroup_unit.empty()) {
    bool per_controller = false;
    unit_sub = "";
    for (auto& a : o.cgroup) {
      if (a.find(':') == std::string::npos) unit_sub = a;
      else per_controller = true;
    }
    if (per_controller && std::ranges::all_of(o.cgroup, [](auto& a) { return a.find(':') != std::string::npos; }))
      unit_sub.reset();
  }
  req.cgroup = &cg;

  auto handles = ORUN_TRY(container::open_spawn_handles(g, proc.terminal, !o.detach, o.console_socket, o.pidfd_socket));
  for (unsigned i = 0; i < o.preserve_fds; i++) {
    if (fcntl(3 + static_cast<int>(i), F_GETFD) < 0)
      return fail_errno("unable to stat preserved-fd " + std::to_string(i) + " (of " + std::to_string(o.preserve_fds) + ")");
  }

  init::InitConfig ic;
  ic.spec = &cfg;
  ic.process = &proc;
  ic.id = o.id;
  ic.bundle = st.bundle;
  ic.rootfs = st.rootfs;
  ic.is_exec = true;
  ic.rootless_euid = container::rootless_euid();
  ic.preserve_fds = o.preserve_fds;
  handles.fill(ic);
  // The filter is the container's (from the config it was created with).
  auto seccomp = ORUN_TRY(security::seccomp::prepare(nscfg.linux.seccomp, security::seccomp::cache_path_for_root(g.root)));
  if (seccomp) security::seccomp::apply_report(*seccomp, st.annotations);
  ic.seccomp = seccomp ? &*seccomp : nullptr;
  ic.new_user_ns = userns;
  ic.cgroup_paths = cg.paths();
  req.child_main = [&ic](int sync_fd) -> int {
    ic.sync_fd = sync_fd;
    init::container_main(ic);
  };
  req.on_warning = [](const std::string& w) { log::warn(w); };
  req.on_seccomp_listener = [&](pid_t pid, int child_fd) -> Result<void> {
    return security::seccomp::send_listener_to_agent(
        *seccomp, pid, child_fd, process::hook_state(o.id, "running", st.init_pid, st.bundle, nscfg.annotations));
  };
  req.on_ready = [&](pid_t pid) -> Result<void> {
    if (unit_sub) {
      if (auto r = cg.attach_to_unit(*unit_sub, pid); !r) {
        // v2 without a sub-cgroup: runc falls back to the init's cgroup;
        // this process is in the container's already (joined at clone).
        if (cg.paths().size() != 1 || !cg.paths().count("") || !unit_sub->empty())
          return fail("error adding pid " + std::to_string(pid) + " to cgroups: " + r.error().msg, r.error().err);
        log::debug("adding pid " + std::to_string(pid) + " to configured cgroup failed (" + r.error().msg +
                   "), it stays in the cgroup it joined at clone");
      }
    }
    auto warnings = ORUN_TRY(security::apply_rlimits(pid, proc.rlimits));
    for (auto& w : warnings) log::warn(w);
    return {};
  };

  // execCPUAffinity.initial: the child inherits this thread's affinity at
  // clone (runc's startWithCPUAffinity); orun's own comes back after spawn.
  std::optional<init::InitialCpuAffinity> initial_affinity = ORUN_TRY(with_context(
      init::InitialCpuAffinity::enter(cfg, proc), "unable to start container process: error starting setns process"));
  sigset_t old{};
  if (!o.detach) old = process::block_all_signals();
  log::debug("nsexec container setup: exec joining container " + o.id + " (init " + std::to_string(st.init_pid) + ")");
  // The OOM-kill count before the process exists: kills past it while the
  // process lives are others' (oom_report.hpp).
  std::optional<container::OomReport> oom;
  if (!o.detach) oom.emplace(cg);
  auto pid = with_context(process::spawn(req), "unable to start container process");
  initial_affinity.reset();
  if (!pid) {
    if (!o.detach) sigprocmask(SIG_SETMASK, &old, nullptr);
    return std::unexpected(pid.error());
  }
  handles.console_child.reset();
  log::debug("exec: process " + std::to_string(*pid) + " started");
  UniqueFd master;
  if (handles.console_parent) master = ORUN_TRY(process::recv_fd(handles.console_parent.get()));
  if (master) process::clear_onlcr(master.get());
  if (!pid_file.empty()) ORUN_TRY_VOID(container::write_pid_file(pid_file, *pid));
  if (o.detach) return 0;
  oom->track(*pid);
  auto code = process::forward_until_exit(*pid, master.get(), oom->watch());
  // runc says nothing and exits 137; the cause is orun's addition.
  if (code && oom->process_was_oom_killed(*code)) log::error("exec process was OOM-killed (memory limit too low?)");
  return code;
}

}  // namespace orun::commands
