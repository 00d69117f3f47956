// A test-only client of the systemd driver's D-Bus layer (Systemd1), linked
// statically like orun and run inside the systemd machine by
// tests/systemd/dbus_test.sh. Prints results on stdout, errors on stderr as
// "NAME: MESSAGE".
//   dbus_probe start UNIT PID [NAME=TYPE:VALUE...]   StartTransientUnit + wait
//   dbus_probe set UNIT NAME=TYPE:VALUE...            SetUnitProperties (runtime)
//   dbus_probe get UNIT INTERFACE PROPERTY            Properties.Get
//   dbus_probe stop UNIT                              StopUnit + wait
// TYPE is t (uint64), u (uint32), b (true/false), s (string).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cgroups/systemd/systemd1.hpp"

namespace sd = orun::cgroups::systemd;

namespace {

constexpr std::chrono::seconds kTimeout{10};

int report(const sd::DbusError& e) {
  std::cerr << e.name << ": " << e.message << "\n";
  return 1;
}

bool parse_property(const std::string& arg, sd::Property* out) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq + 2 >= arg.size() + 1 || arg[eq + 2] != ':') return false;
  char type = arg[eq + 1];
  std::string value = arg.substr(eq + 3);
  out->first = arg.substr(0, eq);
  switch (type) {
    case 't': out->second = sd::Value::u64(std::stoull(value)); return true;
    case 'u': out->second = sd::Value::u32(static_cast<uint32_t>(std::stoul(value))); return true;
    case 'b': out->second = sd::Value::boolean(value == "true"); return true;
    case 's': out->second = sd::Value::string(value); return true;
    default: return false;
  }
}

void print(const sd::Value& v) {
  if (auto s = v.as_string()) std::cout << *s << "\n";
  else if (auto u = v.as_uint()) std::cout << *u << "\n";
  else if (auto i = v.as_int()) std::cout << *i << "\n";
  else if (auto b = v.as_bool()) std::cout << (*b ? "true" : "false") << "\n";
  else std::cout << "(" << v.signature() << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() < 2) {
    std::cerr << "usage: dbus_probe start|set|get|stop UNIT ...\n";
    return 2;
  }
  auto sys = sd::Systemd1::connect(kTimeout);
  if (!sys) return report(sys.error());
  std::cerr << "connected " << (sys->connection().is_bus() ? "through the bus" : "to systemd's private socket")
            << "\n";
  const std::string& cmd = a[0];
  const std::string& unit = a[1];
  std::vector<sd::Property> props;
  size_t first_prop = cmd == "start" ? 3 : 2;
  for (size_t i = first_prop; i < a.size() && (cmd == "start" || cmd == "set"); ++i) {
    sd::Property p;
    if (!parse_property(a[i], &p)) {
      std::cerr << "bad property " << a[i] << "\n";
      return 2;
    }
    props.push_back(std::move(p));
  }
  if (cmd == "start" && a.size() >= 3) {
    props.insert(props.begin(), {{"Description", sd::Value::string("orun dbus_probe " + unit)},
                                 {"Delegate", sd::Value::boolean(true)},
                                 {"DefaultDependencies", sd::Value::boolean(false)},
                                 {"PIDs", sd::Value::array("u", {sd::Value::u32(static_cast<uint32_t>(std::stoul(a[2])))})}});
    auto job = sys->start_transient_unit(unit, "replace", props);
    if (!job) return report(job.error());
    auto result = sys->wait_job(*job, kTimeout);
    if (!result) return report(result.error());
    std::cout << *result << "\n";
    return *result == "done" ? 0 : 1;
  }
  if (cmd == "set") {
    auto r = sys->set_unit_properties(unit, true, props);
    if (!r) return report(r.error());
    return 0;
  }
  if (cmd == "get" && a.size() == 4) {
    auto v = sys->get_unit_property(unit, a[2], a[3]);
    if (!v) return report(v.error());
    print(*v);
    return 0;
  }
  if (cmd == "stop") {
    auto job = sys->stop_unit(unit, "replace");
    if (!job) return report(job.error());
    auto result = sys->wait_job(*job, kTimeout);
    if (!result) return report(result.error());
    std::cout << *result << "\n";
    return *result == "done" ? 0 : 1;
  }
  std::cerr << "bad arguments\n";
  return 2;
}
