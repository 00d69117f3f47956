// rtnetlink (NETLINK_ROUTE) requests the runtime makes itself, so no `ip`
// binary is needed: setting a link up (the loopback of a new network
// namespace, as runc's "loopback" network strategy does).
//
// Plan, then execute: link_up_request builds the bytes and parse_ack reads
// the kernel's answer (both pure, unit-tested); set_link_up sends one over a
// fresh socket of the caller's network namespace.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "orun/result.hpp"

namespace orun::sys {

// RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK, for interface `ifindex`: ifi_flags =
// ifi_change = IFF_UP, so only IFF_UP changes.
std::vector<char> link_up_request(int ifindex, uint32_t seq);

// Scans one datagram from the kernel for the NLMSG_ERROR answering `seq`:
// true when it says 0 (done), an Error with its errno when it carries one,
// false when the datagram holds no answer to `seq` (read the next one).
// A truncated or malformed datagram is EBADMSG.
Result<bool> parse_ack(std::string_view datagram, uint32_t seq);

// link_up_request + parse_ack over a NETLINK_ROUTE socket. Errors read
// "netlink RTM_NEWLINK: <errno text>" (or "netlink socket: ...").
Result<void> set_link_up(int ifindex);

}  // namespace orun::sys
