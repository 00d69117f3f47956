// The small value parsers behind flags and config strings: Go's bool, int and
// duration, signal names, `update` memory sizes, cpu lists, container ids,
// the systemd cgroupsPath, rootfs propagation, mount options.
#include <string>

#include "cgroups/systemd/unit_name.hpp"
#include "cli/goflag.hpp"
#include "container/signal_names.hpp"
#include "container/state.hpp"
#include "container/update_request.hpp"
#include "fuzz_common.hpp"
#include "init/mount_plan.hpp"
#include "orun/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orun;
  const std::string s = fuzz::text_of(data, size);
  (void)cli::parse_go_bool(s);
  (void)cli::parse_go_int(s);
  (void)cli::parse_go_duration(s);
  (void)container::parse_signal(s);
  (void)container::ram_in_bytes(s);
  (void)container::check_id(s);
  (void)spec::parse_cpu_list(s);
  (void)cgroups::systemd::parse_unit_path(s, "fuzz");
  (void)init::parse_rootfs_propagation(s);
  (void)init::parse_mount_options(fuzz::split(s, ','));
  return 0;
}
