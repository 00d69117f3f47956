// The name the runtime answers to (include/orun/program.hpp), side by side:
// the built binary as `orun` and a copy of it named `runc`. Under runc's name
// the texts runc's callers and its bats suite grep stay runc's word for word;
// under orun's they name orun.
#include <filesystem>

#include "harness.hpp"

namespace orun::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class NamesTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (runtime_is_runc()) GTEST_SKIP() << "the runtime under test is runc itself: orun's names do not apply";
    // Copies, not symlinks: argv[0] alone decides, and a copy is what runc's
    // bats suite ($RUNC) or a package's `runc` alternative may point at.
    for (const auto& [dir, name] : {std::pair{"as-runc", "runc"}, std::pair{"as-orun", "orun"}}) {
      fs::create_directories(tmp_ + "/" + dir);
      const std::string path = tmp_ + "/" + dir + "/" + name;
      fs::copy_file(runtime_binary(), path);
      (name == std::string("runc") ? runc_ : orun_) = path;
    }
  }

  CommandResult as(const std::string& bin, const std::vector<std::string>& args) {
    std::vector<std::string> argv{bin, "--root", root_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  static std::string line(const CommandResult& r, size_t n) {
    auto l = split_lines(r.out);
    return n < l.size() ? l[n] : "";
  }

  std::string runc_, orun_;
};

TEST_F(NamesTest, GlobalHelpTitleFollowsTheName) {
  auto r = as(runc_, {"--help"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(line(r, 1), "   runc - Open Container Initiative runtime");
  EXPECT_THAT(r.out, HasSubstr("\n   list        lists containers started by runc with the given root\n"));
  EXPECT_THAT(r.out, HasSubstr("set the log file to write runc logs to"));

  auto o = as(orun_, {"--help"});
  ASSERT_EQ(o.exit_code, 0) << o;
  EXPECT_EQ(line(o, 1), "   orun - Open Container Initiative runtime");
  EXPECT_THAT(o.out, HasSubstr("\n   list        lists containers started by orun with the given root\n"));
  EXPECT_THAT(o.out, HasSubstr("set the log file to write orun logs to"));
  EXPECT_THAT(o.out, HasSubstr("(default: \"/run/orun\")"));
  EXPECT_THAT(o.out, Not(HasSubstr("runc -")));
}

TEST_F(NamesTest, CommandHelpAndVersionFollowTheName) {
  EXPECT_EQ(line(as(runc_, {"list", "--help"}), 1), "   runc list - lists containers started by runc with the given root");
  EXPECT_EQ(line(as(orun_, {"list", "--help"}), 1), "   orun list - lists containers started by orun with the given root");
  EXPECT_EQ(line(as(runc_, {"--version"}), 0).rfind("runc version ", 0), 0u);
  EXPECT_EQ(line(as(orun_, {"--version"}), 0).rfind("orun version ", 0), 0u);
}

TEST_F(NamesTest, TtyErrorAndFailurePrefixFollowTheName) {
  for (const auto& [bin, name] : {std::pair{runc_, "runc"}, std::pair{orun_, "orun"}}) {
    const std::string id = new_id(name);
    const std::string bundle =
        make_bundle(std::string("bundle-") + name, id, [](Json& c) { c["process"]["terminal"] = true; });
    auto r = as(bin, {"create", "--bundle", bundle, id});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr(std::string(name) + " create failed: cannot allocate tty if " + name +
                                 " will detach without setting console socket"));
    expect_nothing_left(id);
  }
}

TEST_F(NamesTest, ExecTtyErrorFollowsTheName) {
  set_args({"sh", "-c", "while :; do sleep 0.1; done"});
  auto c = as(orun_, {"run", "-d", "--bundle", bundle_, id_});
  ASSERT_EQ(c.exit_code, 0) << c;
  track_pid(state_pid(id_));
  for (const char* name : {"runc", "orun"}) {
    auto r = as(name == std::string("runc") ? runc_ : orun_, {"exec", "-t", "-d", id_, "true"});
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr(std::string("cannot allocate tty if ") + name +
                                 " will detach without setting console socket"));
  }
}

}  // namespace
}  // namespace orun::itest
