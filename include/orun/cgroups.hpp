// Cgroup placement and membership for a container (cgroupfs driver). This is
// the part the lifecycle needs: where the container's cgroup is, making and
// removing it, the fast join, freezer state, the pids in it. Resource limits,
// stats and events build on it (src/cgroups/).
//
// Layouts: v1 (one hierarchy per controller), v2 (/sys/fs/cgroup is
// cgroup2) and hybrid (v1 controllers plus cgroup2 at /sys/fs/cgroup/unified).
// On hybrid the container also joins the unified hierarchy under the same
// path, as runc 1.5's fs driver does (its "" subsystem in hybrid mode): the
// processes' "0::" line names the container, cgroup.kill works, and
// controllers that only cgroup2 has (hugetlb on this kernel) can be used.
// Limits otherwise follow the v1 rules there; the paths map has "" next to
// the v1 controllers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::spec {
struct Linux;
struct Resources;
}

namespace orun::cgroups {

enum class Layout { v1, hybrid, v2 };

// What the host has mounted under /sys/fs/cgroup.
Layout detect_layout();

// Handles a spawn needs to put the child into its cgroup before it execs.
struct JoinHandles {
  std::vector<UniqueFd> v1_tasks;  // one `tasks` file per v1 hierarchy
  UniqueFd v2_dir;                 // cgroup2 directory for CLONE_INTO_CGROUP
};

class Manager {
 public:
  // Placement as runc places it: absolute paths under each hierarchy's
  // root; relative (or empty: the id) under orun's own cgroup (v1) or its
  // parent (v2).
  static Result<Manager> for_container(const std::string& cgroups_path, const std::string& id);
  // Rebuilds a manager from the paths saved in state.json (and the systemd
  // unit, for the systemd driver).
  static Manager from_paths(std::map<std::string, std::string> paths, std::string unit = "");

  // The systemd driver (`--systemd-cgroup`, src/cgroups/systemd_manager.cpp,
  // runc's LegacyManager on v1 and hybrid): cgroupsPath is
  // `slice:prefix:name` and systemd must be running (runc's errors); the
  // paths are ExpandSlice(slice)/unit under each hierarchy's mount. Nothing
  // is made yet. The `org.systemd.property.*` annotations are checked first
  // (runc's errors) and sent with StartTransientUnit.
  static Result<Manager> for_systemd(const std::string& cgroups_path, const std::string& id,
                                     const std::map<std::string, std::string>& annotations = {});
  // runc's Apply: StartTransientUnit of the scope (Slice, Delegate,
  // DefaultDependencies=no, accounting) holding a placeholder process of
  // orun's until the init has joined, then the hierarchies systemd does not
  // manage are made (create()).
  Result<void> start_unit();
  // The placeholder goes once the init is in the cgroup (and on destroy).
  void release_placeholder();
  // runc's Set: SetUnitProperties of the converted resources (frozen around
  // it), then the files as the cgroupfs driver writes them.
  Result<void> set_systemd(const spec::Resources& r, const std::vector<std::string>& config_device_paths,
                           bool skip_devices = false) const;
  // runc's AddPid for exec: AttachProcessesToUnit of pid into the unit (or
  // the sub-cgroup `sub` below it; "bad sub cgroup path" when it is not
  // clean). The cgroupfs paths are joined by the caller as before.
  Result<void> attach_to_unit(const std::string& sub, pid_t pid) const;
  // The systemd unit ("" for the cgroupfs driver).
  const std::string& unit() const { return unit_; }

  // Makes the directories (remembering which were new) and checks the
  // cgroup is empty and not frozen.
  Result<void> create();
  // runc's create-time checks on the paths that exist: no process in them
  // and not frozen (runc's errors). create() runs them for cgroupfs; the
  // systemd driver runs them before its unit exists.
  Result<void> check_unused() const;

  // runc's rootless cgroup manager (`--rootless`, cgroupfs): a hierarchy
  // whose dir cannot be made or joined (EPERM, EACCES, EROFS) is dropped
  // when linux.cgroupsPath is empty (runc's ErrRootless: the container
  // stays in orun's cgroups there) and fails with runc's "unable to apply
  // cgroup configuration: ..." when a path was given. On cgroup v2 an empty
  // path with limits asked fails too ("rootless needs no limits + no
  // cgrouppath ..."). The unified hierarchy of a hybrid host is always
  // optional: it is never delegated with the v1 ones. Then create().
  struct RootlessPolicy {
    bool explicit_path = false;     // linux.cgroupsPath was given
    bool needs_controllers = false; // linux.resources asks for a limit
  };
  Result<void> create_rootless(const RootlessPolicy& policy);
  Result<JoinHandles> open_join() const;
  // Slow path: the parent writes the pid into cgroup.procs everywhere.
  Result<void> add_pid(pid_t pid, bool skip_v2) const;
  // Removes the container's cgroup dirs (even pre-existing ones, as runc)
  // and the parents create() made, retrying while the kernel still reaps
  // their tasks. With a systemd unit, stops it first (StopUnit, waiting 30 s,
  // ResetFailedUnit), as runc.
  Result<void> destroy();

  bool frozen() const;
  // Freezes (or thaws) every process and waits until the kernel reports it.
  Result<void> set_frozen(bool freeze) const;
  Result<std::vector<pid_t>> pids() const;
  // Signals every process in the cgroup (freezing around it so none forks away).
  Result<void> signal_all(int sig) const;

  // controller name ("memory", "cpu" ...) -> absolute dir; "" -> cgroup2 dir.
  const std::map<std::string, std::string>& paths() const { return paths_; }
  const std::vector<std::string>& created_dirs() const { return created_; }
  void set_created_dirs(std::vector<std::string> d) { created_ = std::move(d); }

 private:
  Result<void> stop_unit() const;
  // Each directory once, with the first controller (in map order) that names
  // it: v1 co-mounts (cpu,cpuacct) and v2's one dir appear under several keys.
  std::vector<std::pair<std::string, std::string>> distinct_dirs() const;
  std::map<std::string, std::string> paths_;
  std::string unit_, slice_, name_;  // systemd driver (name_: the path's name part)
  std::map<std::string, std::string> unit_annotations_;  // org.systemd.property.* (checked)
  pid_t placeholder_ = 0;     // systemd driver: the scope's first process
  std::vector<std::string> created_;  // dirs made by create(), deepest last
  // False when create() found the cgroup in use (processes, frozen): then it
  // is someone else's and destroy() leaves the pre-existing dirs alone.
  bool owns_leaves_ = true;
};

// runc's Set at create: linux.resources (limits, then the device rules with
// runc's default allow-list) written to the container's fresh cgroup. The
// values were checked by spec::validate; a write the kernel refuses fails
// naming the file, and the caller removes the cgroup. `rootless`: the
// device rules are left alone (runc ignores their errors then: an
// unprivileged writer may not change them), and a limit for a hierarchy
// create_rootless dropped fails with runc's "cannot set X limit: container
// could not join or create cgroup".
Result<void> apply_resources(const Manager& m, const spec::Linux& cfg, bool rootless = false);

// Whether `r` asks anything of a controller (runc's needAnyControllers;
// device rules do not count).
bool needs_controllers(const spec::Resources& r);

// How many processes the kernel OOM-killed in the container's cgroup (v1
// memory.oom_control, v2 memory.events); 0 when unknown.
uint64_t oom_kill_count(const Manager& m);

// Wakes a poll loop when the kernel's OOM killer acts in the container's
// memory cgroup (src/cgroups/oom.cpp). Inactive (poll_fd() < 0) without a
// memory cgroup.
class OomWatch {
 public:
  static OomWatch open(const Manager& m);
  int poll_fd() const;
  short poll_events() const;
  uint64_t count() const;
  // After a wake-up: consumes it and returns the kill count once it moved
  // past `before` (v1 signals before the kill), or as it is after a short
  // wait.
  uint64_t settle(uint64_t before) const;

 private:
  UniqueFd count_fd_;  // memory.oom_control or memory.events
  UniqueFd event_fd_;  // v1 eventfd
  bool v2_ = false;
};

}  // namespace orun::cgroups
