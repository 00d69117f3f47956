/* The sync protocol between the orun parent and the container's init.
 *
 * One SOCK_SEQPACKET socketpair: every message is one datagram made of a
 * fixed header and an optional payload (error text, JSON). docs/sync-protocol.md
 * has the table of who sends what and when. Used by the C bootstrap
 * (nsenter.c) and by the C++ sides (src/process/, src/init/). */
#ifndef ORUN_NSENTER_SYNC_H
#define ORUN_NSENTER_SYNC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum orun_sync_type {
  /* child -> parent */
  ORUN_SYNC_ERROR = 1,      /* payload: error text; the child exits next */
  ORUN_SYNC_MAP_REQ,        /* value: pid whose uid_map/gid_map the parent writes */
  ORUN_SYNC_TIMENS_REQ,     /* value: pid whose timens_offsets the parent writes */
  ORUN_SYNC_STAGE2_PID,     /* value: pid of the container init (two-stage spawn) */
  ORUN_SYNC_HOOKS,          /* mounts done: parent runs prestart/createRuntime hooks */
  ORUN_SYNC_READY,          /* setup done: parent applies rlimits, writes state */
  ORUN_SYNC_WARNING,        /* payload: warning text to log; no reply */
  ORUN_SYNC_SECCOMP,        /* value: the child's seccomp notify listener fd, for
                               the parent to take with pidfd_getfd; sent with
                               write(2) (see src/security/seccomp_notify.hpp) */
  ORUN_SYNC_MOUNT_REQ,      /* payload: JSON of an id-mapped bind source only the
                               container's mount ns has; the parent answers
                               MOUNT_FD (a detached tree) or MOUNT_ERR */
  /* parent -> child */
  ORUN_SYNC_MAP_ACK = 100,
  ORUN_SYNC_TIMENS_ACK,
  ORUN_SYNC_HOOKS_DONE,
  ORUN_SYNC_RUN,            /* continue to exec.fifo (create) or exec (exec) */
  ORUN_SYNC_ABORT,          /* parent failed: exit now */
  ORUN_SYNC_SECCOMP_DONE,   /* the listener fd reached the seccomp agent */
  ORUN_SYNC_MOUNT_FD,       /* SCM_RIGHTS: the id-mapped tree asked for */
  ORUN_SYNC_MOUNT_ERR,      /* payload: why it could not be made */
};

struct orun_sync_hdr {
  uint32_t type;
  int32_t value;
};

#define ORUN_SYNC_MAX_PAYLOAD 8192

/* Returns 0, or -errno. */
int orun_sync_send(int fd, uint32_t type, int32_t value, const void *payload, size_t len);
/* The same message with one write(2) (payload cut at ORUN_SYNC_MAX_PAYLOAD),
 * for the container init once its seccomp filter may be loaded: write is
 * what runc uses there, sendmsg is not. Without MSG_NOSIGNAL: a parent that
 * is gone ends the init with SIGPIPE, which it was about to do anyway.
 * Returns 0, or -errno. */
int orun_sync_write(int fd, uint32_t type, int32_t value, const void *payload, size_t len);
/* Receives one message. Returns 0, -EPIPE on orderly EOF, or -errno.
 * *len gets the payload length (payload is NUL-terminated if cap allows). */
int orun_sync_recv(int fd, struct orun_sync_hdr *hdr, char *payload, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
