// The kernel's seccomp audit records (type=1326) for `orun diagnose`: which
// syscall a container's filter denied, by name, with the action taken. The
// kernel logs kill actions and SCMP_ACT_LOG always (kernel.seccomp.actions_logged),
// errno and trap only for a filter loaded with SECCOMP_FILTER_FLAG_LOG
// (the profile's flags, or orun's annotation org.orun.seccomp.report).
// Without auditd the records reach the kernel log, read here from /dev/kmsg.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace orun::diagnose {

struct SeccompAudit {
  double time = 0;  // audit(SECONDS.MILLIS:SERIAL), wall clock
  pid_t pid = 0;    // host pid
  std::string comm;
  std::string exe;
  uint32_t arch = 0;
  int syscall = -1;
  uint32_t code = 0;  // the filter's return value (action | data)
};

// Pure: one kernel log line ("... audit: type=1326 audit(...): ... pid=N
// comm="x" exe="/y" sig=S arch=c000003e syscall=83 compat=0 ip=... code=0x0").
std::optional<SeccompAudit> parse_seccomp_audit(std::string_view line);
// "kill process", "kill thread", "errno 1 (EPERM)", "trap", "log (allowed)", ...
std::string seccomp_action_name(uint32_t code);
// libseccomp's name for the syscall on that arch, else "syscall N".
std::string seccomp_syscall_name(uint32_t arch, int nr);

// The records in the kernel log now (root can read /dev/kmsg). Empty with
// `error` set when it cannot be read.
std::vector<SeccompAudit> read_seccomp_audits(std::string& error);

// The report's "seccomp_denials" part: the records since `since` (epoch
// seconds) of `pids` (the container's) or of processes now gone whose exe
// exists in `rootfs` (killed ones leave no pid to match).
nlohmann::ordered_json seccomp_denials(double since, const std::vector<pid_t>& pids, const std::string& rootfs);

}  // namespace orun::diagnose
