// The systemd driver's pure logic against runc 1.5.1's behaviour:
// slice:prefix:name parsing, unit names, ExpandSlice, CPUQuotaPerSecUSec
// rounding, cpuset lists as AllowedCPUs bytes, systemd's version number.
#include <gtest/gtest.h>

#include "cgroups/systemd/properties.hpp"
#include "cgroups/systemd/unit_name.hpp"

namespace sd = orun::cgroups::systemd;

TEST(SystemdUnitPath, ParsedAsRuncsSpecconv) {
  struct Case {
    std::string path, parent, prefix, name;
  } cases[] = {
      {"", "", "runc", "ctr"},  // empty: runc-<id>.scope in the default slice
      {"system.slice:docker:1234", "system.slice", "docker", "1234"},
      {"kubepods-burstable-pod12.slice:cri-containerd:abc", "kubepods-burstable-pod12.slice", "cri-containerd", "abc"},
      {"::", "", "", ""},  // empty parts are kept as they are
      {":runc:x", "", "runc", "x"},
      {"user.slice::x.slice", "user.slice", "", "x.slice"},
  };
  for (const auto& c : cases) {
    auto p = sd::parse_unit_path(c.path, "ctr");
    ASSERT_TRUE(p) << c.path << ": " << p.error().msg;
    EXPECT_EQ(p->parent, c.parent) << c.path;
    EXPECT_EQ(p->prefix, c.prefix) << c.path;
    EXPECT_EQ(p->name, c.name) << c.path;
  }
}

TEST(SystemdUnitPath, NotThreePartsIsRuncsError) {
  for (std::string bad : {"/orun-test/x", "a:b", "a:b:c:d", "system.slice", ":"}) {
    auto p = sd::parse_unit_path(bad, "ctr");
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().msg, "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"" +
                                 bad + "\" instead");
  }
  // Go's %q escapes.
  auto q = sd::parse_unit_path("a\"b\n", "ctr");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().msg,
            "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"a\\\"b\\n\" instead");
}

TEST(SystemdUnitName, ScopeOrSlice) {
  EXPECT_EQ(sd::unit_name({"system.slice", "docker", "1234"}), "docker-1234.scope");
  EXPECT_EQ(sd::unit_name({"", "runc", "ctr"}), "runc-ctr.scope");
  EXPECT_EQ(sd::unit_name({"", "", "x"}), "-x.scope");
  EXPECT_EQ(sd::unit_name({"", "p", ""}), "p-.scope");
  EXPECT_EQ(sd::unit_name({"system.slice", "ignored", "pod-x.slice"}), "pod-x.slice");
  EXPECT_TRUE(sd::is_slice_unit("a.slice"));
  EXPECT_FALSE(sd::is_slice_unit("a.scope"));
}

TEST(SystemdExpandSlice, AsRuncsExpandSlice) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"a.slice", "/a.slice"},
      {"a-b.slice", "/a.slice/a-b.slice"},
      {"a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice"},
      {"system.slice", "/system.slice"},
      {"kubepods-burstable-pod12.slice", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice"},
      {"-.slice", "/"},
      {"a_b.slice", "/a_b.slice"},
  };
  for (const auto& c : cases) {
    auto r = sd::expand_slice(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().msg;
    EXPECT_EQ(*r, c.out) << c.in;
  }
  for (std::string bad : {"", ".slice", "a", "a.scope", "slice", "a/b.slice", "-a.slice", "a-.slice", "a--b.slice",
                          "--.slice"}) {
    auto r = sd::expand_slice(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().msg, "invalid slice name: " + bad);
  }
}

TEST(SystemdUnitCgroupPath, SliceThenUnit) {
  EXPECT_EQ(*sd::unit_cgroup_path({"", "runc", "ctr"}, false), "/system.slice/runc-ctr.scope");
  EXPECT_EQ(*sd::unit_cgroup_path({"", "runc", "ctr"}, true), "/user.slice/runc-ctr.scope");
  EXPECT_EQ(*sd::unit_cgroup_path({"a-b.slice", "cri", "x"}, false), "/a.slice/a-b.slice/cri-x.scope");
  EXPECT_EQ(*sd::unit_cgroup_path({"-.slice", "p", "x"}, false), "/p-x.scope");
  EXPECT_EQ(sd::unit_cgroup_path({"bad", "p", "x"}, false).error().msg, "invalid slice name: bad");
}

TEST(SystemdCpuQuota, PerSecUSecRoundedUpAsRunc) {
  struct Case {
    int64_t quota;
    uint64_t period;
    int version;
    bool has_period_prop;
    bool has_quota_prop;
    uint64_t per_sec;
    int64_t fs_quota;
  } cases[] = {
      {0, 0, 252, false, false, 0, 0},                        // nothing set
      {50000, 100000, 252, true, true, 500000, 50000},        // half a cpu
      {50000, 0, 252, false, true, 500000, 50000},            // default period
      {123456, 100000, 252, true, true, 1240000, 124000},     // 1234560 -> 1240000, fs quota follows
      {1, 100000, 252, true, true, 10000, 1000},              // at least 1%
      {10000, 1000000, 252, true, true, 10000, 10000},        // exact
      {-1, 100000, 252, true, true, sd::kUsecInfinity, -1},   // unlimited
      {0, 100000, 252, true, true, sd::kUsecInfinity, 0},     // only a period: quota unlimited
      {50000, 100000, 241, false, true, 500000, 50000},       // no CPUQuotaPeriodUSec before 242
      {33333, 100000, 252, true, true, 340000, 34000},
  };
  for (const auto& c : cases) {
    auto r = sd::cpu_quota_properties(c.quota, c.period, c.version);
    std::string what = std::to_string(c.quota) + "/" + std::to_string(c.period);
    size_t i = 0;
    if (c.has_period_prop) {
      ASSERT_GT(r.properties.size(), i) << what;
      EXPECT_EQ(r.properties[i].first, "CPUQuotaPeriodUSec") << what;
      EXPECT_EQ(r.properties[i].second, sd::Value::u64(c.period)) << what;
      ++i;
    }
    if (c.has_quota_prop) {
      ASSERT_GT(r.properties.size(), i) << what;
      EXPECT_EQ(r.properties[i].first, "CPUQuotaPerSecUSec") << what;
      EXPECT_EQ(r.properties[i].second, sd::Value::u64(c.per_sec)) << what;
      ++i;
    }
    EXPECT_EQ(r.properties.size(), i) << what;
    EXPECT_EQ(r.quota, c.fs_quota) << what;
  }
}

TEST(SystemdRangeToBits, LittleEndianBytesAsSystemdParsesThem) {
  struct Case {
    std::string in;
    std::vector<uint8_t> out;
  } cases[] = {
      {"0", {0x01}},
      {"1,3-5", {0x3a}},
      {"0-7", {0xff}},
      {"8", {0x00, 0x01}},
      {"0,9", {0x01, 0x02}},
      {" 2 , ,4-4,", {0x14}},
      {"0-3,16", {0x0f, 0x00, 0x01}},
      {"63", {0, 0, 0, 0, 0, 0, 0, 0x80}},
  };
  for (const auto& c : cases) {
    auto r = sd::range_to_bits(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().msg;
    EXPECT_EQ(*r, c.out) << c.in;
  }
  struct Bad {
    std::string in, msg;
  } bad[] = {
      {"", "empty value"},
      {" , ", "empty value"},
      {"5-3", "invalid range: 5-3"},
      {"a", "strconv.ParseUint: parsing \"a\": invalid syntax"},
      {"1-", "strconv.ParseUint: parsing \"\": invalid syntax"},
      {"-1", "strconv.ParseUint: parsing \"\": invalid syntax"},
      {"1-2-3", "strconv.ParseUint: parsing \"2-3\": invalid syntax"},
      {"4294967296", "strconv.ParseUint: parsing \"4294967296\": value out of range"},
  };
  for (const auto& b : bad) {
    auto r = sd::range_to_bits(b.in);
    ASSERT_FALSE(r) << b.in;
    EXPECT_EQ(r.error().msg, b.msg) << b.in;
  }
}

TEST(SystemdCpuset, AllowedCpusAndMemoryNodes) {
  auto p = sd::cpuset_properties("0-1", "0", 252);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].first, "AllowedCPUs");
  EXPECT_EQ((*p)[0].second, sd::Value::bytes({0x03}));
  EXPECT_EQ((*p)[1].first, "AllowedMemoryNodes");
  EXPECT_EQ((*p)[1].second, sd::Value::bytes({0x01}));
  EXPECT_TRUE(sd::cpuset_properties("0-1", "", 243)->empty());  // before 244: files only
  EXPECT_TRUE(sd::cpuset_properties("", "", 252)->empty());
  EXPECT_EQ(sd::cpuset_properties("x", "", 252).error().msg,
            "resources.CPU.Cpus=\"x\" conversion error: strconv.ParseUint: parsing \"x\": invalid syntax");
  EXPECT_EQ(sd::cpuset_properties("", "3-1", 252).error().msg,
            "resources.CPU.Mems=\"3-1\" conversion error: invalid range: 3-1");
}

TEST(SystemdVersion, NumberAsRuncReadsIt) {
  EXPECT_EQ(*sd::systemd_version_number("252.39-1~deb12u2"), 252);
  EXPECT_EQ(*sd::systemd_version_number("\"v245.4-1.fc32\""), 245);
  EXPECT_EQ(*sd::systemd_version_number("245"), 245);
  EXPECT_EQ(*sd::systemd_version_number("v245-1.fc32"), 245);
  EXPECT_FALSE(sd::systemd_version_number("abc"));
}
