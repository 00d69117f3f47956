// /etc/passwd and /etc/group parsing, umask, and the user switch (run in
// forked children so the test process keeps its credentials).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

#include "init/user.hpp"
#include "in_child.hpp"

using namespace orun::init;

using orun::unittest::in_child;

namespace {

// Runs fn in a forked child; returns its exit code (or 128+signal).
}  // namespace

TEST(UserPasswd, ParsesFieldsAndSkipsBlankLines) {
  auto e = parse_passwd("root:x:0:0:root:/root:/bin/bash\n\n  \n"
                        "app:x:1000:1001:App User:/home/app:/bin/sh\r\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].name, "root");
  EXPECT_EQ(e[0].home, "/root");
  EXPECT_EQ(e[1].uid, 1000);
  EXPECT_EQ(e[1].gid, 1001);
  EXPECT_EQ(e[1].gecos, "App User");
  EXPECT_EQ(e[1].shell, "/bin/sh");
}

TEST(UserPasswd, ShortLinesLeaveFieldsEmpty) {
  auto e = parse_passwd("short:x:7\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].uid, 7);
  EXPECT_EQ(e[0].gid, 0);
  EXPECT_EQ(e[0].home, "");
}

TEST(UserPasswd, NonNumericIdReadsAsZeroLikeGo) {
  auto e = parse_passwd("weird:x:abc:12x:::\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].uid, 0);
  EXPECT_EQ(e[0].gid, 0);
}

TEST(UserPasswd, FindByUidTakesFirstMatch) {
  auto e = parse_passwd("a:x:5:5::/first:\nb:x:5:5::/second:\n");
  auto u = find_passwd_uid(e, 5);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->home, "/first");
  EXPECT_FALSE(find_passwd_uid(e, 6));
}

TEST(UserGroup, ParsesMembersAndSkipsComments) {
  auto g = parse_group("# comment\nwheel:x:10:root,app\nempty:x:20:\nnolist:x:30\n");
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].name, "wheel");
  EXPECT_EQ(g[0].gid, 10);
  EXPECT_EQ(g[0].members, (std::vector<std::string>{"root", "app"}));
  EXPECT_TRUE(g[1].members.empty());
  EXPECT_EQ(g[2].gid, 30);
}

TEST(UserUmask, DefaultIs0022) {
  orun::spec::User u;
  EXPECT_EQ(init_umask(u), 0022u);
  u.umask = 077;
  EXPECT_EQ(init_umask(u), 077u);
}

TEST(UserSwitch, SetsGroupsGidUid) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    orun::spec::User u;
    u.uid = 1234;
    u.gid = 2345;
    u.additional_gids = {10, 20};
    if (!setup_user(u, true)) return 1;
    if (getuid() != 1234 || geteuid() != 1234) return 2;
    if (getgid() != 2345 || getegid() != 2345) return 3;
    gid_t groups[8];
    int n = getgroups(8, groups);
    if (n != 2 || groups[0] != 10 || groups[1] != 20) return 4;
    // Keep-caps was cleared again.
    if (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0) return 5;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(UserSwitch, SkipsSetgroupsWhenNotAllowed) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    gid_t one = 77;
    if (setgroups(1, &one) < 0) return 10;
    orun::spec::User u;
    u.uid = 1;
    u.gid = 1;
    u.additional_gids = {10};
    if (!setup_user(u, false)) return 1;
    gid_t groups[8];
    int n = getgroups(8, groups);
    return (n == 1 && groups[0] == 77) ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST(UserSwitch, ErrorsCarryRuncPrefix) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    // Drop to an unprivileged uid first so setgroups fails with EPERM.
    if (setresuid(5000, 5000, 5000) < 0) return 10;
    orun::spec::User u;
    u.uid = 1;
    u.gid = 1;
    auto r = setup_user(u, true);
    if (r) return 1;
    return r.error().msg == "unable to setup user: setgroups: operation not permitted" ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST(UserStdio, ChownsStdioButNotDevNull) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/orun-stdio-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string path = tmpl;
  int rc = in_child([&] {
    int out = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (out < 0 || null < 0) return 10;
    dup2(null, 0);
    dup2(out, 1);
    dup2(null, 2);
    if (!fix_stdio_permissions(4321)) return 1;
    struct stat st{};
    if (stat("/dev/null", &st) < 0 || st.st_uid != 0) return 2;
    if (fstat(1, &st) < 0 || st.st_uid != 4321) return 3;
    return 0;
  });
  EXPECT_EQ(rc, 0);
  unlink(path.c_str());
}

TEST(UserNoNewPrivs, SetsTheFlag) {
  int rc = in_child([] {
    if (!set_no_new_privs()) return 1;
    return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

namespace {

// Forks a child into a new user namespace mapping only 0 -> 0 with setgroups
// denied, runs fn there, and returns its exit code.
int in_userns_child(const std::function<int()>& fn) {
  int ready[2], done[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) return 100;
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    if (unshare(CLONE_NEWUSER) < 0) _exit(101);
    if (write(ready[1], "x", 1) != 1) _exit(102);
    if (read(done[0], &c, 1) != 1) _exit(103);
    _exit(fn());
  }
  char c;
  if (read(ready[0], &c, 1) != 1) return 104;
  std::string base = "/proc/" + std::to_string(pid);
  auto put = [&](const std::string& f, const std::string& v) {
    int fd = open((base + f).c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = write(fd, v.data(), v.size()) == static_cast<ssize_t>(v.size());
    close(fd);
    return ok;
  };
  bool ok = put("/setgroups", "deny") && put("/gid_map", "0 0 1\n") && put("/uid_map", "0 0 1\n");
  if (write(done[1], "x", 1) != 1) ok = false;
  int st = 0;
  waitpid(pid, &st, 0);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) close(fd);
  if (!ok) return 105;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

TEST(UserSwitchUserns, SetgroupsDenySkipsSupplementaryGroups) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_userns_child([] {
    orun::spec::User u;
    u.additional_gids = {10, 20};
    auto allow = setgroups_allowed(true);
    if (!allow) {
      fprintf(stderr, "%s\n", allow.error().msg.c_str());
      return 3;
    }
    if (*allow) return 4;  // the namespace says "deny"
    auto r = setup_user(u, *allow);
    if (!r) {
      fprintf(stderr, "%s\n", r.error().msg.c_str());
      return 1;
    }
    return getuid() == 0 ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST(UserSwitchUserns, UnmappedUidHasRuncText) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_userns_child([] {
    orun::spec::User u;
    u.uid = 5;
    auto r = setup_user(u, false);
    if (r) return 1;
    if (r.error().msg != "unable to setup user: cannot setuid to unmapped uid 5 in user namespace") {
      fprintf(stderr, "%s\n", r.error().msg.c_str());
      return 2;
    }
    u.uid = 0;
    u.gid = 6;
    r = setup_user(u, false);
    if (r) return 3;
    return r.error().msg == "unable to setup user: cannot setgid to unmapped gid 6 in user namespace" ? 0 : 4;
  });
  EXPECT_EQ(rc, 0);
}
