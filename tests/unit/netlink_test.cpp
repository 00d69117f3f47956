// rtnetlink without the ip binary: the RTM_NEWLINK request's bytes, reading
// the kernel's acknowledgement, and bringing lo up in a new network
// namespace.
#include <gtest/gtest.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "in_child.hpp"
#include "init/network.hpp"
#include "sys/netlink.hpp"

using orun::unittest::in_child;
using namespace orun::sys;

namespace {

// One NLMSG_ERROR datagram answering `seq` with `error` (0 = ack).
std::string error_message(uint32_t seq, int error) {
  struct {
    nlmsghdr hdr;
    nlmsgerr err;
  } m{};
  m.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(nlmsgerr));
  m.hdr.nlmsg_type = NLMSG_ERROR;
  m.hdr.nlmsg_seq = seq;
  m.err.error = error;
  return std::string(reinterpret_cast<const char*>(&m), sizeof(m));
}

// The IFF_* flags of `name` in the caller's network namespace, or -1.
int link_flags(const char* name) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  int r = ioctl(s, SIOCGIFFLAGS, &ifr);
  close(s);
  return r < 0 ? -1 : ifr.ifr_flags;
}

}  // namespace

TEST(NetlinkRequest, LinkUpChangesOnlyIffUp) {
  auto req = link_up_request(7, 42);
  ASSERT_EQ(req.size(), NLMSG_LENGTH(sizeof(ifinfomsg)));
  nlmsghdr hdr;
  std::memcpy(&hdr, req.data(), sizeof(hdr));
  EXPECT_EQ(hdr.nlmsg_len, req.size());
  EXPECT_EQ(hdr.nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  EXPECT_EQ(hdr.nlmsg_seq, 42u);
  ifinfomsg ifi;
  std::memcpy(&ifi, req.data() + NLMSG_HDRLEN, sizeof(ifi));
  EXPECT_EQ(ifi.ifi_family, AF_UNSPEC);
  EXPECT_EQ(ifi.ifi_index, 7);
  EXPECT_EQ(ifi.ifi_flags, static_cast<unsigned>(IFF_UP));
  EXPECT_EQ(ifi.ifi_change, static_cast<unsigned>(IFF_UP));
}

TEST(NetlinkAck, ZeroIsDone) {
  auto r = parse_ack(error_message(3, 0), 3);
  ASSERT_TRUE(r.has_value()) << r.error().msg;
  EXPECT_TRUE(*r);
}

TEST(NetlinkAck, NegativeErrnoIsTheError) {
  auto r = parse_ack(error_message(3, -EPERM), 3);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().err, EPERM);
  EXPECT_EQ(r.error().msg, "operation not permitted");
}

TEST(NetlinkAck, OtherSequenceIsNotTheAnswer) {
  auto r = parse_ack(error_message(2, -EPERM), 3);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
  // The answer may follow another message in the same datagram.
  r = parse_ack(error_message(2, -EPERM) + error_message(3, 0), 3);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(*r);
}

TEST(NetlinkAck, MalformedIsRejected) {
  std::string m = error_message(3, 0);
  // A length beyond the datagram.
  nlmsghdr hdr;
  std::memcpy(&hdr, m.data(), sizeof(hdr));
  hdr.nlmsg_len = static_cast<uint32_t>(m.size() + 64);
  std::memcpy(m.data(), &hdr, sizeof(hdr));
  auto r = parse_ack(m, 3);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().err, EBADMSG);
  // An error message too short for its payload.
  std::string shortm = error_message(3, 0).substr(0, NLMSG_HDRLEN);
  std::memcpy(&hdr, shortm.data(), sizeof(hdr));
  hdr.nlmsg_len = NLMSG_HDRLEN;
  std::memcpy(shortm.data(), &hdr, sizeof(hdr));
  r = parse_ack(shortm, 3);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().err, EBADMSG);
}

TEST(NetlinkLoopback, UpInAFreshNetworkNamespace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int rc = in_child([] {
    if (unshare(CLONE_NEWNET) < 0) return 10;
    int before = link_flags("lo");
    if (before < 0) return 11;
    if (before & IFF_UP) return 12;  // a fresh namespace's lo is down
    auto r = orun::init::bring_up_loopback();
    if (!r) {
      fprintf(stderr, "%s\n", r.error().msg.c_str());
      return 1;
    }
    int after = link_flags("lo");
    return (after >= 0 && (after & IFF_UP)) ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}
