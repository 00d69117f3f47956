// sys::split, the one split: Go's strings.Split, and with Tail::drop the
// std::getline behaviour the /proc readers (mountinfo, /proc/self/cgroup)
// were written against.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sys/go_text.hpp"

using orun::sys::split;
using orun::sys::Tail;
using V = std::vector<std::string>;

TEST(Split, IsGosStringsSplit) {
  EXPECT_EQ(split("", ','), V{""});
  EXPECT_EQ(split("a", ','), V{"a"});
  EXPECT_EQ(split("a,", ','), (V{"a", ""}));
  EXPECT_EQ(split(",a,,b", ','), (V{"", "a", "", "b"}));
  // /etc/group with no members keeps its fourth field.
  EXPECT_EQ(split("wheel:x:10:", ':').size(), 4u);
}

TEST(Split, DropTailIsGetlines) {
  EXPECT_EQ(split("", ',', Tail::drop), V{});
  EXPECT_EQ(split("a,", ',', Tail::drop), V{"a"});
  EXPECT_EQ(split("a,,", ',', Tail::drop), (V{"a", ""}));
  EXPECT_EQ(split(",", ',', Tail::drop), V{""});
  // "0::/x": a cgroup2 line has no controllers, not one empty one.
  EXPECT_EQ(split("", ',', Tail::drop).size(), 0u);
}
