// Help texts: text/tabwriter alignment as urfave's help printer uses it, and
// the name they give the runtime (orun/program.hpp): runc's exact words when
// invoked as `runc`, orun's under any other name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/command.hpp"
#include "cli/global.hpp"
#include "cli/help.hpp"
#include "orun/program.hpp"

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

// Help and version paths write only to `out`.
std::string help_of(const std::vector<std::string>& argv) {
  std::string out;
  EXPECT_EQ(run(argv, [&out](std::string_view s) { out += s; }), 0);
  return out;
}

std::string line(const std::string& text, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i < n && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos == std::string::npos) return "";
  return text.substr(pos, text.find('\n', pos) - pos);
}

// Every help text orun can print for `prog`: global, each command's (hidden
// ones included) and the help command's.
std::string all_help(const std::string& prog) {
  std::string all = help_of({prog, "--help"});
  for (const auto& c : all_commands()) all += help_of({prog, c.name, "--help"});
  all += help_of({prog, "help", "help"});
  return all;
}

TEST(CliHelpNames, ProgramNameIsRuncOnlyForTheBasenameRunc) {
  EXPECT_EQ(program_name("runc"), "runc");
  EXPECT_EQ(program_name("/usr/sbin/runc"), "runc");
  EXPECT_EQ(program_name("/etc/alternatives/runc"), "runc");
  EXPECT_EQ(program_name("orun"), "orun");
  EXPECT_EQ(program_name("/usr/bin/orun"), "orun");
  EXPECT_EQ(program_name("/opt/runc/orun-dev"), "orun");
  EXPECT_EQ(program_name("runc.real"), "orun");
  EXPECT_EQ(program_name(""), "orun");
  EXPECT_EQ(invoked_name("/opt/x/orun-dev"), "orun-dev");
  EXPECT_EQ(invoked_name(""), "orun");
}

TEST(CliHelpNames, ExpandNamesFillsBothTokens) {
  EXPECT_EQ(expand_names("{name} ps; {prog} list; {name}", "/usr/bin/orun-dev"), "orun ps; orun-dev list; orun");
  EXPECT_EQ(expand_names("{name} ps; {prog} list", "/usr/sbin/runc"), "runc ps; runc list");
  EXPECT_EQ(expand_names("no token", "runc"), "no token");
}

TEST(CliHelpNames, RecordedInvocationNamesLaterTexts) {
  help_of({"/usr/sbin/runc", "--version"});
  EXPECT_EQ(program_name(), "runc");
  EXPECT_EQ(named("cannot allocate tty if {name} will detach"), "cannot allocate tty if runc will detach");
  help_of({"/usr/bin/orun", "--version"});
  EXPECT_EQ(program_name(), "orun");
  EXPECT_EQ(named("cannot allocate tty if {name} will detach"), "cannot allocate tty if orun will detach");
}

TEST(CliHelpNames, AsRuncGlobalHelpKeepsRuncsTexts) {
  const std::string h = help_of({"/usr/sbin/runc", "--help"});
  EXPECT_EQ(line(h, 0), "NAME:");
  EXPECT_EQ(line(h, 1), "   runc - Open Container Initiative runtime");
  EXPECT_NE(h.find("\n   runc [global options] command [command options] [arguments...]\n"), std::string::npos);
  EXPECT_NE(h.find("\n   list        lists containers started by runc with the given root\n"), std::string::npos);
  EXPECT_NE(h.find("--log value         set the log file to write runc logs to (default is '/dev/stderr')\n"),
            std::string::npos);
  EXPECT_NE(h.find("for e.g. \"system.slice:runc:434234\"\n"), std::string::npos);
  // The default shown is the one used: orun's own root under either name.
  EXPECT_NE(h.find("(default: \"/run/orun\")"), std::string::npos);
  EXPECT_EQ(line(help_of({"runc", "list", "-h"}), 1), "   runc list - lists containers started by runc with the given root");
  EXPECT_EQ(line(help_of({"runc", "-v"}), 0).rfind("runc version ", 0), 0u);
}

TEST(CliHelpNames, AsOrunGlobalHelpNamesOrunAndItsRoot) {
  for (const std::string prog : {"/usr/bin/orun", "orun"}) {
    const std::string h = help_of({prog, "--help"});
    EXPECT_EQ(line(h, 1), "   orun - Open Container Initiative runtime");
    EXPECT_NE(h.find("\norun starts and manages containers"), std::string::npos);
    EXPECT_NE(h.find("\n   list        lists containers started by orun with the given root\n"), std::string::npos);
    EXPECT_NE(h.find("set the log file to write orun logs to (default is '/dev/stderr')"), std::string::npos);
    EXPECT_NE(h.find("--root value        root directory for storage of container state (this should be located "
                     "in tmpfs) (default: \"/run/orun\")"),
              std::string::npos);
    EXPECT_EQ(line(help_of({prog, "list", "-h"}), 1),
              "   orun list - lists containers started by orun with the given root");
    EXPECT_EQ(line(help_of({prog, "-v"}), 0).rfind("orun version ", 0), 0u);
  }
}

// Under orun's name no help text calls the program runc; the only mentions
// left are about runc itself ("runc's command line", "runc's place").
TEST(CliHelpNames, AsOrunNoHelpTextCallsItselfRunc) {
  std::string all = all_help("/usr/bin/orun");
  for (size_t pos = all.find("runc's"); pos != std::string::npos; pos = all.find("runc's", pos))
    all.replace(pos, 6, "RUNC-S");
  EXPECT_EQ(all.find("runc"), std::string::npos) << all.substr(all.find("runc") - 80, 160);
  EXPECT_EQ(all.find("{name}"), std::string::npos);
  EXPECT_EQ(all.find("{prog}"), std::string::npos);
}

// Under a name that is neither, the usage lines show what was typed and the
// texts say orun (urfave prints basename(argv[0]); runc's help.bats greps it).
TEST(CliHelpNames, OtherNamesShowTheBasenameInUsage) {
  const std::string h = help_of({"/opt/x/orun-dev", "create", "--help"});
  EXPECT_EQ(line(h, 1), "   orun-dev create - create a container");
  EXPECT_NE(h.find("\"orun-dev start\""), std::string::npos);
  EXPECT_EQ(line(help_of({"/opt/x/orun-dev", "-h"}), 1), "   orun - Open Container Initiative runtime");
}

TEST(CliHelpNames, AsRuncNoHelpTextLeftWithATokenOrOrunsUsage) {
  const std::string all = all_help("runc");
  EXPECT_EQ(all.find("{name}"), std::string::npos);
  EXPECT_EQ(all.find("{prog}"), std::string::npos);
  EXPECT_EQ(all.find("orun "), all.find("orun here"));  // only the line saying what this runc is
}

}  // namespace
}  // namespace orun::cli
