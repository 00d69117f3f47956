#include <gtest/gtest.h>

#include "cgroups/stats.hpp"

using namespace orun::cgroups;

TEST(CgroupStats, FlatKeyed) {
  auto m = parse_flat_keyed("cache 10\nrss 20\nmax max\nbad x\n");
  EXPECT_EQ(m["cache"], 10u);
  EXPECT_EQ(m["rss"], 20u);
  EXPECT_EQ(m["max"], UINT64_MAX);
  EXPECT_EQ(m.count("bad"), 0u);
}

TEST(CgroupStats, CpusetList) {
  EXPECT_EQ(parse_cpuset_list("0-2,5\n"), (std::vector<uint16_t>{0, 1, 2, 5}));
  EXPECT_TRUE(parse_cpuset_list("\n").empty());
}

TEST(CgroupStats, Psi) {
  auto p = parse_psi("some avg10=1.50 avg60=0.00 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=4\n");
  EXPECT_DOUBLE_EQ(p["some"]["avg10"].get<double>(), 1.5);
  EXPECT_EQ(p["some"]["total"].get<uint64_t>(), 123u);
  EXPECT_EQ(p["full"]["total"].get<uint64_t>(), 4u);
}

TEST(CgroupStats, BlkioV1) {
  auto e = parse_blkio_v1("8:0 Read 4096\n8:0 Write 0\nTotal 4096\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].dump(), R"({"major":8,"op":"Read","value":4096})");  // minor 0 omitted, as Go's omitempty
  EXPECT_EQ(e[1].dump(), R"({"major":8,"op":"Write"})");
}

TEST(CgroupStats, IoStatV2) {
  auto [bytes, ios] = parse_io_stat("8:16 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n");
  ASSERT_EQ(bytes.size(), 2u);
  EXPECT_EQ(bytes[1].dump(), R"({"major":8,"minor":16,"op":"Write","value":200})");
  ASSERT_EQ(ios.size(), 2u);
  EXPECT_EQ(ios[0]["value"].get<uint64_t>(), 3u);
}

TEST(CgroupStats, HugepageNames) {
  EXPECT_EQ(hugepage_size_name("hugepages-2048kB"), "2MB");
  EXPECT_EQ(hugepage_size_name("hugepages-1048576kB"), "1GB");
  EXPECT_EQ(hugepage_size_name("hugepages-64kB"), "64KB");
}
