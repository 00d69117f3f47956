// Lexical path helpers, and root-confined resolution on a scratch tree (no
// root needed: only files in a temp dir are made), with openat2 and with the
// userspace fallback.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sys/path.hpp"

using namespace orun;
using namespace orun::sys;

TEST(PathClean, LikeGoClean) {
  EXPECT_EQ(clean_path(""), ".");
  EXPECT_EQ(clean_path("/"), "/");
  EXPECT_EQ(clean_path("//a//b/"), "/a/b");
  EXPECT_EQ(clean_path("/a/./b/../c"), "/a/c");
  EXPECT_EQ(clean_path("/../.."), "/");
  EXPECT_EQ(clean_path("a/../../b"), "../b");
  EXPECT_EQ(clean_path("./a"), "a");
  EXPECT_EQ(clean_abs("../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(clean_abs(""), "/");
}

TEST(PathClean, RootHelpers) {
  EXPECT_TRUE(is_lexically_in_root("/r", "/r"));
  EXPECT_TRUE(is_lexically_in_root("/r", "/r/a"));
  EXPECT_TRUE(is_lexically_in_root("/r/", "/r/a/../b"));
  EXPECT_FALSE(is_lexically_in_root("/r", "/rr"));
  EXPECT_FALSE(is_lexically_in_root("/r", "/r/../x"));
  EXPECT_TRUE(is_lexically_in_root("/", "/anything"));
  EXPECT_EQ(strip_root("/r", "/r/a/b"), "/a/b");
  EXPECT_EQ(strip_root("/r", "/r"), "/");
  EXPECT_EQ(strip_root("/", "/a"), "/a");
  EXPECT_EQ(join_path("/r", "/etc/../x"), "/r/x");
  EXPECT_EQ(join_path("/b", "rel"), "/b/rel");
  EXPECT_EQ(split_path("/a/b/c"), (std::pair<std::string, std::string>{"/a/b", "c"}));
  EXPECT_EQ(split_path("/a"), (std::pair<std::string, std::string>{"/", "a"}));
  EXPECT_EQ(fd_path(7), "/proc/self/fd/7");
}

namespace {

class InRoot : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    set_openat2_disabled(GetParam());
    char tmpl[] = "/tmp/orun-path-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ + "/root";
    outside_ = base_ + "/outside";
    std::filesystem::create_directories(root_ + "/etc");
    std::filesystem::create_directories(root_ + "/real/dir");
    std::filesystem::create_directories(outside_);
    std::ofstream(root_ + "/etc/passwd") << "inside";
    std::ofstream(outside_ + "/secret") << "outside";
    // Links that try to leave the root.
    std::filesystem::create_symlink("/", root_ + "/abs-root");
    std::filesystem::create_symlink("../../../..", root_ + "/up");
    std::filesystem::create_symlink(outside_, root_ + "/host");
    std::filesystem::create_symlink("real/dir", root_ + "/rel");
    std::filesystem::create_symlink("/nonexistent/deeper", root_ + "/dangling");
    std::filesystem::create_symlink("loop2", root_ + "/loop1");
    std::filesystem::create_symlink("loop1", root_ + "/loop2");
    rootfd_ = open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(rootfd_, 0);
  }
  void TearDown() override {
    close(rootfd_);
    std::filesystem::remove_all(base_);
    set_openat2_disabled(false);
  }
  std::string real(const UniqueFd& fd) { return *fd_readlink(fd.get()); }

  std::string base_, root_, outside_;
  int rootfd_ = -1;
};

}  // namespace

TEST_P(InRoot, OpensInsideAndReopensWithFlags) {
  auto fd = open_in_root(rootfd_, "/etc/passwd", O_RDONLY);
  ASSERT_TRUE(fd) << fd.error().msg;
  char buf[16] = {};
  ASSERT_EQ(read(fd->get(), buf, sizeof buf), 6);
  EXPECT_STREQ(buf, "inside");
  auto r = open_in_root(rootfd_, "/", O_PATH);
  ASSERT_TRUE(r);
  EXPECT_EQ(real(*r), root_);
}

TEST_P(InRoot, SymlinksStayInsideTheRoot) {
  // "/abs-root/etc/passwd" is the rootfs's passwd, not the host's.
  auto fd = open_in_root(rootfd_, "/abs-root/etc/passwd", O_PATH);
  ASSERT_TRUE(fd) << fd.error().msg;
  EXPECT_EQ(real(*fd), root_ + "/etc/passwd");
  fd = open_in_root(rootfd_, "/up/etc", O_PATH);
  ASSERT_TRUE(fd) << fd.error().msg;
  EXPECT_EQ(real(*fd), root_ + "/etc");
  fd = open_in_root(rootfd_, "../../etc/passwd", O_PATH);
  ASSERT_TRUE(fd);
  EXPECT_EQ(real(*fd), root_ + "/etc/passwd");
  // An absolute link to a host dir resolves to the same path under the root.
  auto host = open_in_root(rootfd_, "/host/secret", O_PATH);
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().err, ENOENT);
  fd = open_in_root(rootfd_, "/rel", O_PATH);
  ASSERT_TRUE(fd);
  EXPECT_EQ(real(*fd), root_ + "/real/dir");
}

TEST_P(InRoot, NofollowAndLoops) {
  auto fd = open_in_root(rootfd_, "/rel", O_PATH | O_NOFOLLOW);
  ASSERT_TRUE(fd);
  struct stat st{};
  ASSERT_EQ(fstat(fd->get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  auto loop = open_in_root(rootfd_, "/loop1", O_PATH);
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().err, ELOOP);
  auto notdir = open_in_root(rootfd_, "/etc/passwd/x", O_PATH);
  ASSERT_FALSE(notdir);
  EXPECT_EQ(notdir.error().err, ENOTDIR);
}

TEST_P(InRoot, MkdirAllFollowsLinksInside) {
  auto fd = mkdir_all_in_root(rootfd_, "/host/new/dir", 0755);
  ASSERT_TRUE(fd) << fd.error().msg;
  EXPECT_EQ(real(*fd), root_ + outside_ + "/new/dir");
  EXPECT_FALSE(std::filesystem::exists(outside_ + "/new"));
  fd = mkdir_all_in_root(rootfd_, "/rel/sub", 0755);
  ASSERT_TRUE(fd);
  EXPECT_EQ(real(*fd), root_ + "/real/dir/sub");
  // A dangling symlink: its target is created inside the root.
  fd = mkdir_all_in_root(rootfd_, "/dangling/x", 0755);
  ASSERT_TRUE(fd) << fd.error().msg;
  EXPECT_EQ(real(*fd), root_ + "/nonexistent/deeper/x");
  auto f = mkdir_all_in_root(rootfd_, "/etc/passwd/x", 0755);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().err, ENOTDIR);
}

TEST_P(InRoot, CreateAndParent) {
  auto fd = create_in_root(rootfd_, "/a/b/file", 0644);
  ASSERT_TRUE(fd) << fd.error().msg;
  EXPECT_TRUE(std::filesystem::is_regular_file(root_ + "/a/b/file"));
  EXPECT_FALSE(create_in_root(rootfd_, "/a/b/file", 0644));  // exclusive
  // The last component is never followed.
  auto via = create_in_root(rootfd_, "/rel", 0644);
  ASSERT_FALSE(via);
  EXPECT_EQ(via.error().err, EEXIST);
  auto pr = mkdir_all_parent_in_root(rootfd_, "/host/dev/null", 0755);
  ASSERT_TRUE(pr);
  EXPECT_EQ(pr->second, "null");
  EXPECT_EQ(real(pr->first), root_ + outside_ + "/dev");
  EXPECT_FALSE(mkdir_all_parent_in_root(rootfd_, "/", 0755));
}

INSTANTIATE_TEST_SUITE_P(Openat2AndFallback, InRoot, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "fallback" : "openat2"; });
