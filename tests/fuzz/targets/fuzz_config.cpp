// config.json -> Spec: the text parser (one object, nothing after it), the
// typed parse, validate(), and the plans made from a valid spec (mounts,
// devices, the cgroup device rules).
#include <string>
#include <vector>

#include "cgroups/devices.hpp"
#include "fuzz_common.hpp"
#include "init/devices.hpp"
#include "init/mount_plan.hpp"
#include "orun/spec.hpp"
#include "orun/spec_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto spec = spec::parse_text(fuzz::text_of(data, size), "config.json");
  if (!spec) return 0;
  const std::string& bundle = fuzz::scratch_bundle();
  std::vector<std::string> warnings;
  if (!spec::validate(*spec, bundle, &warnings)) return 0;
  for (const auto& m : spec->mounts) (void)init::plan_mount(m, bundle, bundle + "/rootfs");
  (void)init::plan_devices(*spec);
  (void)init::parse_rootfs_propagation(spec->linux.rootfs_propagation);
  (void)cgroups::emulate(spec->linux.resources.devices);
  return 0;
}
