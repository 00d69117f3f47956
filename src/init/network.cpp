#include "init/network.hpp"

#include <net/if.h>

#include <string>

#include "sys/netlink.hpp"

namespace orun::init {

Result<void> bring_up_loopback() {
  const std::string what = "unable to bring up loopback interface lo";
  unsigned index = ::if_nametoindex("lo");
  if (index == 0) return fail_errno(what + ": if_nametoindex");
  return with_context(sys::set_link_up(static_cast<int>(index)), what);
}

}  // namespace orun::init
