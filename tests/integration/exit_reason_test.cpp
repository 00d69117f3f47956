// issue 12 item 3: how the init ended is named by a foreground `run` when it
// was not a plain exit, kept in the state dir (exit.json) and shown by
// `orun diagnose`; a detached container's end is recorded by the first
// `state` that sees it, with what can still be known. runc 1.1.5 prints
// nothing and keeps nothing.
#include <signal.h>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ExitReasonTest : public ContainerTest {
 protected:
  Json diagnose_exit() {
    auto d = rt({"diagnose", "--format", "json", id_});
    EXPECT_EQ(d.exit_code, 0) << d;
    auto j = Json::parse(d.out, nullptr, false);
    if (!j.is_object() || !j.contains("exit")) return Json();
    return j["exit"];
  }
};

TEST_F(ExitReasonTest, RunNamesTheKillingSignalAndDiagnoseShowsIt) {
  // Without its own pid namespace the init is no namespace's pid 1, so the
  // default action of SIGSEGV applies to it.
  auto& ns = config_["linux"]["namespaces"];
  for (auto it = ns.begin(); it != ns.end(); ++it)
    if ((*it)["type"] == "pid") {
      ns.erase(it);
      break;
    }
  save_config();
  set_args({"sh", "-c", "kill -SEGV $$"});
  auto r = run_fg({"--keep"});
  EXPECT_EQ(r.exit_code, 128 + SIGSEGV) << r;
  EXPECT_THAT(r.err, HasSubstr("container killed by SIGSEGV")) << r;
  Json e = diagnose_exit();
  ASSERT_TRUE(e.is_object()) << e.dump();
  EXPECT_EQ(e.value("signal", ""), "SIGSEGV");
  EXPECT_EQ(e.value("seen_by", ""), "run");
  EXPECT_EQ(e.value("oom_killed", ""), "no");
  auto text = rt({"diagnose", id_});
  EXPECT_THAT(text.out, HasSubstr("container killed by SIGSEGV")) << text;
  rt({"delete", "-f", id_});
}

TEST_F(ExitReasonTest, PlainExitIsNotCommentedButKept) {
  set_args({"sh", "-c", "exit 3"});
  auto r = run_fg({"--keep"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("container"))) << r;
  Json e = diagnose_exit();
  EXPECT_EQ(e.value("exit_code", -1), 3) << e.dump();
  rt({"delete", "-f", id_});
}

TEST_F(ExitReasonTest, DetachedEndIsRecordedByStateWithoutChangingItsOutput) {
  set_args({"sh", "-c", "exit 7"});
  ASSERT_EQ(rt({"run", "--detach", "--bundle", bundle_, id_}).exit_code, 0);
  ASSERT_TRUE(wait_for_status(id_, "stopped", 5s)) << status(id_);
  auto s = rt({"state", id_});
  ASSERT_EQ(s.exit_code, 0) << s;
  auto j = Json::parse(s.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << s.out;
  EXPECT_FALSE(j.contains("exit")) << s.out;
  // This test process is the subreaper the init was reparented to: while
  // the init is an unreaped zombie `state` reads its wait status, once it
  // is reaped the status is unknown. Which one depends on when it is reaped.
  Json e = diagnose_exit();
  EXPECT_EQ(e.value("seen_by", ""), "state") << e.dump();
  if (e.contains("exit_code")) {
    EXPECT_EQ(e.value("exit_code", -1), 7) << e.dump();
    EXPECT_EQ(e.value("reason", ""), "container exited with code 7");
  } else {
    EXPECT_THAT(e.value("reason", ""), HasSubstr("exit status unknown")) << e.dump();
  }
  // Recorded once: a later `state` does not overwrite it.
  reap_zombies();
  ASSERT_EQ(rt({"state", id_}).exit_code, 0);
  EXPECT_EQ(diagnose_exit(), e);
  rt({"delete", "-f", id_});
}

}  // namespace
}  // namespace orun::itest
