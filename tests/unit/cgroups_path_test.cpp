#include <gtest/gtest.h>

#include "orun/cgroups.hpp"
#include "sys/path.hpp"

// Cgroup paths are cleaned with the project's one Go-style cleaner.
using orun::sys::clean_path;

TEST(CgroupPath, CleanCannotEscapeRoot) {
  EXPECT_EQ(clean_path("/a/../../b"), "/b");
  EXPECT_EQ(clean_path("/../../etc"), "/etc");
  EXPECT_EQ(clean_path("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(clean_path("a/b/.."), "a");
}

TEST(CgroupPath, AbsolutePathIsUnderEachHierarchyRoot) {
  auto m = orun::cgroups::Manager::for_container("/orun-unit/../x/y", "id");
  ASSERT_TRUE(m) << m.error().msg;
  for (auto& [ctrl, dir] : m->paths()) {
    EXPECT_EQ(dir.rfind("/sys/fs/cgroup/", 0), 0u) << dir;
    EXPECT_TRUE(dir.size() > 4 && dir.substr(dir.size() - 4) == "/x/y") << ctrl << " " << dir;
  }
}

TEST(CgroupPath, EmptyPathUsesTheId) {
  auto m = orun::cgroups::Manager::for_container("", "myid");
  ASSERT_TRUE(m);
  for (auto& [ctrl, dir] : m->paths()) EXPECT_EQ(dir.substr(dir.size() - 5), "/myid") << dir;
}
