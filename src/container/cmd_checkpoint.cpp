// checkpoint: CRIU dumps the container (runc's Container.Checkpoint), which
// is then destroyed unless --leave-running or --pre-dump.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "container/criu_common.hpp"
#include "container/lifecycle.hpp"
#include "criu/plan.hpp"
#include "criu/session.hpp"
#include "orun/cgroups.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "orun/program.hpp"
#include "sys/file.hpp"

namespace orun::commands {

namespace {

// An external net or pid namespace (joined by path) is left to the restore
// to provide: --external <ns>[<inode>]:extRoot<Ns>NS.
Result<void> add_external_namespaces(const spec::Spec& s, int version, criu::Options& opts) {
  for (auto [type, min, name] : {std::tuple{spec::NamespaceType::network, 31100, "net"},
                                 std::tuple{spec::NamespaceType::pid, 31500, "pid"}}) {
    if (version < min)
      return fail(std::string("criu lacks support for external ") + name +
                  " namespace during checkpointing process (old criu version?)");
    auto* ns = s.linux.find_namespace(type);
    if (!ns || ns->path.empty()) continue;
    struct stat st{};
    if (stat(ns->path.c_str(), &st) < 0) return fail_errno("stat " + ns->path);
    opts.external.push_back(std::string(name) + "[" + std::to_string(st.st_ino) + "]:" + criu::external_ns_key(type));
  }
  return {};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Masked paths that are files (not dirs) in the running container: CRIU
// sees /dev/null bound over them.
std::vector<std::string> masked_files(const spec::Spec& s, pid_t pid) {
  std::vector<std::string> out;
  for (auto& p : s.linux.masked_paths) {
    struct stat st{};
    if (stat(("/proc/" + std::to_string(pid) + "/root/" + p).c_str(), &st) < 0) continue;
    if (!S_ISDIR(st.st_mode)) out.push_back(p);
  }
  return out;
}

// The freezer CRIU stops the tasks with (else it uses ptrace).
std::optional<std::string> freezer_path(const container::State& st) {
  auto it = st.cgroup_paths.find("freezer");
  if (it != st.cgroup_paths.end()) return it->second;
  if (cgroups::detect_layout() == cgroups::Layout::v2)
    if (auto u = st.cgroup_paths.find(""); u != st.cgroup_paths.end()) return u->second;
  return std::nullopt;
}

Result<void> check_status_fd(int64_t fd) {
  int flags = fcntl(static_cast<int>(fd), F_GETFL);
  if (flags < 0) return fail_errno("invalid --status-fd argument " + std::to_string(fd));
  if ((flags & O_ACCMODE) == O_RDONLY) return fail("invalid --status-fd argument " + std::to_string(fd) + ": not writable");
  return {};
}

}  // namespace

Result<int> checkpoint(const GlobalOptions& g, const CheckpointOptions& o) {
  if (geteuid() != 0) log::warn(named("{name} checkpoint is untested with rootless containers"));
  ORUN_TRY_VOID(container::check_id(o.id));
  std::string dir = container::state_dir(g.root, o.id);
  auto lock = ORUN_TRY(container::Lock::acquire(dir));
  auto st = ORUN_TRY(container::load(g.root, o.id));
  auto status = container::status_of(g.root, st);
  if (status == container::Status::created || status == container::Status::stopped)
    return fail(std::string("Container cannot be checkpointed in ") + container::to_string(status) + " state");

  // CRIU first: without a usable one nothing is made (runc makes the image
  // dir before it looks).
  auto bin = ORUN_TRY(container::find_criu(g));
  // runc's criuOptions.
  std::string image_path = ORUN_TRY(container::prepare_image_path(o.image_path, o.parent_path));
  std::optional<std::pair<std::string, int>> page_server;
  if (!o.page_server.empty()) page_server = ORUN_TRY(criu::parse_page_server(o.page_server));
  uint32_t empty_ns = ORUN_TRY(criu::empty_ns_mask(o.empty_ns));

  auto cg_mode = ORUN_TRY(criu::parse_cg_mode(o.manage_cgroups_mode));
  if (mkdir(image_path.c_str(), 0700) < 0 && errno != EEXIST) return fail_errno("mkdir " + image_path);
  auto dirs = ORUN_TRY(container::open_criu_dirs(image_path, o.work_path));
  spec::Spec s = ORUN_TRY(st.config_spec());

  criu::Options opts;
  opts.images_dir_fd = dirs.image.get();
  if (dirs.work) opts.work_dir_fd = dirs.work.get();
  opts.log_file = "dump.log";
  opts.root = st.rootfs;
  opts.manage_cgroups_mode = cg_mode;
  opts.pid = st.init_pid;
  opts.shell_job = o.shell_job;
  opts.leave_running = o.leave_running;
  opts.tcp_established = o.tcp_established;
  opts.tcp_skip_in_flight = o.tcp_skip_in_flight;
  opts.link_remap = o.link_remap;
  opts.ext_unix_sk = o.ext_unix_sk;
  opts.file_locks = o.file_locks;
  opts.empty_ns = empty_ns;
  opts.auto_dedup = o.auto_dedup;
  opts.lazy_pages = o.lazy_pages;
  opts.config_file = container::criu_config_file(st.annotations);
  ORUN_TRY_VOID(add_external_namespaces(s, bin.version, opts));
  opts.freeze_cgroup = freezer_path(st);
  // A container whose cgroup lies outside orun's cgroup namespace (created
  // from a nested cgroupns at an absolute path, or at the hierarchy's top)
  // shows as "/../.." there, a path CRIU cannot walk: it dumps the other
  // controllers only, and restore puts CRIU itself (and so the restored
  // tree) in every cgroup of the new container anyway.
  opts.cgroup_dump_controller =
      criu::dumpable_controllers(read_text("/proc/" + std::to_string(st.init_pid) + "/cgroup"));
  if (!opts.cgroup_dump_controller.empty())
    log::debug("container cgroups outside this cgroup namespace are left out of the dump");
  if (page_server) {
    opts.page_server_address = page_server->first;
    opts.page_server_port = page_server->second;
  }
  if (!o.parent_path.empty()) {
    opts.parent_img = o.parent_path;
    opts.track_mem = true;
  }

  criu::Job job;
  job.binary = bin.path;
  job.request.type = o.pre_dump ? criu::ReqType::pre_dump : criu::ReqType::dump;
  if (o.pre_dump) ORUN_TRY_VOID(criu::check_features(bin.path, true, false));
  int status_fd = -1;
  if (o.lazy_pages) {
    ORUN_TRY_VOID(criu::check_features(bin.path, false, true));
    if (o.status_fd != -1) {
      ORUN_TRY_VOID(check_status_fd(o.status_fd));
      status_fd = static_cast<int>(o.status_fd);
      // CRIU 3.15+ says "status-ready" instead of writing the fd itself.
      if (bin.version < 31500) opts.status_fd = status_fd;
    }
  }

  // A pre-dump saves memory only.
  if (!o.pre_dump) {
    criu::MountInputs mounts;
    mounts.binds = ORUN_TRY(container::criu_bind_mounts(s, st.bundle, st.rootfs, st.cgroup_paths));
    mounts.masked_files = masked_files(s, st.init_pid);
    mounts.device_paths = criu::device_paths(s);
    opts.ext_mnt = criu::dump_ext_mounts(mounts);
    ORUN_TRY_VOID(sys::write_file_atomic(image_path, "descriptors.json",
                                         nlohmann::json(st.external_descriptors).dump(), "descriptors"));
  }
  job.request.opts = std::move(opts);
  job.on_notify = [&](criu::Response& r) -> Result<void> {
    if (r.notify_script == "post-dump") {
      int fd = open((dir + "/checkpoint").c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0666);
      if (fd < 0) return fail_errno("create " + dir + "/checkpoint");
      close(fd);
    } else if (r.notify_script == "status-ready" && status_fd >= 0) {
      if (write(status_fd, "", 1) != 1) log::warn("can't write \\0 to status fd: " + errno_text(errno));
      close(status_fd);
      status_fd = -1;
    }
    return {};
  };
  if (auto r = criu::run(job); !r) {
    container::log_criu_errors(dirs.log_dir, "dump.log");
    return std::unexpected(r.error());
  }
  if (!o.leave_running && !o.pre_dump)
    if (auto r = container::destroy_container(g.root, st); !r) log::warn(r.error().msg);
  return 0;
}

}  // namespace orun::commands
