// The id maps and devices of a config: the input is the `linux` object
// (uidMappings, gidMappings, devices, resources.devices, namespaces ...) of
// a minimal config; parse, validate, the device nodes and cgroup rules.
#include <string>
#include <vector>

#include "cgroups/devices.hpp"
#include "fuzz_common.hpp"
#include "init/devices.hpp"
#include "orun/spec.hpp"
#include "orun/spec_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  auto linux_section = fuzz::json_of(data, size);
  if (linux_section.is_discarded()) return 0;
  nlohmann::json doc = {{"ociVersion", "1.0.2"},
                        {"root", {{"path", "rootfs"}}},
                        {"process", {{"args", {"sh"}}, {"cwd", "/"}}},
                        {"linux", linux_section}};
  auto spec = spec::parse(doc);
  if (!spec) return 0;
  std::vector<std::string> warnings;
  (void)spec::validate(*spec, fuzz::scratch_bundle(), &warnings);
  (void)init::plan_devices(*spec);
  (void)cgroups::emulate(spec->linux.resources.devices);
  return 0;
}
