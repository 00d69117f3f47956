#include <gtest/gtest.h>

#include "cgroups/devices.hpp"

using namespace orun::cgroups;
using orun::spec::DeviceRule;

namespace {

// Runs the device program in a tiny interpreter of the instructions it uses.
int run(const std::vector<bpf_insn>& prog, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
  uint64_t reg[11] = {};
  uint32_t ctx[3] = {(access << 16) | type, major, minor};
  for (size_t pc = 0; pc < prog.size(); pc++) {
    const bpf_insn& i = prog[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: reg[i.dst_reg] = ctx[i.off / 4]; break;
      case BPF_ALU | BPF_AND | BPF_K: reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg] & static_cast<uint32_t>(i.imm)); break;
      case BPF_ALU | BPF_RSH | BPF_K: reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> i.imm; break;
      case BPF_ALU | BPF_MOV | BPF_X: reg[i.dst_reg] = static_cast<uint32_t>(reg[i.src_reg]); break;
      case BPF_ALU | BPF_MOV | BPF_K: reg[i.dst_reg] = static_cast<uint32_t>(i.imm); break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (reg[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_JNE | BPF_X:
        if (reg[i.dst_reg] != reg[i.src_reg]) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT: return static_cast<int>(reg[0]);
      default: ADD_FAILURE() << "unexpected opcode " << int(i.code); return -1;
    }
  }
  ADD_FAILURE() << "fell off the end";
  return -1;
}

constexpr uint32_t C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

}  // namespace

TEST(CgroupDevices, DefaultListIsRuncs) {
  auto d = default_device_rules({});
  ASSERT_EQ(d.size(), 11u);
  EXPECT_EQ(d[0], (DeviceRule{'c', -1, -1, "m", true}));
  EXPECT_EQ(d[2], (DeviceRule{'c', 1, 3, "rwm", true}));
  EXPECT_EQ(d.back(), (DeviceRule{'c', 10, 200, "rwm", true}));
  // A config device at a default's path replaces that default.
  EXPECT_EQ(default_device_rules({"/dev/null"}).size(), 10u);
}

TEST(CgroupDevices, EmulatorMergesAndRemoves) {
  auto s = emulate({{'a', -1, -1, "rwm", false}, {'c', 1, 3, "r", true}, {'c', 1, 3, "w", true}, {'c', 1, 3, "r", false}});
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->default_allow);
  ASSERT_EQ(s->exceptions.size(), 1u);
  EXPECT_EQ(s->exceptions.begin()->second, "w");
  auto all = emulate({{'c', 1, 3, "rwm", true}, {'a', -1, -1, "rwm", true}});
  EXPECT_TRUE(all->default_allow);
  EXPECT_TRUE(all->exceptions.empty());
}

TEST(CgroupDevices, EmulatorRefusesHoleInWildcard) {
  auto s = emulate({{'c', -1, -1, "rwm", true}, {'c', 1, 3, "rwm", false}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().msg.find("cannot punch hole in existing wildcard rule"), std::string::npos);
}

TEST(CgroupDevices, V1WritesResetThenExceptions) {
  DeviceState s{false, {{{'c', 1, 3}, "rwm"}, {{'b', -1, -1}, "m"}}};
  auto w = v1_device_writes(s);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], std::make_pair(std::string("devices.deny"), std::string("a")));
  EXPECT_EQ(w[1], std::make_pair(std::string("devices.allow"), std::string("b *:* m")));
  EXPECT_EQ(w[2], std::make_pair(std::string("devices.allow"), std::string("c 1:3 rwm")));
}

TEST(CgroupDevices, ProgramAllowsOnlyListedDevices) {
  std::vector<DeviceRule> rules = {{'a', -1, -1, "rwm", false}, {'c', 1, 11, "rw", false}};
  auto defaults = default_device_rules({});
  rules.insert(rules.end(), defaults.begin(), defaults.end());
  auto s = emulate(rules);
  ASSERT_TRUE(s);
  auto prog = device_program(*s);
  EXPECT_EQ(run(prog, C, R | W, 1, 3), 1);   // /dev/null
  EXPECT_EQ(run(prog, C, R, 1, 11), 0);      // /dev/kmsg denied
  EXPECT_EQ(run(prog, C, M, 1, 11), 1);      // mknod of any char device
  EXPECT_EQ(run(prog, B, R, 8, 0), 0);       // a disk
  EXPECT_EQ(run(prog, B, M, 8, 0), 1);
  EXPECT_EQ(run(prog, C, R | W, 136, 7), 1); // /dev/pts/7
  EXPECT_EQ(run(prog, C, R | W, 10, 200), 1);
  EXPECT_EQ(run(prog, C, R | W, 10, 201), 0);
}

TEST(CgroupDevices, ProgramForBlacklist) {
  auto s = emulate({{'a', -1, -1, "rwm", true}, {'b', 8, 0, "w", false}});
  ASSERT_TRUE(s);
  auto prog = device_program(*s);
  EXPECT_EQ(run(prog, B, W, 8, 0), 0);
  EXPECT_EQ(run(prog, B, R, 8, 0), 1);  // read not in the deny exception
  EXPECT_EQ(run(prog, C, R | W, 4, 4), 1);
}
