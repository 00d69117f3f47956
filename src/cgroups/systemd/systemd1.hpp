// The calls the systemd cgroup driver makes to systemd's manager
// (org.freedesktop.systemd1) over a Connection: transient units, stop,
// reset-failed, properties, and waiting for a job through JobRemoved.
#pragma once

#include <string>
#include <vector>

#include "cgroups/systemd/dbus_connection.hpp"

namespace orun::cgroups::systemd {

// "/org/freedesktop/systemd1/unit/" + the unit name escaped as systemd's
// bus_label_escape does ("a-b.scope" -> "a_2db_2escope").
std::string unit_object_path(const std::string& unit);

// An auxiliary unit for StartTransientUnit (a(sa(sv))).
struct AuxUnit {
  std::string name;
  std::vector<Property> properties;
};

class Systemd1 {
 public:
  // Connects (Connection::system) and, on a bus, subscribes to JobRemoved.
  static DbusResult<Systemd1> connect(Millis timeout);
  explicit Systemd1(Connection c, Millis timeout) : conn_(std::move(c)), timeout_(timeout) {}

  // StartTransientUnit(name, mode, properties, aux): the job's object path.
  DbusResult<std::string> start_transient_unit(const std::string& name, const std::string& mode,
                                               const std::vector<Property>& properties,
                                               const std::vector<AuxUnit>& aux = {});
  // StopUnit(name, mode): the job's object path.
  DbusResult<std::string> stop_unit(const std::string& name, const std::string& mode);
  DbusResult<void> reset_failed_unit(const std::string& name);
  // AttachProcessesToUnit(name, subcgroup, pids) (systemd >= 238): moves the
  // processes into the unit's cgroup (or the sub-cgroup below it).
  DbusResult<void> attach_processes_to_unit(const std::string& name, const std::string& subcgroup,
                                            const std::vector<uint32_t>& pids);
  DbusResult<void> set_unit_properties(const std::string& name, bool runtime,
                                       const std::vector<Property>& properties);
  // org.freedesktop.DBus.Properties.Get on the unit's object, unwrapped
  // from its variant (interface e.g. "org.freedesktop.systemd1.Scope").
  DbusResult<Value> get_unit_property(const std::string& unit, const std::string& interface,
                                      const std::string& property);
  // Properties.Get on the manager object ("Version").
  DbusResult<Value> get_manager_property(const std::string& property);
  // Waits for JobRemoved of job; its result ("done", "canceled", "timeout",
  // "failed", "dependency", "skipped"). One job at a time: signals of other
  // jobs that arrive meanwhile are dropped.
  DbusResult<std::string> wait_job(const std::string& job, Millis timeout);

  Connection& connection() { return conn_; }

 private:
  DbusResult<Value> get_property(const std::string& object, const std::string& interface,
                                 const std::string& property);
  DbusResult<Message> manager_call(const char* member, const std::vector<Value>& args);
  Connection conn_;
  Millis timeout_;
};

}  // namespace orun::cgroups::systemd
