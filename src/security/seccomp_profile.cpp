#include "security/seccomp_profile.hpp"
#include "orun/program.hpp"

#include <seccomp.h>

#include <cerrno>
#include <utility>

#ifndef AUDIT_ARCH_LOONGARCH64
// Not in every libseccomp/kernel header yet: EM_LOONGARCH | 64BIT | LE.
#define AUDIT_ARCH_LOONGARCH64 (258u | 0x80000000u | 0x40000000u)
#endif

namespace orun::security::seccomp {

namespace {

// The names of a rule for error messages: "linux.seccomp.syscalls[2] (mkdir, mkdirat)".
std::string rule_label(size_t i, const std::vector<std::string>& names) {
  std::string s = "linux.seccomp.syscalls[" + std::to_string(i) + "]";
  if (names.empty()) return s;
  s += " (";
  for (size_t k = 0; k < names.size(); k++) s += (k ? ", " : "") + names[k];
  return s + ")";
}

struct FlagInfo {
  const char* name;
  unsigned bit;             // 0: accepted and ignored (TSYNC)
  const char* unsupported;  // error when the kernel lacks it
};

constexpr FlagInfo kFlags[] = {
    // TSYNC: orun's init is single-threaded, so the flag has nothing to
    // synchronise; runc accepts and ignores it too.
    {"SECCOMP_FILTER_FLAG_TSYNC", 0, nullptr},
    {"SECCOMP_FILTER_FLAG_LOG", kFlagLog,
     "error adding log flag to seccomp filter: SetLogBit requires kernel support (SECCOMP_FILTER_FLAG_LOG)"},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", kFlagSpecAllow,
     "error adding SSB flag to seccomp filter: SetSSB requires kernel support (SECCOMP_FILTER_FLAG_SPEC_ALLOW)"},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", kFlagWaitKillableRecv,
     "error adding WaitKill flag to seccomp filter: SetWaitKill requires kernel support "
     "(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, Linux >= 5.19)"},
};

Result<unsigned> parse_flags(const spec::Seccomp& sc, unsigned supported) {
  if (!sc.flags) {
    // Absent (not an empty list): runc turns on SPEC_ALLOW when it can, so
    // containers don't pay for the speculative store bypass mitigation.
    return supported & kFlagSpecAllow;
  }
  unsigned flags = 0;
  for (auto& n : *sc.flags) {
    const FlagInfo* info = nullptr;
    for (auto& f : kFlags)
      if (n == f.name) info = &f;
    if (!info) return fail("seccomp flag " + n + " is not known to " + program_name());
    if (info->bit && !(supported & info->bit)) return fail(info->unsupported);
    flags |= info->bit;
  }
  return flags;
}

Result<ArgCondition> parse_arg(const spec::SeccompArg& a, const std::string& path) {
  ArgCondition c;
  c.index = static_cast<unsigned>(a.index);
  if (a.index > 5) return fail(path + ": syscalls only have up to 6 arguments (" + std::to_string(a.index) + " given)");
  c.value = a.value;
  c.value_two = a.value_two;
  auto o = operator_from_name(a.op);
  if (!o) return fail(path + ": string " + a.op + " is not a valid operator for seccomp");
  c.op = *o;
  return c;
}

std::optional<uint32_t> errno_of(const std::optional<uint64_t>& v) {
  return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
}

}  // namespace

std::optional<uint32_t> arch_from_name(const std::string& name) {
  static const std::pair<const char*, uint32_t> kArchs[] = {
      {"SCMP_ARCH_X86", SCMP_ARCH_X86},
      {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
      {"SCMP_ARCH_X32", SCMP_ARCH_X32},
      {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
      {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
      {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
      {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
      {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
      {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
      {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
      {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
      {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
      {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
      {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
      {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
      {"SCMP_ARCH_S390", SCMP_ARCH_S390},
      {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
      {"SCMP_ARCH_LOONGARCH64", AUDIT_ARCH_LOONGARCH64},
  };
  for (auto& [n, v] : kArchs)
    if (name == n) return v;
  return std::nullopt;
}

std::optional<uint32_t> action_from_name(const std::string& name, std::optional<uint32_t> errno_ret) {
  const uint32_t code = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(code);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(code);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return std::nullopt;
}

std::optional<int> operator_from_name(const std::string& name) {
  static const std::pair<const char*, int> kOps[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (auto& [n, v] : kOps)
    if (name == n) return v;
  return std::nullopt;
}

Result<std::optional<Profile>> parse_profile(const std::optional<spec::Seccomp>& section, unsigned supported_flags) {
  if (!section) return std::optional<Profile>();
  const spec::Seccomp& sc = *section;
  const std::string base = "linux.seccomp";
  const std::string& default_name = sc.default_action;
  // No default action and no rules: seccomp is off (runc's SetupSeccomp).
  if (default_name.empty() && sc.syscalls.empty()) return std::optional<Profile>();

  Profile p;
  p.flags = ORUN_TRY(parse_flags(sc, supported_flags));
  for (auto& a : sc.architectures) {
    auto arch = arch_from_name(a);
    if (!arch) return fail("string " + a + " is not a valid arch for seccomp");
    p.architectures.push_back(*arch);
  }
  auto def = action_from_name(default_name, errno_of(sc.default_errno_ret));
  // runc says `string  is not a valid action for seccomp` here: name what is missing.
  if (default_name.empty()) return fail(base + ".defaultAction is required when syscalls are listed");
  if (!def) return fail("string " + default_name + " is not a valid action for seccomp");
  // The init must still talk to the parent after loading the filter; an
  // agent it cannot reach yet would deadlock it (runc has the same rule).
  if (*def == SCMP_ACT_NOTIFY) return fail("SCMP_ACT_NOTIFY cannot be used as default action");
  p.default_action = *def;
  p.default_permissive = *def == SCMP_ACT_ALLOW || *def == SCMP_ACT_LOG || (*def & 0xffff0000u) == SCMP_ACT_TRACE(0);
  p.listener_path = sc.listener_path;
  p.listener_metadata = sc.listener_metadata;

  for (size_t i = 0; i < sc.syscalls.size(); i++) {
    const spec::SeccompSyscall& s = sc.syscalls[i];
    std::string path = base + ".syscalls[" + std::to_string(i) + "]";
    std::string label = rule_label(i, s.names);
    auto act = action_from_name(s.action, errno_of(s.errno_ret));
    if (!act) return fail(label + ": string " + s.action + " is not a valid action for seccomp");
    std::vector<ArgCondition> args;
    for (size_t k = 0; k < s.args.size(); k++) {
      auto c = parse_arg(s.args[k], path + ".args[" + std::to_string(k) + "]");
      if (!c) return std::unexpected(std::move(c.error()).context(label));
      args.push_back(*c);
    }
    for (auto& n : s.names) {
      if (n.empty()) return fail(label + ": empty string is not a valid syscall");
      if (*act == SCMP_ACT_NOTIFY) {
        // The init reports the listener to the parent with write(2).
        if (n == "write") return fail("SCMP_ACT_NOTIFY cannot be used for the write syscall");
        p.uses_notify = true;
      }
      p.rules.push_back(Rule{n, *act, args, i});
    }
  }
  if (p.uses_notify) {
    if (p.listener_path.empty()) return fail("seccomp listenerPath is not set");
    p.flags |= kFlagNewListener;
  }
  return std::optional<Profile>(std::move(p));
}

}  // namespace orun::security::seccomp
