// The logger writes to --log with the chosen format, and reports where it goes.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "log/internal.hpp"
#include "orun/log.hpp"

namespace orun::log {
namespace {

class LogSetup : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orun-log-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    reset_for_tests();
  }
  void TearDown() override {
    reset_for_tests();
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  std::string dir_;
};

TEST_F(LogSetup, DefaultsToStderr) {
  EXPECT_TRUE(to_stderr());
  EXPECT_EQ(fd(), STDERR_FILENO);
  EXPECT_FALSE(debug_enabled());
}

TEST_F(LogSetup, JsonLinesGoToTheLogFile) {
  GlobalOptions g;
  g.log = dir_ + "/log.json";
  g.log_format = LogFormat::json;
  ASSERT_TRUE(setup(g).has_value());
  EXPECT_FALSE(to_stderr());
  EXPECT_NE(fd(), STDERR_FILENO);
  EXPECT_EQ(::fcntl(fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  error("container does not exist");
  debug("hidden without --debug");
  warn("careful");
  std::istringstream lines(read(g.log));
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["level"], "error");
  EXPECT_EQ(first["msg"], "container does not exist");
  EXPECT_TRUE(first.contains("time"));
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(nlohmann::json::parse(line)["level"], "warning");
  EXPECT_FALSE(std::getline(lines, line));
}

TEST_F(LogSetup, DebugAddsCallerAndDebugLines) {
  GlobalOptions g;
  g.log = dir_ + "/log.txt";
  g.debug = true;
  ASSERT_TRUE(setup(g).has_value());
  EXPECT_TRUE(debug_enabled());
  debug("details");
  std::string text = read(g.log);
  EXPECT_NE(text.find("level=debug msg=details func="), std::string::npos) << text;
  EXPECT_NE(text.find("log_setup_test.cpp:"), std::string::npos) << text;
}

TEST_F(LogSetup, MessagesAreNotFormatStrings) {
  GlobalOptions g;
  g.log = dir_ + "/log.txt";
  ASSERT_TRUE(setup(g).has_value());
  error("bad {} value {0} %s");
  EXPECT_NE(read(g.log).find("msg=\"bad {} value {0} %s\""), std::string::npos) << read(g.log);
}

TEST_F(LogSetup, AppendsToAnExistingFile) {
  std::string path = dir_ + "/log";
  { std::ofstream(path) << "{\"level\":\"info\",\"msg\":\"before\",\"time\":\"x\"}\n"; }
  GlobalOptions g;
  g.log = path;
  g.log_format = LogFormat::json;
  ASSERT_TRUE(setup(g).has_value());
  error("after");
  std::string text = read(path);
  EXPECT_EQ(text.rfind("{\"level\":\"info\",\"msg\":\"before\"", 0), 0u);
  EXPECT_NE(text.find("\"msg\":\"after\""), std::string::npos);
}

TEST_F(LogSetup, UnopenableLogFileIsAnError) {
  GlobalOptions g;
  g.log = dir_ + "/missing/dir/log";
  auto r = setup(g);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().msg, "open " + g.log + ": no such file or directory");
  EXPECT_TRUE(to_stderr());
}

}  // namespace
}  // namespace orun::log
