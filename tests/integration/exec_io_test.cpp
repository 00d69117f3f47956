// Process I/O and integration points end to end: hooks (order, status, mount
// namespace, failures, timeouts), NOTIFY_SOCKET relaying, --preserve-fds,
// --console-socket, signal forwarding and exec joining the namespaces.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using ExecIoTest = ContainerTest;

// Closes the fd when the test is done with it, even on an early ASSERT return.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_un unix_addr(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return addr;
}

int bound_socket(int type, const std::string& path) {
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  auto addr = unix_addr(path);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  if (type == SOCK_STREAM && ::listen(fd, 4) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

// One datagram or stream message plus the fds it carried.
struct Message {
  std::string data;
  std::vector<int> fds;
};

std::optional<Message> recv_message(int sock, std::chrono::milliseconds timeout) {
  if (!wait_readable(sock, timeout)) return std::nullopt;
  char buf[4096];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  iovec iov{buf, sizeof(buf)};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return std::nullopt;
  Message m;
  m.data.assign(buf, static_cast<size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      m.fds.push_back(fd);
    }
  }
  return m;
}

// Reads from a pty master until `want` shows up or the time is up.
std::string read_until(int fd, const std::string& want, std::chrono::milliseconds timeout) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    if (!wait_readable(fd, 100ms)) continue;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

std::string host_link(const std::string& path) {
  std::error_code ec;
  return std::filesystem::read_symlink(path, ec).string();
}

// "key value" lines into a map.
std::map<std::string, std::string> key_values(const std::string& out) {
  std::map<std::string, std::string> m;
  for (const auto& line : split_lines(out)) {
    auto sp = line.find(' ');
    if (sp != std::string::npos) m[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return m;
}

// ------------------------------------------------------------------ hooks

// Appends "<kind> <status from the stdin state> <mount ns>" to the log. The
// explicit PATH matters for createContainer hooks, which get an empty env.
const char* kHookScript =
    "#!/bin/sh\n"
    "PATH=/usr/bin:/bin\n"
    "status=$(sed -n 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/p')\n"
    "echo \"$1 $status $(readlink /proc/self/ns/mnt)\" >> \"$2\"\n";

Json hook(const std::string& path, const std::string& kind, const std::string& log) {
  return {{"path", path}, {"args", {"hook.sh", kind, log}}};
}

class ExecIoHooksTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    logdir_ = tmp_ + "/hooklog";
    std::filesystem::create_directories(logdir_);
    host_hook_ = tmp_ + "/hook.sh";
    write_file(host_hook_, kHookScript);
    ::chmod(host_hook_.c_str(), 0755);
    std::string in_box = in_rootfs(bundle_, "/hook.sh");
    write_file(in_box, kHookScript);
    ::chmod(in_box.c_str(), 0755);
    // One log for every hook, host and container side, keeps the order.
    config_["mounts"].push_back({{"destination", "/hooklog"},
                                 {"type", "bind"},
                                 {"source", logdir_},
                                 {"options", {"rbind", "rw"}}});
  }
  std::string log() const { return logdir_ + "/log"; }

  std::string logdir_;
  std::string host_hook_;
};

TEST_F(ExecIoHooksTest, AllSixHooksRunInOrderWithTheirStatusAndNamespace) {
  auto& h = config_["hooks"];
  h["prestart"] = Json::array({hook(host_hook_, "prestart", log())});
  h["createRuntime"] = Json::array({hook(host_hook_, "createRuntime", log())});
  h["createContainer"] = Json::array({hook(host_hook_, "createContainer", log())});
  // Resolved inside the container, after pivot_root.
  h["startContainer"] = Json::array({hook("/hook.sh", "startContainer", "/hooklog/log")});
  h["poststart"] = Json::array({hook(host_hook_, "poststart", log())});
  h["poststop"] = Json::array({hook(host_hook_, "poststop", log())});
  set_args({"sleep", "1"});

  auto r = create();
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string box_mnt = host_link("/proc/" + std::to_string(state_pid(id_)) + "/ns/mnt");
  ASSERT_FALSE(box_mnt.empty());
  r = rt({"start", id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_TRUE(wait_for_status(id_, "stopped", 5s));
  r = rt({"delete", id_});
  ASSERT_EQ(r.exit_code, 0) << r;

  std::string host_mnt = host_link("/proc/self/ns/mnt");
  auto lines = split_lines(read_file(log()));
  ASSERT_EQ(lines.size(), 6u) << read_file(log());
  EXPECT_EQ(lines[0], "prestart creating " + host_mnt);
  EXPECT_EQ(lines[1], "createRuntime creating " + host_mnt);
  EXPECT_EQ(lines[2], "createContainer creating " + box_mnt);
  // startContainer runs in init after `start` released it, concurrently with
  // poststart in the runtime: their relative order is not defined (runc too).
  std::vector<std::string> middle{lines[3], lines[4]};
  std::sort(middle.begin(), middle.end());
  EXPECT_EQ(middle[1], "startContainer created " + box_mnt);
  // poststart: "running" (runc HEAD, orun) or "created" (runc <= 1.5).
  EXPECT_THAT(middle[0], ::testing::AnyOf("poststart running " + host_mnt,
                                          "poststart created " + host_mnt));
  EXPECT_EQ(lines[5], "poststop stopped " + host_mnt);
  expect_nothing_left(id_);
}

TEST_F(ExecIoHooksTest, FailingPrestartFailsCreateAndCleansUp) {
  config_["hooks"]["prestart"] = Json::array(
      {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo hook-said-no >&2; exit 3"}}}});
  config_["hooks"]["poststop"] = Json::array({hook(host_hook_, "poststop", log())});
  set_args({"true"});
  auto r = create();
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("error running prestart hook #0")) << r;
  EXPECT_THAT(r.err, HasSubstr("hook-said-no")) << r;
  expect_nothing_left(id_);
  EXPECT_EQ(split_lines(read_file(log())),
            std::vector<std::string>{"poststop stopped " + host_link("/proc/self/ns/mnt")});
}

TEST_F(ExecIoHooksTest, HookTimeoutKillsItQuickly) {
  config_["hooks"]["prestart"] =
      Json::array({{{"path", "/bin/sleep"}, {"args", {"sleep", "10"}}, {"timeout", 1}}});
  set_args({"true"});
  auto start = std::chrono::steady_clock::now();
  auto r = create();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("hook ran past specified timeout of 1.0s")) << r;
  EXPECT_LT(took, 5s);
  expect_nothing_left(id_);
}

// ------------------------------------------------------------ NOTIFY_SOCKET

TEST_F(ExecIoTest, NotifySocketRelaysReadyAndMainPid) {
  std::string host_sock = tmp_ + "/host-notify.sock";
  Fd listener(bound_socket(SOCK_DGRAM, host_sock));
  ASSERT_GE(listener.get(), 0) << std::strerror(errno);
  config_["root"]["readonly"] = false;
  set_args({"sh", "-c", "echo $NOTIFY_SOCKET > /tmp/notify-env; ls /run/notify > /tmp/notify-ls; sleep 30"});

  BackgroundCommand run(rt_argv({"run", "-d", "--bundle", bundle_, id_}),
                        {.extra_env = {{"NOTIFY_SOCKET", host_sock}}});
  // orun binds the container-side socket under its state dir; the container
  // sees it as /run/notify/notify.sock. Sending READY from the host side of
  // that bind mount is what a process inside would do (busybox has no
  // unixgram client).
  std::string box_sock = root_ + "/" + id_ + "/notify/notify.sock";
  for (int i = 0; i < 100 && !path_exists(box_sock); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(path_exists(box_sock)) << "no notify socket at " << box_sock;
  std::string env_file = in_rootfs(bundle_, "/tmp/notify-env");
  for (int i = 0; i < 100 && read_file(env_file).empty(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(read_file(env_file), "/run/notify/notify.sock\n");
  EXPECT_EQ(read_file(in_rootfs(bundle_, "/tmp/notify-ls")), "notify.sock\n");

  // Not READY yet: run -d must still be waiting.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(::kill(run.pid(), 0), 0);
  EXPECT_FALSE(wait_readable(listener.get(), 0ms)) << "relayed before READY";

  Fd sender(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  auto addr = unix_addr(box_sock);
  ASSERT_EQ(::sendto(sender.get(), "READY=1", 7, 0, reinterpret_cast<sockaddr*>(&addr),
                     sizeof(addr)),
            7)
      << std::strerror(errno);

  std::string relayed;
  while (relayed.find("MAINPID=") == std::string::npos) {
    auto m = recv_message(listener.get(), 3s);
    if (!m) break;
    relayed += m->data;
    for (int fd : m->fds) ::close(fd);
  }
  // runc then sends BARRIER=1 with a pipe; closing it is the acknowledgement
  // the relay waits for (up to 30 s).
  if (auto m = recv_message(listener.get(), 500ms)) {
    for (int fd : m->fds) ::close(fd);
  }
  auto r = run.wait(10s);
  EXPECT_EQ(r.exit_code, 0) << r;
  pid_t pid = state_pid(id_);
  track_pid(pid);
  EXPECT_THAT(relayed, HasSubstr("READY=1\n"));
  EXPECT_THAT(relayed, HasSubstr("MAINPID=" + std::to_string(pid) + "\n"));
  EXPECT_EQ(status(id_), "running");
}

// ------------------------------------------------------------ --preserve-fds

// Runs the runtime with fds 3 and 4 open on files holding "three" and "four",
// and fd 5 on /dev/null, all inheritable, as a supervisor would pass them.
std::vector<std::string> with_extra_fds(const std::string& tmp, std::vector<std::string> argv) {
  write_file(tmp + "/fd3", "three\n");
  write_file(tmp + "/fd4", "four\n");
  std::vector<std::string> out{
      "sh", "-c", "f3=$1; f4=$2; shift 2; exec 3<\"$f3\" 4<\"$f4\" 5</dev/null; exec \"$@\"",
      "sh", tmp + "/fd3", tmp + "/fd4"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

const char* kFdScript = "ls /proc/self/fd | sort -n | tr '\\n' ' '; echo; cat <&3 2>/dev/null; cat <&4 2>/dev/null; true";

TEST_F(ExecIoTest, PreserveFdsPassesExactlyTheRequestedFds) {
  set_args({"sh", "-c", kFdScript});
  auto r = run_command(with_extra_fds(tmp_, rt_argv({"run", "--preserve-fds", "2", "--bundle", bundle_, id_})));
  ASSERT_EQ(r.exit_code, 0) << r;
  // sh holds 0-4; ls adds its directory fd (5). Our fd 5 is not passed.
  EXPECT_EQ(r.out, "0 1 2 3 4 5 \nthree\nfour\n") << r;
}

TEST_F(ExecIoTest, WithoutPreserveFdsInheritedFdsDoNotLeak) {
  set_args({"sh", "-c", kFdScript});
  auto r = run_command(with_extra_fds(tmp_, rt_argv({"run", "--bundle", bundle_, id_})));
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "0 1 2 3 \n") << r;
}

TEST_F(ExecIoTest, ExecPreserveFdsPassesExactlyTheRequestedFds) {
  set_args({"sleep", "30"});
  auto r = rt({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  r = run_command(with_extra_fds(tmp_, rt_argv({"exec", "--preserve-fds", "2", id_, "sh", "-c", kFdScript})));
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "0 1 2 3 4 5 \nthree\nfour\n") << r;
  r = run_command(with_extra_fds(tmp_, rt_argv({"exec", id_, "sh", "-c", kFdScript})));
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "0 1 2 3 \n") << r;
}

// ----------------------------------------------------------- --console-socket

// Accepts the runtime's connection and takes the pty master it sends.
int receive_pty_master(int listener, std::string* name) {
  if (!wait_readable(listener, 5s)) return -1;
  Fd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (conn.get() < 0) return -1;
  auto m = recv_message(conn.get(), 5s);
  if (!m || m->fds.size() != 1) {
    if (m)
      for (int fd : m->fds) ::close(fd);
    return -1;
  }
  *name = m->data;
  return m->fds[0];
}

TEST_F(ExecIoTest, ConsoleSocketReceivesTheInitPty) {
  std::string sock = tmp_ + "/console.sock";
  Fd listener(bound_socket(SOCK_STREAM, sock));
  ASSERT_GE(listener.get(), 0) << std::strerror(errno);
  config_["process"]["terminal"] = true;
  set_args({"sh", "-c", "echo tty-ok; tty; sleep 30"});
  auto r = rt({"run", "-d", "--console-socket", sock, "--bundle", bundle_, id_}, {.timeout = 10s});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  std::string name;
  Fd master(receive_pty_master(listener.get(), &name));
  ASSERT_GE(master.get(), 0) << "no pty master received";
  // The payload names the master (runc: /dev/pts/ptmx), not the slave.
  EXPECT_THAT(name, HasSubstr("ptmx"));
  auto out = read_until(master.get(), "/dev/pts/0", 5s);
  EXPECT_THAT(out, HasSubstr("tty-ok"));
  EXPECT_THAT(out, HasSubstr("/dev/pts/0"));
}

TEST_F(ExecIoTest, ExecDetachedTtyUsesTheConsoleSocket) {
  set_args({"sleep", "30"});
  auto r = rt({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  std::string sock = tmp_ + "/console.sock";
  Fd listener(bound_socket(SOCK_STREAM, sock));
  ASSERT_GE(listener.get(), 0) << std::strerror(errno);
  r = rt({"exec", "-d", "-t", "--console-socket", sock, id_, "sh", "-c", "echo tty-ok; tty"},
         {.timeout = 10s});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string name;
  Fd master(receive_pty_master(listener.get(), &name));
  ASSERT_GE(master.get(), 0) << "no pty master received";
  // The payload names the master (runc: /dev/pts/ptmx), not the slave.
  EXPECT_THAT(name, HasSubstr("ptmx"));
  auto out = read_until(master.get(), "/dev/pts/", 5s);
  EXPECT_THAT(out, HasSubstr("tty-ok"));
  EXPECT_THAT(out, HasSubstr("/dev/pts/"));
  EXPECT_THAT(out, Not(HasSubstr("not a tty")));
  // The exec'd process was re-parented to us (subreaper). Reap it now: as an
  // unreaped zombie in the container's pid namespace it would keep the dying
  // init from exiting, stalling the teardown's delete --force.
  for (int i = 0; i < 40 && live_children().size() > 1; ++i) std::this_thread::sleep_for(50ms);
  reap_zombies();
}

// ------------------------------------------------------------------ signals

TEST_F(ExecIoTest, ForegroundRunForwardsSigusr1) {
  config_["root"]["readonly"] = false;
  set_args({"sh", "-c",
            "trap 'echo got-usr1; exit 7' USR1; touch /tmp/ready; while true; do sleep 0.1; done"});
  BackgroundCommand run(rt_argv({"run", "--bundle", bundle_, id_}));
  std::string ready = in_rootfs(bundle_, "/tmp/ready");
  for (int i = 0; i < 100 && !path_exists(ready); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(path_exists(ready)) << "container did not start";
  run.signal(SIGUSR1);
  auto r = run.wait(10s);
  EXPECT_EQ(r.exit_code, 7) << r;
  EXPECT_EQ(r.signal, 0) << r;
  EXPECT_EQ(r.out, "got-usr1\n") << r;
  expect_nothing_left(id_);
}

TEST_F(ExecIoTest, ForegroundRunExits137WhenContainerIsKilled) {
  config_["root"]["readonly"] = false;
  set_args({"sh", "-c", "touch /tmp/ready; while true; do sleep 0.1; done"});
  BackgroundCommand run(rt_argv({"run", "--bundle", bundle_, id_}));
  std::string ready = in_rootfs(bundle_, "/tmp/ready");
  for (int i = 0; i < 100 && !path_exists(ready); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(path_exists(ready)) << "container did not start";
  auto k = rt({"kill", id_, "KILL"});
  EXPECT_EQ(k.exit_code, 0) << k;
  auto r = run.wait(10s);
  EXPECT_EQ(r.exit_code, 137) << r;
  EXPECT_EQ(r.signal, 0) << "the runtime itself must exit, not be killed: " << r;
}

// --------------------------------------------------- exec joins namespaces

const char* kNsScript = "for n in pid net ipc uts mnt user cgroup; do echo $n $(readlink /proc/self/ns/$n); done";

class ExecIoNsTest : public ContainerTest {
 protected:
  void check_exec_joins(const std::vector<std::string>& kinds) {
    config_["hostname"] = "exec-box";
    set_args({"sleep", "30"});
    auto r = rt({"run", "-d", "--bundle", bundle_, id_});
    ASSERT_EQ(r.exit_code, 0) << r;
    pid_t pid = state_pid(id_);
    ASSERT_GT(pid, 0);
    track_pid(pid);
    r = rt({"exec", id_, "sh", "-c", kNsScript});
    ASSERT_EQ(r.exit_code, 0) << r;
    auto inside = key_values(r.out);
    for (const auto& k : kinds) {
      std::string init_ns = host_link("/proc/" + std::to_string(pid) + "/ns/" + k);
      ASSERT_FALSE(init_ns.empty()) << k;
      EXPECT_EQ(inside[k], init_ns) << k << " namespace not joined";
    }
    // Every namespace of the init, requested or inherited, is the exec's too.
    for (const char* k : {"pid", "net", "ipc", "uts", "mnt", "user", "cgroup"}) {
      EXPECT_EQ(inside[k], host_link("/proc/" + std::to_string(pid) + "/ns/" + k)) << k;
    }
    r = rt({"exec", id_, "hostname"});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, "exec-box\n");
    // A pid namespace: the exec'd process sees init as pid 1.
    r = rt({"exec", id_, "cat", "/proc/1/cmdline"});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, std::string("sleep\0" "30\0", 9));
  }
};

TEST_F(ExecIoNsTest, ExecJoinsTheContainerNamespaces) {
  check_exec_joins({"pid", "net", "ipc", "uts", "mnt"});
  for (const char* k : {"pid", "net", "ipc", "uts", "mnt"}) {
    EXPECT_NE(host_link("/proc/" + std::to_string(state_pid(id_)) + "/ns/" + k),
              host_link(std::string("/proc/self/ns/") + k))
        << k;
  }
}

TEST_F(ExecIoNsTest, ExecJoinsTheUserNamespace) {
  config_["linux"]["namespaces"].push_back({{"type", "user"}});
  config_["linux"]["uidMappings"] =
      Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  config_["linux"]["gidMappings"] =
      Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  check_exec_joins({"pid", "net", "ipc", "uts", "mnt", "user"});
  auto r = rt({"exec", id_, "sh", "-c", "id -u; cat /proc/self/uid_map"});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r;
  EXPECT_EQ(lines[0], "0");
  EXPECT_THAT(lines[1], ::testing::MatchesRegex(" *0 +100000 +65536"));
}

}  // namespace
}  // namespace orun::itest
