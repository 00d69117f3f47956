// Log lines must be byte-compatible with logrus: containerd parses --log.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "log/format.hpp"

namespace orun::log {
namespace {

constexpr std::string_view kTime = "2026-01-02T03:04:05Z";

TEST(LogFormat, TextLineQuotesMessageAndTime) {
  Record r{Level::error, "container does not exist", kTime};
  EXPECT_EQ(format_text(r),
            "time=\"2026-01-02T03:04:05Z\" level=error msg=\"container does not exist\"\n");
}

TEST(LogFormat, TextLeavesPlainWordsUnquoted) {
  Record r{Level::info, "hello-world_1.2/x@y^z+", kTime};
  EXPECT_EQ(format_text(r), "time=\"2026-01-02T03:04:05Z\" level=info msg=hello-world_1.2/x@y^z+\n");
  Record empty{Level::info, "", kTime};
  EXPECT_EQ(format_text(empty), "time=\"2026-01-02T03:04:05Z\" level=info msg=\n");
}

TEST(LogFormat, TextEscapesLikeGoQuote) {
  Record r{Level::error, "No help topic for 'foo'\n", kTime};
  EXPECT_EQ(format_text(r), "time=\"2026-01-02T03:04:05Z\" level=error msg=\"No help topic for 'foo'\\n\"\n");
  Record q{Level::error, "runc: \"create\" requires exactly 1 argument(s)", kTime};
  EXPECT_EQ(format_text(q),
            "time=\"2026-01-02T03:04:05Z\" level=error msg=\"runc: \\\"create\\\" requires exactly 1 "
            "argument(s)\"\n");
}

TEST(LogFormat, WarnLevelIsCalledWarning) {
  Record r{Level::warn, "x", kTime};
  EXPECT_EQ(format_text(r), "time=\"2026-01-02T03:04:05Z\" level=warning msg=x\n");
  EXPECT_EQ(level_name(Level::debug), "debug");
}

TEST(LogFormat, TextCallerFieldsComeAfterMsg) {
  Record r{Level::debug, "m", kTime, "orun::f()", "cli/app.cpp:12"};
  EXPECT_EQ(format_text(r),
            "time=\"2026-01-02T03:04:05Z\" level=debug msg=m func=\"orun::f()\" file=\"cli/app.cpp:12\"\n");
}

TEST(LogFormat, GoQuote) {
  EXPECT_EQ(go_quote("a\tb\\c\"d"), "\"a\\tb\\\\c\\\"d\"");
  EXPECT_EQ(go_quote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(go_quote("\xff"), "\"\\xff\"");        // invalid UTF-8 byte
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // printable rune kept
  EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"");  // C1 control
}

TEST(LogFormat, JsonKeysAreAlphabetical) {
  Record r{Level::error, "container does not exist", kTime};
  EXPECT_EQ(format_json(r),
            "{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"2026-01-02T03:04:05Z\"}\n");
  Record d{Level::debug, "m", kTime, "f()", "a.cpp:1"};
  EXPECT_EQ(format_json(d),
            "{\"file\":\"a.cpp:1\",\"func\":\"f()\",\"level\":\"debug\",\"msg\":\"m\",\"time\":\"2026-01-02T03:04:05Z\"}\n");
}

TEST(LogFormat, JsonEscapingMatchesGo) {
  EXPECT_EQ(go_json_string("<a&b>"), "\"\\u003ca\\u0026b\\u003e\"");
  EXPECT_EQ(go_json_string("l1\nl2\t\"q\"\\"), "\"l1\\nl2\\t\\\"q\\\"\\\\\"");
  EXPECT_EQ(go_json_string(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(go_json_string("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(go_json_string("\xe2\x80\xa8"), "\"\\u2028\"");
  // Whatever the content, each line is one valid JSON object.
  Record r{Level::error, "exec: \"x\": executable file not found in $PATH\n<>", kTime};
  auto doc = nlohmann::json::parse(format_json(r));
  EXPECT_EQ(doc["msg"], "exec: \"x\": executable file not found in $PATH\n<>");
}

TEST(LogFormat, Rfc3339) {
  EXPECT_EQ(rfc3339(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1767323045, 0), "2026-01-02T03:04:05Z");
  EXPECT_EQ(rfc3339(1767323045, 3600), "2026-01-02T04:04:05+01:00");
  EXPECT_EQ(rfc3339(1767323045, -(5 * 3600 + 30 * 60)), "2026-01-01T21:34:05-05:30");
}

TEST(LogFormat, TerminalLineIsColouredAndPadded) {
  Record r{Level::error, "boom\n", kTime};
  std::string line = format_tty(r, 3);
  EXPECT_EQ(line.rfind("\x1b[31mERRO\x1b[0m[0003] boom", 0), 0u);
  EXPECT_EQ(line.size(), std::string("\x1b[31mERRO\x1b[0m[0003] ").size() + 44 + 2);
  EXPECT_EQ(line.back(), '\n');
}

}  // namespace
}  // namespace orun::log
