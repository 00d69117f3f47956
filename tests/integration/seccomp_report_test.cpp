// issue 12 item 6: which seccomp rule denied it. `orun diagnose` shows the
// kernel's audit records of the container's filter (syscall by name, the
// action): kills always (the kernel logs them), errno denials with orun's
// annotation org.orun.seccomp.report=true, which loads the filter with
// SECCOMP_FILTER_FLAG_LOG and keeps the profile's verdicts. runc 1.1.5 has
// neither; its users read dmesg.
#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SeccompReportTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (runtime_is_runc()) GTEST_SKIP() << "orun's own diagnose";
    int fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) GTEST_SKIP() << "/dev/kmsg is not readable here";
    ::close(fd);
    std::string logged = read_file("/proc/sys/kernel/seccomp/actions_logged");
    if (logged.find("errno") == std::string::npos || logged.find("kill_process") == std::string::npos)
      GTEST_SKIP() << "kernel.seccomp.actions_logged lacks errno or kill_process: " << logged;
  }
  void use_profile(const std::string& name) {
    config_["linux"]["seccomp"] = Json::parse(read_file(std::string(ORUN_TEST_DATA) + "/seccomp/" + name));
  }
  // diagnose's records of the default container, retried briefly: the
  // kernel's audit thread prints them to the log asynchronously.
  Json records(size_t want) {
    Json recs = Json::array();
    for (int i = 0; i < 50; i++) {
      auto d = rt({"diagnose", "--format", "json", id_});
      auto j = Json::parse(d.out, nullptr, false);
      if (j.is_object() && j.contains("seccomp_denials")) recs = j["seccomp_denials"].value("records", Json::array());
      if (recs.size() >= want) break;
      std::this_thread::sleep_for(50ms);
    }
    return recs;
  }
};

TEST_F(SeccompReportTest, ReportAnnotationNamesEachErrnoDenialAndKeepsTheVerdict) {
  use_profile("deny-mkdir-errno.json");
  config_["annotations"]["org.orun.seccomp.report"] = "true";
  set_args({"sh", "-c", "mkdir /tmp/a; echo rc=$?; mkdir /tmp/b; true"});
  save_config();
  auto r = run_fg({"--keep"});
  // The verdict is the profile's: mkdir failed with EPERM.
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("rc=1")) << r;
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted")) << r;
  Json recs = records(2);
  ASSERT_EQ(recs.size(), 2u) << recs.dump();
  for (const auto& r : recs) {
    EXPECT_EQ(r["syscall"], "mkdir") << r.dump();
    EXPECT_EQ(r["action"], "errno") << r.dump();
    EXPECT_EQ(r["comm"], "mkdir") << r.dump();
  }
  auto text = rt({"diagnose", id_});
  EXPECT_THAT(text.out, HasSubstr("mkdir: errno, pid ")) << text;
  EXPECT_THAT(text.out, Not(HasSubstr("logged only with the annotation"))) << text;
  EXPECT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
}

TEST_F(SeccompReportTest, WithoutTheAnnotationErrnoDenialsAreNotLogged) {
  use_profile("deny-mkdir-errno.json");
  set_args({"sh", "-c", "mkdir /tmp/a 2>/dev/null; touch /tmp/done; sleep 100"});
  save_config();
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  track_pid(state_pid(id_));
  for (int i = 0; i < 100 && !path_exists(in_rootfs(bundle_, "/tmp/done")); i++) std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(records(1).size(), 0u);
  auto text = rt({"diagnose", id_});
  EXPECT_THAT(text.out, HasSubstr("errno and trap denials are logged only with the annotation org.orun.seccomp.report=true"))
      << text;
  EXPECT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
}

TEST_F(SeccompReportTest, KillOnSethostnameIsNamedForTheStoppedContainer) {
  use_profile("kill-sethostname.json");
  set_args({"hostname", "denied"});
  save_config();
  auto r = run_fg({"--keep"});
  EXPECT_EQ(r.exit_code, 128 + 31) << r;  // SIGSYS
  Json recs = records(1);
  ASSERT_EQ(recs.size(), 1u) << recs.dump();
  EXPECT_EQ(recs[0]["syscall"], "sethostname");
  EXPECT_EQ(recs[0]["action"], "kill process");
  auto text = rt({"diagnose", id_});
  EXPECT_THAT(text.out, HasSubstr("sethostname: kill process, pid ")) << text;
  EXPECT_THAT(text.out, HasSubstr("container killed by SIGSYS")) << text;
  EXPECT_EQ(rt({"delete", "-f", id_}).exit_code, 0);
}

}  // namespace
}  // namespace orun::itest
