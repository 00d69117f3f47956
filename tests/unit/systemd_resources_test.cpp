// The systemd driver's resource properties for cgroup v1 and hybrid hosts,
// against runc 1.5.1's genV1ResourcesProperties and devices.systemdProperties
// (opencontainers/cgroups): which properties, in which order, with which values.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cgroups/devices.hpp"
#include "cgroups/systemd/resource_properties.hpp"

namespace sd = orun::cgroups::systemd;
using orun::spec::DeviceRule;
using orun::spec::Resources;

namespace {

std::vector<std::string> names(const std::vector<sd::Property>& props) {
  std::vector<std::string> out;
  for (auto& p : props) out.push_back(p.first);
  return out;
}

// The last property of that name (DeviceAllow is sent twice, as runc does).
const sd::Value* find(const std::vector<sd::Property>& props, const std::string& name) {
  const sd::Value* v = nullptr;
  for (auto& p : props)
    if (p.first == name) v = &p.second;
  return v;
}

sd::Value allow_list(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<sd::Value> items;
  for (auto& [path, perms] : entries) items.push_back(sd::Value::structure({sd::Value::string(path), sd::Value::string(perms)}));
  return sd::Value::array("(ss)", std::move(items));
}

const std::vector<DeviceRule> kAllowAll = {{'a', -1, -1, "rwm", true}};

}  // namespace

TEST(SystemdV1Properties, ScalarsAsRuncConvertsThem) {
  struct Row {
    const char* what;
    Resources r;
    std::string name;  // "" when nothing but the device properties is sent
    uint64_t value;
  };
  auto with = [](auto f) {
    Resources r;
    f(r);
    return r;
  };
  std::vector<Row> rows = {
      {"memory limit", with([](Resources& r) { r.memory.limit = 52428800; }), "MemoryLimit", 52428800},
      {"memory -1 wraps to infinity", with([](Resources& r) { r.memory.limit = -1; }), "MemoryLimit", UINT64_MAX},
      {"memory 0 is unset", with([](Resources& r) { r.memory.limit = 0; }), "", 0},
      {"cpu shares", with([](Resources& r) { r.cpu.shares = 512; }), "CPUShares", 512},
      {"cpu shares 0 is unset", with([](Resources& r) { r.cpu.shares = 0; }), "", 0},
      {"blkio weight", with([](Resources& r) { r.block_io.weight = 300; }), "BlockIOWeight", 300},
      {"pids limit", with([](Resources& r) { r.pids.limit = 100; }), "TasksMax", 100},
      {"pids -1 is infinity", with([](Resources& r) { r.pids.limit = -1; }), "TasksMax", UINT64_MAX},
      {"pids 0 is 1 (systemd refuses 0)", with([](Resources& r) { r.pids.limit = 0; }), "TasksMax", 1},
      {"pids absent sends nothing", Resources{}, "", 0},
      {"quota alone: per-second over the default period", with([](Resources& r) { r.cpu.quota = 50000; }),
       "CPUQuotaPerSecUSec", 500000},
      {"quota -1: infinity", with([](Resources& r) { r.cpu.quota = -1; }), "CPUQuotaPerSecUSec", UINT64_MAX},
  };
  for (auto& row : rows) {
    auto p = sd::v1_resource_properties(row.r, kAllowAll, 252);
    ASSERT_TRUE(p) << row.what;
    std::vector<std::string> want = {"DeviceAllow", "DevicePolicy"};
    if (!row.name.empty()) want.push_back(row.name);
    EXPECT_EQ(names(p->properties), want) << row.what;
    if (!row.name.empty()) {
      EXPECT_EQ(*find(p->properties, row.name), sd::Value::u64(row.value)) << row.what;
    }
  }
}

TEST(SystemdV1Properties, OrderAndRoundedQuotaForTheFiles) {
  Resources r;
  r.memory.limit = 1 << 26;
  r.cpu.shares = 1024;
  r.cpu.quota = 33333;  // 33.333% -> 34%: the files get the rounded quota too
  r.cpu.period = 100000;
  r.block_io.weight = 500;
  r.pids.limit = 20;
  r.cpu.cpus = "0-1";
  auto p = sd::v1_resource_properties(r, kAllowAll, 252);
  ASSERT_TRUE(p);
  EXPECT_EQ(names(p->properties),
            (std::vector<std::string>{"DeviceAllow", "DevicePolicy", "MemoryLimit", "CPUShares", "CPUQuotaPeriodUSec",
                                      "CPUQuotaPerSecUSec", "BlockIOWeight", "TasksMax", "AllowedCPUs"}));
  EXPECT_EQ(*find(p->properties, "CPUQuotaPerSecUSec"), sd::Value::u64(340000));
  EXPECT_EQ(p->cpu_quota, 34000);
  // systemd 241 knows no CPUQuotaPeriodUSec, 243 no AllowedCPUs: files only.
  auto old = sd::v1_resource_properties(r, kAllowAll, 241);
  ASSERT_TRUE(old);
  EXPECT_EQ(find(old->properties, "CPUQuotaPeriodUSec"), nullptr);
  EXPECT_EQ(find(old->properties, "AllowedCPUs"), nullptr);
}

TEST(SystemdDeviceProperties, AsRuncsSystemdProperties) {
  // runc's defaults after a deny-all: strict, then the allow-list with
  // wildcard majors as char-*/block-* and wildcard minors as char-M.
  std::vector<DeviceRule> rules = {{'a', -1, -1, "rwm", false}};
  for (auto& d : orun::cgroups::default_device_rules({})) rules.push_back(d);
  auto p = sd::v1_resource_properties(Resources{}, rules, 252);
  ASSERT_TRUE(p);
  EXPECT_EQ(names(p->properties), (std::vector<std::string>{"DeviceAllow", "DevicePolicy", "DeviceAllow"}));
  EXPECT_EQ(*find(p->properties, "DevicePolicy"), sd::Value::string("strict"));
  EXPECT_EQ(*find(p->properties, "DeviceAllow"),
            allow_list({{"block-*", "m"},
                        {"char-*", "m"},
                        {"/dev/char/1:3", "rwm"},
                        {"/dev/char/1:5", "rwm"},
                        {"/dev/char/1:7", "rwm"},
                        {"/dev/char/1:8", "rwm"},
                        {"/dev/char/1:9", "rwm"},
                        {"/dev/char/5:0", "rwm"},
                        {"/dev/char/5:2", "rwm"},
                        {"/dev/char/10:200", "rwm"},
                        {"char-136", "rwm"}}));
  EXPECT_TRUE(p->warnings.empty());

  // Allow-all: auto and an empty list.
  auto all = sd::v1_resource_properties(Resources{}, kAllowAll, 252);
  ASSERT_TRUE(all);
  EXPECT_EQ(*find(all->properties, "DevicePolicy"), sd::Value::string("auto"));
  EXPECT_EQ(*find(all->properties, "DeviceAllow"), allow_list({}));

  // A blacklist systemd cannot say: deny-all, with runc's warning.
  auto black = sd::v1_resource_properties(Resources{}, {{'a', -1, -1, "rwm", true}, {'c', 1, 3, "rwm", false}}, 252);
  ASSERT_TRUE(black);
  EXPECT_EQ(names(black->properties), (std::vector<std::string>{"DeviceAllow", "DevicePolicy"}));
  EXPECT_EQ(*find(black->properties, "DevicePolicy"), sd::Value::string("strict"));
  ASSERT_EQ(black->warnings.size(), 1u);
  EXPECT_EQ(black->warnings[0], "systemd doesn't support blacklist device rules -- applying temporary deny-all rule");

  // '*:n' rules are skipped with a warning; block devices by number.
  auto odd = sd::v1_resource_properties(Resources{}, {{'c', -1, 3, "r", true}, {'b', 8, 0, "rw", true}}, 252);
  ASSERT_TRUE(odd);
  EXPECT_EQ(*find(odd->properties, "DeviceAllow"), allow_list({{"/dev/block/8:0", "rw"}}));
  EXPECT_EQ(odd->warnings.size(), 1u);
}

TEST(SystemdV2Properties, AsRuncsGenV2ResourcesProperties) {
  struct Row {
    const char* what;
    Resources r;
    std::vector<std::pair<std::string, uint64_t>> want;  // after the device properties
  };
  auto with = [](auto f) {
    Resources r;
    f(r);
    return r;
  };
  std::vector<Row> rows = {
      {"memory max", with([](Resources& r) { r.memory.limit = 52428800; }), {{"MemoryMax", 52428800}}},
      {"memory -1 is infinity, and so is its swap",
       with([](Resources& r) { r.memory.limit = -1; }),
       {{"MemoryMax", UINT64_MAX}, {"MemorySwapMax", UINT64_MAX}}},
      {"reservation is MemoryLow", with([](Resources& r) { r.memory.reservation = 1 << 20; }), {{"MemoryLow", 1 << 20}}},
      {"swap is memory+swap on v1: the difference",
       with([](Resources& r) {
         r.memory.limit = 100 << 20;
         r.memory.swap = 300 << 20;
       }),
       {{"MemoryMax", 100 << 20}, {"MemorySwapMax", 200 << 20}}},
      {"shares 1024 is weight 100", with([](Resources& r) { r.cpu.shares = 1024; }), {{"CPUWeight", 100}}},
      {"idle 1 is weight 0 and wins over shares",
       with([](Resources& r) {
         r.cpu.idle = 1;
         r.cpu.shares = 1024;
       }),
       {{"CPUWeight", 0}}},
      {"quota over a period",
       with([](Resources& r) {
         r.cpu.quota = 20000;
         r.cpu.period = 100000;
       }),
       {{"CPUQuotaPeriodUSec", 100000}, {"CPUQuotaPerSecUSec", 200000}}},
      {"pids 0 is 1", with([](Resources& r) { r.pids.limit = 0; }), {{"TasksMax", 1}}},
      {"blkio weight: no IO property on v2", with([](Resources& r) { r.block_io.weight = 500; }), {}},
  };
  for (auto& row : rows) {
    auto p = sd::v2_resource_properties(row.r, kAllowAll, 252);
    ASSERT_TRUE(p) << row.what;
    ASSERT_EQ(p->properties.size(), 2 + row.want.size()) << row.what;
    for (size_t i = 0; i < row.want.size(); ++i) {
      EXPECT_EQ(p->properties[2 + i].first, row.want[i].first) << row.what;
      EXPECT_EQ(p->properties[2 + i].second, sd::Value::u64(row.want[i].second)) << row.what;
    }
  }
  Resources both;
  both.cpu.idle = 1;
  both.cpu.shares = 1024;
  EXPECT_EQ(sd::v2_resource_properties(both, kAllowAll, 252)->warnings,
            std::vector<std::string>{"unable to apply both CPUWeight and CpuIdle to systemd, ignoring CPUWeight"});
  // Before systemd 252 idle is not a property; the shares' weight is.
  EXPECT_EQ(sd::v2_resource_properties(both, kAllowAll, 251)->properties[2].second, sd::Value::u64(100));
  Resources no_memory;
  no_memory.memory.swap = 1 << 20;
  EXPECT_EQ(sd::v2_resource_properties(no_memory, kAllowAll, 252).error().msg,
            "unable to set swap limit without memory limit");
}
