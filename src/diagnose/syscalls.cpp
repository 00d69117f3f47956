// Syscall probes: each call gets arguments the kernel must refuse, so the
// errno says whether the syscall exists (ENOSYS) without changing anything.
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "diagnose/probes.hpp"
#include "diagnose/proc_status.hpp"
#include "orun/result.hpp"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

namespace orun::diagnose {

namespace {

// A descriptor number above any RLIMIT_NOFILE: never open.
constexpr int kBadFd = INT_MAX;

// errno of a raw syscall expected to fail; 0 if it unexpectedly succeeded.
int probe_errno(long ret) { return ret < 0 ? errno : 0; }

std::string outcome(int err) { return err == 0 ? "available" : "available (probe: " + errno_text(err) + ")"; }

// clone3 with flags CLONE_INTO_CGROUP and a closed cgroup fd: EBADF when the
// kernel knows the flag (5.7+), EINVAL when it does not, ENOSYS without
// clone3 (5.3+).
int probe_clone_into_cgroup() {
  struct clone_args args;
  std::memset(&args, 0, sizeof(args));
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = kBadFd;
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid == 0) _exit(0);  // cannot happen with a closed fd; never run on
  if (pid > 0) {
    int status = 0;
    while (waitpid(static_cast<pid_t>(pid), &status, 0) < 0 && errno == EINTR) {}
    return 0;
  }
  return errno;
}

void probe_seccomp(Items& out) {
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
    out.push_back(fail_item("seccomp", "not built into the kernel (CONFIG_SECCOMP_FILTER)",
                       "use a kernel with seccomp, or drop linux.seccomp from configs", false));
    return;
  }
  std::vector<std::string> actions, missing;
  const std::pair<const char*, uint32_t> kActions[] = {
      {"kill_process", SECCOMP_RET_KILL_PROCESS}, {"kill_thread", SECCOMP_RET_KILL_THREAD},
      {"trap", SECCOMP_RET_TRAP},                 {"errno", SECCOMP_RET_ERRNO},
      {"user_notif", SECCOMP_RET_USER_NOTIF},     {"trace", SECCOMP_RET_TRACE},
      {"log", SECCOMP_RET_LOG},                   {"allow", SECCOMP_RET_ALLOW}};
  for (auto [name, action] : kActions) {
    uint32_t a = action;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a) == 0) actions.push_back(name);
    else missing.push_back(name);
  }
  std::string detail = "filter mode; actions: " + join(actions);
  if (missing.empty()) out.push_back(ok_item("seccomp", detail));
  else out.push_back(warn_item("seccomp", detail + "; missing: " + join(missing), "profiles using those actions fail"));

  const scmp_version* v = seccomp_version();
  std::string lib = v ? std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro)
                      : "unknown";
  unsigned api = seccomp_api_get();
  struct seccomp_notif_sizes sizes{};
  bool kernel_notify = syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
  std::string d = "libseccomp " + lib + " (linked in, API level " + std::to_string(api) + ")";
  if (kernel_notify && api >= 5) {
    out.push_back(ok_item("seccomp notify", d + "; SCMP_ACT_NOTIFY supported"));
  } else {
    out.push_back(warn_item("seccomp notify", d + (kernel_notify ? "" : "; kernel lacks SECCOMP_GET_NOTIF_SIZES"),
                       "profiles with SCMP_ACT_NOTIFY fail (needs kernel 5.5+, libseccomp API 5)"));
  }
}

}  // namespace

void probe_syscalls(Items& out) {
  int e = probe_errno(syscall(SYS_clone3, nullptr, 0));
  if (e == ENOSYS) {
    out.push_back(warn_item("clone3", "not available (ENOSYS)", "none needed: orun falls back to clone"));
  } else {
    out.push_back(ok_item("clone3", "available"));
  }
  e = e == ENOSYS ? ENOSYS : probe_clone_into_cgroup();
  if (e == EBADF || e == 0) {
    out.push_back(ok_item("CLONE_INTO_CGROUP", "available (cgroup2 joins at clone time)"));
  } else {
    out.push_back(warn_item("CLONE_INTO_CGROUP", "not available (" + errno_text(e) + ")",
                       "none needed: orun moves the init after clone (kernel 5.7+ does it at clone)"));
  }

  struct open_how how{};
  e = probe_errno(syscall(SYS_openat2, kBadFd, "x", &how, sizeof(how)));
  if (e == ENOSYS) {
    out.push_back(warn_item("openat2", "not available (ENOSYS)",
                       "kernel 5.6+ for RESOLVE_IN_ROOT path resolution; orun falls back to a manual walk"));
  } else {
    out.push_back(ok_item("openat2", e == EBADF ? "available" : outcome(e)));
  }

  e = probe_errno(syscall(SYS_fsopen, nullptr, ~0u));
  int e2 = probe_errno(syscall(SYS_mount_setattr, kBadFd, "", ~0u, nullptr, 0));
  if (e == ENOSYS) {
    out.push_back(warn_item("mount API", "fsopen/fsmount/open_tree not available (ENOSYS)",
                       "kernel 5.2+; orun falls back to mount(2) and /proc"));
  } else if (e2 == ENOSYS) {
    out.push_back(warn_item("mount API", "fsopen/fsmount/open_tree available; mount_setattr not (ENOSYS)",
                       "kernel 5.12+ for idmapped mounts"));
  } else {
    out.push_back(ok_item("mount API", "fsopen, fsmount, open_tree, move_mount, mount_setattr available"));
  }

  e = probe_errno(syscall(SYS_pidfd_open, -1, 0));
  e2 = probe_errno(syscall(SYS_pidfd_send_signal, kBadFd, 0, nullptr, 0));
  if (e == ENOSYS || e2 == ENOSYS) {
    out.push_back(warn_item("pidfd", std::string(e == ENOSYS ? "pidfd_open" : "pidfd_send_signal") + " not available",
                       "kernel 5.3+; --pidfd-socket and race-free signalling need it"));
  } else {
    out.push_back(ok_item("pidfd", "pidfd_open, pidfd_send_signal available"));
  }
  probe_seccomp(out);
}

}  // namespace orun::diagnose
