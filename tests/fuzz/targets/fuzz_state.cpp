// <root>/<id>/state.json: read by every command on an existing container, and
// written by another orun (or corrupted on disk). from_json, then the round
// trip through to_json.
#include <cstdlib>

#include "container/state.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto doc = fuzz::json_of(data, size);
  if (doc.is_discarded()) return 0;
  auto s = container::State::from_json(doc);
  if (!s) return 0;
  auto again = container::State::from_json(s->to_json());
  if (!again) std::abort();
  return 0;
}
