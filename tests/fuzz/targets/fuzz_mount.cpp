// One mounts[] entry (options, id maps, source and destination) in a minimal
// config: parse, validate, and the mount plan the init would execute.
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "init/mount_plan.hpp"
#include "orun/spec.hpp"
#include "orun/spec_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto entry = fuzz::json_of(data, size);
  if (entry.is_discarded()) return 0;
  nlohmann::json doc = {
      {"ociVersion", "1.0.2"},
      {"root", {{"path", "rootfs"}}},
      {"process", {{"args", {"sh"}}, {"cwd", "/"}}},
      {"mounts", nlohmann::json::array({entry})},
      {"linux", {{"namespaces", {{{"type", "mount"}}, {{"type", "user"}}}},
                 {"uidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}},
                 {"gidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}}}}};
  auto spec = spec::parse(doc);
  if (!spec) return 0;
  const std::string& bundle = fuzz::scratch_bundle();
  std::vector<std::string> warnings;
  (void)spec::validate(*spec, bundle, &warnings);
  for (const auto& m : spec->mounts) (void)init::plan_mount(m, bundle, bundle + "/rootfs");
  return 0;
}
