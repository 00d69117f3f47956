#include <gtest/gtest.h>

#include "cgroups/plan.hpp"

using namespace orun::cgroups;
using orun::spec::Resources;

namespace {

// A host whose files are a map: "ctrl/file" -> content.
class FakeProbe : public Probe {
 public:
  std::map<std::string, std::string> files;
  std::vector<std::string> controllers{"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma"};
  bool has(const std::string& c) const override {
    return std::find(controllers.begin(), controllers.end(), c) != controllers.end();
  }
  bool exists(const std::string& c, const std::string& f) const override { return files.count(c + "/" + f) > 0; }
  std::optional<std::string> read(const std::string& c, const std::string& f) const override {
    auto it = files.find(c + "/" + f);
    if (it == files.end()) return std::nullopt;
    return it->second;
  }
};

std::vector<Write> writes(Layout l, const Resources& r, const FakeProbe& p = FakeProbe{}) {
  auto plan_r = plan(l, r, {}, p);
  EXPECT_TRUE(plan_r) << plan_r.error().msg;
  std::vector<Write> out;
  if (!plan_r) return out;
  for (auto& w : plan_r->writes)
    if (w.ctrl != "devices") out.push_back(w);
  return out;
}

}  // namespace

TEST(CgroupPlanV1, MemoryLimitThenSwapWhenShrinking) {
  Resources r;
  r.memory.limit = 100;
  r.memory.swap = 200;
  FakeProbe p;
  p.files["memory/memory.limit_in_bytes"] = "1000\n";  // new swap (200) < current limit
  auto w = writes(Layout::v1, r, p);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].file, "memory.limit_in_bytes");
  EXPECT_EQ(w[1].file, "memory.memsw.limit_in_bytes");
}

TEST(CgroupPlanV1, SwapFirstWhenGrowing) {
  Resources r;
  r.memory.limit = 60 << 20;
  r.memory.swap = 80 << 20;
  FakeProbe p;
  p.files["memory/memory.limit_in_bytes"] = std::to_string(30 << 20);
  auto w = writes(Layout::v1, r, p);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].file, "memory.memsw.limit_in_bytes");
  EXPECT_EQ(w[0].value, std::to_string(80 << 20));
  EXPECT_EQ(w[1].file, "memory.limit_in_bytes");
}

TEST(CgroupPlanV1, UnlimitedMemoryUnlimitsSwapWhenAccounted) {
  Resources r;
  r.memory.limit = -1;
  FakeProbe p;
  p.files["memory/memory.memsw.limit_in_bytes"] = "1000";
  p.files["memory/memory.limit_in_bytes"] = "1000";
  auto w = writes(Layout::v1, r, p);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], (Write{"memory", "memory.memsw.limit_in_bytes", "-1", 0}));
  EXPECT_EQ(w[1], (Write{"memory", "memory.limit_in_bytes", "-1", kMemoryLimit}));
  // Without swap accounting only the memory limit is written.
  auto w2 = writes(Layout::v1, r);
  ASSERT_EQ(w2.size(), 1u);
}

TEST(CgroupPlanV1, CpuPeriodIsRetriedAfterQuota) {
  Resources r;
  r.cpu.shares = 200;
  r.cpu.period = 10000;
  r.cpu.quota = 3000;
  r.cpu.burst = 500;
  auto w = writes(Layout::v1, r);
  std::vector<Write> want = {
      {"cpu", "cpu.shares", "200", kCheckShares},
      {"cpu", "cpu.cfs_period_us", "10000", kDeferOnEinval},
      {"cpu", "cpu.cfs_burst_us", "500", kDeferOnEinval | kOptional},
      {"cpu", "cpu.cfs_quota_us", "3000", 0},
      {"cpu", "cpu.cfs_period_us", "10000", kIfDeferred},
      {"cpu", "cpu.cfs_burst_us", "500", kIfDeferred | kOptional},
  };
  EXPECT_EQ(w, want);
}

TEST(CgroupPlanV1, RealtimeAndIdle) {
  Resources r;
  r.cpu.realtime_period = 900001;
  r.cpu.realtime_runtime = 600001;
  r.cpu.idle = 1;
  auto w = writes(Layout::v1, r);
  std::vector<Write> want = {
      {"cpu", "cpu.idle", "1", 0},
      {"cpu", "cpu.rt_period_us", "900001", kDeferOnEinval},
      {"cpu", "cpu.rt_runtime_us", "600001", 0},
      {"cpu", "cpu.rt_period_us", "900001", kIfDeferred},
  };
  EXPECT_EQ(w, want);
}

TEST(CgroupPlanV1, PidsZeroIsOneAndNegativeIsMax) {
  Resources r;
  r.pids.limit = 0;
  EXPECT_EQ(writes(Layout::v1, r)[0].value, "1");
  r.pids.limit = -1;
  EXPECT_EQ(writes(Layout::v1, r)[0].value, "max");
  r.pids.limit = 42;
  EXPECT_EQ(writes(Layout::v1, r)[0], (Write{"pids", "pids.max", "42", 0}));
}

TEST(CgroupPlanV1, BlkioUsesBfqFilesWithoutCfq) {
  Resources r;
  r.block_io.weight = 333;
  r.block_io.weight_device = {{8, 0, 444, 0}};
  r.block_io.throttle_write_iops = {{8, 0, 900}};
  auto w = writes(Layout::v1, r);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], (Write{"blkio", "blkio.bfq.weight", "333", 0}));
  EXPECT_EQ(w[1], (Write{"blkio", "blkio.bfq.weight_device", "8:0 444", 0}));
  EXPECT_EQ(w[2], (Write{"blkio", "blkio.throttle.write_iops_device", "8:0 900", 0}));
  FakeProbe cfq;
  cfq.files["blkio/blkio.weight"] = "500";
  EXPECT_EQ(writes(Layout::v1, r, cfq)[0].file, "blkio.weight");
}

TEST(CgroupPlanV1, OtherControllers) {
  Resources r;
  r.cpu.cpus = "0-1";
  r.memory.disable_oom_killer = true;
  r.memory.reservation = 5;
  r.memory.swappiness = 30;
  r.hugepage_limits = {{"2MB", 4194304}};
  r.network.class_id = 7;
  r.network.priorities = {{"eth0", 3}};
  r.rdma["mlx5_1"] = {3, std::nullopt};
  auto w = writes(Layout::v1, r);
  std::vector<Write> want = {
      {"cpuset", "cpuset.cpus", "0-1", 0},
      {"memory", "memory.soft_limit_in_bytes", "5", 0},
      {"memory", "memory.oom_control", "1", 0},
      {"memory", "memory.swappiness", "30", 0},
      {"hugetlb", "hugetlb.2MB.limit_in_bytes", "4194304", 0},
      {"hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes", "4194304", kOptional},
      {"net_cls", "net_cls.classid", "7", 0},
      {"net_prio", "net_prio.ifpriomap", "eth0 3", 0},
      {"rdma", "rdma.max", "mlx5_1 hca_handle=3", 0},
  };
  EXPECT_EQ(w, want);
}

TEST(CgroupPlanV1, Refusals) {
  Resources r;
  r.unified.emplace()["memory.min"] = "1";
  EXPECT_EQ(plan(Layout::hybrid, r, {}, FakeProbe{}).error().msg,
            "invalid configuration: cannot use unified on cgroup v1");
  Resources s;
  s.memory.swappiness = 101;
  EXPECT_EQ(plan(Layout::v1, s, {}, FakeProbe{}).error().msg,
            "invalid memory swappiness value: 101 (valid range is 0-100)");
}

TEST(CgroupPlanV1, CheckBeforeUpdateRejectsLimitUnderUsage) {
  Resources r;
  r.memory.limit = 1024;
  r.memory.check_before_update = true;
  FakeProbe p;
  p.files["memory/memory.usage_in_bytes"] = "4096";
  EXPECT_EQ(plan(Layout::v1, r, {}, p).error().msg, "rejecting memory limit 1024 <= usage 4096");
}

TEST(CgroupPlanV1, DeviceRulesStartFromDenyAll) {
  Resources r;
  r.devices = {{'a', -1, -1, "rwm", false}};
  auto p = plan(Layout::v1, r, default_device_rules({}), FakeProbe{});
  ASSERT_TRUE(p);
  ASSERT_FALSE(p->writes.empty());
  EXPECT_EQ(p->writes[0], (Write{"devices", "devices.deny", "a", 0}));
  bool null_allowed = false;
  for (auto& w : p->writes) null_allowed |= w.file == "devices.allow" && w.value == "c 1:3 rwm";
  EXPECT_TRUE(null_allowed);
}

TEST(CgroupPlanV2, MemoryCpuPidsConversions) {
  Resources r;
  r.memory.limit = 52428800;
  r.memory.swap = 96468992;
  r.memory.reservation = 1000;
  r.cpu.shares = 100;
  r.cpu.quota = 5000;
  r.pids.limit = 10;
  auto w = writes(Layout::v2, r);
  std::vector<Write> want = {
      {"", "pids.max", "10", 0},
      {"", "memory.swap.max", std::to_string(96468992 - 52428800), 0},
      {"", "memory.max", "52428800", 0},
      {"", "memory.low", "1000", 0},
      {"", "cpu.weight", "17", 0},
      {"", "cpu.max", "5000 100000", 0},
  };
  EXPECT_EQ(w, want);
}

TEST(CgroupPlanV2, UnlimitedAndEqualSwap) {
  Resources r;
  r.memory.limit = -1;
  auto w = writes(Layout::v2, r);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], (Write{"", "memory.swap.max", "max", kOptional}));
  EXPECT_EQ(w[1], (Write{"", "memory.max", "max", 0}));
  Resources e;
  e.memory.limit = 100;
  e.memory.swap = 100;  // no swap at all
  EXPECT_EQ(writes(Layout::v2, e)[0], (Write{"", "memory.swap.max", "0", kOptional}));
  Resources bad;
  bad.memory.swap = 100;
  EXPECT_EQ(plan(Layout::v2, bad, {}, FakeProbe{}).error().msg, "unable to set swap limit without memory limit");
}

TEST(CgroupPlanV2, CpuQuotaMaxAndBurst) {
  Resources r;
  r.cpu.quota = -1;
  r.cpu.period = 900000;
  r.cpu.burst = 5;
  r.cpu.idle = 1;
  auto w = writes(Layout::v2, r);
  std::vector<Write> want = {
      {"", "cpu.idle", "1", 0},
      {"", "cpu.max.burst", "5", kDeferOnEinval},
      {"", "cpu.max", "max 900000", 0},
      {"", "cpu.max.burst", "5", kIfDeferred},
  };
  EXPECT_EQ(w, want);
}

TEST(CgroupPlanV2, IoWeightBfqOrConverted) {
  Resources r;
  r.block_io.weight = 750;
  r.block_io.weight_device = {{7, 0, 444, 0}};
  r.block_io.throttle_read_bps = {{8, 0, 10485760}};
  auto w = writes(Layout::v2, r);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], (Write{"", "io.weight", "7475", 0}));
  EXPECT_EQ(w[1], (Write{"", "io.max", "8:0 rbps=10485760", 0}));
  FakeProbe bfq;
  bfq.files["/io.bfq.weight"] = "default 100\n";
  auto b = writes(Layout::v2, r, bfq);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0], (Write{"", "io.bfq.weight", "750", 0}));
  EXPECT_EQ(b[1], (Write{"", "io.bfq.weight", "7:0 444", 0}));
}

TEST(CgroupPlanV2, UnifiedLastLineByLineAndIgnoredV1OnlyKnobs) {
  Resources r;
  r.unified.emplace()["memory.high"] = "20971520";
  r.memory.swappiness = 10;         // v1 only: ignored
  r.memory.disable_oom_killer = true; // v1 only: ignored
  r.cpu.realtime_runtime = 5;      // v1 only: ignored
  r.hugepage_limits = {{"1GB", 1073741824}};
  auto w = writes(Layout::v2, r);
  std::vector<Write> want = {
      {"", "hugetlb.1GB.max", "1073741824", 0},
      {"", "hugetlb.1GB.rsvd.max", "1073741824", kOptional},
      {"", "memory.high", "20971520", kUnified | kByLine},
  };
  EXPECT_EQ(w, want);
}

TEST(CgroupPlanV2, DevicesBecomeAProgramNotWrites) {
  Resources r;
  r.devices = {{'a', -1, -1, "rwm", false}};
  auto p = plan(Layout::v2, r, default_device_rules({}), FakeProbe{});
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->writes.empty());
  ASSERT_TRUE(p->v2_devices);
  EXPECT_FALSE(p->v2_devices->default_allow);
  EXPECT_FALSE(plan(Layout::v2, r, {}, FakeProbe{}, /*skip_devices=*/true)->v2_devices);
}

TEST(CgroupPlanV1, HybridHugetlbGoesToCgroup2WhenNoV1Hierarchy) {
  Resources r;
  r.hugepage_limits = {{"2MB", 4194304}};
  FakeProbe p;
  p.controllers = {"memory", "cpu", ""};
  auto w = writes(Layout::hybrid, r, p);
  std::vector<Write> want = {
      {"", "hugetlb.2MB.max", "4194304", kEnableController},
      {"", "hugetlb.2MB.rsvd.max", "4194304", kOptional},
  };
  EXPECT_EQ(w, want);
}
