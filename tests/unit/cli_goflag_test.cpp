// The Go-flag/urfave argv normaliser: the quirks runc's callers rely on.
#include <gtest/gtest.h>

#include "cli/goflag.hpp"

namespace orun::cli {
namespace {

const std::vector<FlagDef> kDefs = {
    {{"bundle", "b"}, FlagKind::string},  {{"detach", "d"}, FlagKind::boolean},
    {{"no-subreaper"}, FlagKind::boolean}, {{"preserve-fds"}, FlagKind::integer},
    {{"force", "f"}, FlagKind::boolean},  {{"env", "e"}, FlagKind::string_slice},
    {{"interval"}, FlagKind::duration},   {{"additional-gids", "g"}, FlagKind::int64_slice},
    {{"memory"}, FlagKind::string},       {{"help", "h"}, FlagKind::boolean},
};

ParsedArgs parse(std::vector<std::string> words, bool reorder = true) {
  auto r = parse_go_flags(kDefs, reorder ? reorder_args(kDefs, words) : words);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().msg);
  return r ? *r : ParsedArgs{};
}

std::string error_of(std::vector<std::string> words) {
  auto r = parse_go_flags(kDefs, reorder_args(kDefs, words));
  return r ? std::string("<no error>") : r.error().msg;
}

TEST(CliGoFlag, SingleDashLongFlagsAreAccepted) {
  auto p = parse({"-no-subreaper", "-bundle", "/b", "ctr"});
  ASSERT_EQ(p.flags.size(), 2u);
  EXPECT_EQ(p.flags[0].name, "no-subreaper");
  EXPECT_EQ(p.flags[0].value, "true");
  EXPECT_EQ(p.flags[1].name, "bundle");
  EXPECT_EQ(p.flags[1].value, "/b");
  EXPECT_EQ(p.args, std::vector<std::string>{"ctr"});
}

TEST(CliGoFlag, EqualsFormAndShortAliasMapToCanonicalName) {
  auto p = parse({"--bundle=/x", "ctr"});
  ASSERT_EQ(p.flags.size(), 1u);
  EXPECT_EQ(p.flags[0].value, "/x");
  auto q = parse({"-b=/y", "ctr"});
  ASSERT_EQ(q.flags.size(), 1u);
  EXPECT_EQ(q.flags[0].name, "bundle");
  EXPECT_EQ(q.flags[0].value, "/y");
}

TEST(CliGoFlag, TwoFormsOfTheSameFlagAreRefused) {
  EXPECT_EQ(error_of({"--bundle=/x", "-b", "/y", "ctr"}), "Cannot use two forms of the same flag: b bundle");
}

TEST(CliGoFlag, BoolFlagsTakeExplicitValues) {
  auto p = parse({"--detach=false", "--detach=1", "--force=True", "ctr"});
  ASSERT_EQ(p.flags.size(), 3u);
  EXPECT_EQ(p.flags[0].value, "false");
  EXPECT_EQ(p.flags[1].value, "true");
  EXPECT_EQ(p.flags[2].value, "true");
  EXPECT_EQ(error_of({"--detach=yes", "ctr"}), "invalid boolean value \"yes\" for -detach: parse error");
}

TEST(CliGoFlag, BoolFlagNeverConsumesTheNextWord) {
  auto p = parse({"--force", "ctr"});
  EXPECT_EQ(p.args, std::vector<std::string>{"ctr"});
  // urfave would pull "9" next to --all and take it as the id; we do not.
  auto q = parse({"ctr", "--force", "9"});
  EXPECT_EQ(q.args, (std::vector<std::string>{"ctr", "9"}));
}

TEST(CliGoFlag, FlagsAfterPositionalsAreReordered) {
  auto p = parse({"ctr", "--force"});
  ASSERT_EQ(p.flags.size(), 1u);
  EXPECT_EQ(p.flags[0].name, "force");
  EXPECT_EQ(p.args, std::vector<std::string>{"ctr"});

  auto q = parse({"ctr", "--bundle", "/b", "-d"});
  ASSERT_EQ(q.flags.size(), 2u);
  EXPECT_EQ(q.flags[0].value, "/b");
  EXPECT_EQ(q.args, std::vector<std::string>{"ctr"});
}

TEST(CliGoFlag, ValueStartingWithDashIsTakenByStringFlag) {
  auto p = parse({"--memory", "-1", "ctr"});
  ASSERT_EQ(p.flags.size(), 1u);
  EXPECT_EQ(p.flags[0].value, "-1");
  EXPECT_EQ(p.args, std::vector<std::string>{"ctr"});
}

TEST(CliGoFlag, UnknownFlagAfterPositionalStaysAnArgument) {
  auto p = parse({"ctr", "-x"});
  EXPECT_TRUE(p.flags.empty());
  EXPECT_EQ(p.args, (std::vector<std::string>{"ctr", "-x"}));
}

TEST(CliGoFlag, UnknownFlagBeforePositionalIsAnError) {
  EXPECT_EQ(error_of({"--foo", "ctr"}), "flag provided but not defined: -foo");
  EXPECT_EQ(error_of({"-foo=1", "ctr"}), "flag provided but not defined: -foo");
}

TEST(CliGoFlag, MissingValueAndBadSyntax) {
  EXPECT_EQ(error_of({"--bundle"}), "flag needs an argument: -bundle");
  EXPECT_EQ(error_of({"---bundle", "x"}), "bad flag syntax: ---bundle");
  EXPECT_EQ(error_of({"-=x"}), "bad flag syntax: -=x");
}

TEST(CliGoFlag, DoubleDashEndsOptions) {
  auto p = parse({"--", "-d", "ctr"});
  EXPECT_TRUE(p.flags.empty());
  EXPECT_EQ(p.args, (std::vector<std::string>{"-d", "ctr"}));

  // Reordering stops at "--" too: the flag before it still counts.
  auto q = parse({"ctr", "-d", "--", "--force"});
  ASSERT_EQ(q.flags.size(), 1u);
  EXPECT_EQ(q.flags[0].name, "detach");
  EXPECT_EQ(q.args, (std::vector<std::string>{"ctr", "--force"}));
}

TEST(CliGoFlag, PassthroughWithoutReorder) {
  // exec and ps: everything after the id is the command, flags included.
  auto p = parse({"-d", "ctr", "ls", "-la", "--env", "x", "-d"}, false);
  ASSERT_EQ(p.flags.size(), 1u);
  EXPECT_EQ(p.flags[0].name, "detach");
  EXPECT_EQ(p.args, (std::vector<std::string>{"ctr", "ls", "-la", "--env", "x", "-d"}));
}

TEST(CliGoFlag, ShortAliasesAreNotBundled) {
  EXPECT_EQ(error_of({"-df", "ctr"}), "flag provided but not defined: -df");
}

TEST(CliGoFlag, SliceFlagsRepeatWithoutSplittingOnCommas) {
  auto p = parse({"-e", "A=1,2", "-e=B=3", "ctr"});
  ASSERT_EQ(p.flags.size(), 2u);
  EXPECT_EQ(p.flags[0].value, "A=1,2");
  EXPECT_EQ(p.flags[1].value, "B=3");
}

TEST(CliGoFlag, IntegersFollowGoSyntax) {
  auto p = parse({"--preserve-fds", "0x10", "-g", "1_000", "ctr"});
  ASSERT_EQ(p.flags.size(), 2u);
  EXPECT_EQ(p.flags[0].value, "16");
  EXPECT_EQ(p.flags[1].value, "1000");
  EXPECT_EQ(error_of({"--preserve-fds", "x", "ctr"}), "invalid value \"x\" for flag -preserve-fds: parse error");
  EXPECT_EQ(error_of({"--preserve-fds", "99999999999999999999", "ctr"}),
            "invalid value \"99999999999999999999\" for flag -preserve-fds: value out of range");
  EXPECT_EQ(error_of({"-g", "abc", "ctr"}),
            "invalid value \"abc\" for flag -g: strconv.ParseInt: parsing \"abc\": invalid syntax");
}

TEST(CliGoFlag, ParseGoInt) {
  EXPECT_EQ(parse_go_int("42").value(), 42);
  EXPECT_EQ(parse_go_int("-42").value(), -42);
  EXPECT_EQ(parse_go_int("010").value(), 8);
  EXPECT_EQ(parse_go_int("0o17").value(), 15);
  EXPECT_EQ(parse_go_int("0b101").value(), 5);
  EXPECT_EQ(parse_go_int("-9223372036854775808").value(), INT64_MIN);
  EXPECT_FALSE(parse_go_int("9223372036854775808"));
  EXPECT_FALSE(parse_go_int(""));
  EXPECT_FALSE(parse_go_int("1__0"));
  EXPECT_FALSE(parse_go_int("_1"));
  EXPECT_FALSE(parse_go_int("09"));
}

TEST(CliGoFlag, ParseGoDuration) {
  EXPECT_EQ(parse_go_duration("5s").value(), 5'000'000'000);
  EXPECT_EQ(parse_go_duration("500ms").value(), 500'000'000);
  EXPECT_EQ(parse_go_duration("1m30s").value(), 90'000'000'000);
  EXPECT_EQ(parse_go_duration("1.5h").value(), 5'400'000'000'000);
  EXPECT_EQ(parse_go_duration("0").value(), 0);
  EXPECT_EQ(parse_go_duration("-1s").value(), -1'000'000'000);
  EXPECT_FALSE(parse_go_duration("5"));
  EXPECT_FALSE(parse_go_duration("5x"));
  EXPECT_FALSE(parse_go_duration(""));
  EXPECT_FALSE(parse_go_duration(".s"));
  EXPECT_EQ(error_of({"--interval", "5", "ctr"}), "invalid value \"5\" for flag -interval: parse error");
}

}  // namespace
}  // namespace orun::cli
