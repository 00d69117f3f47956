// process.scheduler / ioPriority / execCPUAffinity, linux.personality /
// memoryPolicy: the conversions to syscall arguments (pure), and their
// application in forked children (root only where the kernel demands it).
#include <gtest/gtest.h>

#include <linux/mempolicy.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "in_child.hpp"
#include "init/process_attrs.hpp"
#include "orun/spec_json.hpp"

using namespace orun::init;
using nlohmann::json;
using orun::unittest::in_child;

namespace {

cpu_set_t cpus(std::initializer_list<int> list) {
  cpu_set_t s;
  CPU_ZERO(&s);
  for (int c : list) CPU_SET(c, &s);
  return s;
}

std::string error_of(const auto& r) { return r ? std::string("(no error)") : r.error().msg; }

// The typed sections, through the config parser (as the runtime gets them).
orun::spec::Process process_with(const char* key, const json& section) {
  json doc{{"args", {"sh"}}};
  if (!section.is_null()) doc[key] = section;
  auto p = orun::spec::parse_process(doc);
  EXPECT_TRUE(p) << p.error().msg;
  return p ? *p : orun::spec::Process{};
}
orun::spec::Linux linux_with(const char* key, const json& section) {
  auto s = orun::spec::parse(json{{"linux", {{key, section}}}});
  EXPECT_TRUE(s) << s.error().msg;
  return s ? s->linux : orun::spec::Linux{};
}
orun::spec::Scheduler sched(const json& j) { return process_with("scheduler", j).scheduler.value_or(orun::spec::Scheduler{}); }
orun::spec::IoPriority io(const json& j) { return process_with("ioPriority", j).io_priority.value_or(orun::spec::IoPriority{}); }
std::optional<orun::spec::ExecCpuAffinity> affinity(const json& j) { return process_with("execCPUAffinity", j).exec_cpu_affinity; }
orun::spec::Personality persona(const json& j) { return linux_with("personality", j).personality.value_or(orun::spec::Personality{}); }
orun::spec::MemoryPolicy mempol(const json& j) { return linux_with("memoryPolicy", j).memory_policy.value_or(orun::spec::MemoryPolicy{}); }

orun::spec::Spec spec_with_process() {
  orun::spec::Spec s;
  s.process = orun::spec::Process{};
  return s;
}

}  // namespace

// ---- runc's configs.ToCPUSet ----

TEST(ParseCpuList, ListsRangesSpacesAndEmptyItems) {
  EXPECT_EQ(*orun::spec::parse_cpu_list("0-3,5"), (std::vector<unsigned>{0, 1, 2, 3, 5}));
  EXPECT_EQ(*orun::spec::parse_cpu_list(" 7 , ,2-2,\t"), (std::vector<unsigned>{2, 7}));
  EXPECT_EQ(*orun::spec::parse_cpu_list("00000000001"), (std::vector<unsigned>{1}));
  EXPECT_EQ(*orun::spec::parse_cpu_list("1023"), (std::vector<unsigned>{1023}));
  EXPECT_TRUE(orun::spec::parse_cpu_list("")->empty());
}

TEST(ParseCpuList, ErrorsAreRuncs) {
  EXPECT_EQ(error_of(orun::spec::parse_cpu_list("3-1")), "invalid range: 3-1");
  EXPECT_EQ(error_of(orun::spec::parse_cpu_list(",")), "no members found in set \",\"");
  EXPECT_EQ(error_of(orun::spec::parse_cpu_list("1024")), "values larger than 1023 are not supported");
  EXPECT_EQ(error_of(orun::spec::parse_cpu_list("a")), "strconv.ParseUint: parsing \"a\": invalid syntax");
  EXPECT_EQ(error_of(orun::spec::parse_cpu_list("1-2-3")), "strconv.ParseUint: parsing \"2-3\": invalid syntax");
  EXPECT_EQ(error_of(orun::spec::parse_cpu_list("0-9876543210")),
            "strconv.ParseUint: parsing \"9876543210\": value out of range");
}

// ---- conversions ----

TEST(ToSchedAttr, DeadlineWithFlags) {
  auto a = to_sched_attr(sched(json{{"policy", "SCHED_DEADLINE"},
                              {"flags", {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_UTIL_CLAMP_MAX"}},
                              {"nice", 19},
                              {"runtime", 42000},
                              {"deadline", 100000},
                              {"period", 1000000}}));
  ASSERT_TRUE(a) << a.error().msg;
  EXPECT_EQ(a->policy, 6u);
  EXPECT_EQ(a->flags, 0x41u);
  EXPECT_EQ(a->nice, 19);
  EXPECT_EQ(a->priority, 0u);
  EXPECT_EQ(a->runtime, 42000u);
  EXPECT_EQ(a->deadline, 100000u);
  EXPECT_EQ(a->period, 1000000u);
}

TEST(ToSchedAttr, EveryPolicyHasTheKernelNumber) {
  const std::pair<const char*, uint32_t> want[] = {{"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},
                                                   {"SCHED_BATCH", 3}, {"SCHED_ISO", 4},  {"SCHED_IDLE", 5},
                                                   {"SCHED_DEADLINE", 6}};
  for (auto& [name, num] : want) EXPECT_EQ(to_sched_attr(sched(json{{"policy", name}}))->policy, num) << name;
  EXPECT_EQ(to_sched_attr(sched(json{{"policy", "SCHED_FIFO"}, {"priority", 42}}))->priority, 42u);
}

TEST(ToSchedAttr, UnknownNamesAreRejectedWithRuncsWords) {
  EXPECT_EQ(error_of(to_sched_attr(sched(json{{"policy", "SCHED_FAST"}}))), "invalid scheduler policy: SCHED_FAST");
  EXPECT_EQ(error_of(to_sched_attr(sched(json{{"policy", "SCHED_RR"}, {"flags", {"SCHED_FLAG_X"}}}))),
            "invalid scheduler flag: SCHED_FLAG_X");
  // A wrong type never reaches the converter: the parser refuses it (it
  // once did, in the child, as "process.scheduler.policy: wrong type number").
  EXPECT_EQ(error_of(orun::spec::parse_process(json{{"args", {"sh"}}, {"scheduler", {{"policy", 3}}}})),
            "scheduler.policy: expected string, got number");
}

TEST(ToIoprio, ClassShiftedBy13OrPriority) {
  EXPECT_EQ(*to_ioprio(io(json{{"class", "IOPRIO_CLASS_BE"}, {"priority", 4}})), (2 << 13) | 4);
  EXPECT_EQ(*to_ioprio(io(json{{"class", "IOPRIO_CLASS_RT"}, {"priority", 7}})), (1 << 13) | 7);
  EXPECT_EQ(*to_ioprio(io(json{{"class", "IOPRIO_CLASS_IDLE"}})), 3 << 13);
  EXPECT_EQ(error_of(to_ioprio(io(json{{"class", "IOPRIO_CLASS_NONE"}}))), "invalid io priority class: IOPRIO_CLASS_NONE");
}

TEST(ToPersona, Linux32AndLinux) {
  EXPECT_EQ(*to_persona(persona(json{{"domain", "LINUX32"}})), static_cast<unsigned long>(PER_LINUX32));
  EXPECT_EQ(*to_persona(persona(json{{"domain", "LINUX"}, {"flags", json::array()}})), static_cast<unsigned long>(PER_LINUX));
  EXPECT_EQ(error_of(to_persona(persona(json{{"domain", "BSD"}}))), "invalid personality domain BSD");
}

TEST(ToMemPolicy, ModeFlagsAndA1024BitMask) {
  auto m = to_mem_policy(mempol(json{{"mode", "MPOL_BIND"}, {"nodes", "0-2,65"}, {"flags", {"MPOL_F_STATIC_NODES"}}}));
  ASSERT_TRUE(m) << m.error().msg;
  EXPECT_EQ(m->mode, MPOL_BIND | MPOL_F_STATIC_NODES);
  EXPECT_EQ(m->maxnode, 1024u);
  ASSERT_EQ(m->nodemask.size() * 8 * sizeof(unsigned long), 1024u);
  EXPECT_EQ(m->nodemask[0], 0x7ul);
  EXPECT_EQ(m->nodemask[1], 0x2ul);

  auto r = to_mem_policy(mempol(json{{"mode", "MPOL_PREFERRED"}, {"nodes", "0"}, {"flags", {"MPOL_F_RELATIVE_NODES", "MPOL_F_NUMA_BALANCING"}}}));
  EXPECT_EQ(r->mode, MPOL_PREFERRED | MPOL_F_RELATIVE_NODES | (1 << 13));
}

TEST(ToMemPolicy, NoNodesMeansANullMask) {
  auto m = to_mem_policy(mempol(json{{"mode", "MPOL_LOCAL"}}));
  ASSERT_TRUE(m) << m.error().msg;
  EXPECT_EQ(m->mode, MPOL_LOCAL);
  EXPECT_TRUE(m->nodemask.empty());
  EXPECT_EQ(to_mem_policy(mempol(json{{"mode", "MPOL_WEIGHTED_INTERLEAVE"}, {"nodes", "0"}}))->mode, 6);
}

TEST(ToMemPolicy, ErrorsAreRuncs) {
  EXPECT_EQ(error_of(to_mem_policy(mempol(json{{"mode", "INTERLEAVE"}}))), "invalid memory policy mode \"INTERLEAVE\"");
  EXPECT_EQ(error_of(to_mem_policy(mempol(json{{"mode", "MPOL_BIND"}, {"nodes", "2-1"}}))),
            "invalid memory policy nodes \"2-1\": invalid range: 2-1");
  EXPECT_EQ(error_of(to_mem_policy(mempol(json{{"mode", "MPOL_BIND"}, {"nodes", "0"}, {"flags", {"badflag"}}}))),
            "invalid memory policy flag \"badflag\"");
}

TEST(ToCpuAffinity, AbsentOrEmptyListsAreNoAffinity) {
  EXPECT_FALSE(*to_cpu_affinity(affinity(json())));
  EXPECT_FALSE(*to_cpu_affinity(affinity(json::object())));
  EXPECT_FALSE(*to_cpu_affinity(affinity(json{{"initial", ""}, {"final", ""}})));
}

TEST(ToCpuAffinity, InitialAndFinalAreSeparateSets) {
  auto a = to_cpu_affinity(affinity(json{{"initial", "1"}, {"final", "0,2-3"}}));
  ASSERT_TRUE(a && *a);
  ASSERT_TRUE((*a)->initial);
  ASSERT_TRUE((*a)->final_cpus);
  cpu_set_t want_initial = cpus({1}), want_final = cpus({0, 2, 3});
  EXPECT_TRUE(CPU_EQUAL(&*(*a)->initial, &want_initial));
  EXPECT_TRUE(CPU_EQUAL(&*(*a)->final_cpus, &want_final));
  auto only = to_cpu_affinity(affinity(json{{"final", "0"}}));
  EXPECT_FALSE((*only)->initial);
}

TEST(ToCpuAffinity, ErrorsNameTheList) {
  EXPECT_EQ(error_of(to_cpu_affinity(affinity(json{{"initial", "x"}}))),
            "bad CPUAffinity.Initial: strconv.ParseUint: parsing \"x\": invalid syntax");
  EXPECT_EQ(error_of(to_cpu_affinity(affinity(json{{"final", "2-1"}}))), "bad CPUAffinity.Final: invalid range: 2-1");
}

TEST(OwnOrContainer, ProcessValueWinsElseTheContainers) {
  std::optional<orun::spec::IoPriority> own = io(json{{"class", "IOPRIO_CLASS_IDLE"}}),
                                         container = io(json{{"class", "IOPRIO_CLASS_BE"}}), none;
  EXPECT_EQ(&own_or_container(own, container), &own);
  EXPECT_EQ(&own_or_container(none, container), &container);
}

// ---- application, each in a forked child ----

TEST(ApplyProcessAttrs, NothingConfiguredChangesNothing) {
  auto s = spec_with_process();
  EXPECT_EQ(in_child([&] {
              int policy = sched_getscheduler(0);
              int persona = personality(0xffffffff);
              if (!apply_process_attrs(s, *s.process)) return 1;
              return sched_getscheduler(0) == policy && personality(0xffffffff) == persona ? 0 : 2;
            }),
            0);
}

TEST(ApplyProcessAttrs, SetsAllFourInTheCaller) {
  auto s = spec_with_process();
  s.process->scheduler = sched(json{{"policy", "SCHED_BATCH"}, {"nice", 19}});
  s.process->io_priority = io(json{{"class", "IOPRIO_CLASS_BE"}, {"priority", 4}});
  s.linux.personality = persona(json{{"domain", "LINUX32"}});
  s.linux.memory_policy = mempol(json{{"mode", "MPOL_INTERLEAVE"}, {"nodes", "0"}});
  EXPECT_EQ(in_child([&] {
              if (auto r = apply_process_attrs(s, *s.process); !r) return 1;
              if (sched_getscheduler(0) != SCHED_BATCH) return 2;
              if (getpriority(PRIO_PROCESS, 0) != 19) return 3;
              if (syscall(SYS_ioprio_get, 1, 0) != ((2 << 13) | 4)) return 4;
              if ((personality(0xffffffff) & PER_MASK) != PER_LINUX32) return 5;
              int mode = -1;
              unsigned long mask[1024 / (8 * sizeof(unsigned long))] = {};
              if (syscall(SYS_get_mempolicy, &mode, mask, 1024, nullptr, 0) < 0) return 6;
              return mode == MPOL_INTERLEAVE && mask[0] == 1 ? 0 : 7;
            }),
            0);
}

TEST(ApplyProcessAttrs, ExecFallsBackToTheContainersSchedulerAndIoPriority) {
  auto s = spec_with_process();
  s.process->io_priority = io(json{{"class", "IOPRIO_CLASS_IDLE"}});
  s.process->scheduler = sched(json{{"policy", "SCHED_IDLE"}});
  orun::spec::Process exec_proc;  // neither set: the container's apply
  orun::spec::Process exec_own;
  exec_own.io_priority = io(json{{"class", "IOPRIO_CLASS_BE"}, {"priority", 1}});
  EXPECT_EQ(in_child([&] {
              if (!apply_process_attrs(s, exec_proc)) return 1;
              if (sched_getscheduler(0) != SCHED_IDLE) return 2;
              return syscall(SYS_ioprio_get, 1, 0) == (3 << 13) ? 0 : 3;
            }),
            0);
  EXPECT_EQ(in_child([&] {
              if (!apply_process_attrs(s, exec_own)) return 1;
              return syscall(SYS_ioprio_get, 1, 0) == ((2 << 13) | 1) ? 0 : 2;
            }),
            0);
}

TEST(ApplyProcessAttrs, KernelRefusalsCarryRuncsWordsAndErrno) {
  auto s = spec_with_process();
  // sched_priority must be 1..99 for SCHED_FIFO.
  s.process->scheduler = sched(json{{"policy", "SCHED_FIFO"}, {"priority", 100}});
  EXPECT_EQ(in_child([&] {
              auto e = apply_process_attrs(s, *s.process);
              return !e && e.error().msg == "error setting scheduler: invalid argument" && e.error().err == EINVAL ? 0 : 1;
            }),
            0);

  auto m = spec_with_process();
  // Node 1000 exists nowhere: the kernel refuses the mask.
  m.linux.memory_policy = mempol(json{{"mode", "MPOL_BIND"}, {"nodes", "1000"}});
  EXPECT_EQ(in_child([&] {
              auto e = apply_process_attrs(m, *m.process);
              return !e && e.error().msg == "set_mempolicy: invalid argument" && e.error().err == EINVAL ? 0 : 1;
            }),
            0);
}

TEST(ApplyProcessAttrs, DeadlineUnderACpusetNamesAllowedCpus) {
  if (geteuid() != 0) GTEST_SKIP() << "SCHED_DEADLINE needs CAP_SYS_NICE";
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  auto s = spec_with_process();
  s.process->scheduler = sched(json{{"policy", "SCHED_DEADLINE"}, {"runtime", 42000}, {"deadline", 1000000}, {"period", 1000000}});
  s.linux.resources.cpu.cpus = "0";
  EXPECT_EQ(in_child([&] {
              // A restricted affinity, as a cpuset gives: sched_setattr says EPERM.
              cpu_set_t one = cpus({0});
              if (sched_setaffinity(0, sizeof(one), &one) < 0) return 1;
              auto r = apply_process_attrs(s, *s.process);
              return !r && r.error().msg == "process scheduler can't be used together with AllowedCPUs" ? 0 : 2;
            }),
            0);
}

TEST(SettleCpuAffinity, ExecTakesTheFinalList) {
  auto s = spec_with_process();
  orun::spec::Process p;
  p.exec_cpu_affinity = affinity(json{{"initial", "0"}, {"final", "0"}});
  EXPECT_EQ(in_child([&] {
              bool warned = false;
              if (!settle_cpu_affinity(s, p, true, [&](const std::string&) { warned = true; })) return 1;
              cpu_set_t got, want = cpus({0});
              sched_getaffinity(0, sizeof(got), &got);
              return CPU_EQUAL(&got, &want) && !warned ? 0 : 2;
            }),
            0);
}

TEST(SettleCpuAffinity, UnconfiguredExecAndInitAreResetToEveryCpu) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  orun::spec::Process exec_proc;  // no execCPUAffinity anywhere
  for (bool is_exec : {true, false}) {
    auto s2 = spec_with_process();
    // The init ignores execCPUAffinity: it is for exec'd processes only.
    if (!is_exec) s2.process->exec_cpu_affinity = affinity(json{{"final", "0"}});
    EXPECT_EQ(in_child([&] {
                cpu_set_t all, one = cpus({0});
                sched_getaffinity(0, sizeof(all), &all);
                if (sched_setaffinity(0, sizeof(one), &one) < 0) return 1;
                if (!settle_cpu_affinity(s2, is_exec ? exec_proc : *s2.process, is_exec, [](const std::string&) {}))
                  return 2;
                cpu_set_t got;
                sched_getaffinity(0, sizeof(got), &got);
                return CPU_EQUAL(&got, &all) ? 0 : 3;
              }),
              0)
        << (is_exec ? "exec" : "init");
  }
}

TEST(SettleCpuAffinity, OnlyInitialLeavesTheAffinityAlone) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  auto s = spec_with_process();
  orun::spec::Process p;
  p.exec_cpu_affinity = affinity(json{{"initial", "1"}});
  EXPECT_EQ(in_child([&] {
              cpu_set_t one = cpus({0});
              if (sched_setaffinity(0, sizeof(one), &one) < 0) return 1;
              if (!settle_cpu_affinity(s, p, true, [](const std::string&) {})) return 2;
              cpu_set_t got;
              sched_getaffinity(0, sizeof(got), &got);
              return CPU_EQUAL(&got, &one) ? 0 : 3;
            }),
            0);
}

TEST(InitialCpuAffinity, HoldsTheInitialListUntilDestroyed) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  auto s = spec_with_process();
  s.process->exec_cpu_affinity = affinity(json{{"initial", "1"}, {"final", "0"}});
  orun::spec::Process p;  // falls back to the container's
  EXPECT_EQ(in_child([&] {
              cpu_set_t before, during, after, want = cpus({1});
              sched_getaffinity(0, sizeof(before), &before);
              {
                auto g = InitialCpuAffinity::enter(s, p);
                if (!g) return 1;
                sched_getaffinity(0, sizeof(during), &during);
                // A clone made now inherits the list.
                pid_t child = fork();
                if (child == 0) {
                  cpu_set_t mine;
                  sched_getaffinity(0, sizeof(mine), &mine);
                  _exit(CPU_EQUAL(&mine, &want) ? 0 : 1);
                }
                int st = 0;
                waitpid(child, &st, 0);
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 2;
              }
              sched_getaffinity(0, sizeof(after), &after);
              return CPU_EQUAL(&during, &want) && CPU_EQUAL(&after, &before) ? 0 : 3;
            }),
            0);
}

TEST(InitialCpuAffinity, WithoutAnInitialListNothingChanges) {
  auto s = spec_with_process();
  orun::spec::Process p;
  p.exec_cpu_affinity = affinity(json{{"final", "0"}});
  EXPECT_EQ(in_child([&] {
              cpu_set_t before, during;
              sched_getaffinity(0, sizeof(before), &before);
              auto g = InitialCpuAffinity::enter(s, p);
              sched_getaffinity(0, sizeof(during), &during);
              return g && CPU_EQUAL(&before, &during) ? 0 : 1;
            }),
            0);
  p.exec_cpu_affinity = affinity(json{{"initial", "1-0"}});
  auto bad = InitialCpuAffinity::enter(s, p);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().msg, "bad CPUAffinity.Initial: invalid range: 1-0");
}
