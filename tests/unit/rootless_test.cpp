// --rootless as runc's shouldUseRootlessCgroupManager reads it: Go's
// ParseBool spellings force it, "auto" decides from the euid and the user
// namespace, anything else is ParseBool's error.
#include <unistd.h>

#include <gtest/gtest.h>

#include "container/rootless.hpp"

using orun::container::rootless_cgroups;

TEST(RootlessFlag, GoParseBoolSpellingsForceIt) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    auto r = rootless_cgroups(t, false);
    ASSERT_TRUE(r) << t;
    EXPECT_TRUE(*r) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    auto r = rootless_cgroups(f, false);
    ASSERT_TRUE(r) << f;
    EXPECT_FALSE(*r) << f;
  }
}

TEST(RootlessFlag, BadValueIsParseBoolsError) {
  auto r = rootless_cgroups("yes", false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "strconv.ParseBool: parsing \"yes\": invalid syntax");
  EXPECT_FALSE(rootless_cgroups("tRuE", false));
}

TEST(RootlessFlag, AutoFollowsEuidAndUserNamespace) {
  bool expected = ::geteuid() != 0 || orun::container::running_in_user_ns();
  for (const char* a : {"auto", "AUTO", "Auto", ""}) {
    auto r = rootless_cgroups(a, false);
    ASSERT_TRUE(r) << a;
    EXPECT_EQ(*r, expected) << a;
  }
  // With the systemd driver root in a user namespace is taken as root
  // (runc's choice when the user bus's owner cannot be read).
  auto sd = rootless_cgroups("auto", true);
  ASSERT_TRUE(sd);
  EXPECT_EQ(*sd, ::geteuid() != 0);
}
