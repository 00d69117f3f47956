// `list`: table, JSON and quiet output.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

using ListTest = ContainerTest;

TEST_F(ListTest, EmptyRootPrintsOnlyTheHeader) {
  auto r = rt({"list"});
  EXPECT_EQ(r.exit_code, 0) << r;
  // tabwriter: minwidth 12, padding 3.
  EXPECT_EQ(r.out, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST_F(ListTest, EmptyRootInJsonIsNull) {
  auto r = rt({"list", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "null\n");
}

TEST_F(ListTest, EmptyRootQuietPrintsNothing) {
  auto r = rt({"list", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
}

TEST_F(ListTest, UnknownFormatIsRejected) {
  auto r = rt({"list", "-f", "yaml"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("invalid format option"));
}

class ListTwoContainersTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    // Name order is the listing order: make the second id sort first.
    second_ = new_id("a");
    second_bundle_ = make_bundle("bundle2", second_);
    ASSERT_EQ(create().exit_code, 0);
    auto r = rt({"create", "--bundle", second_bundle_, second_});
    ASSERT_EQ(r.exit_code, 0) << r;
    track_pid(state_pid(second_));
  }
  std::string second_;
  std::string second_bundle_;
};

TEST_F(ListTwoContainersTest, QuietPrintsIdsInNameOrder) {
  auto r = rt({"list", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, second_ + "\n" + id_ + "\n");
}

TEST_F(ListTwoContainersTest, JsonIsOneLineArrayOfStates) {
  auto r = rt({"list", "--format=json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  auto list = Json::parse(r.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], second_);
  EXPECT_EQ(list[1]["id"], id_);
  for (auto& c : list) {
    std::vector<std::string> keys;
    for (auto& [k, v] : c.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "id", "pid", "status", "bundle",
                                              "rootfs", "created", "owner"}));
    EXPECT_EQ(c["status"], "created");
    EXPECT_GT(c["pid"].get<int>(), 0);
    // list fills owner from the state dir's uid.
    EXPECT_EQ(c["owner"], "root");
  }
  EXPECT_EQ(list[1]["bundle"], std::filesystem::canonical(bundle_).string());
}

TEST_F(ListTwoContainersTest, TableHasOneRowPerContainer) {
  auto r = rt({"list"});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_TRUE(lines[0].starts_with("ID ")) << lines[0];
  auto cols = [](const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> v;
    std::string w;
    while (in >> w) v.push_back(w);
    return v;
  };
  auto header = cols(lines[0]);
  EXPECT_EQ(header, (std::vector<std::string>{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}));
  // Columns are aligned: every row starts its PID where the header does.
  auto pid_col = lines[0].find("PID");
  for (size_t i = 1; i < lines.size(); ++i) {
    auto row = cols(lines[i]);
    ASSERT_EQ(row.size(), 6u) << lines[i];
    EXPECT_EQ(row[2], "created");
    EXPECT_EQ(row[5], "root");
    EXPECT_EQ(lines[i].find_first_not_of(' ', row[0].size()), pid_col) << lines[i];
  }
  EXPECT_EQ(cols(lines[1])[0], second_);
  EXPECT_EQ(cols(lines[2])[0], id_);
}

}  // namespace
}  // namespace orun::itest
