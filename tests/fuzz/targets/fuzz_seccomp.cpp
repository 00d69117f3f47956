// linux.seccomp: the profile parse and the compiled program (libseccomp),
// without the cache and without loading anything.
#include "fuzz_common.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun::security::seccomp;
  auto doc = orun::fuzz::json_of(data, size);
  if (doc.is_discarded()) return 0;
  // Every flag "supported", so the parse goes past the kernel probe.
  (void)parse_profile(doc, ~0u);
  (void)prepare(doc, "");
  return 0;
}
