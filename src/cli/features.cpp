// `features`: what this build of orun supports, in the runtime-spec
// features.md schema (containerd's shim runs it with no global flags).
// Values are what orun really handles; features it does not have yet are
// reported as false (or left out), never borrowed from runc's answer.
#include <seccomp.h>
#include <sys/capability.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/features.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_profile.hpp"
#include "orun/commands.hpp"
#include "orun/spec.hpp"

#ifndef ORUN_VERSION
#define ORUN_VERSION "0.0.0"
#endif
#ifndef ORUN_GIT_COMMIT
#define ORUN_GIT_COMMIT "unknown"
#endif

namespace orun {

using Json = nlohmann::ordered_json;

namespace {


// Mount options the mount planner (src/init/mount_plan.cpp) accepts, sorted.
// idmap/ridmap are reported under mountExtensions instead, as runc does.
const std::vector<std::string> kMountOptions = {
    "async", "atime", "bind", "defaults", "dev", "diratime",
    "dirsync", "exec", "iversion", "lazytime", "loud", "mand",
    "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime",
    "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
    "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount",
    "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
    "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime",
    "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid",
    "rsymfollow", "runbindable", "rw", "shared", "silent", "slave",
    "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
};

const std::vector<std::string> kHooks = {"prestart",        "createRuntime", "createContainer",
                                         "startContainer", "poststart",     "poststop"};

std::vector<std::string> namespaces() {
  using spec::NamespaceType;
  std::vector<std::string> out;
  for (auto t : {NamespaceType::pid, NamespaceType::network, NamespaceType::mount, NamespaceType::ipc,
                 NamespaceType::uts, NamespaceType::user, NamespaceType::cgroup, NamespaceType::time})
    out.emplace_back(spec::to_string(t));
  std::sort(out.begin(), out.end());
  return out;
}

// Every capability libcap has a name for, in number order.
std::vector<std::string> capabilities() {
  std::vector<std::string> out;
  for (cap_value_t v = 0; v < 64; ++v) {
    char* name = cap_to_name(v);
    if (name == nullptr) break;
    std::string s = name;
    cap_free(name);
    // Unnamed (newer than libcap) values come back as plain numbers.
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) break;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    out.push_back(s);
  }
  return out;
}

// runc's list, restricted to the architectures this libseccomp can resolve.
std::vector<std::string> seccomp_archs() {
  static const char* const kArchs[] = {
      "SCMP_ARCH_AARCH64",   "SCMP_ARCH_ARM",      "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_MIPS",
      "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",     "SCMP_ARCH_MIPSEL64",
      "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",       "SCMP_ARCH_PPC64LE",
      "SCMP_ARCH_RISCV64",   "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
      "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",
  };
  std::vector<std::string> out;
  for (const char* a : kArchs) {
    std::string name(a + std::string_view("SCMP_ARCH_").size());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (seccomp_arch_resolve_name(name.c_str()) != 0) out.emplace_back(a);
  }
  return out;
}

// The filter flags orun accepts on this kernel: the same probe the seccomp
// loader uses, so `features` never promises what create would refuse.
std::vector<std::string> seccomp_supported_flags() {
  namespace sc = security::seccomp;
  const unsigned flags = sc::supported_flags();
  std::vector<std::string> out;
  if (flags & sc::kFlagTsync) out.emplace_back("SECCOMP_FILTER_FLAG_TSYNC");
  if (flags & sc::kFlagSpecAllow) out.emplace_back("SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  if (flags & sc::kFlagLog) out.emplace_back("SECCOMP_FILTER_FLAG_LOG");
  if (flags & sc::kFlagWaitKillableRecv) out.emplace_back("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  return out;
}

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  if (v == nullptr) return "0.0.0";
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace

Json cli::features_document() {
  Json seccomp = {
      {"enabled", true},
      {"actions",
       {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
      {"operators",
       {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
        "SCMP_CMP_NE"}},
      {"archs", seccomp_archs()},
      {"knownFlags",
       {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}},
  };
  if (auto supported = seccomp_supported_flags(); !supported.empty()) seccomp["supportedFlags"] = supported;

  Json linux_section = {
      {"namespaces", namespaces()},
      {"capabilities", capabilities()},
      // cgroupfs on v1, v2 and hybrid hosts; the systemd driver on v1 and
      // hybrid hosts; no rootless systemd and no rdma yet.
      {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false}, {"rdma", false}}},
      {"seccomp", seccomp},
      {"apparmor", {{"enabled", false}}},
      {"selinux", {{"enabled", false}}},
      {"intelRdt", {{"enabled", false}}},
      {"mountExtensions", {{"idmap", {{"enabled", true}}}}},
      {"netDevices", {{"enabled", false}}},
  };

  // Go marshals maps with sorted keys; runc's annotation names are kept so
  // callers that read them find them. No checkpoint support: that key is absent.
  Json annotations = {
      {"io.github.seccomp.libseccomp.version", libseccomp_version()},
      {"org.opencontainers.runc.commit", ORUN_GIT_COMMIT},
      {"org.opencontainers.runc.version", ORUN_VERSION},
  };

  return Json{
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", spec::kOciVersion},
      {"hooks", kHooks},
      {"mountOptions", kMountOptions},
      {"linux", linux_section},
      {"annotations", annotations},
      {"potentiallyUnsafeConfigAnnotations", {"bundle", "org.systemd.property.", "org.criu.config"}},
  };
}

Result<int> commands::features(const GlobalOptions&) {
  // Go's json.Encoder with a 4-space indent ends the document with a newline.
  std::string text = cli::features_document().dump(4) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return 0;
}

namespace cli {

CommandSpec features_command() {
  return {
      .name = "features",
      .usage = "show the enabled features",
      .description = R"(Show the enabled features.
   The output is JSON, in the format described by
   https://github.com/opencontainers/runtime-spec/blob/main/features.md
)",
      .define =
          [](CLI::App&) -> Action {
            return [](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 0, ArgCount::exact));
              return commands::features(inv.global);
            };
          },
  };
}

}  // namespace cli

}  // namespace orun
