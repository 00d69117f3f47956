#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "container/create_record.hpp"
#include "container/lifecycle.hpp"
#include "orun/spec.hpp"
#include "process/hooks.hpp"
#include "orun/log.hpp"

namespace orun::container {

Result<void> destroy_container(const std::string& root, const State& s) {
  auto cg = cgroups::Manager::from_paths(s.cgroup_paths, s.cgroup_unit);
  cg.set_created_dirs(s.cgroup_created);
  // Without a private pid namespace, init's death doesn't take the other
  // processes with it: kill everything left in the cgroup.
  if (!s.private_pid_ns)
    if (auto r = cg.signal_all(SIGKILL); !r) log::warn("kill the container's processes: " + r.error().msg);
  Result<void> result;
  if (auto r = cg.destroy(); !r) result = std::unexpected(r.error());
  else remove_ledger(root, s.id);
  std::error_code ec;
  std::filesystem::remove_all(state_dir(root, s.id), ec);
  if (ec && result) result = fail("remove state dir: " + ec.message());
  if (s.has_config()) {
    if (auto sp = s.config_spec(); sp && !sp->hooks.poststop.empty()) {
      auto state = process::hook_state(s.id, "stopped", 0, s.bundle, s.annotations);
      if (auto r = process::run_hooks(sp->hooks.poststop, "poststop", state); !r && result)
        result = fail("unable to destroy container: " + r.error().msg);
    }
  }
  return result;
}

Result<void> kill_and_wait(const std::string& root, const State& s) {
  (void)root;
  auto cg = cgroups::Manager::from_paths(s.cgroup_paths);
  if (init_alive(s)) ::kill(s.init_pid, SIGKILL);
  // SIGKILL to a frozen container only lands once it is thawed.
  if (cg.frozen()) {
    for (auto& [ctrl, dir] : s.cgroup_paths) {
      if (ctrl == "freezer") {
        FILE* f = fopen((dir + "/freezer.state").c_str(), "we");
        if (f) {
          fputs("THAWED", f);
          fclose(f);
        }
      } else if (ctrl.empty()) {
        FILE* f = fopen((dir + "/cgroup.freeze").c_str(), "we");
        if (f) {
          fputs("0", f);
          fclose(f);
        }
      }
    }
  }
  for (int i = 0; i < 100; i++) {
    if (!init_alive(s)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(i < 10 ? 10 : 100));
  }
  return fail("container init still running");
}

}  // namespace orun::container
