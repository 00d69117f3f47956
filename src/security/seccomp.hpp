// Seccomp for the container process, from linux.seccomp to the loaded filter.
//
//   parent: prepare()   parse + validate the profile, then the compiled
//                       program from the cache or from libseccomp (+ the
//                       ENOSYS stub); errors before anything is spawned
//   child:  load()      seccomp(SECCOMP_SET_MODE_FILTER) with the program the
//                       child inherited by fork; nothing compiled there
//   notify: seccomp_notify.hpp moves the listener fd to the agent
//
// Load point (runc): without noNewPrivileges the filter needs CAP_SYS_ADMIN,
// so it goes in before capabilities are dropped; with it, as late as
// possible, right before the exec.fifo wait and execve.
#pragma once

#include <linux/filter.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::security::seccomp {

struct Program {
  std::vector<sock_filter> insns;
  unsigned flags = 0;  // seccomp(2) flags, NEW_LISTENER included for notify
  bool notify = false;
  std::string listener_path;
  std::string listener_metadata;
  bool from_cache = false;
  // Profile names this libseccomp does not know (skipped, as runc does).
  std::vector<std::string> ignored_syscalls;
};

// The filter flags this kernel accepts (kFlag* bits), probed once.
unsigned supported_flags();

// linux.seccomp -> program, or nullopt when seccomp is disabled.
// `cache_path` is the file of compiled programs by profile hash (empty: no
// cache). With --debug, each unknown syscall name is logged on every call,
// cached or not.
Result<std::optional<Program>> prepare(const std::optional<spec::Seccomp>& seccomp, const std::string& cache_path);

// orun's opt-in report of denials: with this annotation "true", the filter
// is loaded with SECCOMP_FILTER_FLAG_LOG, so the kernel audits every action
// but allow (errno and trap too, not only kills and SCMP_ACT_LOG) and
// `orun diagnose` names each denied syscall; the verdicts stay the profile's.
inline constexpr const char* kReportAnnotation = "org.orun.seccomp.report";
bool report_requested(const std::map<std::string, std::string>& annotations);
// Adds SECCOMP_FILTER_FLAG_LOG when requested and the kernel has it.
void apply_report(Program& p, const std::map<std::string, std::string>& annotations);

// <root>/.orun:seccomp-cache (seccomp_cache.hpp says why there).
std::string cache_path_for_root(const std::string& root);

// In the container init: loads the filter. Returns the notify listener fd
// (close-on-exec), or -1 when the profile has no SCMP_ACT_NOTIFY rule.
Result<int> load(const Program& p);

}  // namespace orun::security::seccomp
