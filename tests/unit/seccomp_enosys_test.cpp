// The ENOSYS stub on its own (run through a small BPF interpreter), then on
// top of real libseccomp output.
#include <gtest/gtest.h>

#include "orun/spec_json.hpp"
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <fstream>

#include "security/seccomp_compile.hpp"
#include "security/seccomp_enosys.hpp"

using namespace orun::security::seccomp;

namespace {

constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr uint32_t kMarker = SECCOMP_RET_ERRNO | 4095;  // "the filter ran"

// The stub followed by a one-instruction "filter" that returns kMarker.
std::vector<sock_filter> with_filter(std::vector<sock_filter> stub) {
  stub.push_back(sock_filter{BPF_RET | BPF_K, 0, 0, kMarker});
  return stub;
}

TEST(SeccompEnosys, EmptyLimitsGiveNoStub) { EXPECT_TRUE(enosys_stub({}).empty()); }

TEST(SeccompEnosys, AboveTheLargestKnownSyscallIsEnosys) {
  auto prog = with_filter(enosys_stub({{AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, 300}}));
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 301), kEnosys);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 435), kEnosys);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 300), kMarker);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 0), kMarker);
  // An arch the stub does not know goes to the filter untouched.
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_I386, 1000), kMarker);
  // x32 calls (bit 30) are not the x86_64 ABI: the filter decides.
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 0x40000000u + 500), kMarker);
}

TEST(SeccompEnosys, X86_64AndX32HaveSeparateLimits) {
  auto prog = with_filter(enosys_stub({{AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, 300},
                                       {AUDIT_ARCH_X86_64, SCMP_ARCH_X32, 0x40000000u + 200},
                                       {AUDIT_ARCH_I386, SCMP_ARCH_X86, 400}}));
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 250), kMarker);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 301), kEnosys);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 0x40000000u + 150), kMarker);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 0x40000000u + 250), kEnosys);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_I386, 400), kMarker);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_I386, 401), kEnosys);
}

TEST(SeccompEnosys, X32OnlyLeavesNativeCallsToTheFilter) {
  auto prog = with_filter(enosys_stub({{AUDIT_ARCH_X86_64, SCMP_ARCH_X32, 0x40000000u + 200}}));
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 500), kMarker);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 0x40000000u + 201), kEnosys);
}

TEST(SeccompEnosys, S390MultiplexSyscallIsEnosys) {
  auto prog = with_filter(enosys_stub({{AUDIT_ARCH_S390X, SCMP_ARCH_S390X, 400}}));
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 0), kEnosys);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 1), kMarker);
  EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 401), kEnosys);
}

TEST(SeccompEnosys, ManyArchesStillJumpCorrectly) {
  std::vector<ArchLimit> limits;
  uint32_t archs[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,   AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM,
                      AUDIT_ARCH_PPC64LE, AUDIT_ARCH_S390X, AUDIT_ARCH_RISCV64, AUDIT_ARCH_MIPS64};
  for (uint32_t i = 0; i < 8; i++) limits.push_back({archs[i], archs[i], 100 + i});
  auto prog = with_filter(enosys_stub(limits));
  for (uint32_t i = 0; i < 8; i++) {
    EXPECT_EQ(run_bpf(prog, archs[i], 100 + i), kMarker) << i;
    EXPECT_EQ(run_bpf(prog, archs[i], 101 + i), kEnosys) << i;
  }
}

// --- on top of libseccomp's program ---

Profile profile(uint32_t def, std::vector<std::pair<std::string, uint32_t>> rules) {
  Profile p;
  p.default_action = def;
  p.default_permissive = def == SCMP_ACT_ALLOW;
  p.architectures = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32};
  for (auto& [n, a] : rules) p.rules.push_back(Rule{n, a, {}, 0});
  return p;
}

int nr(const char* name) { return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name); }

#if defined(__x86_64__)
TEST(SeccompCompile, DefaultErrnoWithAllowListAndStub) {
  auto p = profile(SCMP_ACT_ERRNO(EPERM), {{"read", SCMP_ACT_ALLOW},
                                           {"write", SCMP_ACT_ALLOW},
                                           {"openat", SCMP_ACT_ALLOW},
                                           {"mkdir", SCMP_ACT_ERRNO(42)},
                                           {"no_such_syscall_xyz", SCMP_ACT_ALLOW},
                                           {"close", SCMP_ACT_ERRNO(EPERM)}});  // == default: skipped
  auto prog = compile_program(p);
  ASSERT_TRUE(prog.has_value()) << prog.error().msg;
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("read")), SCMP_ACT_ALLOW);
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("mkdir")), SCMP_ACT_ERRNO(42));
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("close")), SCMP_ACT_ERRNO(EPERM));
  // Known to the profile's range but not listed: the default.
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("chdir")), SCMP_ACT_ERRNO(EPERM));
  // Newer than anything the profile names: ENOSYS, so libc can fall back.
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("clone3")), SCMP_ACT_ERRNO(ENOSYS));
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, 1000), SCMP_ACT_ERRNO(ENOSYS));
}

TEST(SeccompCompile, PermissiveDefaultHasNoStub) {
  auto p = profile(SCMP_ACT_ALLOW, {{"mkdir", SCMP_ACT_ERRNO(100)}});
  auto prog = compile_program(p);
  ASSERT_TRUE(prog.has_value()) << prog.error().msg;
  EXPECT_FALSE(wants_enosys_stub(p));
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("mkdir")), SCMP_ACT_ERRNO(100));
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, 1000), SCMP_ACT_ALLOW);
}

TEST(SeccompCompile, DefaultEnosysNeedsNoStub) {
  auto p = profile(SCMP_ACT_ERRNO(ENOSYS), {{"read", SCMP_ACT_ALLOW}});
  EXPECT_FALSE(wants_enosys_stub(p));
}

TEST(SeccompCompile, ArchLimitsIncludeX32AndNative) {
  auto p = profile(SCMP_ACT_ERRNO(EPERM), {{"read", SCMP_ACT_ALLOW}, {"openat", SCMP_ACT_ALLOW}});
  p.architectures = {SCMP_ARCH_X32};
  auto limits = arch_limits(p);
  bool native = false, x32 = false;
  for (auto& l : limits) {
    EXPECT_EQ(l.audit_arch, static_cast<uint32_t>(AUDIT_ARCH_X86_64));
    if (l.scmp_arch == SCMP_ARCH_X86_64) {
      native = true;
      EXPECT_EQ(l.max_nr, static_cast<uint32_t>(nr("openat")));
    }
    if (l.scmp_arch == SCMP_ARCH_X32) {
      x32 = true;
      EXPECT_GE(l.max_nr, 0x40000000u);
    }
  }
  EXPECT_TRUE(native);
  EXPECT_TRUE(x32);
}

TEST(SeccompCompile, ArgumentConditions) {
  Profile p = profile(SCMP_ACT_ERRNO(EPERM), {});
  // personality(0) allowed; a second condition on the same argument ORs.
  p.rules.push_back(Rule{"personality", SCMP_ACT_ALLOW, {{0, 0, 0, SCMP_CMP_EQ}, {0, 8, 0, SCMP_CMP_EQ}}, 0});
  auto prog = compile_program(p);
  ASSERT_TRUE(prog.has_value()) << prog.error().msg;
  // The interpreter feeds zero arguments: personality(0) matches.
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("personality")), SCMP_ACT_ALLOW);
}

TEST(SeccompCompile, BadRuleIsNamed) {
  Profile p = profile(SCMP_ACT_ALLOW, {});
  p.rules.push_back(Rule{"read", SCMP_ACT_ERRNO(1), {{0, 1, 0, SCMP_CMP_EQ}, {1, 1, 0, 99}}, 0});
  auto prog = compile_program(p);
  ASSERT_FALSE(prog.has_value());
  EXPECT_NE(prog.error().msg.find("error adding seccomp rule for syscall read"), std::string::npos) << prog.error().msg;
}

TEST(SeccompCompile, DockerDefaultProfileCompiles) {
  std::ifstream f(ORUN_TEST_DATA "/docker-create-config.json");
  ASSERT_TRUE(f) << ORUN_TEST_DATA "/docker-create-config.json";
  auto doc = nlohmann::json::parse(f);
  auto spec = orun::spec::parse(doc);
  ASSERT_TRUE(spec) << spec.error().msg;
  auto parsed = parse_profile(spec->linux.seccomp, kFlagSpecAllow);
  ASSERT_TRUE(parsed && *parsed);
  auto prog = compile_program(**parsed);
  ASSERT_TRUE(prog.has_value()) << prog.error().msg;
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("read")), SCMP_ACT_ALLOW);
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, nr("kexec_load")), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(run_bpf(*prog, AUDIT_ARCH_X86_64, 1000), SCMP_ACT_ERRNO(ENOSYS));
}
#endif

}  // namespace
