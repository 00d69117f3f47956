// restore: a new container from CRIU's images (runc's startContainer with
// CT_ACT_RESTORE and Container.Restore): the state dir and cgroups as for
// create, then `criu swrk` restores the process tree, as a child of orun,
// into the container's cgroups; state.json is written at "post-restore".
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "container/create_record.hpp"
#include "container/criu_common.hpp"
#include "container/lifecycle.hpp"
#include "criu/plan.hpp"
#include "criu/session.hpp"
#include "orun/cgroups.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "orun/program.hpp"
#include "process/foreground.hpp"
#include "process/hooks.hpp"
#include "process/spawn.hpp"
#include "sys/path.hpp"

namespace orun::commands {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool on_tmpfs(const std::string& dest, const std::vector<spec::Mount>& mounts) {
  for (auto& m : mounts)
    if (m.type == "tmpfs" && dest.rfind(m.destination + "/", 0) == 0) return true;
  return false;
}

// runc's prepareCriuRestoreMounts: the mountpoints the first create made
// (CRIU expects them), with the bind mounts in place meanwhile so that
// nested mountpoints are made inside them. Undone by the destructor.
class RestoreMounts {
 public:
  RestoreMounts() = default;
  RestoreMounts(RestoreMounts&&) = default;
  ~RestoreMounts() {
    for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it)
      if (umount2(sys::fd_path(it->get()).c_str(), MNT_DETACH) < 0 && errno != EINVAL)
        log::warn("Error during cleanup unmounting: " + errno_text(errno));
  }

  Result<void> prepare(const spec::Spec& s, const std::string& bundle, const std::string& rootfs) {
    UniqueFd root(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return fail_errno("open rootfs handle");
    for (auto& m : s.mounts) {
      // v1: CRIU restores /sys/fs/cgroup (a tmpfs) itself; v2: /sys has it.
      if (m.type == "cgroup" || on_tmpfs(m.destination, s.mounts)) continue;
      bool bind = criu::is_bind_mount(m);
      std::string src = m.source;
      if (bind && !src.empty() && src[0] != '/') src = sys::join_path(bundle, src);
      auto where = "create criu restore mountpoint for " + m.destination + " mount";
      auto fd = sys::open_in_root(root.get(), m.destination, O_PATH);
      if (!fd) {
        struct stat st{};
        bool file = bind && stat(src.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
        fd = file ? sys::create_in_root(root.get(), m.destination, 0644)
                  : sys::mkdir_all_in_root(root.get(), m.destination, 0755);
        if (!fd) return std::unexpected(std::move(fd.error()).context(where));
      }
      if (!bind) continue;
      if (mount(src.c_str(), sys::fd_path(fd->get()).c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
        return fail_errno("mount " + src + " to " + m.destination);
      auto top = sys::open_in_root(root.get(), m.destination, O_PATH);
      if (!top) return std::unexpected(std::move(top.error()).context(where));
      mounted_.push_back(std::move(*top));
    }
    return {};
  }

 private:
  std::vector<UniqueFd> mounted_;
};

// <state dir>/criu-root: the rootfs bound where CRIU wants it (a mount
// point whose parent is not overmounted).
class CriuRoot {
 public:
  ~CriuRoot() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
    if (!path_.empty()) rmdir(path_.c_str());
  }
  Result<void> make(const std::string& state_dir, const std::string& rootfs) {
    std::string p = state_dir + "/criu-root";
    if (mkdir(p.c_str(), 0755) < 0) return fail_errno("mkdir " + p);
    path_ = p;
    char real[PATH_MAX];
    if (!realpath(p.c_str(), real)) return fail_errno("realpath " + p);
    path_ = real;
    if (mount(rootfs.c_str(), path_.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
      return fail_errno("mount " + rootfs + " to " + path_);
    mounted_ = true;
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

// runc's handleRestoringNamespaces: net and pid namespaces given by path
// are handed to CRIU as inherited fds (4, 5, ...), the others are joined.
Result<void> restore_namespaces(const spec::Spec& s, int version, criu::Options& opts, std::vector<UniqueFd>& fds) {
  for (auto& ns : s.linux.namespaces) {
    if (ns.type == spec::NamespaceType::network || ns.type == spec::NamespaceType::pid) {
      const char* name = spec::proc_ns_name(ns.type);
      if (version < (ns.type == spec::NamespaceType::network ? 31100 : 31500))
        return fail(std::string("criu lacks support for external ") + name +
                    " namespace during the restoration process (old criu version?)");
      if (ns.path.empty()) continue;
      UniqueFd fd(open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) {
        log::error("If a specific network namespace is defined it must exist: open " + ns.path + ": " +
                   errno_text(errno));
        return fail("Requested network namespace " + ns.path + " does not exist");
      }
      opts.inherit_fd.push_back({criu::external_ns_key(ns.type), 4 + static_cast<int>(fds.size())});
      fds.push_back(std::move(fd));
      continue;
    }
    if (ns.path.empty()) continue;
    if (ns.type == spec::NamespaceType::cgroup) return fail("Do not know how to handle namespace NEWCGROUP");
    opts.join_ns.push_back({spec::proc_ns_name(ns.type), ns.path});
  }
  return {};
}

Result<std::vector<std::string>> read_descriptors(const std::string& image_path) {
  std::string path = image_path + "/descriptors.json";
  std::ifstream in(path);
  if (!in) return fail_errno("open " + path);
  try {
    auto j = nlohmann::json::parse(in);
    if (j.is_null()) return std::vector<std::string>{};
    return j.get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("parse ") + path + ": " + e.what());
  }
}

ino_t ns_inode(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

Result<int> restore(const GlobalOptions& g, const RestoreOptions& o) {
  if (geteuid() != 0) log::warn(named("{name} checkpoint is untested with rootless containers"));
  // CRIU first: without a usable one nothing is made.
  auto bin = ORUN_TRY(container::find_criu(g));
  // runc's criuOptions, before the chdir to the bundle.
  std::string image_path = ORUN_TRY(container::prepare_image_path(o.image_path, ""));
  uint32_t empty_ns = ORUN_TRY(criu::empty_ns_mask(o.empty_ns));
  ORUN_TRY_VOID(container::check_id(o.id));
  // Both are taken from the caller's cwd, whatever --bundle is.
  image_path = std::filesystem::absolute(image_path).lexically_normal().string();
  std::string work_path = o.work_path.empty() ? "" : std::filesystem::absolute(o.work_path).lexically_normal().string();

  if (!o.bundle.empty() && chdir(o.bundle.c_str()) < 0) return fail_errno("chdir " + o.bundle);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof(cwd))) return fail_errno("getcwd");
  std::string bundle = cwd;
  spec::Spec s = ORUN_TRY(spec::load(bundle));
  if (!s.process) return fail("process property must not be empty");
  ORUN_TRY_VOID(spec::validate(s, bundle));
  bool terminal = s.process->terminal;
  if (o.detach && terminal && o.console_socket.empty())
    return fail(named("cannot allocate tty if {name} will detach without setting console socket"));
  if ((!o.detach || !terminal) && !o.console_socket.empty())
    return fail(named("cannot use console socket if {name} will not detach or allocate tty"));
  std::string rootfs = std::filesystem::path(bundle).append(s.root->path).lexically_normal().string();
  if (!s.root->path.empty() && s.root->path[0] == '/') rootfs = std::filesystem::path(s.root->path).lexically_normal().string();

  std::optional<cgroups::Manager> systemd_cg;
  if (g.systemd_cgroup) systemd_cg = ORUN_TRY(cgroups::Manager::for_systemd(s.linux.cgroups_path, o.id));
  std::error_code ec;
  std::filesystem::create_directories(g.root, ec);
  std::string dir = container::state_dir(g.root, o.id);
  if (mkdir(dir.c_str(), 0711) < 0) {
    if (errno == EEXIST) return fail("container with given ID already exists");
    return fail_errno("mkdir " + dir);
  }
  cgroups::Manager cg;
  bool cgroup_made = false;
  pid_t restored = 0;
  ScopeGuard undo([&] {
    if (restored > 0) {
      ::kill(restored, SIGKILL);
      waitpid(restored, nullptr, 0);
    }
    if (cgroup_made) {
      // The restore's own error is the one reported; these only at --debug.
      if (auto r = cg.signal_all(SIGKILL); !r) log::debug("undo restore: " + r.error().msg);
      if (auto r = cg.destroy(); !r) log::debug("undo restore: " + r.error().msg);
    }
    std::filesystem::remove_all(dir, ec);
  });
  auto lock = ORUN_TRY(container::Lock::acquire(dir));
  if (!o.no_subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t old_mask{};
  if (!o.detach) old_mask = process::block_all_signals();
  ScopeGuard unblock([&] {
    if (!o.detach) sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  });

  container::CreateRecord record;
  record.id = o.id;
  cg = systemd_cg ? std::move(*systemd_cg) : ORUN_TRY(cgroups::Manager::for_container(s.linux.cgroups_path, o.id));
  record.cgroup_paths = cg.paths();
  record.cgroup_unit = cg.unit();
  ORUN_TRY_VOID(container::save_record(dir, record));
  cgroup_made = true;
  if (!cg.unit().empty()) ORUN_TRY_VOID(cg.start_unit());
  else ORUN_TRY_VOID(cg.create());
  std::vector<std::string> own_dirs;
  for (auto& d : cg.created_dirs())
    for (auto& [ctrl, leaf] : cg.paths())
      if (d == leaf && std::find(own_dirs.begin(), own_dirs.end(), d) == own_dirs.end()) own_dirs.push_back(d);
  record.cgroup_made = own_dirs;
  record.cgroup_owned = true;
  ORUN_TRY_VOID(container::save_record(dir, record));

  // The console: detached, its master goes to --console-socket; in the
  // foreground orun proxies it.
  UniqueFd console_socket, master;
  if (terminal && o.detach) console_socket = ORUN_TRY(process::connect_unix(o.console_socket));

  // runc's Container.Restore.
  auto cg_mode = ORUN_TRY(criu::parse_cg_mode(o.manage_cgroups_mode));
  auto dirs = ORUN_TRY(container::open_criu_dirs(image_path, work_path));
  criu::Options opts;
  opts.images_dir_fd = dirs.image.get();
  if (dirs.work) opts.work_dir_fd = dirs.work.get();
  opts.evasive_devices = true;
  opts.log_file = "restore.log";
  opts.rst_sibling = true;
  opts.manage_cgroups_mode = cg_mode;
  opts.shell_job = o.shell_job;
  opts.ext_unix_sk = o.ext_unix_sk;
  opts.tcp_established = o.tcp_established;
  opts.file_locks = o.file_locks;
  opts.empty_ns = empty_ns;
  opts.auto_dedup = o.auto_dedup;
  opts.lazy_pages = o.lazy_pages;
  if (!o.lsm_profile.empty()) {
    if (bin.version < 31600) return fail("--lsm-profile requires at least CRIU 3.16");
    opts.lsm_profile = o.lsm_profile;
  }
  if (!o.lsm_mount_context.empty()) {
    if (bin.version < 31600) return fail("--lsm-mount-context requires at least CRIU 3.16");
    opts.lsm_mount_context = o.lsm_mount_context;
  }
  opts.config_file = container::criu_config_file(s.annotations);
  std::vector<UniqueFd> ns_fds;
  ORUN_TRY_VOID(restore_namespaces(s, bin.version, opts, ns_fds));

  RestoreMounts mounts;
  ORUN_TRY_VOID(mounts.prepare(s, bundle, rootfs));
  CriuRoot criu_root;
  ORUN_TRY_VOID(criu_root.make(dir, rootfs));
  opts.root = criu_root.path();
  criu::MountInputs ext;
  ext.binds = ORUN_TRY(container::criu_bind_mounts(s, bundle, rootfs, cg.paths()));
  ext.has_masked_paths = !s.linux.masked_paths.empty();
  ext.device_paths = criu::device_paths(s);
  opts.ext_mnt = criu::restore_ext_mounts(ext);
  auto pipes = criu::pipe_inherit_fds(ORUN_TRY(read_descriptors(image_path)));
  opts.inherit_fd.insert(opts.inherit_fd.end(), pipes.begin(), pipes.end());

  criu::Job job;
  job.binary = bin.path;
  job.request.type = criu::ReqType::restore;
  job.request.opts = std::move(opts);
  if (!terminal) job.stdio[0] = 0, job.stdio[1] = 1, job.stdio[2] = 2;
  for (auto& fd : ns_fds) job.extra_fds.push_back(fd.get());
  std::vector<std::string> criu_stdio;
  job.on_started = [&](pid_t criu_pid, criu::Request& req) -> Result<void> {
    // runc's criuApplyCgroups: CRIU (and so what it restores) joins the
    // container's cgroups, which become the roots of the restored tree.
    ORUN_TRY_VOID(cg.add_pid(criu_pid, false));
    ORUN_TRY_VOID(cgroups::apply_resources(cg, s.linux));
    req.opts->cg_root = criu::cgroup_roots(read_all("/proc/" + std::to_string(criu_pid) + "/cgroup"));
    if (!terminal) criu_stdio = container::stdio_descriptors(criu_pid);
    return {};
  };
  container::State st;
  job.on_notify = [&](criu::Response& r) -> Result<void> {
    if (r.notify_script == "setup-namespaces") {
      auto state = process::hook_state(o.id, "creating", r.notify_pid, bundle, s.annotations);
      ORUN_TRY_VOID(process::run_hooks(s.hooks.prestart, "prestart", state));
      return process::run_hooks(s.hooks.create_runtime, "createRuntime", state);
    }
    if (r.notify_script == "orphan-pts-master") {
      if (!r.received_fd) return fail("orphan-pts-master: no file descriptor received");
      if (console_socket) return process::send_fd(console_socket.get(), r.received_fd.get(), "orphan-pts-master");
      master = std::move(r.received_fd);
      return {};
    }
    if (r.notify_script != "post-restore") return {};
    restored = r.notify_pid;
    st.id = o.id;
    st.init_pid = restored;
    st.init_start = container::process_start_time(restored);
    st.created = container::now_rfc3339nano();
    st.oci_version = spec::kOciVersion;
    st.bundle = bundle;
    st.rootfs = rootfs;
    st.annotations = s.annotations;
    st.cgroup_paths = cg.paths();
    st.cgroup_unit = cg.unit();
    st.cgroup_created = own_dirs;
    st.private_pid_ns = s.linux.has_namespace(spec::NamespaceType::pid);
    st.oom_kills_seen = cgroups::oom_kill_count(cg);
    st.set_config(s);
    // CRIU restores into a time namespace of its own: exec must join it.
    std::string pid_ns = "/proc/" + std::to_string(restored) + "/ns/";
    if (!s.linux.has_namespace(spec::NamespaceType::time) && ns_inode(pid_ns + "time") != 0 &&
        ns_inode(pid_ns + "time") != ns_inode("/proc/self/ns/time"))
      st.config["linux"]["namespaces"].push_back({{"type", "time"}});
    for (auto t : {spec::NamespaceType::pid, spec::NamespaceType::network, spec::NamespaceType::mount,
                   spec::NamespaceType::ipc, spec::NamespaceType::uts, spec::NamespaceType::user,
                   spec::NamespaceType::cgroup, spec::NamespaceType::time}) {
      std::string p = pid_ns + spec::proc_ns_name(t);
      if (access(p.c_str(), F_OK) == 0) st.namespace_paths[spec::to_string(t)] = p;
    }
    st.external_descriptors = criu_stdio;
    ORUN_TRY_VOID(container::save(g.root, st));
    unlink((dir + "/checkpoint").c_str());
    return {};
  };
  if (auto r = criu::run(job); !r) {
    container::log_criu_errors(dirs.log_dir, "restore.log");
    return std::unexpected(r.error());
  }
  if (restored <= 0) return fail("criu did not report the restored process");
  cg.release_placeholder();
  if (!o.pid_file.empty()) ORUN_TRY_VOID(container::write_pid_file(o.pid_file, restored));
  undo.dismiss();
  if (o.detach) return 0;

  auto code = process::forward_until_exit(restored, master.get());
  if (auto r = container::destroy_container(g.root, st); !r) log::warn(r.error().msg);
  return code;
}

}  // namespace orun::commands
