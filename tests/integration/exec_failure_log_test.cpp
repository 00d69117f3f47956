// issue 12 item 5: when the payload's execve fails (after the runtime stopped
// listening), the failure reaches the `--log` file as an error line in the
// chosen format, not only the container's stderr, and ENOENT for a file that
// exists names its missing interpreter (a `#!` line's, or an ELF's
// PT_INTERP). runc 1.1.5 prints `exec <path>: <errno>` on stderr only.
#include <sys/stat.h>

#include <cstring>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A minimal ELF executable of this machine whose PT_INTERP is `interp`: the
// kernel fails its execve with ENOENT when that file is missing.
std::string elf_with_interpreter(const std::string& interp) {
#if defined(__x86_64__)
  const uint16_t machine = 62;
#elif defined(__aarch64__)
  const uint16_t machine = 183;
#else
  const uint16_t machine = 0;
#endif
  if (machine == 0) return {};
  std::string f(64 + 56, '\0');
  auto put = [&f](size_t off, uint64_t v, int len) {
    for (int i = 0; i < len; i++) f[off + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = 2, f[5] = 1, f[6] = 1;
  put(16, 2, 2);          // ET_EXEC
  put(18, machine, 2);
  put(20, 1, 4);          // EV_CURRENT
  put(24, 0x400000, 8);   // entry
  put(32, 64, 8);         // phoff
  put(52, 64, 2);         // ehsize
  put(54, 56, 2);         // phentsize
  put(56, 1, 2);          // phnum
  put(64, 3, 4);          // PT_INTERP
  put(68, 4, 4);          // PF_R
  put(72, 120, 8);        // offset
  put(80, 0x400000 + 120, 8);
  put(88, 0x400000 + 120, 8);
  put(96, interp.size() + 1, 8);
  put(104, interp.size() + 1, 8);
  put(112, 1, 8);
  f += interp;
  f += '\0';
  return f;
}

class ExecFailureLogTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_executable("/bin/not-a-program", std::string("garbage\x01\x02\n", 10));
    add_executable("/bin/no-interpreter", "#!/no/such/interpreter -x\n");
    // Its interpreter exists but is not executable: EACCES from execve.
    add_executable("/bin/bad-interpreter", "#!/etc/passwd\n");
    log_ = tmp_ + "/orun.log";
  }

  void add_executable(const std::string& path, const std::string& data) {
    std::string host = in_rootfs(bundle_, path);
    write_file(host, data);
    ASSERT_EQ(::chmod(host.c_str(), 0755), 0);
  }

  CommandResult run_logged(const std::string& format) {
    return rt({"--log", log_, "--log-format", format, "run", "--bundle", bundle_, id_});
  }

  std::string last_log_line() {
    auto lines = split_lines(read_file(log_));
    return lines.empty() ? std::string() : lines.back();
  }

  std::string log_;
};

TEST_F(ExecFailureLogTest, ExecFormatErrorReachesTheJsonLog) {
  set_args({"/bin/not-a-program"});
  auto r = run_logged("json");
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("exec /bin/not-a-program: exec format error\n"));
  auto line = Json::parse(last_log_line(), nullptr, false);
  ASSERT_TRUE(line.is_object()) << read_file(log_);
  EXPECT_EQ(line.value("level", ""), "error");
  EXPECT_EQ(line.value("msg", ""), "exec /bin/not-a-program: exec format error");
  EXPECT_FALSE(line.value("time", "").empty());
  expect_nothing_left(id_);
}

TEST_F(ExecFailureLogTest, MissingScriptInterpreterIsNamedInTheTextLogStderrKeepsRuncsWords) {
  set_args({"/bin/no-interpreter"});
  auto r = run_logged("text");
  EXPECT_EQ(r.exit_code, 1) << r;
  const std::string msg =
      "exec /bin/no-interpreter: no such file or directory (its interpreter /no/such/interpreter is missing)";
  // stderr keeps runc's exact words (runc's run.bats "[execve error]");
  // the cause is named in the log.
  EXPECT_THAT(r.err, HasSubstr("exec /bin/no-interpreter: no such file or directory\n"));
  EXPECT_THAT(r.err, Not(HasSubstr("its interpreter")));
  std::string line = last_log_line();
  EXPECT_THAT(line, HasSubstr("level=error msg=\"" + msg + "\"")) << read_file(log_);
  EXPECT_EQ(line.rfind("time=\"", 0), 0u) << line;
}

TEST_F(ExecFailureLogTest, MissingElfInterpreterIsNamed) {
  std::string elf = elf_with_interpreter("/lib/ld-musl-x86_64.so.1");
  if (elf.empty()) GTEST_SKIP() << "no ELF fixture for this architecture";
  add_executable("/bin/needs-musl", elf);
  set_args({"/bin/needs-musl"});
  auto r = run_logged("json");
  EXPECT_EQ(r.exit_code, 1) << r;
  const std::string msg =
      "exec /bin/needs-musl: no such file or directory (its interpreter /lib/ld-musl-x86_64.so.1 is missing)";
  EXPECT_THAT(r.err, HasSubstr("exec /bin/needs-musl: no such file or directory\n"));
  EXPECT_THAT(r.err, Not(HasSubstr("its interpreter")));
  auto line = Json::parse(last_log_line(), nullptr, false);
  ASSERT_TRUE(line.is_object()) << read_file(log_);
  EXPECT_EQ(line.value("msg", ""), msg);
}

TEST_F(ExecFailureLogTest, PermissionDeniedReachesTheLog) {
  set_args({"/bin/bad-interpreter"});
  auto r = run_logged("json");
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("exec /bin/bad-interpreter: permission denied\n"));
  auto line = Json::parse(last_log_line(), nullptr, false);
  ASSERT_TRUE(line.is_object()) << read_file(log_);
  EXPECT_EQ(line.value("msg", ""), "exec /bin/bad-interpreter: permission denied");
}

TEST_F(ExecFailureLogTest, CreateStartAndExecReportToTheirLogs) {
  // Detached: the failure happens after `start` returned; the line comes
  // from the init, through the create's --log (the file containerd reads).
  set_args({"/bin/no-interpreter"});
  auto c = rt({"--log", log_, "--log-format", "json", "create", "--bundle", bundle_, id_});
  ASSERT_EQ(c.exit_code, 0) << c;
  auto s = rt({"--log", log_, "--log-format", "json", "start", id_});
  EXPECT_EQ(s.exit_code, 0) << s;
  EXPECT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
  EXPECT_THAT(read_file(log_), HasSubstr("\"level\":\"error\",\"msg\":\"exec /bin/no-interpreter: no such file or "
                                         "directory (its interpreter /no/such/interpreter is missing)\""));
  rt({"delete", "-f", id_});

  // exec into a running container.
  set_args({"sleep", "1000"});
  auto d = rt({"run", "--detach", "--bundle", bundle_, id_});
  ASSERT_EQ(d.exit_code, 0) << d;
  track_pid(state_pid(id_));
  std::string exec_log = tmp_ + "/exec.log";
  auto e = rt({"--log", exec_log, "--log-format", "json", "exec", id_, "/bin/not-a-program"});
  EXPECT_EQ(e.exit_code, 1) << e;
  EXPECT_THAT(e.err, HasSubstr("exec /bin/not-a-program: exec format error"));
  EXPECT_THAT(read_file(exec_log), HasSubstr("\"msg\":\"exec /bin/not-a-program: exec format error\""));
}

TEST_F(ExecFailureLogTest, TheLogFdDoesNotReachTheContainer) {
  set_args({"ls", "/proc/self/fd"});
  auto r = run_logged("json");
  EXPECT_EQ(r.exit_code, 0) << r;
  // 0, 1, 2 and ls's own directory fd: nothing of orun's.
  EXPECT_EQ(split_lines(trim(r.out)).size(), 4u) << r.out;
  EXPECT_THAT(read_file(log_), Not(HasSubstr("\"level\":\"error\"")));
}

}  // namespace
}  // namespace orun::itest
