// linux.seccomp: the typed section's parse (type errors), the profile's
// checks and the compiled program (libseccomp), without the cache and without
// loading anything.
#include "fuzz_common.hpp"
#include "security/seccomp.hpp"
#include "security/seccomp_profile.hpp"
#include "spec/parse_internal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun::security::seccomp;
  auto doc = orun::fuzz::json_of(data, size);
  if (doc.is_discarded()) return 0;
  auto typed = orun::spec::detail::parse_seccomp(doc, "linux.seccomp");
  if (!typed) return 0;
  std::optional<orun::spec::Seccomp> section = std::move(*typed);
  // Every flag "supported", so the parse goes past the kernel probe.
  (void)parse_profile(section, ~0u);
  (void)prepare(section, "");
  return 0;
}
