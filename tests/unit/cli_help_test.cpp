// text/tabwriter alignment as urfave's help printer uses it.
#include <gtest/gtest.h>

#include "cli/help.hpp"

namespace orun::cli {
namespace {

TEST(CliHelp, TabwriteAlignsConsecutiveLinesOnly) {
  EXPECT_EQ(tabwrite("   a\tone\n   bbb\ttwo\nplain\n   cc\tthree\n"),
            "   a    one\n   bbb  two\nplain\n   cc  three\n");
}

TEST(CliHelp, TabwriteKeepsTextWithoutTabs) {
  EXPECT_EQ(tabwrite("NAME:\n   x - y\n"), "NAME:\n   x - y\n");
  EXPECT_EQ(tabwrite(""), "");
}

}  // namespace
}  // namespace orun::cli
