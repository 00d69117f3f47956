// D-Bus values as a small tree with their signatures: what the systemd driver
// sends (a(sv) properties, a(ss) device lists, ay bitmasks, au pids) and what
// it reads back (Properties.Get's variant, signal arguments). Conversion to
// and from libdbus's message iterators lives in dbus_value.cpp.
#pragma once

#include <dbus/dbus.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "orun/result.hpp"

namespace orun::cgroups::systemd {

class Value {
 public:
  Value() = default;  // an invalid value, only as a placeholder

  static Value boolean(bool b);
  static Value byte(uint8_t v);
  static Value i16(int16_t v);
  static Value u16(uint16_t v);
  static Value i32(int32_t v);
  static Value u32(uint32_t v);
  static Value i64(int64_t v);
  static Value u64(uint64_t v);
  static Value dbl(double v);
  static Value string(std::string s);
  static Value object_path(std::string s);
  static Value signature_value(std::string s);  // "g"
  static Value bytes(const std::vector<uint8_t>& b);  // "ay"
  static Value strings(const std::vector<std::string>& s);  // "as"
  // An array whose elements all have signature elem_sig (checked on append).
  static Value array(std::string elem_sig, std::vector<Value> items);
  static Value structure(std::vector<Value> fields);
  static Value dict_entry(Value key, Value value);
  static Value variant(Value inner);

  int type() const { return type_; }  // DBUS_TYPE_*, DBUS_TYPE_INVALID when empty
  std::string signature() const;

  // Typed reads; nullopt/nullptr when the value has another type.
  std::optional<bool> as_bool() const;
  std::optional<uint64_t> as_uint() const;  // y, q, u, t
  std::optional<int64_t> as_int() const;   // n, i, x
  std::optional<double> as_double() const;
  const std::string* as_string() const;     // s, o, g
  const std::vector<Value>& items() const { return items_; }  // array, struct, dict entry
  const Value* inner() const;               // variant

  bool operator==(const Value& o) const = default;

 private:
  int type_ = DBUS_TYPE_INVALID;
  uint64_t u_ = 0;
  int64_t i_ = 0;
  double d_ = 0;
  std::string s_;             // string value, or an array's element signature
  std::vector<Value> items_;  // array items, struct fields, variant's one value
};

// One entry of an a(sv) list: StartTransientUnit's and SetUnitProperties'.
using Property = std::pair<std::string, Value>;
Value properties_value(const std::vector<Property>& props);

// Appends v to a message being built. Strings must be valid UTF-8 and paths
// valid object paths: libdbus aborts on those, so they are checked here.
Result<void> append_value(DBusMessageIter* it, const Value& v);
// Reads the value at the iterator (which is not advanced).
Result<Value> read_value(DBusMessageIter* it);

}  // namespace orun::cgroups::systemd
