#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

extern "C" {
#include "sync.h"
}

TEST(SyncProtocol, MessagesKeepBoundariesAndPayloads) {
  int sp[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
  ASSERT_EQ(orun_sync_send(sp[0], ORUN_SYNC_MAP_REQ, 1234, nullptr, 0), 0);
  const char* err = "mount /proc: permission denied";
  ASSERT_EQ(orun_sync_send(sp[0], ORUN_SYNC_ERROR, 13, err, strlen(err)), 0);
  orun_sync_hdr h{};
  char buf[128];
  size_t len = 99;
  ASSERT_EQ(orun_sync_recv(sp[1], &h, buf, sizeof(buf), &len), 0);
  EXPECT_EQ(h.type, (uint32_t)ORUN_SYNC_MAP_REQ);
  EXPECT_EQ(h.value, 1234);
  EXPECT_EQ(len, 0u);
  ASSERT_EQ(orun_sync_recv(sp[1], &h, buf, sizeof(buf), &len), 0);
  EXPECT_EQ(h.type, (uint32_t)ORUN_SYNC_ERROR);
  EXPECT_EQ(h.value, 13);
  EXPECT_STREQ(buf, err);
  close(sp[0]);
  EXPECT_EQ(orun_sync_recv(sp[1], &h, buf, sizeof(buf), &len), -EPIPE);
  close(sp[1]);
}
