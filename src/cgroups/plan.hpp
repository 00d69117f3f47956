// Plan, then execute: resources -> the list of cgroup file writes that
// runc's fs (v1) and fs2 (v2) drivers make, in their order, with the few
// reads that decide the order taken through a Probe (so the plan is a pure
// function a unit test can drive with a fake host).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/devices.hpp"
#include "orun/cgroups.hpp"
#include "orun/resources.hpp"
#include "orun/result.hpp"

namespace orun::cgroups {

enum WriteFlag : unsigned {
  kOptional = 1u << 0,        // a missing file is skipped (knob absent on this kernel)
  kDeferOnEinval = 1u << 1,   // EINVAL: keep going; a later kIfDeferred write retries
  kIfDeferred = 1u << 2,      // only when the same file was deferred
  kCheckShares = 1u << 3,     // read cpu.shares back: the kernel clamps
  kMemoryLimit = 1u << 4,     // EBUSY: explain with the current usage
  kUnified = 1u << 5,         // a linux.resources.unified entry: runc's errors
  kByLine = 1u << 6,          // one write(2) per line
  kEnableController = 1u << 7, // cgroup2: enable the file's controller in every ancestor first
};

struct Write {
  std::string ctrl;  // v1 controller ("memory"); "" for the cgroup2 dir
  std::string file;
  std::string value;
  unsigned flags = 0;
  bool operator==(const Write&) const = default;
};

struct Plan {
  std::vector<Write> writes;
  std::optional<DeviceState> v2_devices;  // the eBPF program to attach
};

// What the plan may ask of the host: the container's cgroup as it is now.
class Probe {
 public:
  virtual ~Probe() = default;
  // v1: the controller is mounted; v2: it is enabled for the cgroup.
  virtual bool has(const std::string& ctrl) const = 0;
  virtual bool exists(const std::string& ctrl, const std::string& file) const = 0;
  virtual std::optional<std::string> read(const std::string& ctrl, const std::string& file) const = 0;
};

// `defaults` is the default device allow-list (default_device_rules()),
// added after r.devices; `skip_devices` leaves the device rules alone
// (update, as runc's SkipDevices). Fields absent or 0 are left alone where
// runc's cgroup config has a plain number.
Result<Plan> plan(Layout layout, const spec::Resources& r, const std::vector<spec::DeviceRule>& defaults,
                  const Probe& probe, bool skip_devices = false);

}  // namespace orun::cgroups
