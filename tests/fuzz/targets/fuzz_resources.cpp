// `update --resources FILE`: the document, its range checks, and the round
// trip through state.json's form (resources_to_json reads back the same).
#include <cstdlib>

#include "fuzz_common.hpp"
#include "orun/resources.hpp"
#include "orun/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto r = spec::parse_resources_document(fuzz::text_of(data, size));
  if (!r) return 0;
  (void)validate_resources(*r, "resources");
  auto j = spec::resources_to_json(*r);
  auto back = spec::parse_resources(j, "linux.resources");
  // What orun writes to state.json must read back.
  if (!back) std::abort();
  return 0;
}
