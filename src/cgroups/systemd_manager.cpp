// The systemd cgroup driver's Manager operations (runc's LegacyManager for
// cgroup v1 and hybrid hosts): the scope unit is started and stopped over
// D-Bus, resources go to systemd as unit properties and then, as runc's fs
// fallback, to the files of the paths systemd made. Everything else (join,
// freezer, pids, signals, stats) goes through the paths like cgroupfs.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cgroups/apply.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/systemd/annotation_properties.hpp"
#include "cgroups/systemd/properties.hpp"
#include "cgroups/systemd/resource_properties.hpp"
#include "cgroups/systemd/systemd1.hpp"
#include "cgroups/systemd/unit_name.hpp"
#include "orun/cgroups.hpp"
#include "orun/log.hpp"
#include "orun/resources.hpp"

namespace orun::cgroups {

namespace sd = systemd;

namespace {

constexpr std::chrono::seconds kConnectTimeout{25};  // go-systemd's default call timeout
constexpr std::chrono::seconds kJobTimeout{30};

// go-systemd's IsRunningSystemd (sd_booted): /run/systemd/system is a directory.
bool systemd_running() {
  struct stat st{};
  return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

Result<sd::Systemd1> connect() {
  auto c = sd::Systemd1::connect(kConnectTimeout);
  if (!c) return std::unexpected(c.error().to_error());
  return std::move(*c);
}

// systemd's Version as a number, -1 when unknown (runc logs and goes on).
int systemd_version(sd::Systemd1& bus) {
  auto v = bus.get_manager_property("Version");
  if (v && v->as_string()) {
    if (auto n = sd::systemd_version_number(*v->as_string())) return *n;
  }
  log::warn("unable to get systemd version");
  return -1;
}

}  // namespace

Result<Manager> Manager::for_systemd(const std::string& cgroups_path, const std::string& id,
                                     const std::map<std::string, std::string>& annotations) {
  // runc's specconv reads the annotations before the path.
  (void)ORUN_TRY(sd::annotation_properties(annotations));
  auto unit_path = ORUN_TRY(sd::parse_unit_path(cgroups_path, id));
  if (!systemd_running()) return fail("systemd not running on this host, cannot use systemd cgroups manager");
  std::string dir = ORUN_TRY(sd::unit_cgroup_path(unit_path, false));
  Manager m = ORUN_TRY(for_container(dir, id));
  m.unit_ = sd::unit_name(unit_path);
  m.name_ = unit_path.name;
  m.slice_ = unit_path.parent.empty() ? sd::default_slice(false) : unit_path.parent;
  for (auto& [k, v] : annotations)
    if (k.starts_with("org.systemd.property.")) m.unit_annotations_[k] = v;
  return m;
}

Result<void> Manager::start_unit() {
  // The scope needs a process before the init exists: a child of orun's
  // that only waits to be killed (and dies with orun).
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) pause();
  }
  placeholder_ = pid;

  auto bus = ORUN_TRY(connect());
  std::vector<sd::Property> props = {{"Description", sd::Value::string("libcontainer container " + name_)}};
  if (sd::is_slice_unit(unit_)) {
    props.push_back({"Wants", sd::Value::strings({slice_})});
  } else {
    props.push_back({"Slice", sd::Value::string(slice_)});
    props.push_back({"Delegate", sd::Value::boolean(true)});
  }
  props.push_back({"PIDs", sd::Value::array("u", {sd::Value::u32(static_cast<uint32_t>(pid))})});
  // (v2: runc's UnifiedManager asks for IOAccounting instead of BlockIO.)
  const char* io = layout_of(paths_) == Layout::v2 ? "IOAccounting" : "BlockIOAccounting";
  for (const char* a : {"MemoryAccounting", "CPUAccounting", io, "TasksAccounting"})
    props.push_back({a, sd::Value::boolean(true)});
  props.push_back({"DefaultDependencies", sd::Value::boolean(false)});
  for (auto& p : ORUN_TRY(sd::annotation_properties(unit_annotations_))) props.push_back(std::move(p));

  auto job = bus.start_transient_unit(unit_, "replace", props);
  if (!job && job.error().is("org.freedesktop.systemd1.UnitExists")) {
    // A failed unit of that name is cleared once and tried again.
    if (auto r = bus.reset_failed_unit(unit_); !r) log::warn("unable to reset failed unit: " + r.error().message);
    job = bus.start_transient_unit(unit_, "replace", props);
  }
  if (!job) return std::unexpected(job.error().to_error());
  auto result = bus.wait_job(*job, kJobTimeout);
  if (!result || *result != "done") {
    // The start failed already: a unit left failed is only worth a debug line.
    if (auto r = bus.reset_failed_unit(unit_); !r) log::debug("unable to reset failed unit: " + r.error().message);
    if (!result) {
      if (result.error().to_error().err == ETIMEDOUT) return fail("Timeout waiting for systemd to create " + unit_);
      return std::unexpected(result.error().to_error());
    }
    return fail("error creating systemd unit `" + unit_ + "`: got `" + *result + "`");
  }
  // systemd made the dirs of the controllers it manages; the others are ours.
  return create();
}

void Manager::release_placeholder() {
  if (placeholder_ <= 0) return;
  ::kill(placeholder_, SIGKILL);
  while (waitpid(placeholder_, nullptr, 0) < 0 && errno == EINTR) {
  }
  placeholder_ = 0;
}

Result<void> Manager::stop_unit() const {
  // As runc's stopUnit: a unit that cannot be stopped (gone, no bus) is not
  // an error, only a job that never finishes.
  auto bus = connect();
  if (!bus) {
    log::warn("unable to stop unit " + unit_ + ": " + bus.error().msg);
    return {};
  }
  if (auto job = bus->stop_unit(unit_, "replace")) {
    auto result = bus->wait_job(*job, kJobTimeout);
    if (!result) return fail("Timed out while waiting for systemd to remove " + unit_);
    if (*result != "done") log::warn("error removing unit `" + unit_ + "`: got `" + *result + "`. Continuing...");
  }
  // A unit that did not fail has nothing to reset: only a debug line.
  if (auto r = bus->reset_failed_unit(unit_); !r) log::debug("unable to reset failed unit: " + r.error().message);
  return {};
}

Result<void> Manager::attach_to_unit(const std::string& sub, pid_t pid) const {
  std::string abs = sub.starts_with("/") ? sub : "/" + sub;
  std::string clean = std::filesystem::path(abs).lexically_normal().string();
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  if (abs != clean) return fail("bad sub cgroup path: " + sub);
  auto bus = ORUN_TRY(connect());
  auto r = bus.attach_processes_to_unit(unit_, abs, {static_cast<uint32_t>(pid)});
  if (!r) return std::unexpected(r.error().to_error());
  return {};
}

Result<void> Manager::set_systemd(const spec::Resources& r, const std::vector<std::string>& config_device_paths,
                                  bool skip_devices) const {
  auto bus = ORUN_TRY(connect());
  int version = systemd_version(bus);
  std::vector<spec::DeviceRule> rules = r.devices;
  for (auto& d : default_device_rules(config_device_paths)) rules.push_back(d);
  bool v2 = layout_of(paths_) == Layout::v2;
  auto conv = ORUN_TRY(v2 ? sd::v2_resource_properties(r, rules, version) : sd::v1_resource_properties(r, rules, version));
  for (auto& w : conv.warnings) log::warn(w);
  // runc's freezeBeforeSet (v1 only: its UnifiedManager does not freeze):
  // devices may be denied for a moment while systemd rewrites the rules, so
  // the container is frozen around it.
  bool was_frozen = v2 || frozen();
  bool froze = false;
  if (!was_frozen) {
    if (auto f = set_frozen(true); f) froze = true;
    else log::warn("freeze container before SetUnitProperties failed: " + f.error().msg);
  }
  auto set = bus.set_unit_properties(unit_, true, conv.properties);
  if (froze) {
    if (auto t = set_frozen(false); !t) log::warn("thaw container after SetUnitProperties failed: " + t.error().msg);
  }
  if (!set) return std::unexpected(set.error().to_error());
  spec::Resources files = r;
  if (files.cpu.quota) files.cpu.quota = conv.cpu_quota;
  return set_resources(layout_of(paths_), paths_, files, config_device_paths, skip_devices);
}

}  // namespace orun::cgroups
