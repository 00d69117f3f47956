// The typed sections of the one model (process.scheduler, ioPriority,
// execCPUAffinity, linux.personality, memoryPolicy, intelRdt, netDevices,
// seccomp): wrong types fail in the parser naming the field, unknown names
// keep runc's messages, and one table per enumeration serves both the
// validator and the converter to syscall arguments.
#include <gtest/gtest.h>

#include <linux/mempolicy.h>
#include <sched.h>
#include <sys/personality.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "init/mount_idmap.hpp"
#include "init/process_attrs.hpp"
#include "orun/spec_json.hpp"

using nlohmann::json;
namespace spec = orun::spec;

namespace {

std::string error_of(const auto& r) { return r ? std::string("(no error)") : r.error().msg; }

orun::Result<spec::Process> process_with(const char* key, const json& section) {
  return spec::parse_process(json{{"args", {"sh"}}, {key, section}});
}

orun::Result<spec::Spec> linux_with(const char* key, const json& section) {
  return spec::parse(json{{"linux", {{key, section}}}});
}

// A config that passes validate() up to the sections under test.
json valid_config() {
  return json{{"ociVersion", "1.0.2"},
              {"process", {{"args", {"sh"}}, {"cwd", "/"}}},
              {"root", {{"path", "rootfs"}}},
              {"linux", {{"namespaces", {{{"type", "mount"}}}}}}};
}

std::string validate_error(const json& doc) {
  auto s = spec::parse(doc);
  if (!s) return "parse: " + s.error().msg;
  auto bundle = std::filesystem::temp_directory_path() / ("orun-sections-" + std::to_string(getpid()));
  std::filesystem::create_directories(bundle / "rootfs");
  bundle = std::filesystem::canonical(bundle);
  std::vector<std::string> warnings;
  auto e = error_of(spec::validate(*s, bundle.string(), &warnings));
  std::filesystem::remove_all(bundle);
  return e;
}

}  // namespace

TEST(SpecSections, WrongTypesNameTheFieldAtParse) {
  EXPECT_EQ(error_of(process_with("scheduler", {{"policy", 3}})), "scheduler.policy: expected string, got number");
  EXPECT_EQ(error_of(process_with("scheduler", {{"policy", "SCHED_OTHER"}, {"nice", "low"}})),
            "scheduler.nice: expected int32, got string");
  EXPECT_EQ(error_of(process_with("scheduler", {{"policy", "SCHED_OTHER"}, {"flags", "SCHED_FLAG_RECLAIM"}})),
            "scheduler.flags: expected array of strings, got string");
  EXPECT_EQ(error_of(process_with("ioPriority", {{"class", "IOPRIO_CLASS_BE"}, {"priority", "4"}})),
            "ioPriority.priority: expected int64, got string");
  EXPECT_EQ(error_of(process_with("execCPUAffinity", {{"initial", 0}})),
            "execCPUAffinity.initial: expected string, got number");
  EXPECT_EQ(error_of(process_with("scheduler", "SCHED_FIFO")), "scheduler: expected object, got string");
  EXPECT_EQ(error_of(linux_with("personality", {{"domain", true}})),
            "linux.personality.domain: expected string, got bool");
  EXPECT_EQ(error_of(linux_with("memoryPolicy", {{"mode", "MPOL_BIND"}, {"nodes", 0}})),
            "linux.memoryPolicy.nodes: expected string, got number");
  EXPECT_EQ(error_of(linux_with("intelRdt", {{"closID", 1}})), "linux.intelRdt.closID: expected string, got number");
  EXPECT_EQ(error_of(linux_with("netDevices", {{"eth1", "eth2"}})),
            "linux.netDevices.eth1: expected object, got string");
  EXPECT_EQ(error_of(linux_with("netDevices", {{"eth1", {{"name", 5}}}})),
            "linux.netDevices.eth1.name: expected string, got number");
  // A NUL byte anywhere in a section, even in a member orun does not read.
  EXPECT_EQ(error_of(linux_with("personality", {{"domain", "LINUX"}, {"x", std::string("a\0b", 3)}})),
            "linux.personality.x contains a NUL byte");
}

TEST(SpecSections, ValuesLandTypedWithGoLeniency) {
  auto p = process_with("scheduler", {{"Policy", "SCHED_DEADLINE"},
                                      {"nice", -3},
                                      {"priority", nullptr},
                                      {"flags", {"SCHED_FLAG_RECLAIM"}},
                                      {"runtime", 1},
                                      {"deadline", 2},
                                      {"period", 3}});
  ASSERT_TRUE(p) << p.error().msg;
  ASSERT_TRUE(p->scheduler);
  EXPECT_EQ(p->scheduler->policy, "SCHED_DEADLINE");  // Go matches keys case-insensitively
  EXPECT_EQ(p->scheduler->nice, -3);
  EXPECT_EQ(p->scheduler->priority, 0);
  EXPECT_EQ(p->scheduler->flags, std::vector<std::string>{"SCHED_FLAG_RECLAIM"});
  EXPECT_EQ(p->scheduler->period, 3u);
  EXPECT_FALSE(p->io_priority);
  EXPECT_FALSE(process_with("scheduler", nullptr)->scheduler);  // null is absent

  auto l = linux_with("netDevices", {{"eth1", nullptr}, {"eth2", {{"name", "ctr0"}}}});
  ASSERT_TRUE(l) << l.error().msg;
  ASSERT_EQ(l->linux.net_devices.size(), 2u);
  EXPECT_EQ(l->linux.net_devices.at("eth1").name, "");
  EXPECT_EQ(l->linux.net_devices.at("eth2").name, "ctr0");
  auto r = linux_with("intelRdt", {{"closID", "g1"}, {"l3CacheSchema", "L3:0=f"}});
  ASSERT_TRUE(r && r->linux.intel_rdt);
  EXPECT_EQ(r->linux.intel_rdt->clos_id, "g1");
}

TEST(SpecSections, UnknownNamesKeepRuncsMessages) {
  auto with_process = [](const char* key, const json& v) {
    json d = valid_config();
    d["process"][key] = v;
    return validate_error(d);
  };
  auto with_linux = [](const char* key, const json& v) {
    json d = valid_config();
    d["linux"][key] = v;
    return validate_error(d);
  };
  EXPECT_EQ(with_process("ioPriority", {{"class", "IOPRIO_CLASS_NONE"}}), "invalid ioPriority.Class: \"IOPRIO_CLASS_NONE\"");
  EXPECT_EQ(with_linux("personality", {{"domain", "BSD"}}), "invalid personality domain BSD");
  EXPECT_EQ(with_linux("memoryPolicy", {{"mode", "MPOL_X"}}), "invalid memory policy mode \"MPOL_X\"");
  EXPECT_EQ(with_linux("memoryPolicy", {{"mode", "MPOL_BIND"}, {"nodes", "0"}, {"flags", {"MPOL_F_X"}}}),
            "invalid memory policy flag \"MPOL_F_X\"");
  // runc's validator leaves scheduler names to the init: so does orun, and
  // the converter there says what runc says.
  EXPECT_EQ(with_process("scheduler", {{"policy", "SCHED_FAST"}}), "(no error)");
  EXPECT_EQ(error_of(orun::init::to_sched_attr(spec::Scheduler{.policy = "SCHED_FAST"})),
            "invalid scheduler policy: SCHED_FAST");
  EXPECT_EQ(error_of(orun::init::to_sched_attr(spec::Scheduler{.policy = "SCHED_RR", .flags = {"SCHED_FLAG_X"}})),
            "invalid scheduler flag: SCHED_FLAG_X");
}

TEST(SpecSections, OneTablePerEnumerationWithTheKernelsNumbers) {
  using spec::NameTable;
  EXPECT_EQ(spec::name_value(NameTable::sched_policy, "SCHED_FIFO"), uint64_t{SCHED_FIFO});
  EXPECT_EQ(spec::name_value(NameTable::sched_policy, "SCHED_DEADLINE"), 6u);
  EXPECT_EQ(spec::name_value(NameTable::sched_flag, "SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40u);
  EXPECT_EQ(spec::name_value(NameTable::ioprio_class, "IOPRIO_CLASS_IDLE"), 3u);
  EXPECT_EQ(spec::name_value(NameTable::persona, "LINUX32"), uint64_t{PER_LINUX32});
  EXPECT_EQ(spec::name_value(NameTable::mempolicy_mode, "MPOL_PREFERRED_MANY"), 5u);
  EXPECT_EQ(spec::name_value(NameTable::mempolicy_flag, "MPOL_F_STATIC_NODES"), uint64_t{MPOL_F_STATIC_NODES});
  // Names are exact (runc compares strings): no case folding, no other table's names.
  EXPECT_FALSE(spec::name_value(NameTable::sched_policy, "sched_fifo"));
  EXPECT_FALSE(spec::name_value(NameTable::ioprio_class, "SCHED_FIFO"));
  EXPECT_FALSE(spec::name_value(NameTable::persona, ""));
}

TEST(SpecSections, SeccompIsTypedAndItsWordingKept) {
  auto s = linux_with("seccomp", {{"defaultAction", "SCMP_ACT_ERRNO"},
                                  {"defaultErrnoRet", 38},
                                  {"flags", json::array()},
                                  {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_LOG"},
                                                 {"args", {{{"index", 1}, {"value", 2}, {"op", "SCMP_CMP_EQ"}}}}}}}});
  ASSERT_TRUE(s) << s.error().msg;
  ASSERT_TRUE(s->linux.seccomp);
  const auto& sc = *s->linux.seccomp;
  EXPECT_EQ(sc.default_errno_ret, 38u);
  ASSERT_TRUE(sc.flags);  // [] is not "absent" (absent turns SPEC_ALLOW on)
  EXPECT_TRUE(sc.flags->empty());
  ASSERT_EQ(sc.syscalls.size(), 1u);
  EXPECT_FALSE(sc.syscalls[0].errno_ret);
  ASSERT_EQ(sc.syscalls[0].args.size(), 1u);
  EXPECT_EQ(sc.syscalls[0].args[0].index, 1u);
  EXPECT_EQ(sc.syscalls[0].args[0].op, "SCMP_CMP_EQ");
  EXPECT_FALSE(linux_with("seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}})->linux.seccomp->flags);

  EXPECT_EQ(error_of(linux_with("seccomp", {{"defaultAction", 1}})), "linux.seccomp.defaultAction: expected a string");
  EXPECT_EQ(error_of(linux_with("seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"defaultErrnoRet", -1}})),
            "linux.seccomp.defaultErrnoRet: expected an unsigned integer");
  EXPECT_EQ(error_of(linux_with("seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {1}}})),
            "linux.seccomp.syscalls[0]: expected an object");
  // Off (no default action, no rules): the rest is not looked at, as before.
  auto off = linux_with("seccomp", {{"flags", 5}});
  ASSERT_TRUE(off) << off.error().msg;
  EXPECT_EQ(off->linux.seccomp->default_action, "");
}

TEST(IdmapRequest, RoundTripsAndRefusesAnythingElse) {
  orun::init::IdmapRequest r{"/src dir", true, false, "0 1000 1\n", ""};
  auto back = orun::init::IdmapRequest::decode(r.encode());
  ASSERT_TRUE(back) << back.error().msg;
  EXPECT_EQ(back->source, "/src dir");
  EXPECT_TRUE(back->recursive);
  EXPECT_FALSE(back->idmap_recursive);
  EXPECT_EQ(back->uid_map, "0 1000 1\n");
  EXPECT_EQ(back->gid_map, "");
  EXPECT_EQ(error_of(orun::init::IdmapRequest::decode("{\"source\":\"/x\"}")), "malformed mount request");
  EXPECT_EQ(error_of(orun::init::IdmapRequest::decode(std::string("/x\0" "2\0" "0\0\0", 9))), "malformed mount request");
}

TEST(LoadProcess, ExecProcessFileErrors) {
  auto dir = std::filesystem::temp_directory_path() / ("orun-load-process-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string file = (dir / "process.json").string();
  EXPECT_EQ(error_of(spec::load_process(file)), "open " + file + ": no such file or directory");
  std::ofstream(file) << "{\"args\": [";
  EXPECT_EQ(error_of(spec::load_process(file)), "parse " + file + ": invalid JSON");
  EXPECT_EQ(error_of(spec::load_process(dir.string())), "parse " + dir.string() + ": invalid JSON");
  std::ofstream(file) << R"({"args": ["sh"], "ioPriority": {"class": "IOPRIO_CLASS_RT"}})";
  auto p = spec::load_process(file);
  ASSERT_TRUE(p) << p.error().msg;
  ASSERT_TRUE(p->io_priority);
  EXPECT_EQ(p->io_priority->io_class, "IOPRIO_CLASS_RT");
  std::filesystem::remove_all(dir);
}
