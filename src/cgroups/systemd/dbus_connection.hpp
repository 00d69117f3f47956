// A D-Bus client connection over libdbus-1 (linked statically), for talking
// to systemd's manager. Connects as runc's go-systemd does: the system bus,
// and as root systemd's private socket when the bus is unavailable. One
// thread, blocking calls with timeouts; no main loop.
#pragma once

#include <dbus/dbus.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cgroups/systemd/dbus_value.hpp"
#include "orun/result.hpp"

namespace orun::cgroups::systemd {

using Millis = std::chrono::milliseconds;

// A D-Bus error reply or a failure to talk: the error name
// ("org.freedesktop.systemd1.UnitExists") and its message ("Unit x.scope was
// already loaded or has a fragment file."), as godbus reports them to runc.
struct DbusError {
  std::string name;
  std::string message;
  // The Error callers propagate: the message (the name when there is none),
  // errno from the name (EEXIST, ENOENT, ETIMEDOUT, ECONNRESET, ...).
  Error to_error() const;
  bool is(std::string_view n) const { return name == n; }
};
template <typename T>
using DbusResult = std::expected<T, DbusError>;

// Owns one reference to a DBusMessage.
class Message {
 public:
  Message() = default;
  explicit Message(DBusMessage* m) : m_(m) {}  // takes the reference
  Message(Message&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  Message& operator=(Message&& o) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  ~Message();

  static Result<Message> method_call(const std::string& destination, const std::string& path,
                                     const std::string& interface, const std::string& member);
  // Appends the arguments, in order.
  Result<void> append(const std::vector<Value>& args);
  // All arguments of the message.
  Result<std::vector<Value>> args() const;

  DBusMessage* get() const { return m_; }
  int type() const;  // DBUS_MESSAGE_TYPE_*
  bool is_signal(const char* interface, const char* member) const;
  std::string path() const;

 private:
  DBusMessage* m_ = nullptr;
};

class Connection {
 public:
  Connection(Connection&& o) noexcept : c_(std::exchange(o.c_, nullptr)), bus_(o.bus_) {}
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // The system bus (DBUS_SYSTEM_BUS_ADDRESS, else
  // unix:path=/var/run/dbus/system_bus_socket); as root, systemd's private
  // socket unix:path=/run/systemd/private when the bus fails.
  static DbusResult<Connection> system(Millis timeout);
  // A connection to address: through a bus daemon (Hello first) or straight
  // to a peer such as systemd's private socket.
  static DbusResult<Connection> open(const std::string& address, bool bus, Millis timeout);

  bool is_bus() const { return bus_; }
  // Sends a method call and waits for its reply.
  DbusResult<Message> call(const Message& m, Millis timeout);
  // Asks the bus daemon to route signals matching rule to us (a peer
  // connection gets every signal, so this does nothing there).
  DbusResult<void> add_match(const std::string& rule, Millis timeout);
  // Reads messages until a signal for which pred is true arrives (others are
  // dropped), or the timeout passes (ETIMEDOUT), or the peer hangs up.
  DbusResult<Message> wait_signal(const std::function<bool(const Message&)>& pred, Millis timeout);

 private:
  Connection(DBusConnection* c, bool bus) : c_(c), bus_(bus) {}
  DBusConnection* c_ = nullptr;
  bool bus_ = false;
};

}  // namespace orun::cgroups::systemd
