// Capability names, resolution, and the apply sequence (bounding, user
// switch, E/P/I, ambient) in forked children.
#include <gtest/gtest.h>

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <string>

#include "init/user.hpp"
#include "security/capabilities.hpp"
#include "in_child.hpp"

using namespace orun::security;
using V = std::vector<std::string>;

using orun::unittest::in_child;

namespace {

// The hex mask of a Cap* line in /proc/self/status.
uint64_t status_mask(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  return ~0ULL;
}

uint64_t bit(int cap) { return 1ULL << cap; }

}  // namespace

TEST(CapsNames, ParsesRuncNamesOnly) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_FALSE(capability_from_name("cap_chown"));
  EXPECT_FALSE(capability_from_name("CHOWN"));
  EXPECT_FALSE(capability_from_name("CAP_FOO"));
  EXPECT_EQ(capability_name(CAP_NET_RAW), "CAP_NET_RAW");
  EXPECT_EQ(capability_name(9999), "");
}

TEST(CapsNames, AllNamesInOrder) {
  auto all = all_capability_names();
  ASSERT_GE(all.size(), 41u);
  EXPECT_EQ(all.front(), "CAP_CHOWN");
  EXPECT_EQ(all[CAP_SETPCAP], "CAP_SETPCAP");
  EXPECT_EQ(all[40], "CAP_CHECKPOINT_RESTORE");
}

TEST(CapsResolve, UnknownAndUnavailableAreSetAsideSortedUnique) {
  orun::spec::Capabilities c;
  c.bounding = {"CAP_CHOWN", "CAP_ZZZ", "CAP_BPF"};
  c.effective = {"CAP_CHOWN", "CAP_AAA"};
  c.ambient = {"CAP_ZZZ"};
  auto s = resolve_capabilities(c, CAP_PERFMON);  // a kernel without CAP_BPF
  EXPECT_EQ(s.bounding, (std::vector<int>{CAP_CHOWN}));
  EXPECT_EQ(s.effective, (std::vector<int>{CAP_CHOWN}));
  EXPECT_TRUE(s.ambient.empty());
  EXPECT_EQ(s.unknown, (V{"CAP_AAA", "CAP_BPF", "CAP_ZZZ"}));
  EXPECT_EQ(unknown_capabilities_warning(s.unknown),
            "ignoring unknown or unavailable capabilities: [CAP_AAA CAP_BPF CAP_ZZZ]");
}

TEST(CapsApply, BoundingThenUserThenSets) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    orun::spec::Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_FOO"};
    c.effective = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
    c.permitted = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
    c.inheritable = {"CAP_NET_BIND_SERVICE"};
    c.ambient = {"CAP_NET_BIND_SERVICE", "CAP_CHOWN"};
    std::vector<std::string> warnings;
    auto warn = [&](const std::string& w) { warnings.push_back(w); };
    if (!drop_bounding_set(capability_sets(c), warn)) return 1;
    if (warnings != V{"ignoring unknown or unavailable capabilities: [CAP_FOO]"}) return 2;
    if (status_mask("CapBnd") != (bit(CAP_CHOWN) | bit(CAP_NET_BIND_SERVICE))) return 3;
    orun::spec::User u;
    u.uid = 1000;
    u.gid = 1000;
    if (!orun::init::setup_user(u, true)) return 4;
    warnings.clear();
    auto r = apply_capabilities(capability_sets(c), warn);
    if (!r) return 5;
    uint64_t want = bit(CAP_CHOWN) | bit(CAP_NET_BIND_SERVICE);
    if (status_mask("CapEff") != want || status_mask("CapPrm") != want) return 6;
    if (status_mask("CapInh") != bit(CAP_NET_BIND_SERVICE)) return 7;
    if (status_mask("CapAmb") != bit(CAP_NET_BIND_SERVICE)) return 8;
    // CAP_CHOWN is not inheritable, so it cannot be ambient: only a warning.
    if (warnings != V{"can't raise ambient capability CAP_CHOWN: operation not permitted"}) return 9;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(CapsApply, InheritableEndsEmptyWhenNotAsked) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    // Start with something inheritable, as a leaky parent could.
    cap_t cur = cap_get_proc();
    cap_value_t v = CAP_KILL;
    cap_set_flag(cur, CAP_INHERITABLE, 1, &v, CAP_SET);
    if (cap_set_proc(cur) < 0) return 10;
    cap_free(cur);
    if (status_mask("CapInh") != bit(CAP_KILL)) return 11;
    orun::spec::Capabilities c;
    c.bounding = c.effective = c.permitted = {"CAP_KILL"};
    if (!drop_bounding_set(capability_sets(c))) return 1;
    if (!apply_capabilities(capability_sets(c))) return 2;
    if (status_mask("CapInh") != 0) return 3;
    if (status_mask("CapEff") != bit(CAP_KILL)) return 4;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(CapsApply, EffectiveOutsidePermittedFails) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    orun::spec::Capabilities c;
    c.effective = {"CAP_KILL"};
    auto r = apply_capabilities(capability_sets(c));
    if (r) return 1;
    return r.error().msg == "unable to apply caps: can't apply capabilities: operation not permitted" ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}
