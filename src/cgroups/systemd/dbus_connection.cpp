#include "cgroups/systemd/dbus_connection.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace orun::cgroups::systemd {

namespace {

constexpr const char* kDefaultSystemBus = "unix:path=/var/run/dbus/system_bus_socket";
constexpr const char* kSystemdPrivate = "unix:path=/run/systemd/private";

// Takes the error out of a libdbus DBusError (and frees it).
DbusError take(DBusError* e) {
  DbusError out{e->name ? e->name : DBUS_ERROR_FAILED, e->message ? e->message : ""};
  dbus_error_free(e);
  return out;
}

int errno_for(std::string_view name) {
  if (name == "org.freedesktop.systemd1.UnitExists") return EEXIST;
  if (name == "org.freedesktop.systemd1.NoSuchUnit" || name == DBUS_ERROR_FILE_NOT_FOUND ||
      name == DBUS_ERROR_SERVICE_UNKNOWN || name == DBUS_ERROR_UNKNOWN_OBJECT)
    return ENOENT;
  if (name == DBUS_ERROR_NO_REPLY || name == DBUS_ERROR_TIMEOUT || name == DBUS_ERROR_TIMED_OUT) return ETIMEDOUT;
  if (name == DBUS_ERROR_DISCONNECTED) return ECONNRESET;
  if (name == DBUS_ERROR_NO_SERVER) return ECONNREFUSED;
  if (name == DBUS_ERROR_ACCESS_DENIED || name == DBUS_ERROR_AUTH_FAILED) return EACCES;
  if (name == DBUS_ERROR_NO_MEMORY) return ENOMEM;
  if (name == DBUS_ERROR_INVALID_ARGS) return EINVAL;
  return EIO;
}

int timeout_ms(Millis t) {
  if (t.count() <= 0) return 0;
  return t.count() > INT32_MAX ? INT32_MAX : static_cast<int>(t.count());
}

DbusError from_error(const Error& e) { return DbusError{DBUS_ERROR_FAILED, e.msg}; }

}  // namespace

Error DbusError::to_error() const { return Error{errno_for(name), message.empty() ? name : message}; }

Message& Message::operator=(Message&& o) noexcept {
  if (this != &o) {
    if (m_) dbus_message_unref(m_);
    m_ = std::exchange(o.m_, nullptr);
  }
  return *this;
}

Message::~Message() {
  if (m_) dbus_message_unref(m_);
}

Result<Message> Message::method_call(const std::string& destination, const std::string& path,
                                     const std::string& interface, const std::string& member) {
  // libdbus aborts on malformed names: check them first.
  if (!dbus_validate_bus_name(destination.c_str(), nullptr)) return fail("invalid d-bus name \"" + destination + "\"", EINVAL);
  if (!dbus_validate_path(path.c_str(), nullptr)) return fail("invalid d-bus object path \"" + path + "\"", EINVAL);
  if (!dbus_validate_interface(interface.c_str(), nullptr)) return fail("invalid d-bus interface \"" + interface + "\"", EINVAL);
  if (!dbus_validate_member(member.c_str(), nullptr)) return fail("invalid d-bus member \"" + member + "\"", EINVAL);
  DBusMessage* m = dbus_message_new_method_call(destination.c_str(), path.c_str(), interface.c_str(), member.c_str());
  if (!m) return fail("out of memory", ENOMEM);
  return Message(m);
}

Result<void> Message::append(const std::vector<Value>& args) {
  DBusMessageIter it;
  dbus_message_iter_init_append(m_, &it);
  for (const auto& a : args) ORUN_TRY_VOID(append_value(&it, a));
  return {};
}

Result<std::vector<Value>> Message::args() const {
  std::vector<Value> out;
  DBusMessageIter it;
  if (!dbus_message_iter_init(m_, &it)) return out;  // no arguments
  while (dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_INVALID) {
    out.push_back(ORUN_TRY(read_value(&it)));
    dbus_message_iter_next(&it);
  }
  return out;
}

int Message::type() const { return m_ ? dbus_message_get_type(m_) : DBUS_MESSAGE_TYPE_INVALID; }

bool Message::is_signal(const char* interface, const char* member) const {
  return m_ && dbus_message_is_signal(m_, interface, member);
}

std::string Message::path() const {
  const char* p = m_ ? dbus_message_get_path(m_) : nullptr;
  return p ? p : "";
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    this->~Connection();
    c_ = std::exchange(o.c_, nullptr);
    bus_ = o.bus_;
  }
  return *this;
}

Connection::~Connection() {
  if (c_) {
    dbus_connection_close(c_);
    dbus_connection_unref(c_);
  }
}

DbusResult<Connection> Connection::open(const std::string& address, bool bus, Millis timeout) {
  DBusError err;
  dbus_error_init(&err);
  // A private connection: nothing shared with other code in the process,
  // and closing it is ours to do.
  DBusConnection* c = dbus_connection_open_private(address.c_str(), &err);
  if (!c) return std::unexpected(take(&err));
  // libdbus would _exit(1) on a lost connection by default.
  dbus_connection_set_exit_on_disconnect(c, FALSE);
  Connection conn(c, bus);
  if (bus) {
    // What dbus_bus_register does, but with our timeout: the daemon
    // answers nothing else before Hello.
    auto hello = Message::method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "Hello");
    if (!hello) return std::unexpected(from_error(hello.error()));
    auto r = conn.call(*hello, timeout);
    if (!r) return std::unexpected(std::move(r.error()));
  }
  return conn;
}

DbusResult<Connection> Connection::system(Millis timeout) {
  const char* env = getenv("DBUS_SYSTEM_BUS_ADDRESS");
  std::string address = env && *env ? env : kDefaultSystemBus;
  auto bus = open(address, true, timeout);
  if (bus || geteuid() != 0) return bus;
  // Root can talk to systemd directly, as go-systemd's NewWithContext does
  // when the bus is down (early boot, dbus not installed).
  auto direct = open(kSystemdPrivate, false, timeout);
  if (direct) return direct;
  return bus;
}

DbusResult<Message> Connection::call(const Message& m, Millis timeout) {
  DBusError err;
  dbus_error_init(&err);
  DBusMessage* reply = dbus_connection_send_with_reply_and_block(c_, m.get(), timeout_ms(timeout), &err);
  if (!reply) return std::unexpected(take(&err));
  return Message(reply);
}

DbusResult<void> Connection::add_match(const std::string& rule, Millis timeout) {
  if (!bus_) return {};
  auto m = Message::method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "AddMatch");
  if (!m) return std::unexpected(from_error(m.error()));
  if (auto r = m->append({Value::string(rule)}); !r) return std::unexpected(from_error(r.error()));
  auto r = call(*m, timeout);
  if (!r) return std::unexpected(std::move(r.error()));
  return {};
}

DbusResult<Message> Connection::wait_signal(const std::function<bool(const Message&)>& pred, Millis timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Messages that came in during earlier calls are queued: look at them first.
    while (DBusMessage* raw = dbus_connection_pop_message(c_)) {
      Message m(raw);
      if (m.is_signal(DBUS_INTERFACE_LOCAL, "Disconnected"))
        return std::unexpected(DbusError{DBUS_ERROR_DISCONNECTED, "connection closed by the peer"});
      if (m.type() == DBUS_MESSAGE_TYPE_SIGNAL && pred(m)) return m;
    }
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::unexpected(DbusError{DBUS_ERROR_TIMEOUT, "timeout waiting for a d-bus signal"});
    if (!dbus_connection_read_write(c_, timeout_ms(left) ? timeout_ms(left) : 1))
      return std::unexpected(DbusError{DBUS_ERROR_DISCONNECTED, "connection closed by the peer"});
  }
}

}  // namespace orun::cgroups::systemd
