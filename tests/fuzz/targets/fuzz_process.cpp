// `exec --process process.json`: the document into a Process and its checks.
#include "fuzz_common.hpp"
#include "orun/spec.hpp"
#include "orun/spec_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto doc = fuzz::json_of(data, size);
  if (doc.is_discarded()) return 0;
  auto p = spec::parse_process(doc);
  if (!p) return 0;
  (void)spec::validate_process(*p);
  (void)spec::validate_env(p->env);
  return 0;
}
