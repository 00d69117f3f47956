// The typed linux.seccomp -> a checked list of rules (pure: no libseccomp call, no
// syscall), the first step of the seccomp pipeline:
//   parse_profile (here) -> compile (seccomp_compile.cpp, libseccomp, parent)
//   -> ENOSYS patch (seccomp_enosys.cpp) -> cache (seccomp_cache.cpp)
//   -> load in the container init (seccomp.cpp).
// The conversion follows runc 1.5.1's specconv.SetupSeccomp and
// seccomp.InitSeccomp: one rule per syscall name, actions with their errno
// folded in, rules whose action equals the default skipped at compile time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::security::seccomp {

// seccomp(2) filter flags (linux/seccomp.h values).
inline constexpr unsigned kFlagTsync = 1u << 0;
inline constexpr unsigned kFlagLog = 1u << 1;
inline constexpr unsigned kFlagSpecAllow = 1u << 2;
inline constexpr unsigned kFlagNewListener = 1u << 3;
inline constexpr unsigned kFlagWaitKillableRecv = 1u << 5;

struct ArgCondition {
  unsigned index = 0;      // 0..5
  uint64_t value = 0;      // for SCMP_CMP_MASKED_EQ: the mask
  uint64_t value_two = 0;  // for SCMP_CMP_MASKED_EQ: the value compared
  int op = 0;              // enum scmp_compare
};

struct Rule {
  std::string name;        // syscall name as written (may be unknown here)
  uint32_t action = 0;     // SCMP_ACT_* with the errno folded in
  std::vector<ArgCondition> args;
  size_t source_index = 0; // index in linux.seccomp.syscalls, for errors
};

struct Profile {
  uint32_t default_action = 0;
  bool default_permissive = false;  // ALLOW, LOG or TRACE: no ENOSYS stub
  std::vector<uint32_t> architectures;  // SCMP_ARCH_* tokens, as listed
  unsigned flags = 0;                   // kFlag*, NEW_LISTENER added when notify is used
  std::vector<Rule> rules;
  bool uses_notify = false;
  std::string listener_path;
  std::string listener_metadata;
};

// Checks and converts the typed linux.seccomp (types were checked by the
// config parser, src/spec/parse_seccomp.cpp). Returns nullopt when seccomp is
// disabled (absent, or no defaultAction and no syscalls). `supported_flags` are the kFlag* bits
// the kernel accepts (probed by the caller): a requested flag outside it is
// an error, and SPEC_ALLOW is the default when "flags" is absent and
// supported. Errors name the field and the rule:
//   "linux.seccomp.syscalls[2] (mkdir): string SCMP_ACT_FOO is not a valid action for seccomp"
Result<std::optional<Profile>> parse_profile(const std::optional<spec::Seccomp>& seccomp, unsigned supported_flags);

// "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64 (runc's list), nullopt if unknown.
std::optional<uint32_t> arch_from_name(const std::string& name);
// "SCMP_ACT_ERRNO" + errnoRet -> SCMP_ACT_ERRNO(errnoRet or EPERM).
std::optional<uint32_t> action_from_name(const std::string& name, std::optional<uint32_t> errno_ret);
// "SCMP_CMP_EQ" -> SCMP_CMP_EQ.
std::optional<int> operator_from_name(const std::string& name);

}  // namespace orun::security::seccomp
