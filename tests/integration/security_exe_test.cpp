// CVE-2019-5736: a hostile container must not be able to overwrite the
// runtime binary through /proc/self/exe (`#!/proc/self/exe` entrypoints or
// exec targets) or /proc/<pid>/exe of a runtime process. Every test drives a
// private COPY of the runtime, so a regression damages only that copy, and
// checks the copy's bytes afterwards.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

class SecurityExeTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    copy_ = tmp_ + "/runtime-copy/" + std::filesystem::path(runtime_binary()).filename().string();
    std::filesystem::create_directories(std::filesystem::path(copy_).parent_path());
    std::filesystem::copy_file(runtime_binary(), copy_);
    ::chmod(copy_.c_str(), 0755);
    original_ = read_file(copy_);
    ASSERT_FALSE(original_.empty());
    config_["root"]["readonly"] = false;
    // The attack's script: its interpreter is "the binary running me".
    write_file(in_rootfs(bundle_, "/evil"), "#!/proc/self/exe\n");
    ::chmod(in_rootfs(bundle_, "/evil").c_str(), 0755);
    // The same, with an argument the runtime understands.
    write_file(in_rootfs(bundle_, "/ver"), "#!/proc/self/exe --version\n");
    ::chmod(in_rootfs(bundle_, "/ver").c_str(), 0755);
    save_config();
  }

  CommandResult copy_rt(const std::vector<std::string>& args) {
    std::vector<std::string> argv{copy_, "--root", root_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {.timeout = 30s});
  }

  void expect_copy_intact() {
    EXPECT_TRUE(read_file(copy_) == original_) << "the runtime binary was modified through the container";
  }

  std::string copy_;
  std::string original_;
};

// `#!/proc/self/exe` runs the runtime's code as the container's process (as
// with runc): from the sealed clone, so with nothing it can write through.
TEST_F(SecurityExeTest, ShebangProcSelfExeEntrypointRunsOnlyTheSealedClone) {
  set_args({"/ver"});
  auto r = copy_rt({"run", "--bundle", bundle_, id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(" version ")) << r;
  expect_copy_intact();
}

TEST_F(SecurityExeTest, ShebangProcSelfExeExecTargetRunsOnlyTheSealedClone) {
  set_args({"sleep", "30"});
  ASSERT_EQ(copy_rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  auto r = copy_rt({"exec", id_, "/ver"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(" version ")) << r;
  expect_copy_intact();
}

// With --debug the parent says which clone it made (runc's wording, which
// runc's own run.bats checks): overlayfs here, where orun runs as root.
TEST_F(SecurityExeTest, DebugNamesTheCloneMethod) {
  if (runtime_is_runc()) GTEST_SKIP() << "Debian's runc 1.1 predates these lines";
  set_args({"true"});
  auto r = copy_rt({"--debug", "run", "--bundle", bundle_, id_});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("orun exeseal: using /proc/self/exe clone")) << r;
  EXPECT_THAT(r.err, HasSubstr("orun exeseal: using overlayfs for sealed /proc/self/exe")) << r;
}

TEST_F(SecurityExeTest, RacingWriterCannotReachTheRuntimeBinary) {
  // The container's init keeps trying to append to the executable of every
  // process it can see that isn't busybox (runtime processes joining with
  // `exec`, the exec helper, anything), logging each success.
  set_args({"sh", "-c",
            "while :; do for d in /proc/[0-9]*; do "
            "  [ \"$d\" = /proc/$$ ] && continue; "
            "  t=$(readlink $d/exe 2>/dev/null) || continue; "
            "  [ \"$t\" = /bin/busybox ] && continue; "
            "  if (echo pwned >> $d/exe) 2>/dev/null; then echo \"$t\" >> /tmp/pwned; fi; "
            "done; done"});
  ASSERT_EQ(copy_rt({"run", "-d", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  for (int i = 0; i < 15; i++) {
    copy_rt({"exec", id_, "/evil"});
    copy_rt({"exec", id_, "sh", "-c", "sleep 0.05"});
  }
  copy_rt({"kill", id_, "KILL"});
  std::string pwned = read_file(in_rootfs(bundle_, "/tmp/pwned"));
  EXPECT_EQ(pwned, "") << "the container wrote to these executables:\n" << pwned;
  expect_copy_intact();
}

}  // namespace
}  // namespace orun::itest
