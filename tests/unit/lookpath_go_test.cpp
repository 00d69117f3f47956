// look_path: Go's exec.LookPath behaviour and error texts on a real tree.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "init/lookpath.hpp"
#include "sys/go_text.hpp"
#include "sys/path.hpp"
#include "in_child.hpp"

using namespace orun::init;
using V = std::vector<std::string>;

using orun::unittest::in_child;

namespace {

void make_file(const std::string& path, mode_t mode) {
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << path;
  close(fd);
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

class LookPath : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orun-lookpath-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    chmod(root_.c_str(), 0755);  // other users must be able to traverse it
    mkdir((root_ + "/a").c_str(), 0755);
    mkdir((root_ + "/b").c_str(), 0755);
    mkdir((root_ + "/b/dirtool").c_str(), 0755);
    make_file(root_ + "/a/tool", 0644);   // not executable
    make_file(root_ + "/b/tool", 0755);
    make_file(root_ + "/b/only", 0700);
    make_file(root_ + "/a/noexec", 0644);
    symlink((root_ + "/b/tool").c_str(), (root_ + "/a/link").c_str());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

}  // namespace

TEST_F(LookPath, SearchesPathInOrderSkippingNonExecutables) {
  auto r = look_path("tool", {"PATH=" + root_ + "/a:" + root_ + "/b"});
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(*r, root_ + "/b/tool");
}

TEST_F(LookPath, FollowsSymlinks) {
  auto r = look_path("link", {"PATH=" + root_ + "/a"});
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(*r, root_ + "/a/link");
}

TEST_F(LookPath, CleansJoinedPath) {
  auto r = look_path("tool", {"PATH=" + root_ + "//a/../b/"});
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(*r, root_ + "/b/tool");
}

TEST_F(LookPath, UsesLastPathInEnv) {
  auto r = look_path("tool", {"PATH=/nonexistent", "PATH=" + root_ + "/b"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, root_ + "/b/tool");
}

TEST_F(LookPath, NotFoundText) {
  auto r = look_path("noexec", {"PATH=" + root_ + "/a:" + root_ + "/b"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "exec: \"noexec\": executable file not found in $PATH");
  auto dir = look_path("dirtool", {"PATH=" + root_ + "/b"});
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().msg, "exec: \"dirtool\": executable file not found in $PATH");
}

TEST_F(LookPath, NoPathFindsNothing) {
  auto r = look_path("sh", {"HOME=/"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "exec: \"sh\": executable file not found in $PATH");
  EXPECT_FALSE(look_path("sh", {"PATH="}));
}

TEST_F(LookPath, AbsoluteMissing) {
  std::string p = root_ + "/missing";
  auto r = look_path(p, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "exec: \"" + p + "\": stat " + p + ": no such file or directory");
}

TEST_F(LookPath, AbsoluteNotExecutable) {
  std::string p = root_ + "/a/noexec";
  auto r = look_path(p, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "exec: \"" + p + "\": permission denied");
}

TEST_F(LookPath, AbsoluteDirectory) {
  std::string p = root_ + "/b/dirtool";
  auto r = look_path(p, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "exec: \"" + p + "\": is a directory");
}

TEST_F(LookPath, NameWithSlashIsReturnedUnchanged) {
  std::string p = root_ + "/b/../b/tool";
  auto r = look_path(p, {"PATH=/nonexistent"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, p);
}

TEST_F(LookPath, OwnerOnlyExecutableAsOtherUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  std::string p = root_ + "/b/only";
  int rc = in_child([&] {
    if (setresuid(4000, 4000, 4000) < 0) return 10;
    auto r = look_path(p, {});
    if (r) return 1;
    return r.error().msg == "exec: \"" + p + "\": permission denied" ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST_F(LookPath, RelativePathElementIsErrDot) {
  std::string dir = root_ + "/b";
  int rc = in_child([&] {
    if (chdir(dir.c_str()) < 0) return 10;
    auto empty_elem = look_path("tool", {"PATH=/nonexistent::"});
    auto dot = look_path("tool", {"PATH=."});
    if (empty_elem || dot) return 1;
    const std::string want = "exec: \"tool\": cannot run executable found relative to current directory";
    return (empty_elem.error().msg == want && dot.error().msg == want) ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST(LookPathHelpers, GoClean) {
  EXPECT_EQ(orun::sys::clean_path(""), ".");
  EXPECT_EQ(orun::sys::clean_path("/"), "/");
  EXPECT_EQ(orun::sys::clean_path("/usr//bin/./../bin/ls"), "/usr/bin/ls");
  EXPECT_EQ(orun::sys::clean_path("/.."), "/");
  EXPECT_EQ(orun::sys::clean_path("../a/.."), "..");
  EXPECT_EQ(orun::sys::clean_path("a/b/../../.."), "..");
  EXPECT_EQ(go_join_path(".", "ls"), "ls");
  EXPECT_EQ(go_join_path("/bin/", "ls"), "/bin/ls");
}

TEST(LookPathHelpers, GoQuote) {
  EXPECT_EQ(orun::sys::go_quote("ls"), "\"ls\"");
  EXPECT_EQ(orun::sys::go_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
}
