#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#ifndef ORUN_BINARY
#define ORUN_BINARY "orun"
#endif
#ifndef ORUN_SOURCE_DIR
#define ORUN_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;

namespace orun::itest {

namespace {

constexpr const char* kCgroupParent = "orun-test";

int pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

void set_nonblock(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Reads what is available; returns false on EOF.
bool drain(int fd, std::string& into) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return true;  // EAGAIN
  }
}

struct Spawned {
  pid_t pid = -1;
  int pidfd = -1;
  int out = -1;
  int err = -1;
};

Spawned spawn(const std::vector<std::string>& argv, const CommandOptions& opts) {
  // A command that exits before reading its stdin must not kill the test.
  static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;
  int out[2], err[2], in[2];
  if (::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC) || ::pipe2(in, O_CLOEXEC)) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Own process group, so a timeout can kill everything the command started.
    ::setpgid(0, 0);
    // An ignored SIGPIPE would survive exec and reach the container.
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) _exit(126);
    for (const auto& [k, v] : opts.extra_env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  ::close(in[0]);
  // Small inputs only: a pipe buffer holds 64 KiB, more would block here.
  if (!opts.stdin_data.empty()) {
    ssize_t ignored = ::write(in[1], opts.stdin_data.data(), opts.stdin_data.size());
    (void)ignored;
  }
  ::close(in[1]);
  set_nonblock(out[0]);
  set_nonblock(err[0]);
  return Spawned{pid, pidfd_open(pid), out[0], err[0]};
}

// Collects output until the process exits (not until EOF: a detached container
// keeps the pipes open), killing its process group after `timeout`.
// Every command timeout, stretched by timeout_scale().
std::chrono::milliseconds scaled(std::chrono::milliseconds timeout) { return timeout * timeout_scale(); }

CommandResult collect(Spawned s, std::chrono::milliseconds timeout) {
  timeout = scaled(timeout);
  CommandResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true, err_open = true;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      ::kill(-s.pid, SIGKILL);
      ::kill(s.pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {{s.pidfd, POLLIN, 0}, {out_open ? s.out : -1, POLLIN, 0},
                     {err_open ? s.err : -1, POLLIN, 0}};
    int n = ::poll(fds, 3, static_cast<int>(std::min<long long>(left.count(), 200)));
    if (n < 0 && errno != EINTR) break;
    if (out_open && fds[1].revents) out_open = drain(s.out, r.out);
    if (err_open && fds[2].revents) err_open = drain(s.err, r.err);
    if (fds[0].revents || s.pidfd < 0) {
      if (s.pidfd >= 0) break;
      // No pidfd (old kernel): fall back to polling the pid.
      int st;
      if (::waitpid(s.pid, &st, WNOHANG | __WNOTHREAD) == s.pid) {
        r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        r.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        s.pid = -1;
        break;
      }
    }
  }
  if (out_open) drain(s.out, r.out);
  if (err_open) drain(s.err, r.err);
  if (s.pid > 0) {
    int st = 0;
    while (::waitpid(s.pid, &st, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  }
  if (s.pidfd >= 0) ::close(s.pidfd);
  ::close(s.out);
  ::close(s.err);
  return r;
}

unsigned long long start_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close_paren + 2));
  std::string field;
  // Field 3 (state) is the first after the comm; start time is field 22.
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return std::stoull(field);
  }
  return 0;
}

std::string random_hex(size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += digits[rng() % 16];
  return s;
}

// A config.json like `runc spec` writes, used only when the runtime's own
// `spec` fails, so a broken `spec` does not hide every other behaviour.
Json fallback_template() {
  return Json::parse(R"({
  "ociVersion": "1.0.2",
  "process": {
    "terminal": true, "user": {"uid": 0, "gid": 0}, "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "runc",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
})");
}

// Mount points under `dir` (deepest first), to detach before removing it.
std::vector<std::string> mounts_under(const std::string& dir) {
  std::vector<std::string> found;
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mnt;
    fields >> id >> parent >> dev >> root >> mnt;
    if (mnt == dir || mnt.starts_with(dir + "/")) found.push_back(mnt);
  }
  std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.size() > b.size(); });
  return found;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const CommandResult& r) {
  os << "exit=" << r.exit_code;
  if (r.signal) os << " signal=" << r.signal;
  if (r.timed_out) os << " TIMED OUT";
  return os << "\n--- stdout ---\n" << r.out << "\n--- stderr ---\n" << r.err;
}

CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& opts) {
  return collect(spawn(argv, opts), opts.timeout);
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const CommandOptions& opts) {
  Spawned s = spawn(argv, opts);
  pid_ = s.pid;
  pidfd_ = s.pidfd;
  out_fd_ = s.out;
  err_fd_ = s.err;
}

BackgroundCommand::~BackgroundCommand() {
  if (!done_) wait(0ms);
}

void BackgroundCommand::signal(int sig) const {
  if (!done_) ::kill(pid_, sig);
}

CommandResult BackgroundCommand::wait(std::chrono::milliseconds timeout) {
  if (done_) return {};
  done_ = true;
  return collect(Spawned{pid_, pidfd_, out_fd_, err_fd_}, timeout);
}

int timeout_scale() {
  static const int scale = [] {
    const char* v = std::getenv("ORUN_TEST_TIMEOUT_SCALE");
    int n = v && *v ? std::atoi(v) : 1;
    return n > 1 ? n : 1;
  }();
  return scale;
}

const std::string& runtime_binary() {
  static const std::string bin = [] {
    const char* env = std::getenv("ORUN_TEST_BINARY");
    return std::string(env && *env ? env : ORUN_BINARY);
  }();
  return bin;
}

bool runtime_is_runc() {
  return fs::path(runtime_binary()).filename() == "runc";
}

const std::string& busybox_rootfs() {
  static const std::string dir = [] {
    std::string script = std::string(ORUN_SOURCE_DIR) + "/scripts/make-busybox-rootfs.sh";
    const char* env = std::getenv("ORUN_TEST_CACHE");
    std::string cache = env && *env ? env : "/var/tmp/orun-itest-cache";
    fs::create_directories(cache);
    // The key changes when the script or busybox changes, so stale caches are
    // never reused.
    struct stat bb{};
    ::stat("/bin/busybox", &bb);
    std::string key_src = read_file(script) + std::to_string(bb.st_size) + ":" +
                          std::to_string(bb.st_mtime);
    std::string target = cache + "/rootfs-" + std::to_string(std::hash<std::string>{}(key_src));
    int lock = ::open((cache + "/lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    ::flock(lock, LOCK_EX);
    if (!path_exists(target)) {
      std::string building = target + ".tmp." + std::to_string(::getpid());
      auto r = run_command({"bash", script, building}, {.timeout = 120s});
      if (r.exit_code != 0) {
        ::close(lock);
        throw std::runtime_error("make-busybox-rootfs.sh failed: " + r.err);
      }
      fs::rename(building, target);
    }
    ::close(lock);
    return target;
  }();
  return dir;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> cgroup_mounts() {
  std::vector<std::string> mounts;
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  while (std::getline(f, line)) {
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream pre(line.substr(0, sep)), post(line.substr(sep + 3));
    std::string id, parent, dev, root, mnt, fstype;
    pre >> id >> parent >> dev >> root >> mnt;
    post >> fstype;
    if ((fstype == "cgroup" || fstype == "cgroup2") && mnt.starts_with("/sys/fs/cgroup")) {
      mounts.push_back(mnt);
    }
  }
  return mounts;
}

std::vector<pid_t> live_children() {
  std::vector<pid_t> kids;
  pid_t self = ::getpid();
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string stat = read_file("/proc/" + name + "/stat");
    auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid == self && state != 'Z' && state != 'X') kids.push_back(std::stoi(name));
  }
  return kids;
}

void reap_zombies() {
  int st;
  while (::waitpid(-1, &st, WNOHANG) > 0) {
  }
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// ---------------------------------------------------------------- fixture

void ContainerTest::SetUp() {
  if (::geteuid() != 0) GTEST_SKIP() << "integration tests need root";
  // Like containerd's shim: orphaned container processes are re-parented to us,
  // which also lets expect_nothing_left() see any process a runtime leaks.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  char tmpl[] = "/tmp/orun-it-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
  tmp_ = tmpl;
  // Traversable by mapped (user namespace) container roots.
  ::chmod(tmp_.c_str(), 0755);
  root_ = tmp_ + "/state";
  ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0);
  id_ = new_id();
  bundle_ = make_bundle("bundle", id_);
  config_ = Json::parse(read_file(bundle_ + "/config.json"));
}

std::vector<std::string> ContainerTest::rt_argv(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{runtime_binary(), "--root", root_};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult ContainerTest::rt(const std::vector<std::string>& args, const CommandOptions& opts) {
  return run_command(rt_argv(args), opts);
}

CommandResult ContainerTest::rt_plain(const std::vector<std::string>& args,
                                      const CommandOptions& opts) {
  std::vector<std::string> argv{runtime_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, opts);
}

std::string ContainerTest::new_id(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? info->name() : "t";
  std::string id = prefix;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) id += static_cast<char>(std::tolower(c));
    if (id.size() >= prefix.size() + 24) break;
  }
  id += "-" + random_hex(6);
  ids_.push_back(id);
  return id;
}

std::string ContainerTest::make_bundle(const std::string& name, const std::string& id,
                                       const std::function<void(Json&)>& edit) {
  std::string dir = tmp_ + "/" + name;
  fs::create_directories(dir);
  auto cp = run_command({"cp", "-a", busybox_rootfs(), dir + "/rootfs"});
  EXPECT_EQ(cp.exit_code, 0) << cp;
  auto spec = rt_plain({"spec", "--bundle", dir});
  Json config;
  if (spec.exit_code == 0 && path_exists(dir + "/config.json")) {
    config = Json::parse(read_file(dir + "/config.json"), nullptr, false);
  }
  if (config.is_discarded() || !config.is_object()) {
    std::fprintf(stderr, "warning: `%s spec` failed, using the built-in template\n",
                 runtime_binary().c_str());
    config = fallback_template();
  }
  config["process"]["terminal"] = false;
  config["linux"]["cgroupsPath"] = std::string("/") + kCgroupParent + "/" + id;
  if (edit) edit(config);
  write_file(dir + "/config.json", config.dump(2));
  return dir;
}

void ContainerTest::save_config() {
  write_file(bundle_ + "/config.json", config_.dump(2));
}

void ContainerTest::set_args(const std::vector<std::string>& args) {
  config_["process"]["args"] = args;
  save_config();
}

CommandResult ContainerTest::create(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"create", "--bundle", bundle_};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(id_);
  auto r = rt(args);
  if (r.exit_code == 0) track_pid(state_pid(id_));
  return r;
}

CommandResult ContainerTest::run_fg(const std::vector<std::string>& extra,
                                    const CommandOptions& opts) {
  std::vector<std::string> args{"run", "--bundle", bundle_};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(id_);
  return rt(args, opts);
}

CommandResult ContainerTest::run_sh(const std::string& script, const CommandOptions& opts) {
  set_args({"sh", "-c", script});
  return run_fg({}, opts);
}

std::optional<Json> ContainerTest::state(const std::string& id) {
  auto r = rt({"state", id});
  if (r.exit_code != 0) return std::nullopt;
  auto j = Json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string ContainerTest::status(const std::string& id) {
  auto s = state(id);
  if (!s || !s->contains("status")) return "";
  return (*s)["status"].get<std::string>();
}

bool ContainerTest::wait_for_status(const std::string& id, const std::string& want,
                                    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    // A container init re-parented to us stays a zombie until reaped.
    reap_zombies();
    if (status(id) == want) return true;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

pid_t ContainerTest::state_pid(const std::string& id) {
  auto s = state(id);
  if (!s || !(*s)["pid"].is_number_integer()) return 0;
  return (*s)["pid"].get<pid_t>();
}

void ContainerTest::track_pid(pid_t pid) {
  if (pid > 0) pids_.emplace_back(pid, start_time(pid));
}

void ContainerTest::expect_nothing_left(const std::string& id) {
  EXPECT_FALSE(path_exists(root_ + "/" + id)) << "state dir left behind for " << id;
  for (const auto& m : cgroup_mounts()) {
    EXPECT_FALSE(path_exists(m + "/" + kCgroupParent + "/" + id))
        << "cgroup left behind: " << m << "/" << kCgroupParent << "/" << id;
  }
  // A process killed by the runtime on its way out may take a moment to die.
  auto deadline = std::chrono::steady_clock::now() + 2s;
  std::vector<pid_t> kids;
  do {
    reap_zombies();
    kids = live_children();
    if (kids.empty()) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(kids.empty()) << "processes left behind: " << kids.size() << " (first pid "
                            << (kids.empty() ? 0 : kids[0]) << ")";
}

void ContainerTest::cleanup_container(const std::string& id) {
  track_pid(state_pid(id));
  run_command(rt_argv({"delete", "--force", id}), {.timeout = 20s});
}

void ContainerTest::TearDown() {
  if (tmp_.empty()) return;
  std::set<std::string> ids(ids_.begin(), ids_.end());
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_, ec))
    if (e.is_directory(ec)) ids.insert(e.path().filename());  // not the seccomp cache file
  for (const auto& id : ids) cleanup_container(id);

  // Anything still in our cgroups is ours: kill it, then remove the cgroups.
  auto mounts = cgroup_mounts();
  for (const auto& m : mounts) {
    for (const auto& id : ids) {
      std::istringstream procs(read_file(m + "/" + kCgroupParent + "/" + id + "/cgroup.procs"));
      pid_t p;
      while (procs >> p) ::kill(p, SIGKILL);
    }
  }
  for (const auto& [pid, started] : pids_) {
    if (start_time(pid) == started && started != 0) ::kill(pid, SIGKILL);
  }
  for (pid_t p : live_children()) ::kill(p, SIGKILL);
  for (const auto& m : mounts) {
    for (const auto& id : ids) {
      std::string dir = m + "/" + kCgroupParent + "/" + id;
      for (int i = 0; i < 40 && path_exists(dir); ++i) {
        // Child cgroups first (rmdir needs the cgroup empty of children).
        std::vector<std::string> subdirs;
        for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
          if (e.is_directory(ec)) subdirs.push_back(e.path());
        }
        std::sort(subdirs.begin(), subdirs.end(),
                  [](auto& a, auto& b) { return a.size() > b.size(); });
        for (const auto& s : subdirs) ::rmdir(s.c_str());
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) break;
        reap_zombies();
        std::this_thread::sleep_for(50ms);
      }
    }
    ::rmdir((m + "/" + kCgroupParent).c_str());  // fails harmlessly if others use it
  }
  reap_zombies();
  for (const auto& m : mounts_under(tmp_)) ::umount2(m.c_str(), MNT_DETACH);
  fs::remove_all(tmp_, ec);
}

}  // namespace orun::itest
