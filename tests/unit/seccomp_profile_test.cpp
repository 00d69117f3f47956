// linux.seccomp -> rules: actions, errno values, flags, args, and the errors
// that name the offending rule.
#include <gtest/gtest.h>
#include <seccomp.h>

#include "orun/program.hpp"
#include "orun/spec_json.hpp"
#include "security/seccomp_profile.hpp"

using namespace orun::security::seccomp;
using nlohmann::json;
using orun::Result;

namespace {

constexpr unsigned kAllFlags = kFlagTsync | kFlagLog | kFlagSpecAllow | kFlagWaitKillableRecv;

// linux.seccomp as the runtime gets it: through the config parser (types),
// then the profile's names and rules.
Result<std::optional<Profile>> parse_section(const json& j, unsigned supported) {
  json doc = {{"linux", json::object()}};
  if (!j.is_null()) doc["linux"]["seccomp"] = j;
  auto s = orun::spec::parse(doc);
  if (!s) return std::unexpected(s.error());
  return parse_profile(s->linux.seccomp, supported);
}

Profile parse_ok(const json& j, unsigned supported = kAllFlags) {
  auto r = parse_section(j, supported);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().msg);
  EXPECT_TRUE(r && r->has_value());
  return r && *r ? **r : Profile{};
}

std::string parse_err(const json& j, unsigned supported = kAllFlags) {
  auto r = parse_section(j, supported);
  EXPECT_FALSE(r.has_value());
  return r ? "" : r.error().msg;
}

TEST(SeccompProfile, DisabledWhenAbsentOrEmpty) {
  for (const json& j : {json(nullptr), json::object(), json{{"defaultAction", ""}},
                        json{{"defaultAction", ""}, {"syscalls", json::array()}}}) {
    auto r = parse_section(j, kAllFlags);
    ASSERT_TRUE(r.has_value()) << j.dump();
    EXPECT_FALSE(r->has_value()) << j.dump();
  }
}

TEST(SeccompProfile, ActionsCarryTheirErrno) {
  EXPECT_EQ(action_from_name("SCMP_ACT_KILL", std::nullopt), SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(action_from_name("SCMP_ACT_KILL_THREAD", std::nullopt), SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(action_from_name("SCMP_ACT_KILL_PROCESS", std::nullopt), SCMP_ACT_KILL_PROCESS);
  EXPECT_EQ(action_from_name("SCMP_ACT_TRAP", std::nullopt), SCMP_ACT_TRAP);
  EXPECT_EQ(action_from_name("SCMP_ACT_ERRNO", std::nullopt), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(action_from_name("SCMP_ACT_ERRNO", 42u), SCMP_ACT_ERRNO(42));
  EXPECT_EQ(action_from_name("SCMP_ACT_TRACE", std::nullopt), SCMP_ACT_TRACE(EPERM));
  EXPECT_EQ(action_from_name("SCMP_ACT_TRACE", 7u), SCMP_ACT_TRACE(7));
  EXPECT_EQ(action_from_name("SCMP_ACT_ALLOW", std::nullopt), SCMP_ACT_ALLOW);
  EXPECT_EQ(action_from_name("SCMP_ACT_LOG", std::nullopt), SCMP_ACT_LOG);
  EXPECT_EQ(action_from_name("SCMP_ACT_NOTIFY", std::nullopt), SCMP_ACT_NOTIFY);
  EXPECT_FALSE(action_from_name("SCMP_ACT_FOO", std::nullopt));
  EXPECT_FALSE(action_from_name("scmp_act_allow", std::nullopt));
}

TEST(SeccompProfile, DefaultErrnoRetAndPermissiveDefaults) {
  auto p = parse_ok({{"defaultAction", "SCMP_ACT_ERRNO"}, {"defaultErrnoRet", 6}});
  EXPECT_EQ(p.default_action, SCMP_ACT_ERRNO(6));
  EXPECT_FALSE(p.default_permissive);
  EXPECT_TRUE(parse_ok({{"defaultAction", "SCMP_ACT_ALLOW"}}).default_permissive);
  EXPECT_TRUE(parse_ok({{"defaultAction", "SCMP_ACT_LOG"}}).default_permissive);
  EXPECT_TRUE(parse_ok({{"defaultAction", "SCMP_ACT_TRACE"}}).default_permissive);
  EXPECT_FALSE(parse_ok({{"defaultAction", "SCMP_ACT_KILL"}}).default_permissive);
}

TEST(SeccompProfile, OneRulePerNameInOrder) {
  auto p = parse_ok({{"defaultAction", "SCMP_ACT_ALLOW"},
                     {"syscalls",
                      {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 100}},
                       {{"names", {"chmod"}}, {"action", "SCMP_ACT_KILL_PROCESS"}}}}});
  ASSERT_EQ(p.rules.size(), 3u);
  EXPECT_EQ(p.rules[0].name, "mkdir");
  EXPECT_EQ(p.rules[1].name, "mkdirat");
  EXPECT_EQ(p.rules[1].action, SCMP_ACT_ERRNO(100));
  EXPECT_EQ(p.rules[1].source_index, 0u);
  EXPECT_EQ(p.rules[2].action, SCMP_ACT_KILL_PROCESS);
  EXPECT_EQ(p.rules[2].source_index, 1u);
  EXPECT_FALSE(p.uses_notify);
}

TEST(SeccompProfile, ArgsWithEveryOperator) {
  json args = json::array();
  const char* ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                       "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  int want[] = {SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ};
  for (int i = 0; i < 7; i++) args.push_back({{"index", i % 6}, {"value", 10 + i}, {"valueTwo", 20 + i}, {"op", ops[i]}});
  auto p = parse_ok({{"defaultAction", "SCMP_ACT_ERRNO"},
                     {"syscalls", {{{"names", {"personality"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", args}}}}});
  ASSERT_EQ(p.rules.size(), 1u);
  ASSERT_EQ(p.rules[0].args.size(), 7u);
  for (int i = 0; i < 7; i++) {
    EXPECT_EQ(p.rules[0].args[i].op, want[i]);
    EXPECT_EQ(p.rules[0].args[i].index, static_cast<unsigned>(i % 6));
    EXPECT_EQ(p.rules[0].args[i].value, 10u + i);
    EXPECT_EQ(p.rules[0].args[i].value_two, 20u + i);
  }
}

TEST(SeccompProfile, FlagsAbsentMeansSpecAllowWhenSupported) {
  json j = {{"defaultAction", "SCMP_ACT_ALLOW"}};
  EXPECT_EQ(parse_ok(j).flags, kFlagSpecAllow);
  EXPECT_EQ(parse_ok(j, kFlagLog).flags, 0u);
  j["flags"] = nullptr;
  EXPECT_EQ(parse_ok(j).flags, kFlagSpecAllow);
  j["flags"] = json::array();
  EXPECT_EQ(parse_ok(j).flags, 0u);
}

TEST(SeccompProfile, FlagValues) {
  json j = {{"defaultAction", "SCMP_ACT_ALLOW"}};
  j["flags"] = {"SECCOMP_FILTER_FLAG_TSYNC"};
  EXPECT_EQ(parse_ok(j).flags, 0u);  // accepted, ignored
  j["flags"] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  EXPECT_EQ(parse_ok(j).flags, 6u);
  j["flags"] = {"SECCOMP_FILTER_FLAG_FOO"};
  orun::set_invocation("/usr/sbin/runc");  // runc's exact text under runc's name
  EXPECT_EQ(parse_err(j), "seccomp flag SECCOMP_FILTER_FLAG_FOO is not known to runc");
  orun::set_invocation("/usr/bin/orun");
  EXPECT_EQ(parse_err(j), "seccomp flag SECCOMP_FILTER_FLAG_FOO is not known to orun");
  j["flags"] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  EXPECT_NE(parse_err(j, kFlagLog).find("error adding WaitKill flag to seccomp filter: SetWaitKill requires "),
            std::string::npos);
}

TEST(SeccompProfile, Architectures) {
  auto p = parse_ok({{"defaultAction", "SCMP_ACT_ALLOW"},
                     {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"}}});
  EXPECT_EQ(p.architectures,
            (std::vector<uint32_t>{SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64}));
  EXPECT_EQ(parse_err({{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", {"SCMP_ARCH_PDP11"}}}),
            "string SCMP_ARCH_PDP11 is not a valid arch for seccomp");
}

TEST(SeccompProfile, ErrorsNameTheRule) {
  json base = {{"defaultAction", "SCMP_ACT_ALLOW"}};
  json j = base;
  j["syscalls"] = {{{"names", {"read"}}, {"action", "SCMP_ACT_ERRNO"}},
                   {{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_FOO"}}};
  EXPECT_EQ(parse_err(j),
            "linux.seccomp.syscalls[1] (mkdir, mkdirat): string SCMP_ACT_FOO is not a valid action for seccomp");
  j = base;
  j["syscalls"] = {{{"names", {"open"}}, {"action", "SCMP_ACT_ERRNO"}, {"args", {{{"index", 0}, {"op", "SCMP_CMP_XX"}}}}}};
  EXPECT_EQ(parse_err(j),
            "linux.seccomp.syscalls[0] (open): linux.seccomp.syscalls[0].args[0]: string SCMP_CMP_XX is not a valid "
            "operator for seccomp");
  j["syscalls"][0]["args"] = {{{"index", 6}, {"op", "SCMP_CMP_EQ"}}};
  EXPECT_NE(parse_err(j).find("(open): linux.seccomp.syscalls[0].args[0]: syscalls only have up to 6 arguments (6 given)"), std::string::npos);
  j["syscalls"][0]["args"] = {{{"index", "zero"}, {"op", "SCMP_CMP_EQ"}}};
  EXPECT_NE(parse_err(j).find("args[0].index: expected an unsigned integer"), std::string::npos);
  j["syscalls"][0]["args"] = json::object();
  EXPECT_EQ(parse_err(j), "linux.seccomp.syscalls[0].args: expected an array");
  j = base;
  j["syscalls"] = {{{"names", "mkdir"}, {"action", "SCMP_ACT_ERRNO"}}};
  EXPECT_EQ(parse_err(j), "linux.seccomp.syscalls[0].names: expected an array of strings");
  j["syscalls"] = {{{"names", {""}}, {"action", "SCMP_ACT_ERRNO"}}};
  EXPECT_EQ(parse_err(j), "linux.seccomp.syscalls[0] (): empty string is not a valid syscall");
  EXPECT_EQ(parse_err({{"defaultAction", "SCMP_ACT_BOGUS"}}), "string SCMP_ACT_BOGUS is not a valid action for seccomp");
  EXPECT_EQ(parse_err(json::array()), "linux.seccomp: expected an object");
}

TEST(SeccompProfile, NotifyRules) {
  json j = {{"defaultAction", "SCMP_ACT_ALLOW"},
            {"listenerPath", "/run/agent.sock"},
            {"listenerMetadata", "bar"},
            {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  auto p = parse_ok(j);
  EXPECT_TRUE(p.uses_notify);
  EXPECT_EQ(p.flags, kFlagSpecAllow | kFlagNewListener);
  EXPECT_EQ(p.listener_path, "/run/agent.sock");
  EXPECT_EQ(p.listener_metadata, "bar");

  j["listenerPath"] = "";
  EXPECT_EQ(parse_err(j), "seccomp listenerPath is not set");
  j["listenerPath"] = "/x";
  j["syscalls"][0]["names"] = {"read", "write"};
  EXPECT_EQ(parse_err(j), "SCMP_ACT_NOTIFY cannot be used for the write syscall");
  EXPECT_EQ(parse_err({{"defaultAction", "SCMP_ACT_NOTIFY"}, {"listenerPath", "/x"}}),
            "SCMP_ACT_NOTIFY cannot be used as default action");
  // A listener path without notify rules is ignored.
  auto q = parse_ok({{"defaultAction", "SCMP_ACT_ALLOW"}, {"listenerPath", "/x"}});
  EXPECT_FALSE(q.uses_notify);
  EXPECT_EQ(q.flags & kFlagNewListener, 0u);
}

}  // namespace

// runc says "string  is not a valid action for seccomp" (an empty name).
TEST(SeccompProfile, MissingDefaultActionWithRulesSaysWhatIsMissing) {
  json j = {{"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  EXPECT_EQ(parse_err(j), "linux.seccomp.defaultAction is required when syscalls are listed");
  j["defaultAction"] = "SCMP_ACT_BOGUS";
  EXPECT_EQ(parse_err(j), "string SCMP_ACT_BOGUS is not a valid action for seccomp");
}
