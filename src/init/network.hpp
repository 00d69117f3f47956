// The container's network namespace, seen from the init.
#pragma once

#include "orun/result.hpp"

namespace orun::init {

// Brings `lo` up with an rtnetlink RTM_NEWLINK (sys/netlink.hpp): runc's
// "loopback" network strategy, which runc adds for a network namespace it
// creates (not for one joined by path). The index comes from
// if_nametoindex("lo"). Call it in the new namespace, before the seccomp
// filter. Errors read "unable to bring up loopback interface lo: <cause>".
Result<void> bring_up_loopback();

}  // namespace orun::init
