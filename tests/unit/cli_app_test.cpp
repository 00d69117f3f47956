// The whole command line as callers see it: exit codes, stdout texts and the
// error lines, for the paths that need no container.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/features.hpp"
#include "cli/flags.hpp"
#include "log/internal.hpp"

namespace orun::cli {
namespace {

struct Captured {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs the CLI with stderr redirected to a temporary file.
Captured run_cli(std::vector<std::string> argv) {
  Captured c;
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  FILE* tmp = std::tmpfile();
  ::dup2(::fileno(tmp), STDERR_FILENO);
  log::reset_for_tests();
  c.code = run(argv, [&c](std::string_view s) { c.out += s; });
  log::reset_for_tests();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::rewind(tmp);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, tmp)) > 0) c.err.append(buf, n);
  std::fclose(tmp);
  return c;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

const std::string kArgv0 = "/usr/local/bin/orun";

TEST(CliApp, GlobalHelpLooksLikeUrfave) {
  for (auto args : std::vector<std::vector<std::string>>{
           {kArgv0, "-h"}, {kArgv0, "--help"}, {kArgv0, "help"}, {kArgv0, "h"}, {kArgv0}}) {
    auto c = run_cli(args);
    EXPECT_EQ(c.code, 0);
    EXPECT_EQ(c.err, "");
    auto l = lines_of(c.out);
    ASSERT_GT(l.size(), 3u);
    EXPECT_EQ(l[0], "NAME:");
    EXPECT_EQ(l[1], "   orun - Open Container Initiative runtime");
    EXPECT_NE(c.out.find("\nUSAGE:\n   orun [global options] command [command options] [arguments...]\n"),
              std::string::npos);
    EXPECT_NE(c.out.find("\n   checkpoint  checkpoint a running container\n"), std::string::npos);
    EXPECT_NE(c.out.find("\n   help, h     Shows a list of commands or help for one command\n"), std::string::npos);
    EXPECT_NE(c.out.find("\n   --root value        root directory"), std::string::npos);
    EXPECT_EQ(c.out.find("criu"), std::string::npos);  // hidden
    EXPECT_EQ(c.out.find("   init"), std::string::npos);  // hidden
  }
}

TEST(CliApp, EveryCommandHasHelp) {
  for (const char* cmd : {"checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps",
                          "restore", "resume", "run", "spec", "start", "state", "update", "features"}) {
    for (const char* flag : {"-h", "--help"}) {
      auto c = run_cli({kArgv0, cmd, flag});
      EXPECT_EQ(c.code, 0) << cmd;
      auto l = lines_of(c.out);
      ASSERT_GT(l.size(), 1u) << cmd;
      EXPECT_EQ(l[0], "NAME:");
      EXPECT_EQ(l[1].rfind(std::string("   orun ") + cmd + " - ", 0), 0u) << l[1];
    }
    auto h = run_cli({kArgv0, "help", cmd});
    EXPECT_EQ(h.code, 0);
    EXPECT_EQ(lines_of(h.out)[1].rfind(std::string("   orun ") + cmd + " - ", 0), 0u);
  }
}

TEST(CliApp, HelpOfHelp) {
  auto c = run_cli({"runc", "help", "h"});
  EXPECT_EQ(c.code, 0);
  EXPECT_EQ(c.out,
            "NAME:\n   runc help - Shows a list of commands or help for one command\n\n"
            "USAGE:\n   runc help [command]\n");
}

TEST(CliApp, CommandHelpLayout) {
  auto c = run_cli({"runc", "delete", "--help"});
  EXPECT_EQ(c.code, 0);
  EXPECT_NE(c.out.find("USAGE:\n   runc delete [command options] <container-id>\n"), std::string::npos);
  EXPECT_NE(c.out.find("OPTIONS:\n   --force, -f  Forcibly deletes the container if it is still running (uses SIGKILL)\n   \n"),
            std::string::npos)
      << c.out;
  // No visible flags: no "[command options]" and no OPTIONS section.
  auto s = run_cli({"runc", "state", "-h"});
  EXPECT_NE(s.out.find("USAGE:\n   runc state <container-id>\n"), std::string::npos);
  EXPECT_EQ(s.out.find("OPTIONS:"), std::string::npos);
  auto k = run_cli({"runc", "kill", "-h"});  // --all is hidden
  EXPECT_EQ(k.out.find("--all"), std::string::npos);
  auto r = run_cli({"runc", "create", "-h"});
  EXPECT_NE(r.out.find("   --preserve-fds value      Pass N additional file descriptors to the container "
                       "(stdio + $LISTEN_FDS + N in total) (default: 0)\n"),
            std::string::npos);
}

TEST(CliApp, UnknownCommandExitsThree) {
  auto c = run_cli({kArgv0, "foo"});
  EXPECT_EQ(c.code, 3);
  EXPECT_EQ(c.out, "");
  // runc logs urfave's newline too, as a literal "\n"; orun does not.
  EXPECT_NE(c.err.find("level=error msg=\"No help topic for 'foo'\"\n"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find("\\n"), std::string::npos) << c.err;
  EXPECT_EQ(run_cli({kArgv0, "foo", "-h"}).code, 3);
  EXPECT_EQ(run_cli({kArgv0, "help", "foo"}).code, 3);
}

TEST(CliApp, UnknownCommandWithLogFileAlsoPrintsBareMessage) {
  char path[] = "/tmp/orun-cli-test-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto c = run_cli({kArgv0, "--log", path, "--log-format", "json", "foo"});
  EXPECT_EQ(c.code, 3);
  EXPECT_EQ(c.err, "No help topic for 'foo'\n");
  std::ifstream f(path);
  std::string line;
  ASSERT_TRUE(std::getline(f, line));
  EXPECT_NE(line.find("\"msg\":\"No help topic for 'foo'\""), std::string::npos) << line;
  ::unlink(path);
}

TEST(CliApp, WrongArgumentCounts) {
  auto c = run_cli({kArgv0, "create"});
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.out.rfind("Incorrect Usage.\n\nNAME:\n   orun create - create a container\n", 0), 0u);
  EXPECT_NE(c.err.find("msg=\"/usr/local/bin/orun: \\\"create\\\" requires exactly 1 argument(s)\""),
            std::string::npos)
      << c.err;

  auto k = run_cli({kArgv0, "kill", "a", "b", "c"});
  EXPECT_EQ(k.code, 1);
  EXPECT_NE(k.err.find("requires a maximum of 2 argument(s)"), std::string::npos);
  auto k0 = run_cli({kArgv0, "kill"});
  EXPECT_NE(k0.err.find("requires a minimum of 1 argument(s)"), std::string::npos);
  auto l = run_cli({kArgv0, "list", "extra"});
  EXPECT_NE(l.err.find("\\\"list\\\" requires exactly 0 argument(s)"), std::string::npos);
  auto e = run_cli({kArgv0, "exec"});
  EXPECT_EQ(e.code, 1);  // usage errors of exec are not 255
  EXPECT_NE(e.err.find("\\\"exec\\\" requires a minimum of 1 argument(s)"), std::string::npos);
}

TEST(CliApp, UnknownFlags) {
  auto g = run_cli({kArgv0, "--foo", "list"});
  EXPECT_EQ(g.code, 1);
  EXPECT_EQ(g.out.rfind("Incorrect Usage. flag provided but not defined: -foo\n\nNAME:\n   orun - ", 0), 0u);
  EXPECT_NE(g.err.find("msg=\"flag provided but not defined: -foo\""), std::string::npos);

  auto c = run_cli({kArgv0, "list", "--foo"});
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(c.out.rfind("Incorrect Usage: flag provided but not defined: -foo\n\nNAME:\n   orun list - ", 0), 0u);

  // Global flags are not accepted after the command name.
  auto r = run_cli({kArgv0, "list", "--root", "/tmp"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("flag provided but not defined: -root"), std::string::npos);
}

TEST(CliApp, GlobalFlagChecks) {
  auto f = run_cli({kArgv0, "--log-format", "bad", "list"});
  EXPECT_EQ(f.code, 1);
  EXPECT_NE(f.err.find("msg=\"invalid log-format: bad\""), std::string::npos) << f.err;
  for (const char* root : {"/", "/tmp/..", "-root=/"}) {
    std::vector<std::string> argv = {kArgv0};
    if (std::string_view(root).starts_with("-")) argv.push_back(root);
    else argv.insert(argv.end(), {"--root", root});
    argv.push_back("list");
    auto r = run_cli(argv);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("Option --root argument should not be set to /"), std::string::npos) << r.err;
  }
  auto b = run_cli({kArgv0, "--debug=maybe", "list"});
  EXPECT_EQ(b.code, 1);
  EXPECT_NE(b.err.find("invalid boolean value \\\"maybe\\\" for -debug: parse error"), std::string::npos) << b.err;
}

TEST(CliApp, CriuSelectsTheBinaryWithoutAWarning) {
  // Hidden global --criu PATH names the CRIU binary (runc 1.1); the command
  // then goes on as usual.
  auto c = run_cli({kArgv0, "--criu", "/usr/sbin/criu", "--root", "/tmp/orun-cli-test-no-root", "checkpoint", "ctr"});
  EXPECT_EQ(c.err.find("WARNING"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("container does not exist"), std::string::npos) << c.err;
}

TEST(CliApp, Version) {
  auto c = run_cli({kArgv0, "-v"});
  EXPECT_EQ(c.code, 0);
  auto l = lines_of(c.out);
  ASSERT_GE(l.size(), 3u);
  EXPECT_EQ(l[0], "orun version " ORUN_VERSION);
  EXPECT_EQ(l[1], "commit: " ORUN_GIT_COMMIT);
  EXPECT_EQ(l[2], "spec: 1.3.0");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[3].rfind("libseccomp: 2.", 0), 0u);

  auto r = run_cli({"/usr/bin/runc", "--version"});
  EXPECT_EQ(lines_of(r.out)[0], "runc version " ORUN_VERSION);
  // -v wins over a bad --log-format, as in urfave (checked before Before).
  EXPECT_EQ(run_cli({"runc", "--log-format", "bad", "-v"}).code, 0);
}

TEST(CliApp, RuntimeFailuresOfExecAndCheckpoint) {
  // exec's runtime failures exit 255 and carry runc's prefix.
  auto e = run_cli({kArgv0, "--root", "/tmp/orun-cli-test-no-root", "exec", "ctr", "ls", "-la"});
  EXPECT_EQ(e.code, 255);
  EXPECT_NE(e.err.find("msg=\"exec failed: "), std::string::npos) << e.err;
  // checkpoint exists (restore too: tests/integration/checkpoint_test.cpp).
  auto c = run_cli({kArgv0, "--root", "/tmp/orun-cli-test-no-root", "checkpoint", "--work-path", "/w", "ctr"});
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("container does not exist"), std::string::npos) << c.err;
}

TEST(CliApp, ExecAndPsPassWordsThrough) {
  CLI::App app;
  app.set_help_flag();
  const CommandSpec* exec = find_command("exec");
  ASSERT_NE(exec, nullptr);
  // The action owns the options the flags write to: keep it alive while
  // parsing (ASan: heap-use-after-free otherwise).
  const Action action = exec->define(app);
  bool help = false;
  add_bool(app, {"help,h", "show help", "", true}, help);
  std::vector<std::string> pos;
  add_positionals(app, pos);
  auto p = parse_command_words(*exec, app, {"-t", "--env", "A=1", "ctr", "ls", "-la", "--env", "B"});
  ASSERT_TRUE(p.has_value()) << p.error().msg;
  EXPECT_EQ(p->args, (std::vector<std::string>{"ctr", "ls", "-la", "--env", "B"}));
  ASSERT_EQ(p->flags.size(), 2u);
  EXPECT_EQ(p->flags[1].name, "env");
  EXPECT_EQ(pos, p->args);
}

TEST(CliApp, EmptyAndDashValuesReachTheOptions) {
  CLI::App app;
  app.set_help_flag();
  std::string bundle = "unset", memory;
  std::vector<std::string> env;
  add_string(app, {"bundle,b", "u"}, bundle);
  add_string(app, {"memory", "u"}, memory);
  add_strings(app, {"env,e", "u"}, env);
  std::vector<std::string> pos;
  add_positionals(app, pos);
  CommandSpec spec{.name = "t"};
  auto p = parse_command_words(spec, app, {"--bundle", "", "--memory", "-1", "-e", "A=1", "-e", "", "ctr", "--"});
  ASSERT_TRUE(p.has_value()) << p.error().msg;
  EXPECT_EQ(bundle, "");
  EXPECT_EQ(memory, "-1");
  EXPECT_EQ(env, (std::vector<std::string>{"A=1", ""}));
  EXPECT_EQ(p->args, std::vector<std::string>{"ctr"});  // a trailing "--" is consumed
}

TEST(CliApp, DeleteFlagAfterIdIsReordered) {
  CLI::App app;
  app.set_help_flag();
  const CommandSpec* del = find_command("delete");
  ASSERT_NE(del, nullptr);
  const Action action = del->define(app);  // owns the flags' targets
  std::vector<std::string> pos;
  add_positionals(app, pos);
  auto p = parse_command_words(*del, app, {"ctr", "--force"});
  ASSERT_TRUE(p.has_value()) << p.error().msg;
  EXPECT_EQ(p->args, std::vector<std::string>{"ctr"});
  ASSERT_EQ(p->flags.size(), 1u);
  EXPECT_EQ(p->flags[0].name, "force");
}

class CliSpec : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orun-spec-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ::unlink((dir_ + "/config.json").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(CliSpec, WritesConfigOnceAndRefusesToOverwrite) {
  auto c = run_cli({kArgv0, "spec", "--bundle", dir_});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.err, "");
  std::ifstream f(dir_ + "/config.json");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str().rfind("{\n\t\"ociVersion\": \"1.3.0\"", 0), 0u);
  struct stat st{};
  ASSERT_EQ(::stat((dir_ + "/config.json").c_str(), &st), 0);
  mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);

  auto again = run_cli({kArgv0, "spec", "-b", dir_});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("msg=\"File config.json exists. Remove it first\""), std::string::npos) << again.err;
}

TEST_F(CliSpec, MissingBundleDirectory) {
  auto c = run_cli({kArgv0, "spec", "-b", dir_ + "/nope"});
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("chdir " + dir_ + "/nope: no such file or directory"), std::string::npos) << c.err;
}

TEST(CliFeatures, DocumentShape) {
  auto doc = features_document();
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux",
                                            "annotations", "potentiallyUnsafeConfigAnnotations"}));
  EXPECT_EQ(doc["ociVersionMax"], "1.3.0");
  EXPECT_EQ(doc["linux"]["namespaces"],
            (std::vector<std::string>{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}));
  const auto& caps = doc["linux"]["capabilities"];
  ASSERT_GT(caps.size(), 37u);
  EXPECT_EQ(caps[0], "CAP_CHOWN");
  const auto& opts = doc["mountOptions"];
  EXPECT_EQ(opts.size(), 60u);
  EXPECT_TRUE(std::is_sorted(opts.begin(), opts.end()));
  EXPECT_TRUE(doc["linux"]["seccomp"]["archs"].size() > 0);
  auto text = doc.dump(4);
  EXPECT_NE(text.find("\n    \"ociVersionMin\": \"1.0.0\","), std::string::npos);
}

}  // namespace
}  // namespace orun::cli
