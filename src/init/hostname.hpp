// hostname / domainname of the container's UTS namespace.
#pragma once

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

// sethostname when spec.hostname is non-empty, setdomainname when
// spec.domainname is non-empty (runc skips empty values). Errors read
// "sethostname: <errno text>" / "setdomainname: <errno text>".
Result<void> apply_hostname(const spec::Spec& s);

}  // namespace orun::init
