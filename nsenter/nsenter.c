#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nsenter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Reports an error to the parent and exits: the only way out of a failed child. */
static void __attribute__((noreturn, format(printf, 2, 3)))
child_fail(int sync_fd, const char *fmt, ...) {
  char buf[1024];
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof(buf)) n = sizeof(buf) - 1;
  if (saved) snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(saved));
  /* Go-style lower-case errno text, as runc prints it. */
  char *colon = strrchr(buf, ':');
  if (saved && colon && colon[1] == ' ' && colon[2] >= 'A' && colon[2] <= 'Z') colon[2] = (char)(colon[2] - 'A' + 'a');
  orun_sync_send(sync_fd, ORUN_SYNC_ERROR, saved, buf, strlen(buf));
  _exit(1);
}

static pid_t raw_clone(unsigned long long flags, int cgroup_fd, int *in_cgroup) {
  struct clone_args args;
  memset(&args, 0, sizeof(args));
  args.flags = flags;
  /* With CLONE_PARENT the child inherits our exit signal; clone3 insists on 0. */
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid >= 0) {
    *in_cgroup = cgroup_fd >= 0;
    return (pid_t)pid;
  }
  /* Old kernels, or a cgroup that refuses CLONE_INTO_CGROUP: plain clone;
   * the caller then moves the child into its cgroup. */
  if (errno != ENOSYS && errno != E2BIG && !(cgroup_fd >= 0 && (errno == EINVAL || errno == EBUSY || errno == EOPNOTSUPP)))
    return -1;
  *in_cgroup = 0;
  return (pid_t)syscall(SYS_clone, (unsigned long)(flags | ((flags & CLONE_PARENT) ? 0 : SIGCHLD)), 0, 0, 0, 0);
}

/* The v1 fast join: a single-threaded process moving itself through `tasks`
 * skips the global threadgroup rwsem that a write into cgroup.procs takes. */
static void join_cgroups_v1(const struct orun_nsenter_config *cfg) {
  for (int i = 0; i < cfg->ncgroup_tasks_fds; i++) {
    if (write(cfg->cgroup_tasks_fds[i], "0", 1) != 1)
      child_fail(cfg->sync_fd, "join cgroup (v1 tasks fd %d)", cfg->cgroup_tasks_fds[i]);
  }
}

/* Joining a cpuset cgroup resets the affinity (cgroup v1): what the child
 * started with is only visible before the join. */
static unsigned long long start_affinity;
static int start_affinity_err = -ENOSYS;

static void record_start_affinity(void) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) < 0) {
    start_affinity_err = -errno;
    return;
  }
  start_affinity = 0;
  for (int i = 0; i < 64; i++)
    if (CPU_ISSET(i, &set)) start_affinity |= 1ULL << i;
  start_affinity_err = 0;
}

int orun_nsenter_start_affinity(unsigned long long *mask) {
  *mask = start_affinity;
  return start_affinity_err;
}

static void wait_ack(int sync_fd, uint32_t want) {
  struct orun_sync_hdr hdr;
  char text[256];
  int r = orun_sync_recv(sync_fd, &hdr, text, sizeof(text), NULL);
  if (r < 0) {
    errno = -r;
    child_fail(sync_fd, "wait for parent");
  }
  if (hdr.type == ORUN_SYNC_ABORT) _exit(1);
  if (hdr.type != want) {
    errno = 0;
    child_fail(sync_fd, "sync: unexpected message %u (want %u)", hdr.type, want);
  }
}

/* Asks the parent to write our uid/gid maps, then becomes root in the new
 * user namespace. */
static void map_user_ns(const struct orun_nsenter_config *cfg) {
  /* The parent writes /proc/<pid>/{uid,gid}_map: we must be dumpable for
   * that while the maps are written. */
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  if (orun_sync_send(cfg->sync_fd, ORUN_SYNC_MAP_REQ, (int32_t)getpid(), NULL, 0) < 0) _exit(1);
  wait_ack(cfg->sync_fd, ORUN_SYNC_MAP_ACK);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (setresgid(0, 0, 0) < 0 && errno != EINVAL) child_fail(cfg->sync_fd, "setresgid(0) in user namespace");
  if (setresuid(0, 0, 0) < 0 && errno != EINVAL) child_fail(cfg->sync_fd, "setresuid(0) in user namespace");
}

static const char *ns_name(int t) {
  switch (t) {
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWNS: return "mnt";
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWNET: return "net";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWCGROUP: return "cgroup";
    case CLONE_NEWTIME: return "time";
  }
  return "?";
}

/* Joins namespaces like nsenter(1): everything but the user namespace first;
 * what fails with EPERM is retried after joining the user namespace (a
 * namespace owned by the joined userns needs its capabilities). */
static void join_namespaces(const struct orun_nsenter_config *cfg) {
  int pending[16];
  int npending = 0;
  int user_idx = -1;
  for (int i = 0; i < cfg->njoins && i < 16; i++) {
    if (cfg->joins[i].nstype == CLONE_NEWUSER) {
      user_idx = i;
      continue;
    }
    if (setns(cfg->joins[i].fd, cfg->joins[i].nstype) == 0) continue;
    if (errno == EPERM && user_idx != -2) {
      pending[npending++] = i;
      continue;
    }
    child_fail(cfg->sync_fd, "failed to setns into %s namespace", ns_name(cfg->joins[i].nstype));
  }
  if (user_idx >= 0) {
    if (setns(cfg->joins[user_idx].fd, CLONE_NEWUSER) < 0) child_fail(cfg->sync_fd, "failed to setns into user namespace");
    if (setresgid(0, 0, 0) < 0 && errno != EINVAL) child_fail(cfg->sync_fd, "setresgid(0) after joining user namespace");
    if (setresuid(0, 0, 0) < 0 && errno != EINVAL) child_fail(cfg->sync_fd, "setresuid(0) after joining user namespace");
  }
  for (int k = 0; k < npending; k++) {
    int i = pending[k];
    if (setns(cfg->joins[i].fd, cfg->joins[i].nstype) < 0)
      child_fail(cfg->sync_fd, "failed to setns into %s namespace", ns_name(cfg->joins[i].nstype));
  }
}

static void stage2_finish(const struct orun_nsenter_config *cfg) {
  /* A cgroup namespace is made after the cgroup join so that its root is the
   * container's cgroup, not orun's. */
  if ((cfg->new_ns & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
    child_fail(cfg->sync_fd, "unshare cgroup namespace");
}

int orun_nsenter_spawn(const struct orun_nsenter_config *cfg, struct orun_nsenter_result *res) {
  int two_stage = cfg->njoins > 0 || (cfg->new_ns & CLONE_NEWTIME);
  int in_cgroup = 0;
  memset(res, 0, sizeof(*res));

  if (!two_stage) {
    unsigned long long flags = cfg->new_ns & ~(unsigned long long)CLONE_NEWCGROUP;
    pid_t pid = raw_clone(flags, cfg->cgroup2_fd, &in_cgroup);
    if (pid < 0) return -errno;
    if (pid > 0) {
      res->pid = pid;
      res->in_cgroup2 = in_cgroup;
      return 0;
    }
    /* The container init. */
    if (cfg->close_fd >= 0) close(cfg->close_fd);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    record_start_affinity();
    join_cgroups_v1(cfg);
    if (cfg->new_ns & CLONE_NEWUSER) map_user_ns(cfg);
    stage2_finish(cfg);
    return 1;
  }

  pid_t stage1 = raw_clone(0, cfg->cgroup2_fd, &in_cgroup);
  if (stage1 < 0) return -errno;
  if (stage1 > 0) {
    res->pid = stage1;
    res->two_stage = 1;
    res->in_cgroup2 = in_cgroup;
    return 0;
  }

  /* Stage 1: in orun's namespaces, joins and unshares. */
  if (cfg->close_fd >= 0) close(cfg->close_fd);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  record_start_affinity();
  join_cgroups_v1(cfg);
  join_namespaces(cfg);
  if (cfg->new_ns & CLONE_NEWUSER) {
    if (unshare(CLONE_NEWUSER) < 0) child_fail(cfg->sync_fd, "unshare user namespace");
    map_user_ns(cfg);
  }
  unsigned long rest = cfg->new_ns & ~(unsigned long)(CLONE_NEWUSER | CLONE_NEWCGROUP);
  if (rest && unshare((int)rest) < 0) child_fail(cfg->sync_fd, "unshare namespaces (flags %#lx)", rest);
  if (cfg->new_ns & CLONE_NEWTIME) {
    /* As for the id maps: a rootless parent can open our timens_offsets
     * only while /proc/<pid> is ours, not root's. */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    if (orun_sync_send(cfg->sync_fd, ORUN_SYNC_TIMENS_REQ, (int32_t)getpid(), NULL, 0) < 0) _exit(1);
    wait_ack(cfg->sync_fd, ORUN_SYNC_TIMENS_ACK);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  }
  /* Stage 2 is orun's own child (CLONE_PARENT): the caller's subreaper
   * inherits the container init when orun exits. */
  pid_t init = raw_clone(CLONE_PARENT, -1, &in_cgroup);
  if (init < 0) child_fail(cfg->sync_fd, "clone container init");
  if (init > 0) {
    orun_sync_send(cfg->sync_fd, ORUN_SYNC_STAGE2_PID, (int32_t)init, NULL, 0);
    _exit(0);
  }
  stage2_finish(cfg);
  return 1;
}
