// `orun check`: every probe family in turn, then one rendering.
#include <cstdio>

#include "diagnose/commands.hpp"
#include "diagnose/probes.hpp"

namespace orun::diagnose {

Result<int> check(const GlobalOptions& g, const CheckOptions& o) {
  if (o.format != "text" && o.format != "json") return fail("invalid format option");
  Items items;
  probe_kernel(items);
  probe_syscalls(items);
  probe_cgroups(items);
  probe_lsm(items);
  probe_criu(items);
  probe_state_root(items, g.root);
  probe_binary(items);
  std::string out = o.format == "json" ? render_json(items).dump(2) + "\n" : render_text(items);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return exit_code(items);
}

}  // namespace orun::diagnose
