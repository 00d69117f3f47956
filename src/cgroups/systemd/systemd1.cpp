#include "cgroups/systemd/systemd1.hpp"

namespace orun::cgroups::systemd {

namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

DbusError from_error(const Error& e) { return DbusError{DBUS_ERROR_INVALID_ARGS, e.msg}; }

// The first argument of a reply, which must be a string or object path.
DbusResult<std::string> first_string(const Message& reply) {
  auto args = reply.args();
  if (!args) return std::unexpected(from_error(args.error()));
  if (args->empty() || !(*args)[0].as_string())
    return std::unexpected(DbusError{DBUS_ERROR_INVALID_SIGNATURE, "unexpected reply from systemd"});
  return *(*args)[0].as_string();
}

}  // namespace

std::string unit_object_path(const std::string& unit) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "/org/freedesktop/systemd1/unit/";
  if (unit.empty()) return out + "_";
  for (size_t i = 0; i < unit.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(unit[i]);
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha || (digit && i > 0)) {
      out += static_cast<char>(c);
    } else {
      out += '_';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

DbusResult<Systemd1> Systemd1::connect(Millis timeout) {
  auto c = Connection::system(timeout);
  if (!c) return std::unexpected(std::move(c.error()));
  // systemd sends JobRemoved to the job's client on a peer connection; on the
  // bus the daemon routes it to us only with a match.
  auto m = c->add_match("type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',"
                        "member='JobRemoved',path='/org/freedesktop/systemd1'",
                        timeout);
  if (!m) return std::unexpected(std::move(m.error()));
  return Systemd1(std::move(*c), timeout);
}

DbusResult<Message> Systemd1::manager_call(const char* member, const std::vector<Value>& args) {
  auto m = Message::method_call(kService, kManagerPath, kManager, member);
  if (!m) return std::unexpected(from_error(m.error()));
  if (auto r = m->append(args); !r) return std::unexpected(from_error(r.error()));
  return conn_.call(*m, timeout_);
}

DbusResult<std::string> Systemd1::start_transient_unit(const std::string& name, const std::string& mode,
                                                       const std::vector<Property>& properties,
                                                       const std::vector<AuxUnit>& aux) {
  std::vector<Value> aux_items;
  for (const auto& a : aux)
    aux_items.push_back(Value::structure({Value::string(a.name), properties_value(a.properties)}));
  auto reply = manager_call("StartTransientUnit", {Value::string(name), Value::string(mode),
                                                   properties_value(properties),
                                                   Value::array("(sa(sv))", std::move(aux_items))});
  if (!reply) return std::unexpected(std::move(reply.error()));
  return first_string(*reply);
}

DbusResult<std::string> Systemd1::stop_unit(const std::string& name, const std::string& mode) {
  auto reply = manager_call("StopUnit", {Value::string(name), Value::string(mode)});
  if (!reply) return std::unexpected(std::move(reply.error()));
  return first_string(*reply);
}

DbusResult<void> Systemd1::reset_failed_unit(const std::string& name) {
  auto reply = manager_call("ResetFailedUnit", {Value::string(name)});
  if (!reply) return std::unexpected(std::move(reply.error()));
  return {};
}

DbusResult<void> Systemd1::attach_processes_to_unit(const std::string& name, const std::string& subcgroup,
                                                    const std::vector<uint32_t>& pids) {
  std::vector<Value> items;
  for (auto p : pids) items.push_back(Value::u32(p));
  auto reply = manager_call("AttachProcessesToUnit",
                            {Value::string(name), Value::string(subcgroup), Value::array("u", std::move(items))});
  if (!reply) return std::unexpected(std::move(reply.error()));
  return {};
}

DbusResult<void> Systemd1::set_unit_properties(const std::string& name, bool runtime,
                                               const std::vector<Property>& properties) {
  auto reply = manager_call("SetUnitProperties",
                            {Value::string(name), Value::boolean(runtime), properties_value(properties)});
  if (!reply) return std::unexpected(std::move(reply.error()));
  return {};
}

DbusResult<Value> Systemd1::get_manager_property(const std::string& property) {
  return get_property(kManagerPath, kManager, property);
}

DbusResult<Value> Systemd1::get_unit_property(const std::string& unit, const std::string& interface,
                                              const std::string& property) {
  return get_property(unit_object_path(unit), interface, property);
}

DbusResult<Value> Systemd1::get_property(const std::string& object, const std::string& interface,
                                         const std::string& property) {
  auto m = Message::method_call(kService, object, DBUS_INTERFACE_PROPERTIES, "Get");
  if (!m) return std::unexpected(from_error(m.error()));
  if (auto r = m->append({Value::string(interface), Value::string(property)}); !r)
    return std::unexpected(from_error(r.error()));
  auto reply = conn_.call(*m, timeout_);
  if (!reply) return std::unexpected(std::move(reply.error()));
  auto args = reply->args();
  if (!args) return std::unexpected(from_error(args.error()));
  if (args->size() != 1 || !(*args)[0].inner())
    return std::unexpected(DbusError{DBUS_ERROR_INVALID_SIGNATURE, "unexpected reply from systemd"});
  return *(*args)[0].inner();
}

DbusResult<std::string> Systemd1::wait_job(const std::string& job, Millis timeout) {
  std::string result;
  // JobRemoved(u id, o job, s unit, s result)
  auto sig = conn_.wait_signal(
      [&](const Message& m) {
        if (!m.is_signal(kManager, "JobRemoved")) return false;
        auto args = m.args();
        if (!args || args->size() != 4 || !(*args)[1].as_string() || *(*args)[1].as_string() != job) return false;
        if (const auto* r = (*args)[3].as_string()) result = *r;
        return true;
      },
      timeout);
  if (!sig) return std::unexpected(std::move(sig.error()));
  return result;
}

}  // namespace orun::cgroups::systemd
