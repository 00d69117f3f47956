/* The C bootstrap that makes a container process: one clone into new
 * namespaces (the fast path), or, when namespaces must be joined or a time
 * namespace needs its offsets before anyone enters it, two stages in the
 * style of runc's nsexec: stage 1 joins (setns) and unshares, stage 2 is
 * cloned with CLONE_PARENT so the container init is a direct child of the
 * orun process either way.
 *
 * Runs right after clone: raw syscalls, write(2) and _exit only. The user
 * namespace id maps and time offsets are written by the parent on request
 * (ORUN_SYNC_MAP_REQ / ORUN_SYNC_TIMENS_REQ) over the sync socket. */
#ifndef ORUN_NSENTER_H
#define ORUN_NSENTER_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct orun_ns_join {
  int nstype;   /* CLONE_NEW* */
  int fd;       /* open fd of the namespace file */
};

struct orun_nsenter_config {
  unsigned long new_ns;                 /* CLONE_NEW* to create */
  const struct orun_ns_join *joins;     /* namespaces to join, any order */
  int njoins;
  int cgroup2_fd;                       /* cgroup2 dir for CLONE_INTO_CGROUP, or -1 */
  const int *cgroup_tasks_fds;          /* v1 `tasks` files opened by the parent: */
  int ncgroup_tasks_fds;                /* the child moves itself by writing "0" */
  int sync_fd;                          /* the child's end of the sync socket */
  int close_fd;                         /* the parent's end, closed in the child (-1) */
};

struct orun_nsenter_result {
  pid_t pid;              /* the child: init (fast path) or stage 1 */
  int two_stage;          /* init's pid arrives as ORUN_SYNC_STAGE2_PID */
  int in_cgroup2;         /* CLONE_INTO_CGROUP took effect */
};

/* In the parent: returns 0 and fills *res, or -errno. In the container init:
 * returns 1 (the caller continues with the container setup). Errors in the
 * child are sent as ORUN_SYNC_ERROR and the child exits 1. */
int orun_nsenter_spawn(const struct orun_nsenter_config *cfg, struct orun_nsenter_result *res);

/* In the container process: its CPU affinity right after clone (CPUs 0-63 as
 * bits), recorded before the cgroup join can change it, for the debug line of
 * process.execCPUAffinity.initial. Returns 0, or -errno of sched_getaffinity. */
int orun_nsenter_start_affinity(unsigned long long *mask);

#ifdef __cplusplus
}
#endif
#endif
