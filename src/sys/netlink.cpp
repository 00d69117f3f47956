#include "sys/netlink.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "orun/fd.hpp"

namespace orun::sys {

std::vector<char> link_up_request(int ifindex, uint32_t seq) {
  struct {
    nlmsghdr hdr;
    ifinfomsg ifi;
  } req{};
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.hdr.nlmsg_type = RTM_NEWLINK;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.hdr.nlmsg_seq = seq;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = ifindex;
  req.ifi.ifi_flags = IFF_UP;
  req.ifi.ifi_change = IFF_UP;
  const char* p = reinterpret_cast<const char*>(&req);
  return std::vector<char>(p, p + req.hdr.nlmsg_len);
}

Result<bool> parse_ack(std::string_view datagram, uint32_t seq) {
  size_t off = 0;
  while (datagram.size() - off >= sizeof(nlmsghdr)) {
    nlmsghdr hdr;
    std::memcpy(&hdr, datagram.data() + off, sizeof(hdr));
    if (hdr.nlmsg_len < sizeof(nlmsghdr) || hdr.nlmsg_len > datagram.size() - off)
      return fail("netlink: malformed answer", EBADMSG);
    if (hdr.nlmsg_type == NLMSG_ERROR && hdr.nlmsg_seq == seq) {
      if (hdr.nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return fail("netlink: truncated answer", EBADMSG);
      nlmsgerr e;
      std::memcpy(&e, datagram.data() + off + NLMSG_HDRLEN, sizeof(e));
      if (e.error == 0) return true;
      return std::unexpected(Error{-e.error, errno_text(-e.error)});
    }
    off += NLMSG_ALIGN(hdr.nlmsg_len);
    if (off > datagram.size()) break;
  }
  return false;
}

Result<void> set_link_up(int ifindex) {
  UniqueFd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!sock) return fail_errno("netlink socket");
  constexpr uint32_t kSeq = 1;
  std::vector<char> req = link_up_request(ifindex, kSeq);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = ::sendto(sock.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("netlink RTM_NEWLINK");
  char buf[8192];
  while (true) {
    n = ::recv(sock.get(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("netlink RTM_NEWLINK");
    if (n == 0) return fail("netlink RTM_NEWLINK: no answer", EPIPE);
    auto done = parse_ack(std::string_view(buf, static_cast<size_t>(n)), kSeq);
    if (!done) return std::unexpected(std::move(done.error()).context("netlink RTM_NEWLINK"));
    if (*done) return {};
  }
}

}  // namespace orun::sys
