#include "cgroups/devices.hpp"

#include <algorithm>

namespace orun::cgroups {

using spec::DeviceRule;

namespace {

std::string perms_of(unsigned set) {
  std::string s;
  if (set & 1) s += 'r';
  if (set & 2) s += 'w';
  if (set & 4) s += 'm';
  return s;
}

unsigned set_of(const std::string& p) {
  unsigned set = 0;
  for (char c : p) set |= c == 'r' ? 1u : c == 'w' ? 2u : c == 'm' ? 4u : 0u;
  return set;
}

std::string num(int64_t v) { return v < 0 ? "*" : std::to_string(v); }

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

}  // namespace

std::vector<DeviceRule> default_device_rules(const std::vector<std::string>& config_device_paths) {
  struct Default {
    const char* path;  // nullptr: a rule without a node
    DeviceRule rule;
  };
  static const Default kDefaults[] = {
      {nullptr, {'c', -1, -1, "m", true}},
      {nullptr, {'b', -1, -1, "m", true}},
      {"/dev/null", {'c', 1, 3, "rwm", true}},
      {"/dev/random", {'c', 1, 8, "rwm", true}},
      {"/dev/full", {'c', 1, 7, "rwm", true}},
      {"/dev/tty", {'c', 5, 0, "rwm", true}},
      {"/dev/zero", {'c', 1, 5, "rwm", true}},
      {"/dev/urandom", {'c', 1, 9, "rwm", true}},
      {nullptr, {'c', 136, -1, "rwm", true}},  // /dev/pts/*
      {nullptr, {'c', 5, 2, "rwm", true}},     // /dev/ptmx
      // /dev/net/tun: dropped in runc 1.2.0-rc1, restored because callers
      // relied on it.
      {nullptr, {'c', 10, 200, "rwm", true}},
  };
  std::vector<DeviceRule> out;
  for (const auto& d : kDefaults) {
    if (d.path && std::find(config_device_paths.begin(), config_device_paths.end(), d.path) != config_device_paths.end())
      continue;
    out.push_back(d.rule);
  }
  return out;
}

Result<DeviceState> emulate(const std::vector<DeviceRule>& rules) {
  DeviceState s;
  for (const auto& r : rules) {
    if (r.type == 'a') {
      // "a" resets everything: allow-all (blacklist) or deny-all (whitelist).
      s = DeviceState{r.allow, {}};
      continue;
    }
    auto key = std::make_tuple(r.type, r.major, r.minor);
    unsigned perms = set_of(r.access);
    if (r.allow != s.default_allow) {
      s.exceptions[key] = perms_of(set_of(s.exceptions[key]) | perms);
      continue;
    }
    // Removing an exception. v1 ignores removals that only partly match a
    // wildcard exception: refuse them rather than leave a false sense of
    // security (runc does the same).
    for (auto wild : {std::make_tuple(r.type, int64_t{-1}, r.minor), std::make_tuple(r.type, r.major, int64_t{-1}),
                      std::make_tuple(r.type, int64_t{-1}, int64_t{-1})}) {
      if (wild == key) continue;
      auto it = s.exceptions.find(wild);
      if (it != s.exceptions.end() && (set_of(it->second) & perms))
        return fail("requested rule [" + std::string(1, r.type) + " " + num(r.major) + ":" + num(r.minor) + " " +
                    r.access + "] not supported by devices cgroupv1 (cannot punch hole in existing wildcard rule [" +
                    std::string(1, r.type) + " " + num(std::get<1>(wild)) + ":" + num(std::get<2>(wild)) + " " +
                    it->second + "])");
    }
    auto it = s.exceptions.find(key);
    if (it != s.exceptions.end()) {
      std::string left = perms_of(set_of(it->second) & ~perms);
      if (left.empty()) s.exceptions.erase(it);
      else it->second = left;
    }
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> v1_device_writes(const DeviceState& s) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back(s.default_allow ? "devices.allow" : "devices.deny", "a");
  for (const auto& [key, perms] : s.exceptions) {
    auto [type, major, minor] = key;
    out.emplace_back(s.default_allow ? "devices.deny" : "devices.allow",
                     std::string(1, type) + " " + num(major) + ":" + num(minor) + " " + perms);
  }
  return out;
}

std::vector<bpf_insn> device_program(const DeviceState& s) {
  // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }:
  // access_type is (access << 16) | type.
  std::vector<bpf_insn> p = {
      insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0),   // r2 = access_type
      insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff),      // r2 = type
      insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0),   // r3 = access_type
      insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16),          // r3 = access
      insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0),   // r4 = major
      insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0),   // r5 = minor
  };
  int32_t verdict = s.default_allow ? 0 : 1;  // what an exception means
  for (const auto& [key, perms] : s.exceptions) {
    auto [type, major, minor] = key;
    std::vector<bpf_insn> block;
    std::vector<size_t> to_next;  // jumps to patch to the next block
    auto jump_unless = [&](bpf_insn i) {
      to_next.push_back(block.size());
      block.push_back(i);
    };
    jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
                     type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
    int32_t access = 0;
    for (char c : perms)
      access |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
    if (access != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
      // The requested access must be a subset of the exception's.
      block.push_back(insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
      block.push_back(insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, access));
      jump_unless(insn(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
    }
    if (major >= 0) jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, static_cast<int32_t>(major)));
    if (minor >= 0) jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, static_cast<int32_t>(minor)));
    block.push_back(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, verdict));
    block.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    for (size_t at : to_next) block[at].off = static_cast<int16_t>(block.size() - (at + 1));
    p.insert(p.end(), block.begin(), block.end());
  }
  p.push_back(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, s.default_allow ? 1 : 0));
  p.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return p;
}

}  // namespace orun::cgroups
