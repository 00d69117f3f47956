// `orun diagnose ID`: load the state (shared lock-free read: a diagnosis must
// not wait behind, or block, a command on the container), inspect, render.
#include <unistd.h>

#include <cstdio>

#include "container/state.hpp"
#include "diagnose/commands.hpp"
#include "diagnose/container.hpp"
#include "diagnose/roots.hpp"

namespace orun::diagnose {

Result<int> diagnose(const GlobalOptions& g, const DiagnoseOptions& o) {
  if (o.format != "text" && o.format != "json") return fail("invalid format option");
  auto s = container::load(g.root, o.id);
  if (!s) {
    if (s.error().err == ENOENT) {
      // runc's text stays the error; the hint comes first, on stderr.
      for (const auto& r : roots_holding(o.id, g.root)) {
        std::string hint = "container " + o.id + " is not under --root " + g.root + " but under " + r +
                           ": try --root " + r + "\n";
        if (::write(STDERR_FILENO, hint.data(), hint.size()) < 0) {}
      }
    }
    return std::unexpected(s.error());
  }
  auto report = inspect_container(g.root, *s);
  std::string out = o.format == "json" ? report.dump(2) + "\n" : render_container_text(report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace orun::diagnose
