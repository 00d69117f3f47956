// linux.seccomp against real containers: errno values, kill, default action
// with an allow list, the ENOSYS stub, the compiled-program cache, bad
// profiles, and SCMP_ACT_NOTIFY delivered to an agent written here.
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using SecuritySeccompTest = ContainerTest;

const std::vector<std::string> kSleepForever{"sh", "-c", "while :; do sleep 0.1; done"};

const Json kX86Archs = Json::array({"SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64"});

Json deny_mkdir(const std::string& action, std::optional<int> errno_ret = std::nullopt) {
  Json rule = {{"names", {"mkdir", "mkdirat"}}, {"action", action}};
  if (errno_ret) rule["errnoRet"] = *errno_ret;
  return {{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", kX86Archs}, {"syscalls", Json::array({rule})}};
}

// The seccomp section of the config.json Docker wrote for a container
// (tests/data/docker-create-config.json, recorded from a real engine).
Json docker_profile() {
  std::ifstream f(ORUN_TEST_DATA "/docker-create-config.json");
  if (!f) {
    ADD_FAILURE() << "missing " ORUN_TEST_DATA "/docker-create-config.json";
    return nullptr;
  }
  return Json::parse(f)["linux"]["seccomp"];
}

TEST_F(SecuritySeccompTest, ErrnoRetIsWhatTheSyscallReturns) {
  for (bool nnp : {false, true}) {
    config_["process"]["noNewPrivileges"] = nnp;
    // 42 = ENOMSG, a value nothing else would produce.
    config_["linux"]["seccomp"] = deny_mkdir("SCMP_ACT_ERRNO", 42);
    auto r = run_sh("mkdir /dev/shm/foo");
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("No message of desired type")) << "nnp=" << nnp << " " << r;
  }
}

TEST_F(SecuritySeccompTest, ErrnoDefaultsToEperm) {
  config_["linux"]["seccomp"] = deny_mkdir("SCMP_ACT_ERRNO");
  auto r = run_sh("mkdir /dev/shm/foo; echo after=$?; touch /dev/shm/bar && echo touched");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  EXPECT_THAT(r.out, HasSubstr("after=1"));
  EXPECT_THAT(r.out, HasSubstr("touched"));
}

TEST_F(SecuritySeccompTest, KillActionKillsWithSigsys) {
  config_["linux"]["seccomp"] = deny_mkdir("SCMP_ACT_KILL");
  config_["process"]["rlimits"] = Json::array({{{"type", "RLIMIT_CORE"}, {"soft", 0}, {"hard", 0}}});
  set_args({"mkdir", "/dev/shm/foo"});
  auto r = run_fg();
  EXPECT_EQ(r.exit_code, 128 + SIGSYS) << r;
  config_["linux"]["seccomp"] = deny_mkdir("SCMP_ACT_KILL_PROCESS");
  r = run_fg();
  EXPECT_EQ(r.exit_code, 128 + SIGSYS) << r;
}

TEST_F(SecuritySeccompTest, DefaultErrnoWithAllowList) {
  Json profile = docker_profile();
  // Docker's default: ERRNO(EPERM) for everything not allowed.
  config_["linux"]["seccomp"] = profile;
  config_["process"]["noNewPrivileges"] = true;
  auto r = run_sh("mkdir /dev/shm/ok && echo mkdir-ok; unshare -m true; echo unshare=$?; grep Seccomp: /proc/self/status");
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("mkdir-ok"));
  EXPECT_THAT(r.out, HasSubstr("unshare=1"));
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2"));
}

// A static test program, when a compiler is around: the numbers the kernel
// returns for a listed, an unlisted and a too-new syscall.
// Whether gcc can link a static program here (gcc and libc.a installed).
bool have_static_cc() {
  auto libc = run_command({"gcc", "-print-file-name=libc.a"});
  std::string path = trim(libc.out);  // just "libc.a" when gcc has none
  return libc.exit_code == 0 && path.starts_with('/') && path_exists(path);
}

std::string build_probe(const std::string& dir) {
  std::string src = dir + "/probe.c", bin = dir + "/probe";
  std::ofstream(src) << R"(#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
  long r = syscall(SYS_mkdir, "/dev/shm/x", 0755);
  printf("mkdir=%ld/%d\n", r, r < 0 ? errno : 0);
  r = syscall(SYS_sethostname, "x", 1);
  printf("sethostname=%ld/%d\n", r, r < 0 ? errno : 0);
  r = syscall(1000);
  printf("nr1000=%ld/%d\n", r, r < 0 ? errno : 0);
  return 0;
}
)";
  auto cc = run_command({"gcc", "-static", "-O1", "-o", bin, src});
  EXPECT_EQ(cc.exit_code, 0) << cc;
  return cc.exit_code == 0 ? bin : "";
}

TEST_F(SecuritySeccompTest, EnosysForSyscallsNewerThanTheProfile) {
  if (!have_static_cc()) GTEST_SKIP() << "no static C compiler (gcc with libc.a)";
  std::string probe = build_probe(tmp_);
  ASSERT_FALSE(probe.empty());
  ASSERT_EQ(run_command({"cp", probe, in_rootfs(bundle_, "/probe")}).exit_code, 0);
  Json profile = docker_profile();
  // Docker's list with mkdir given errno 42 (instead of allowed) and a
  // default errno of ENXIO.
  profile["defaultErrnoRet"] = ENXIO;
  for (auto& rule : profile["syscalls"]) {
    Json names = Json::array();
    for (auto& n : rule["names"])
      if (n != "mkdir") names.push_back(n);
    rule["names"] = names;
  }
  profile["syscalls"].push_back({{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 42}});
  config_["linux"]["seccomp"] = profile;
  set_args({"/probe"});
  auto r = run_fg();
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("mkdir=-1/42"));
  // sethostname is not in Docker's list (without CAP_SYS_ADMIN): the default.
  EXPECT_THAT(r.out, HasSubstr("sethostname=-1/" + std::to_string(ENXIO)));
  // Past every syscall the profile names: ENOSYS, not the default errno.
  EXPECT_THAT(r.out, HasSubstr("nr1000=-1/" + std::to_string(ENOSYS)));
}

TEST_F(SecuritySeccompTest, CompiledProgramIsCachedByProfile) {
  if (runtime_is_runc()) GTEST_SKIP() << "orun's cache";
  config_["linux"]["seccomp"] = deny_mkdir("SCMP_ACT_ERRNO", 42);
  set_args({"true"});
  auto r = rt({"--debug", "run", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("seccomp: compiled"));
  // One regular file in --root, beside the containers (none left here).
  std::vector<std::string> entries;
  for (auto& e : std::filesystem::directory_iterator(root_)) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{".orun:seccomp-cache"});
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(root_ + "/.orun:seccomp-cache")));
  // The second container with the same profile skips libseccomp.
  r = rt({"--debug", "run", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("from the cache"));
  EXPECT_THAT(r.err, Not(HasSubstr("seccomp: compiled")));
  // And still enforces it.
  r = run_sh("mkdir /dev/shm/foo");
  EXPECT_THAT(r.err, HasSubstr("No message of desired type")) << r;
}

// runc logs each unknown name at debug level on every run; a program from
// orun's cache must not hide it.
TEST_F(SecuritySeccompTest, UnknownSyscallIsLoggedOnEveryRun) {
  Json p = deny_mkdir("SCMP_ACT_ERRNO", 42);
  p["syscalls"].push_back({{"names", {"no_such_syscall_at_all"}}, {"action", "SCMP_ACT_ERRNO"}});
  config_["linux"]["seccomp"] = p;
  set_args({"true"});
  for (int run = 1; run <= 2; run++) {
    auto r = rt({"--debug", "run", "--bundle", bundle_, id_});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr(R"(unknown seccomp syscall \"no_such_syscall_at_all\" ignored)")) << "run " << run << r;
  }
}

// Whatever orun keeps in --root besides containers is not a container to
// `list`, nor to runc's `list` on the same root (Debian's runc here: it
// printed "load container .seccomp-cache: ..." for the old cache dir).
TEST_F(SecuritySeccompTest, CacheIsNoContainerToListOrRunc) {
  config_["linux"]["seccomp"] = deny_mkdir("SCMP_ACT_ERRNO", 42);
  set_args({"true"});
  ASSERT_EQ(run_fg().exit_code, 0);
  for (const std::string& bin : {runtime_binary(), std::string("/usr/sbin/runc")}) {
    if (!path_exists(bin)) continue;
    for (auto format : {"table", "json"}) {
      auto l = run_command({bin, "--root", root_, "list", "--format", format});
      EXPECT_EQ(l.exit_code, 0) << bin << l;
      EXPECT_EQ(l.err, "") << bin << l;
      EXPECT_EQ(split_lines(l.out).size(), 1u) << bin << l;  // the header, or "null"
    }
  }
  set_args(kSleepForever);
  auto r = rt({"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(r.exit_code, 0) << r;
  track_pid(state_pid(id_));
  auto l = rt({"list", "-q"});
  EXPECT_EQ(l.out, id_ + "\n") << l;
  EXPECT_EQ(l.err, "") << l;
}

TEST_F(SecuritySeccompTest, BadProfilesNameTheRuleAndLeaveNothing) {
  struct Case {
    Json profile;
    std::string want;
  } cases[] = {
      {{{"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls", {{{"names", {"read"}}, {"action", "SCMP_ACT_ERRNO"}}, {{"names", {"mkdir"}}, {"action", "SCMP_ACT_BOGUS"}}}}},
       "SCMP_ACT_BOGUS is not a valid action for seccomp"},
      {{{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", {"SCMP_ARCH_VAX"}}},
       "SCMP_ARCH_VAX is not a valid arch for seccomp"},
      {{{"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls", {{{"names", {"open"}}, {"action", "SCMP_ACT_ERRNO"}, {"args", {{{"index", 9}, {"op", "SCMP_CMP_EQ"}}}}}}}},
       "syscalls only have up to 6 arguments (9 given)"},
      {{{"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls", {{{"names", {"open"}}, {"action", "SCMP_ACT_ERRNO"}, {"args", {{{"index", 0}, {"op", "EQ"}}}}}}}},
       "string EQ is not a valid operator for seccomp"},
  };
  for (auto& c : cases) {
    config_["linux"]["seccomp"] = c.profile;
    set_args({"true"});
    auto r = run_fg();
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr(c.want)) << r;
    expect_nothing_left(id_);
  }
}

TEST_F(SecuritySeccompTest, UnknownSyscallNamesAreSkipped) {
  Json p = deny_mkdir("SCMP_ACT_ERRNO", 42);
  p["syscalls"].push_back({{"names", {"no_such_syscall_at_all"}}, {"action", "SCMP_ACT_ERRNO"}});
  // Equal to the default action: skipped too.
  p["syscalls"].push_back({{"names", {"getpid"}}, {"action", "SCMP_ACT_ALLOW"}});
  config_["linux"]["seccomp"] = p;
  auto r = run_sh("mkdir /dev/shm/foo");
  EXPECT_THAT(r.err, HasSubstr("No message of desired type")) << r;
}

// --- SCMP_ACT_NOTIFY ---

// A seccomp agent: accepts one connection per container process, takes the
// listener fd and the state JSON, and answers every notification with
// -ENOMEDIUM (or lets it continue).
class Agent {
 public:
  explicit Agent(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << std::strerror(errno);
    EXPECT_EQ(listen(fd_, 4), 0);
    thread_ = std::thread([this] { loop(); });
  }
  ~Agent() {
    stop_ = true;
    thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  Json last_state() {
    std::lock_guard<std::mutex> l(mu_);
    return state_;
  }
  int notifications() const { return notified_; }

 private:
  void loop() {
    std::vector<int> listeners;
    while (!stop_) {
      std::vector<pollfd> p{{fd_, POLLIN, 0}};
      for (int l : listeners) p.push_back({l, POLLIN, 0});
      if (poll(p.data(), p.size(), 50) <= 0) continue;
      if (p[0].revents & POLLIN) accept_one(listeners);
      for (size_t i = 1; i < p.size(); i++) {
        if (p[i].revents & POLLIN) answer(p[i].fd);
        if (p[i].revents & (POLLHUP | POLLERR)) {
          close(p[i].fd);
          listeners.erase(std::find(listeners.begin(), listeners.end(), p[i].fd));
        }
      }
    }
    for (int l : listeners) close(l);
  }
  void accept_one(std::vector<int>& listeners) {
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    char buf[8192];
    char cbuf[CMSG_SPACE(sizeof(int))];
    iovec iov{buf, sizeof(buf)};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = sizeof(cbuf);
    ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
    close(c);
    if (n <= 0) return;
    cmsghdr* cm = CMSG_FIRSTHDR(&m);
    if (!cm || cm->cmsg_type != SCM_RIGHTS) return;
    int lfd;
    std::memcpy(&lfd, CMSG_DATA(cm), sizeof(int));
    listeners.push_back(lfd);
    std::lock_guard<std::mutex> l(mu_);
    state_ = Json::parse(std::string(buf, static_cast<size_t>(n)), nullptr, false);
  }
  void answer(int lfd) {
    seccomp_notif req{};
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.error = -ENOMEDIUM;
    notified_++;
    ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }

  std::string path_;
  int fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> notified_{0};
  std::mutex mu_;
  Json state_;
};

Json notify_mkdir(const std::string& socket) {
  return {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"listenerPath", socket},
          {"listenerMetadata", "orun-test-meta"},
          {"architectures", kX86Archs},
          {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
}

TEST_F(SecuritySeccompTest, NotifyReachesTheAgentWithTheState) {
  std::string sock = tmp_ + "/agent.sock";
  Agent agent(sock);
  for (bool nnp : {false, true}) {
    config_["process"]["noNewPrivileges"] = nnp;
    config_["linux"]["seccomp"] = notify_mkdir(sock);
    auto r = run_sh("mkdir /dev/shm/foo; touch /dev/shm/bar && echo touched");
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("No medium found")) << "nnp=" << nnp << " " << r;
    EXPECT_THAT(r.out, HasSubstr("touched"));
    Json st = agent.last_state();
    EXPECT_EQ(st["fds"], Json::array({"seccompFd"})) << st.dump();
    EXPECT_EQ(st["metadata"], "orun-test-meta");
    EXPECT_EQ(st["state"]["id"], id_);
    EXPECT_EQ(st["state"]["status"], "creating");
    EXPECT_EQ(st["state"]["bundle"], bundle_);
    EXPECT_GT(st["pid"].get<int>(), 0);
  }
  EXPECT_GE(agent.notifications(), 2);
}

TEST_F(SecuritySeccompTest, NotifyForExecSaysRunning) {
  std::string sock = tmp_ + "/agent.sock";
  Agent agent(sock);
  config_["linux"]["seccomp"] = notify_mkdir(sock);
  set_args({"sleep", "30"});
  ASSERT_EQ(rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  pid_t init = state_pid(id_);
  track_pid(init);
  auto r = rt({"exec", id_, "mkdir", "/dev/shm/foo"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("No medium found"));
  Json st = agent.last_state();
  EXPECT_EQ(st["state"]["status"], "running") << st.dump();
  EXPECT_EQ(st["state"]["pid"], init);
  EXPECT_NE(st["pid"], init);
}

TEST_F(SecuritySeccompTest, NotifyWithoutAgentFailsAndLeavesNothing) {
  config_["linux"]["seccomp"] = notify_mkdir(tmp_ + "/nobody-listens.sock");
  set_args({"true"});
  auto r = run_fg();
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("failed to connect with seccomp agent"));
  expect_nothing_left(id_);
}

}  // namespace
}  // namespace orun::itest
