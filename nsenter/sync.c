#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int orun_sync_send(int fd, uint32_t type, int32_t value, const void *payload, size_t len) {
  struct orun_sync_hdr hdr = {type, value};
  struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
  struct msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_iov = iov;
  msg.msg_iovlen = (payload && len) ? 2 : 1;
  for (;;) {
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) return 0;
    if (errno != EINTR) return -errno;
  }
}

int orun_sync_write(int fd, uint32_t type, int32_t value, const void *payload, size_t len) {
  char buf[sizeof(struct orun_sync_hdr) + ORUN_SYNC_MAX_PAYLOAD];
  struct orun_sync_hdr hdr = {type, value};
  if (len > ORUN_SYNC_MAX_PAYLOAD) len = ORUN_SYNC_MAX_PAYLOAD;
  memcpy(buf, &hdr, sizeof(hdr));
  if (payload && len) memcpy(buf + sizeof(hdr), payload, len);
  for (;;) {
    ssize_t n = write(fd, buf, sizeof(hdr) + len);
    if (n >= 0) return 0;
    if (errno != EINTR) return -errno;
  }
}

int orun_sync_recv(int fd, struct orun_sync_hdr *hdr, char *payload, size_t cap, size_t *len) {
  char buf[sizeof(struct orun_sync_hdr) + ORUN_SYNC_MAX_PAYLOAD];
  ssize_t n;
  for (;;) {
    n = recv(fd, buf, sizeof(buf), 0);
    if (n >= 0) break;
    if (errno != EINTR) return -errno;
  }
  if (n == 0) return -EPIPE;
  if ((size_t)n < sizeof(*hdr)) return -EPROTO;
  memcpy(hdr, buf, sizeof(*hdr));
  size_t plen = (size_t)n - sizeof(*hdr);
  if (len) *len = plen;
  if (payload && cap) {
    size_t c = plen < cap - 1 ? plen : cap - 1;
    memcpy(payload, buf + sizeof(*hdr), c);
    payload[c] = '\0';
  }
  return 0;
}
