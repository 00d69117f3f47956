#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "container/create_record.hpp"

using namespace orun::container;

namespace {

CreateRecord sample() {
  CreateRecord r;
  r.id = "c1";
  r.cgroup_paths = {{"memory", "/sys/fs/cgroup/memory/a/c1"}, {"", "/sys/fs/cgroup/unified/a/c1"}};
  r.cgroup_unit = "";
  r.cgroup_made = {"/sys/fs/cgroup/memory/a/c1"};
  r.cgroup_owned = true;
  return r;
}

}  // namespace

TEST(CreateRecord, RoundTrips) {
  auto r = CreateRecord::parse(sample().to_json());
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->id, "c1");
  EXPECT_EQ(r->cgroup_paths, sample().cgroup_paths);
  EXPECT_EQ(r->cgroup_made, sample().cgroup_made);
  EXPECT_TRUE(r->cgroup_owned);
  EXPECT_EQ(r->cgroup_unit, "");
}

TEST(CreateRecord, KeepsSystemdUnit) {
  auto in = sample();
  in.cgroup_unit = "orun-c1.scope";
  in.cgroup_owned = false;
  auto r = CreateRecord::parse(in.to_json());
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->cgroup_unit, "orun-c1.scope");
  EXPECT_FALSE(r->cgroup_owned);
}

TEST(CreateRecord, RefusesMalformedOrUnsafeRecords) {
  for (const char* text : {
           "", "{", "[]", "{\"id\":\"c1\"}",
           R"({"version":2,"id":"c1","cgroup_paths":{}})",
           R"({"version":1,"id":"../x","cgroup_paths":{}})",
           R"({"version":1,"id":"c1","cgroup_paths":{"memory":"/etc"}})",
           R"({"version":1,"id":"c1","cgroup_paths":{"memory":"/sys/fs/cgroup/memory/../../../etc"}})",
           R"({"version":1,"id":"c1","cgroup_paths":{"memory":"relative/c1"}})",
           R"({"version":1,"id":"c1","cgroup_paths":{},"cgroup_made":["/tmp"]})",
           R"({"version":1,"id":"c1","cgroup_paths":{},"cgroup_unit":"a/b.scope"})",
           R"({"version":1,"id":"c1","cgroup_paths":{},"cgroup_unit":"sshd.service"})",
           R"({"version":1,"id":"c1","cgroup_paths":{"memory":7}})",
       }) {
    EXPECT_FALSE(CreateRecord::parse(text)) << text;
  }
}

TEST(CreateRecord, SavedAtomicallyAndLoaded) {
  char tmpl[] = "/tmp/orun-record-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  EXPECT_EQ(load_record(dir).error().err, ENOENT);
  ASSERT_TRUE(save_record(dir, sample()));
  auto in = sample();
  in.cgroup_made.clear();
  ASSERT_TRUE(save_record(dir, in));
  auto r = load_record(dir);
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_TRUE(r->cgroup_made.empty());
  // Only create.json is left: no temp files.
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename(), "create.json");
    n++;
  }
  EXPECT_EQ(n, 1);
  std::filesystem::remove_all(dir);
}

// The bundle and time `state`/`list` show for a half-created container; an
// older record without them still parses.
TEST(CreateRecord, KeepsBundleAndCreatedForTheHalfCreatedView) {
  auto s = sample();
  s.bundle = "/b";
  s.created = "2026-12-06T03:46:03.31933245Z";
  auto r = CreateRecord::parse(s.to_json());
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_EQ(r->bundle, "/b");
  EXPECT_EQ(r->created, "2026-12-06T03:46:03.31933245Z");
  auto old = CreateRecord::parse(sample().to_json());
  ASSERT_TRUE(old);
  EXPECT_EQ(old->bundle, "");
}

TEST(CreateRecord, LedgerEntryIsAFileInTheRootNamedByNoContainerId) {
  char tmpl[] = "/tmp/orun-ledger-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  ASSERT_TRUE(save_ledger(root, sample()));
  std::string path = ledger_path(root, "c1");
  EXPECT_EQ(path, root + "/.orun:cgroups:c1");
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto r = CreateRecord::parse(text);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cgroup_paths, sample().cgroup_paths);
  remove_ledger(root, "c1");
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(root);
}
