#include "init/hostname.hpp"

#include <unistd.h>

namespace orun::init {

Result<void> apply_hostname(const spec::Spec& s) {
  if (!s.hostname.empty() && ::sethostname(s.hostname.data(), s.hostname.size()) < 0)
    return fail_errno("sethostname");
  if (!s.domainname.empty() && ::setdomainname(s.domainname.data(), s.domainname.size()) < 0)
    return fail_errno("setdomainname");
  return {};
}

}  // namespace orun::init
