#include "security/seccomp_enosys.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <map>

namespace orun::security::seccomp {

namespace {

constexpr uint32_t kX32Bit = 0x40000000u;
constexpr uint32_t kRetEnosys = SECCOMP_RET_ERRNO | ENOSYS;

// A few instructions with forward jumps to named places. Conditional jumps
// only ever skip 0-3 instructions here; far targets go through `ja`, whose
// 32-bit offset cannot overflow, so there is no long-jump special case.
class Assembler {
 public:
  void load(uint32_t offset) { emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offset); }
  void jump_if(uint16_t op, uint32_t k, uint8_t jt, uint8_t jf) { emit(BPF_JMP | op | BPF_K, jt, jf, k); }
  void jump_to(int label) {
    fixups_.push_back({out_.size(), label});
    emit(BPF_JMP | BPF_JA, 0, 0, 0);
  }
  void ret(uint32_t k) { emit(BPF_RET | BPF_K, 0, 0, k); }
  void bind(int label) { labels_[label] = out_.size(); }
  int new_label() { return next_label_++; }
  std::vector<sock_filter> finish() {
    for (auto& [at, label] : fixups_) out_[at].k = static_cast<uint32_t>(labels_.at(label) - (at + 1));
    return std::move(out_);
  }

 private:
  void emit(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) { out_.push_back(sock_filter{code, jt, jf, k}); }
  std::vector<sock_filter> out_;
  std::vector<std::pair<size_t, int>> fixups_;
  std::map<int, size_t> labels_;
  int next_label_ = 0;
};

// "if nr > max: ENOSYS, else: the filter", as three instructions.
void check_max(Assembler& a, uint32_t max_nr, int enosys, int filter) {
  a.jump_if(BPF_JGT, max_nr, 0, 1);
  a.jump_to(enosys);
  a.jump_to(filter);
}

}  // namespace

std::vector<sock_filter> enosys_stub(const std::vector<ArchLimit>& limits) {
  // Group by audit arch; x86_64 may carry both the 64-bit and the x32 ABI.
  struct Limits {
    uint32_t main = 0;
    uint32_t x32 = 0;
    bool has_main = false, has_x32 = false;
    uint32_t scmp = 0;
  };
  std::map<uint32_t, Limits> by_arch;
  for (auto& l : limits) {
    if (l.max_nr == 0) continue;
    Limits& g = by_arch[l.audit_arch];
    if (l.scmp_arch == SCMP_ARCH_X32) {
      g.x32 = std::max(g.x32, l.max_nr);
      g.has_x32 = true;
    } else {
      g.main = std::max(g.main, l.max_nr);
      g.has_main = true;
      g.scmp = l.scmp_arch;
    }
  }
  if (by_arch.empty()) return {};

  Assembler a;
  const int enosys = a.new_label(), filter = a.new_label();
  std::vector<std::pair<uint32_t, int>> sections;
  for (auto& [arch, g] : by_arch) sections.push_back({arch, a.new_label()});

  // Dispatch on the architecture.
  a.load(offsetof(seccomp_data, arch));
  for (auto& [arch, label] : sections) {
    a.jump_if(BPF_JEQ, arch, 0, 1);
    a.jump_to(label);
  }
  a.jump_to(filter);

  for (auto& [arch, label] : sections) {
    const Limits& g = by_arch[arch];
    a.bind(label);
    a.load(offsetof(seccomp_data, nr));
    if (arch == AUDIT_ARCH_X86_64) {
      if (g.has_main && g.has_x32) {
        a.jump_if(BPF_JSET, kX32Bit, 3, 0);  // x32 calls: to the second check
        check_max(a, g.main, enosys, filter);
        check_max(a, g.x32, enosys, filter);
      } else if (g.has_main) {
        // x32 calls are not this ABI: the filter decides (bad arch).
        a.jump_if(BPF_JSET, kX32Bit, 0, 1);
        a.jump_to(filter);
        check_max(a, g.main, enosys, filter);
      } else {
        a.jump_if(BPF_JSET, kX32Bit, 1, 0);
        a.jump_to(filter);
        check_max(a, g.x32, enosys, filter);
      }
      continue;
    }
    if (arch == AUDIT_ARCH_S390 || arch == AUDIT_ARCH_S390X) {
      // s390 multiplexes large syscall numbers through nr 0 (setup(2), long
      // gone); a number the kernel doesn't know arrives as 0.
      a.jump_if(BPF_JEQ, 0, 0, 1);
      a.jump_to(enosys);
    }
    check_max(a, g.main, enosys, filter);
  }
  a.bind(enosys);
  a.ret(kRetEnosys);
  a.bind(filter);
  return a.finish();
}

uint32_t run_bpf(const std::vector<sock_filter>& prog, uint32_t arch, uint32_t nr) {
  uint32_t A = 0, X = 0, mem[BPF_MEMWORDS] = {};
  auto load = [&](uint32_t off) -> uint32_t {
    if (off == offsetof(seccomp_data, nr)) return nr;
    if (off == offsetof(seccomp_data, arch)) return arch;
    return 0;  // instruction pointer and arguments: zero
  };
  for (size_t pc = 0; pc < prog.size(); pc++) {
    const sock_filter& i = prog[pc];
    uint32_t src = BPF_SRC(i.code) == BPF_X ? X : i.k;
    switch (BPF_CLASS(i.code)) {
      case BPF_LD:
        if (BPF_MODE(i.code) == BPF_ABS) A = load(i.k);
        else if (BPF_MODE(i.code) == BPF_IMM) A = i.k;
        else if (BPF_MODE(i.code) == BPF_MEM) A = mem[i.k % BPF_MEMWORDS];
        break;
      case BPF_LDX:
        if (BPF_MODE(i.code) == BPF_IMM) X = i.k;
        else if (BPF_MODE(i.code) == BPF_MEM) X = mem[i.k % BPF_MEMWORDS];
        break;
      case BPF_ST: mem[i.k % BPF_MEMWORDS] = A; break;
      case BPF_STX: mem[i.k % BPF_MEMWORDS] = X; break;
      case BPF_ALU:
        switch (BPF_OP(i.code)) {
          case BPF_AND: A &= src; break;
          case BPF_OR: A |= src; break;
          case BPF_ADD: A += src; break;
          case BPF_SUB: A -= src; break;
          case BPF_NEG: A = -A; break;
          case BPF_LSH: A <<= src; break;
          case BPF_RSH: A >>= src; break;
        }
        break;
      case BPF_JMP: {
        if (BPF_OP(i.code) == BPF_JA) {
          pc += i.k;
          break;
        }
        bool t = false;
        switch (BPF_OP(i.code)) {
          case BPF_JEQ: t = A == src; break;
          case BPF_JGT: t = A > src; break;
          case BPF_JGE: t = A >= src; break;
          case BPF_JSET: t = (A & src) != 0; break;
        }
        pc += t ? i.jt : i.jf;
        break;
      }
      case BPF_RET: return BPF_RVAL(i.code) == BPF_A ? A : i.k;
      case BPF_MISC:
        if (BPF_MISCOP(i.code) == BPF_TAX) X = A;
        else A = X;
        break;
    }
  }
  return SECCOMP_RET_KILL_THREAD;  // ran off the end: the kernel rejects such programs
}

}  // namespace orun::security::seccomp
