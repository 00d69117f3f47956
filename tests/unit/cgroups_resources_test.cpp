#include <gtest/gtest.h>

#include "cgroups/convert.hpp"
#include "container/update_request.hpp"
#include "orun/spec_json.hpp"

using namespace orun::cgroups;
using orun::spec::configured_resources;
using orun::spec::merge_update;
using orun::spec::parse_resources;
using orun::spec::Resources;
using orun::spec::resources_to_json;
using orun::spec::valid_cpuset;
using orun::spec::validate_resources;
using orun::container::ram_in_bytes;
using nlohmann::json;

namespace {

// linux.resources as create takes it: parsed, validated, configured.
Resources parse(const json& j) {
  auto o = parse_resources(j, "linux.resources");
  EXPECT_TRUE(o) << o.error().msg;
  if (!o) return Resources{};
  auto v = validate_resources(*o);
  EXPECT_TRUE(v) << v.error().msg;
  return configured_resources(*o);
}

std::string parse_error(const json& j) {
  auto o = parse_resources(j, "linux.resources");
  if (!o) return o.error().msg;
  auto r = validate_resources(*o);
  return r ? "" : r.error().msg;
}

}  // namespace

TEST(CgroupConvert, CpuSharesToWeightMatchesRuncFormula) {
  EXPECT_EQ(cpu_shares_to_weight(0), 0u);
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 100u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(3333), 256u);
  EXPECT_EQ(cpu_shares_to_weight(100), 17u);
  EXPECT_EQ(cpu_shares_to_weight(200), 29u);
}

TEST(CgroupConvert, SwapIsTotalMinusMemoryOnV2) {
  EXPECT_EQ(*memory_swap_to_v2(96468992, 52428800), 96468992 - 52428800);
  EXPECT_EQ(*memory_swap_to_v2(0, -1), -1);
  EXPECT_EQ(*memory_swap_to_v2(-1, 100), -1);
  EXPECT_EQ(*memory_swap_to_v2(0, 100), 0);
  EXPECT_EQ(*memory_swap_to_v2(500, -1), 500);
  EXPECT_EQ(memory_swap_to_v2(100, 0).error().msg, "unable to set swap limit without memory limit");
  EXPECT_EQ(memory_swap_to_v2(100, 200).error().msg, "memory+swap limit should be >= memory limit");
}

TEST(CgroupConvert, BlkioWeightToIoWeight) {
  EXPECT_EQ(blkio_weight_to_io_weight(0), 0u);
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
  EXPECT_EQ(blkio_weight_to_io_weight(750), 7475u);  // runc's bats
}

TEST(CgroupConvert, RamInBytesLikeDocker) {
  EXPECT_EQ(*ram_in_bytes("50M"), 52428800);
  EXPECT_EQ(*ram_in_bytes("512m"), 536870912);
  EXPECT_EQ(*ram_in_bytes("1g"), 1073741824);
  EXPECT_EQ(*ram_in_bytes("67108864"), 67108864);
  EXPECT_EQ(*ram_in_bytes("1.5k"), 1536);
  EXPECT_EQ(*ram_in_bytes("10 MiB"), 10485760);
  EXPECT_FALSE(ram_in_bytes("abc"));
  EXPECT_FALSE(ram_in_bytes("10x"));
  EXPECT_FALSE(ram_in_bytes(""));
}

// Found by tests/fuzz (fuzz_values): a size past INT64_MAX was converted from
// double to int64_t, undefined behaviour (UBSan: "outside the range of
// representable values"); now a clear error. INT64_MAX's neighbourhood stays.
TEST(CgroupConvert, RamInBytesRefusesSizesPastInt64) {
  auto huge = ram_in_bytes("13372929223372337215");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().msg, "invalid size: '13372929223372337215': value out of range");
  EXPECT_FALSE(ram_in_bytes("9223372036854775808"));
  EXPECT_FALSE(ram_in_bytes("8388608t"));  // 2^63 bytes
  EXPECT_FALSE(ram_in_bytes("100000000000000000000p"));
  EXPECT_EQ(*ram_in_bytes("8388607t"), 9223370937343148032);
}

TEST(CgroupCpuset, Syntax) {
  EXPECT_TRUE(valid_cpuset(""));
  EXPECT_TRUE(valid_cpuset("0"));
  EXPECT_TRUE(valid_cpuset("0-3,5,7-8\n"));
  EXPECT_FALSE(valid_cpuset("3-1"));
  EXPECT_FALSE(valid_cpuset("a"));
  EXPECT_FALSE(valid_cpuset("1,,2"));
  EXPECT_FALSE(valid_cpuset("-1"));
}

TEST(CgroupResources, ParsesEveryField) {
  auto r = parse(json::parse(R"({
    "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
    "memory": {"limit": 1000, "reservation": 500, "swap": 2000, "swappiness": 10, "disableOOMKiller": true,
               "checkBeforeUpdate": true},
    "cpu": {"shares": 100, "quota": 5000, "period": 100000, "burst": 10, "realtimeRuntime": 7, "realtimePeriod": 8,
            "cpus": "0-1", "mems": "0", "idle": 1},
    "pids": {"limit": 20},
    "blockIO": {"weight": 300, "leafWeight": 200, "weightDevice": [{"major": 8, "minor": 0, "weight": 400}],
                "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 100}]},
    "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
    "network": {"classID": 5, "priorities": [{"name": "eth0", "priority": 3}]},
    "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
    "unified": {"memory.high": "100000"}
  })"));
  EXPECT_EQ(r.memory.limit, 1000);
  EXPECT_EQ(r.memory.reservation, 500);
  EXPECT_EQ(r.memory.swap, 2000);
  EXPECT_EQ(r.memory.swappiness, 10u);
  EXPECT_EQ(r.memory.disable_oom_killer, true);
  EXPECT_EQ(r.memory.check_before_update, true);
  EXPECT_EQ(r.cpu.shares, 100u);
  EXPECT_EQ(r.cpu.quota, 5000);
  EXPECT_EQ(r.cpu.period, 100000u);
  EXPECT_EQ(r.cpu.burst, 10u);
  EXPECT_EQ(r.cpu.realtime_runtime, 7);
  EXPECT_EQ(r.cpu.realtime_period, 8u);
  EXPECT_EQ(r.cpu.cpus, "0-1");
  EXPECT_EQ(r.cpu.idle, 1);
  EXPECT_EQ(r.pids.limit, 20);
  EXPECT_EQ(r.block_io.weight, 300);
  EXPECT_EQ(r.block_io.leaf_weight, 200);
  ASSERT_EQ(r.block_io.weight_device.size(), 1u);
  EXPECT_EQ(r.block_io.weight_device[0].weight, 400);
  ASSERT_EQ(r.block_io.throttle_read_bps.size(), 1u);
  EXPECT_EQ(r.block_io.throttle_read_bps[0].rate, 100u);
  ASSERT_EQ(r.hugepage_limits.size(), 1u);
  EXPECT_EQ(r.network.class_id, 5u);
  ASSERT_EQ(r.network.priorities.size(), 1u);
  EXPECT_EQ(r.rdma["mlx5_1"].hca_handles, 3u);
  EXPECT_TRUE(r.unified);
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_EQ(r.devices[0].type, 'a');
  EXPECT_EQ(r.devices[0].major, -1);
  EXPECT_EQ(r.devices[1].type, 'c');
}

TEST(CgroupResources, KeysMatchCaseInsensitivelyLikeGo) {
  auto r = parse(json::parse(R"({"CPU": {"Cpus": "0", "Mems": "0"}})"));
  EXPECT_EQ(r.cpu.cpus, "0");
  EXPECT_EQ(r.cpu.mems, "0");
}

// update.bats adds "CPU" next to the setup's "cpu": Go decodes both into the
// one struct, so neither object's members are lost.
TEST(CgroupResources, KeysFoldingToOneFieldAreMergedLikeGo) {
  auto r = parse(json::parse(
      R"({"cpu": {"shares": 100, "quota": 500000, "period": 1000000}, "CPU": {"Cpus": "0", "Mems": "0"},
          "rdma": {"mlx5_0": {"hcaHandles": 1}, "MLX5_0": {"hcaHandles": 2}}})"));
  EXPECT_EQ(r.cpu.shares, std::optional<uint64_t>(100));
  EXPECT_EQ(r.cpu.quota, std::optional<int64_t>(500000));
  EXPECT_EQ(r.cpu.cpus, "0");
  EXPECT_EQ(r.cpu.mems, "0");
  EXPECT_EQ(r.rdma.size(), 2u);  // map keys are not folded
}

TEST(CgroupResources, ErrorsNameTheField) {
  EXPECT_EQ(parse_error(json::parse(R"({"memory": {"limit": "1g"}})")),
            "linux.resources.memory.limit: expected an integer");
  EXPECT_EQ(parse_error(json::parse(R"({"cpu": {"shares": -1}})")),
            "linux.resources.cpu.shares: negative value -1 not allowed");
  EXPECT_EQ(parse_error(json::parse(R"({"cpu": {"cpus": "1-0"}})")), "linux.resources.cpu.cpus: invalid cpuset \"1-0\"");
  EXPECT_EQ(parse_error(json::parse(R"({"memory": {"limit": -5}})")),
            "linux.resources.memory.limit: invalid value -5 (use -1 for unlimited)");
  EXPECT_EQ(parse_error(json::parse(R"({"blockIO": {"weight": 5}})")),
            "linux.resources.blockIO.weight: 5 is out of range (10-1000)");
  EXPECT_EQ(parse_error(json::parse(R"({"blockIO": {"weight": 70000}})")),
            "linux.resources.blockIO.weight: value 70000 out of range");
  EXPECT_EQ(parse_error(json::parse(R"({"cpu": {"period": 100}})")),
            "linux.resources.cpu.period: 100 is out of range (1000-1000000)");
  EXPECT_EQ(parse_error(json::parse(R"({"unified": {"a/b": "1"}})")),
            "unified resource \"a/b\" must be a file name (no slashes)");
  EXPECT_EQ(parse_error(json::parse(R"({"unified": {"nodot": "1"}})")),
            "unified resource \"nodot\" must be in the form CONTROLLER.PARAMETER");
  EXPECT_EQ(parse_error(json::parse(R"({"devices": [{"allow": true}]})")), "device access at 0 field cannot be empty");
  EXPECT_EQ(parse_error(json::parse(R"({"devices": [{"allow": true, "type": "x", "access": "r"}]})")),
            "invalid cgroup device type \"x\"");
  EXPECT_EQ(parse_error(json::parse(R"({"hugepageLimits": [{"pageSize": "2M", "limit": 1}]})")),
            "linux.resources.hugepageLimits[0].pageSize: invalid page size \"2M\"");
  EXPECT_EQ(parse_error(json::parse(R"({"cpu": {"idle": 2}})")),
            "linux.resources.cpu.idle: invalid value 2 (must be 0 or 1)");
}

TEST(CgroupResources, UnknownAccessLettersAreIgnoredLikeRunc) {
  auto r = parse(json::parse(R"({"devices": [{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwa"}]})"));
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_EQ(r.devices[0].access, "rw");
}

// Found by tests/fuzz (fuzz_resources): "j7" kept no letter, the rule was
// stored with an empty access, and state.json after `update` no longer read
// back ("device access at 1 field cannot be empty"). Refused up front now.
TEST(CgroupResources, AccessWithoutRwmIsRefused) {
  EXPECT_EQ(parse_error(json::parse(R"({"devices": [{"allow": false, "access": "rwm"},
      {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "j7"}]})")),
            "device access at 1 field is invalid: \"j7\"");
  auto doc = orun::spec::parse_resources_document(
      R"({"devices": [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "x"}]})");
  EXPECT_FALSE(doc);
}

TEST(CgroupResources, EmptyUnifiedIsNotSet) {
  auto r = parse(json::parse(R"({"unified": {}})"));
  EXPECT_FALSE(r.unified);
}

TEST(CgroupResources, RoundTripsThroughOci) {
  auto r = parse(json::parse(R"({
    "devices": [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
    "memory": {"limit": 1000, "swap": -1}, "cpu": {"shares": 100, "burst": 0, "idle": 0},
    "pids": {"limit": 0}, "blockIO": {"throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 9}]},
    "unified": {"memory.high": "1"}})"));
  auto back = parse(resources_to_json(r));
  EXPECT_EQ(back, r);
}

// runc treats "not given" and 0 differently for some fields (pids.limit 0 is
// a limit, cpu.idle 0 is written, update replaces burst wholesale): the
// model keeps them apart.
TEST(CgroupResources, AbsentAndZeroStayApart) {
  auto zero = parse(json::parse(R"({"cpu": {"shares": 0, "idle": 0, "burst": 0}, "pids": {"limit": 0},
                                    "memory": {"swappiness": 0}})"));
  EXPECT_EQ(zero.cpu.shares, 0u);
  EXPECT_EQ(zero.cpu.idle, 0);
  EXPECT_EQ(zero.cpu.burst, 0u);
  EXPECT_EQ(zero.pids.limit, 0);
  EXPECT_EQ(zero.memory.swappiness, 0u);
  auto absent = parse(json::parse(R"({"cpu": {}, "pids": {}, "memory": {}})"));
  EXPECT_FALSE(absent.cpu.shares);
  EXPECT_FALSE(absent.cpu.idle);
  EXPECT_FALSE(absent.cpu.burst);
  EXPECT_FALSE(absent.pids.limit);
  EXPECT_FALSE(absent.memory.swappiness);
  EXPECT_EQ(absent, Resources{});
}

// What state.json keeps after update reads back as the same value, every
// given field included (zeros, kernel memory, useHierarchy, Docker's -1
// swappiness, an empty unified map).
TEST(CgroupResources, JsonRoundTripKeepsEveryGivenField) {
  auto in = parse_resources(json::parse(R"({
    "memory": {"limit": 0, "kernel": 5, "kernelTCP": 6, "useHierarchy": false, "swappiness": -1,
               "disableOOMKiller": false, "checkBeforeUpdate": false},
    "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0, "idle": 0},
    "blockIO": {"weight": 0, "leafWeight": 0, "weightDevice": [{"major": 8, "minor": 0, "leafWeight": 20}]},
    "network": {"classID": 0}, "rdma": {"mlx5_1": {}}, "unified": {}})"), "linux.resources");
  ASSERT_TRUE(in) << in.error().msg;
  EXPECT_EQ(in->memory.swappiness, orun::spec::kUnsetSwappiness);
  auto back = parse_resources(resources_to_json(*in), "linux.resources");
  ASSERT_TRUE(back) << back.error().msg;
  EXPECT_EQ(*back, *in);
}

TEST(CgroupUpdate, OnlyGivenFieldsChange) {
  Resources cur = parse(json::parse(R"({"memory": {"limit": 33554432, "reservation": 25165824},
      "cpu": {"shares": 100, "quota": 500000, "period": 1000000, "burst": 5}, "pids": {"limit": 20},
      "devices": [{"allow": false, "access": "rwm"}]})"));
  Resources req;
  req.memory.limit = 67108864;
  auto next = merge_update(cur, req);
  EXPECT_EQ(next.memory.limit, 67108864);
  EXPECT_EQ(next.memory.reservation, 25165824);
  EXPECT_EQ(next.cpu.shares, 100u);
  // Neither quota nor period given: runc zeroes both ("leave alone").
  EXPECT_EQ(next.cpu.quota.value_or(0), 0);
  EXPECT_EQ(next.cpu.period.value_or(0), 0u);
  // runc replaces these wholesale: not given means not written again.
  EXPECT_FALSE(next.cpu.burst);
  EXPECT_FALSE(next.pids.limit);
  // Update never changes the device rules (and applies none: SkipDevices,
  // set_resources' skip_devices).
  EXPECT_EQ(next.devices, cur.devices);
}

TEST(CgroupUpdate, QuotaOrPeriodAloneKeepsTheOther) {
  Resources cur;
  cur.cpu.quota = 500000;
  cur.cpu.period = 1000000;
  Resources req;
  req.cpu.period = 900000;
  auto a = merge_update(cur, req);
  EXPECT_EQ(a.cpu.quota, 500000);
  EXPECT_EQ(a.cpu.period, 900000u);
  req.cpu.period.reset();
  req.cpu.quota = -1;
  auto b = merge_update(cur, req);
  EXPECT_EQ(b.cpu.quota, -1);
  EXPECT_EQ(b.cpu.period, 1000000u);
}

TEST(CgroupUpdate, FixUps) {
  Resources cur;
  cur.memory.limit = 100;
  cur.memory.swap = 200;
  cur.cpu.shares = 512;
  Resources req;
  req.memory.limit = -1;
  req.cpu.idle = 1;
  auto n = merge_update(cur, req);
  EXPECT_EQ(n.memory.limit, -1);
  EXPECT_EQ(n.memory.swap, 0);    // unlimited memory without swap: swap reset (unlimited too)
  EXPECT_EQ(n.cpu.shares, 0u);    // idle without shares: no weight written
  EXPECT_EQ(n.cpu.idle, 1);
}

TEST(CgroupUpdate, ThrottleDevicesAreUpserted) {
  Resources cur;
  cur.block_io.throttle_read_bps = {{8, 0, 100}, {8, 0, 100}, {8, 16, 5}};
  Resources req;
  req.block_io.throttle_read_bps = {{8, 0, 999}, {9, 0, 1}};
  auto n = merge_update(cur, req);
  ASSERT_EQ(n.block_io.throttle_read_bps.size(), 4u);
  EXPECT_EQ(n.block_io.throttle_read_bps[0].rate, 100u);
  EXPECT_EQ(n.block_io.throttle_read_bps[1].rate, 999u);  // the last duplicate is the one updated
  EXPECT_EQ(n.block_io.throttle_read_bps[3].major, 9);
}

// `update`'s flags become a request with only the given fields set (runc:
// an empty flag is not given; 0 blkio weight is not sent).
TEST(CgroupUpdate, FlagsSetOnlyWhatIsGiven) {
  orun::UpdateOptions o;
  o.cpu_quota = "300000";
  o.memory = "50m";
  o.cpuset_cpus = "";
  o.blkio_weight = "0";
  auto r = orun::container::update_request(o);
  ASSERT_TRUE(r) << r.error().msg;
  Resources want;
  want.cpu.quota = 300000;
  want.memory.limit = 52428800;
  EXPECT_EQ(*r, want);
  o.pids_limit = "0";
  EXPECT_EQ(orun::container::update_request(o)->pids.limit, 0);
  o.cpu_period = "x";
  EXPECT_EQ(orun::container::update_request(o).error().msg,
            "invalid value for cpu-period: strconv.ParseUint: parsing \"x\": invalid syntax");
}
