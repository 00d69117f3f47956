// `update --resources FILE`: the document, its range checks, and the round
// trip through state.json's form (resources_to_json reads back the same).
#include <cstdio>
#include <cstdlib>

#include "fuzz_common.hpp"
#include "orun/resources.hpp"
#include "orun/spec.hpp"
#include "orun/spec_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto r = spec::parse_resources_document(fuzz::text_of(data, size));
  if (!r) return 0;
  // `update` stores only what passed validation: that must read back.
  if (!validate_resources(*r, "resources")) return 0;
  auto j = spec::resources_to_json(*r);
  auto back = spec::parse_resources(j, "linux.resources");
  if (!back) {
    std::fprintf(stderr, "round trip: %s\n%s\n", back.error().msg.c_str(), j.dump().c_str());
    std::abort();
  }
  return 0;
}
