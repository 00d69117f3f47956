// The verified procfs handle: path rules, subset view, and refusing files
// that are not genuine procfs files.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "sys/procfs.hpp"
#include "in_child.hpp"

using orun::unittest::in_child;

using namespace orun::sys;

TEST(ProcfsPaths, PlainRelativeOnly) {
  EXPECT_TRUE(is_plain_relative_path("self/oom_score_adj"));
  EXPECT_TRUE(is_plain_relative_path("sys/net/ipv4/ip_forward"));
  EXPECT_FALSE(is_plain_relative_path(""));
  EXPECT_FALSE(is_plain_relative_path("/self/status"));
  EXPECT_FALSE(is_plain_relative_path("self/../1/status"));
  EXPECT_FALSE(is_plain_relative_path("self//status"));
  EXPECT_FALSE(is_plain_relative_path("./self"));
  EXPECT_FALSE(is_plain_relative_path("self/"));
}

TEST(ProcfsPaths, SelfIsRewritten) {
  EXPECT_EQ(resolve_self_path("self/uid_map", 42, 43), "42/uid_map");
  EXPECT_EQ(resolve_self_path("self", 42, 43), "42");
  EXPECT_EQ(resolve_self_path("thread-self/attr/exec", 42, 43), "42/task/43/attr/exec");
  EXPECT_EQ(resolve_self_path("selfish/x", 42, 43), "selfish/x");
  EXPECT_EQ(resolve_self_path("7/uid_map", 42, 43), "7/uid_map");
}

TEST(ProcfsHandle, ReadsOwnStatus) {
  auto proc = open_procfs();
  ASSERT_TRUE(proc) << proc.error().msg;
  auto status = read_proc_file(proc->get(), "self/status");
  ASSERT_TRUE(status) << status.error().msg;
  EXPECT_NE(status->find("Pid:\t" + std::to_string(getpid())), std::string::npos);
  auto thread = read_proc_file(proc->get(), "thread-self/comm");
  EXPECT_TRUE(thread) << thread.error().msg;
}

TEST(ProcfsHandle, SubsetViewHidesSysFullViewHasIt) {
  auto pids = open_procfs(ProcfsView::pids);
  ASSERT_TRUE(pids) << pids.error().msg;
  auto full = open_procfs(ProcfsView::full);
  ASSERT_TRUE(full) << full.error().msg;
  EXPECT_TRUE(read_proc_file(full->get(), "sys/kernel/ostype"));
  // A fresh subset=pid instance has no sys/ (the fallbacks to /proc do).
  auto hidden = read_proc_file(pids->get(), "sys/kernel/ostype");
  if (hidden) GTEST_LOG_(INFO) << "procfs fallback in use (no subset=pid)";
}

TEST(ProcfsHandle, RefusesMagicLinksAndEscapes) {
  auto proc = open_procfs();
  ASSERT_TRUE(proc);
  // exe and cwd are magic links: never followed.
  auto exe = open_proc_file(proc->get(), "self/exe", O_RDONLY);
  ASSERT_FALSE(exe);
  EXPECT_EQ(exe.error().err, ELOOP);
  auto cwd = open_proc_file(proc->get(), "self/cwd/etc/passwd", O_RDONLY);
  ASSERT_FALSE(cwd);
  auto up = open_proc_file(proc->get(), "self/../../etc/passwd", O_RDONLY);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().err, EINVAL);
}

TEST(ProcfsHandle, WritesOomScoreAdj) {
  int rc = in_child([] {
    auto proc = open_procfs();
    if (!proc) return 1;
    if (!write_proc_file(proc->get(), "self/oom_score_adj", "123")) return 2;
    auto v = read_proc_file(proc->get(), "self/oom_score_adj");
    return (v && *v == "123\n") ? 0 : 3;
  });
  EXPECT_EQ(rc, 0);
}

TEST(ProcfsHandle, RefusesOvermountedFileOnHostProc) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  // In a private mount namespace, bind /proc/self/sched over a sysctl file
  // (the CVE-2025-52881 redirection) and write through a handle on /proc.
  int rc = in_child([] {
    if (unshare(CLONE_NEWNS) < 0) return 10;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return 11;
    if (mount("/proc/self/sched", "/proc/sys/kernel/domainname", nullptr, MS_BIND, nullptr) < 0) return 12;
    int raw = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (raw < 0) return 13;
    auto r = write_proc_file(raw, "sys/kernel/domainname", "x");
    close(raw);
    if (r) return 1;
    return r.error().err == EXDEV ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST(ProcfsHandle, RefusesFilesNotOnProcfs) {
  // A directory that merely looks like /proc (the CVE-2019-16884 tmpfs trick).
  char tmpl[] = "/tmp/orun-fakeproc-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string file = dir + "/oom_score_adj";
  int f = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(f, 0);
  close(f);
  int root = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(root, 0);
  auto r = write_proc_file(root, "oom_score_adj", "1");
  close(root);
  unlink(file.c_str());
  rmdir(dir.c_str());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "/proc/oom_score_adj is not on procfs");
}

TEST(ProcfsHandle, ParentWritesChildIdMaps) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int ready[2], done[2];
  ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(done, O_CLOEXEC), 0);
  pid_t child = fork();
  if (child == 0) {
    char c = 0;
    if (unshare(CLONE_NEWUSER) < 0) _exit(1);
    if (write(ready[1], "x", 1) != 1) _exit(2);
    if (read(done[0], &c, 1) != 1) _exit(3);
    _exit(getuid() == 0 ? 0 : 4);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  auto proc = open_procfs();
  ASSERT_TRUE(proc) << proc.error().msg;
  std::string p = std::to_string(child);
  auto s = write_proc_file(proc->get(), p + "/setgroups", "deny");
  auto g = write_proc_file(proc->get(), p + "/gid_map", "0 0 1\n");
  auto u = write_proc_file(proc->get(), p + "/uid_map", "0 0 1\n");
  auto back = read_proc_file(proc->get(), p + "/uid_map");
  ASSERT_EQ(write(done[1], "x", 1), 1);
  int st = 0;
  waitpid(child, &st, 0);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) close(fd);
  EXPECT_TRUE(s) << s.error().msg;
  EXPECT_TRUE(g) << g.error().msg;
  EXPECT_TRUE(u) << u.error().msg;
  ASSERT_TRUE(back);
  EXPECT_NE(back->find("0          0          1"), std::string::npos) << *back;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
