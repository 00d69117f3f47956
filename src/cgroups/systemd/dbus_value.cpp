#include "cgroups/systemd/dbus_value.hpp"

#include <memory>

namespace orun::cgroups::systemd {

Value Value::boolean(bool b) { Value v; v.type_ = DBUS_TYPE_BOOLEAN; v.u_ = b; return v; }
Value Value::byte(uint8_t x) { Value v; v.type_ = DBUS_TYPE_BYTE; v.u_ = x; return v; }
Value Value::i16(int16_t x) { Value v; v.type_ = DBUS_TYPE_INT16; v.i_ = x; return v; }
Value Value::u16(uint16_t x) { Value v; v.type_ = DBUS_TYPE_UINT16; v.u_ = x; return v; }
Value Value::i32(int32_t x) { Value v; v.type_ = DBUS_TYPE_INT32; v.i_ = x; return v; }
Value Value::u32(uint32_t x) { Value v; v.type_ = DBUS_TYPE_UINT32; v.u_ = x; return v; }
Value Value::i64(int64_t x) { Value v; v.type_ = DBUS_TYPE_INT64; v.i_ = x; return v; }
Value Value::u64(uint64_t x) { Value v; v.type_ = DBUS_TYPE_UINT64; v.u_ = x; return v; }
Value Value::dbl(double x) { Value v; v.type_ = DBUS_TYPE_DOUBLE; v.d_ = x; return v; }
Value Value::string(std::string s) { Value v; v.type_ = DBUS_TYPE_STRING; v.s_ = std::move(s); return v; }
Value Value::object_path(std::string s) { Value v; v.type_ = DBUS_TYPE_OBJECT_PATH; v.s_ = std::move(s); return v; }
Value Value::signature_value(std::string s) { Value v; v.type_ = DBUS_TYPE_SIGNATURE; v.s_ = std::move(s); return v; }

Value Value::bytes(const std::vector<uint8_t>& b) {
  std::vector<Value> items;
  for (auto x : b) items.push_back(byte(x));
  return array("y", std::move(items));
}

Value Value::strings(const std::vector<std::string>& s) {
  std::vector<Value> items;
  for (const auto& x : s) items.push_back(string(x));
  return array("s", std::move(items));
}

Value Value::array(std::string elem_sig, std::vector<Value> items) {
  Value v;
  v.type_ = DBUS_TYPE_ARRAY;
  v.s_ = std::move(elem_sig);
  v.items_ = std::move(items);
  return v;
}

Value Value::structure(std::vector<Value> fields) {
  Value v;
  v.type_ = DBUS_TYPE_STRUCT;
  v.items_ = std::move(fields);
  return v;
}

Value Value::dict_entry(Value key, Value value) {
  Value v;
  v.type_ = DBUS_TYPE_DICT_ENTRY;
  v.items_ = {std::move(key), std::move(value)};
  return v;
}

Value Value::variant(Value inner) {
  Value v;
  v.type_ = DBUS_TYPE_VARIANT;
  v.items_ = {std::move(inner)};
  return v;
}

std::string Value::signature() const {
  switch (type_) {
    case DBUS_TYPE_INVALID: return "";
    case DBUS_TYPE_ARRAY: return "a" + s_;
    case DBUS_TYPE_STRUCT:
    case DBUS_TYPE_DICT_ENTRY: {
      std::string s(1, type_ == DBUS_TYPE_STRUCT ? '(' : '{');
      for (const auto& f : items_) s += f.signature();
      return s + (type_ == DBUS_TYPE_STRUCT ? ')' : '}');
    }
    default: return std::string(1, static_cast<char>(type_));
  }
}

std::optional<bool> Value::as_bool() const {
  if (type_ != DBUS_TYPE_BOOLEAN) return std::nullopt;
  return u_ != 0;
}

std::optional<uint64_t> Value::as_uint() const {
  switch (type_) {
    case DBUS_TYPE_BYTE: case DBUS_TYPE_UINT16: case DBUS_TYPE_UINT32: case DBUS_TYPE_UINT64: return u_;
    default: return std::nullopt;
  }
}

std::optional<int64_t> Value::as_int() const {
  switch (type_) {
    case DBUS_TYPE_INT16: case DBUS_TYPE_INT32: case DBUS_TYPE_INT64: return i_;
    default: return std::nullopt;
  }
}

std::optional<double> Value::as_double() const {
  if (type_ != DBUS_TYPE_DOUBLE) return std::nullopt;
  return d_;
}

const std::string* Value::as_string() const {
  switch (type_) {
    case DBUS_TYPE_STRING: case DBUS_TYPE_OBJECT_PATH: case DBUS_TYPE_SIGNATURE: return &s_;
    default: return nullptr;
  }
}

const Value* Value::inner() const {
  return type_ == DBUS_TYPE_VARIANT && items_.size() == 1 ? &items_[0] : nullptr;
}

Value properties_value(const std::vector<Property>& props) {
  std::vector<Value> items;
  for (const auto& [name, value] : props)
    items.push_back(Value::structure({Value::string(name), Value::variant(value)}));
  return Value::array("(sv)", std::move(items));
}

namespace {

Result<void> append_basic(DBusMessageIter* it, const Value& v) {
  int type = v.type();
  dbus_bool_t ok = FALSE;
  if (const auto* s = v.as_string()) {
    DBusError err;
    dbus_error_init(&err);
    bool valid = type == DBUS_TYPE_OBJECT_PATH ? dbus_validate_path(s->c_str(), &err)
                 : type == DBUS_TYPE_SIGNATURE   ? dbus_signature_validate(s->c_str(), &err)
                                                 : dbus_validate_utf8(s->c_str(), &err);
    if (!valid) {
      std::string kind = type == DBUS_TYPE_OBJECT_PATH ? "object path" : type == DBUS_TYPE_SIGNATURE ? "signature" : "string";
      std::string msg = "invalid d-bus " + kind + " \"" + *s + "\"";
      dbus_error_free(&err);
      return fail(msg, EINVAL);
    }
    if (s->find('\0') != std::string::npos) return fail("d-bus string with a nul byte", EINVAL);
    const char* p = s->c_str();
    ok = dbus_message_iter_append_basic(it, type, &p);
  } else if (type == DBUS_TYPE_BOOLEAN) {
    dbus_bool_t b = *v.as_bool() ? TRUE : FALSE;
    ok = dbus_message_iter_append_basic(it, type, &b);
  } else if (type == DBUS_TYPE_DOUBLE) {
    double d = *v.as_double();
    ok = dbus_message_iter_append_basic(it, type, &d);
  } else {
    DBusBasicValue b{};
    switch (type) {
      case DBUS_TYPE_BYTE: b.byt = static_cast<unsigned char>(*v.as_uint()); break;
      case DBUS_TYPE_INT16: b.i16 = static_cast<dbus_int16_t>(*v.as_int()); break;
      case DBUS_TYPE_UINT16: b.u16 = static_cast<dbus_uint16_t>(*v.as_uint()); break;
      case DBUS_TYPE_INT32: b.i32 = static_cast<dbus_int32_t>(*v.as_int()); break;
      case DBUS_TYPE_UINT32: b.u32 = static_cast<dbus_uint32_t>(*v.as_uint()); break;
      case DBUS_TYPE_INT64: b.i64 = *v.as_int(); break;
      case DBUS_TYPE_UINT64: b.u64 = *v.as_uint(); break;
      default: return fail("unsupported d-bus type '" + v.signature() + "'", EINVAL);
    }
    ok = dbus_message_iter_append_basic(it, type, &b);
  }
  if (!ok) return fail("out of memory", ENOMEM);
  return {};
}

}  // namespace

Result<void> append_value(DBusMessageIter* it, const Value& v) {
  int type = v.type();
  if (type != DBUS_TYPE_ARRAY && type != DBUS_TYPE_STRUCT && type != DBUS_TYPE_DICT_ENTRY &&
      type != DBUS_TYPE_VARIANT)
    return append_basic(it, v);
  std::string sig;
  const char* contained = nullptr;
  if (type == DBUS_TYPE_ARRAY) {
    sig = v.signature().substr(1);
    for (const auto& item : v.items())
      if (item.signature() != sig)
        return fail("d-bus array of '" + sig + "' with an item of type '" + item.signature() + "'", EINVAL);
    contained = sig.c_str();
  } else if (type == DBUS_TYPE_VARIANT) {
    if (!v.inner() || v.inner()->type() == DBUS_TYPE_INVALID) return fail("empty d-bus variant", EINVAL);
    sig = v.inner()->signature();
    contained = sig.c_str();
  }
  if (!sig.empty() && !dbus_signature_validate_single(sig.c_str(), nullptr))
    return fail("invalid d-bus signature '" + sig + "'", EINVAL);
  DBusMessageIter sub;
  if (!dbus_message_iter_open_container(it, type, contained, &sub)) return fail("out of memory", ENOMEM);
  for (const auto& item : v.items()) {
    auto r = append_value(&sub, item);
    if (!r) {
      dbus_message_iter_abandon_container(it, &sub);
      return r;
    }
  }
  if (!dbus_message_iter_close_container(it, &sub)) return fail("out of memory", ENOMEM);
  return {};
}

Result<Value> read_value(DBusMessageIter* it) {
  int type = dbus_message_iter_get_arg_type(it);
  DBusBasicValue b{};
  switch (type) {
    case DBUS_TYPE_BOOLEAN: dbus_message_iter_get_basic(it, &b); return Value::boolean(b.bool_val);
    case DBUS_TYPE_BYTE: dbus_message_iter_get_basic(it, &b); return Value::byte(b.byt);
    case DBUS_TYPE_INT16: dbus_message_iter_get_basic(it, &b); return Value::i32(b.i16);
    case DBUS_TYPE_UINT16: dbus_message_iter_get_basic(it, &b); return Value::u32(b.u16);
    case DBUS_TYPE_INT32: dbus_message_iter_get_basic(it, &b); return Value::i32(b.i32);
    case DBUS_TYPE_UINT32: dbus_message_iter_get_basic(it, &b); return Value::u32(b.u32);
    case DBUS_TYPE_INT64: dbus_message_iter_get_basic(it, &b); return Value::i64(b.i64);
    case DBUS_TYPE_UINT64: dbus_message_iter_get_basic(it, &b); return Value::u64(b.u64);
    case DBUS_TYPE_DOUBLE: dbus_message_iter_get_basic(it, &b); return Value::dbl(b.dbl);
    case DBUS_TYPE_STRING:
    case DBUS_TYPE_SIGNATURE:
      dbus_message_iter_get_basic(it, &b);
      return Value::string(b.str);
    case DBUS_TYPE_OBJECT_PATH: dbus_message_iter_get_basic(it, &b); return Value::object_path(b.str);
    case DBUS_TYPE_ARRAY:
    case DBUS_TYPE_STRUCT:
    case DBUS_TYPE_DICT_ENTRY:
    case DBUS_TYPE_VARIANT: {
      std::string elem_sig;
      if (type == DBUS_TYPE_ARRAY) {
        std::unique_ptr<char, void (*)(void*)> sig(dbus_message_iter_get_signature(it), dbus_free);
        if (!sig) return fail("out of memory", ENOMEM);
        elem_sig = sig.get() + 1;
      }
      DBusMessageIter sub;
      dbus_message_iter_recurse(it, &sub);
      std::vector<Value> items;
      while (dbus_message_iter_get_arg_type(&sub) != DBUS_TYPE_INVALID) {
        items.push_back(ORUN_TRY(read_value(&sub)));
        dbus_message_iter_next(&sub);
      }
      if (type == DBUS_TYPE_ARRAY) return Value::array(std::move(elem_sig), std::move(items));
      if (type == DBUS_TYPE_STRUCT) return Value::structure(std::move(items));
      if (items.size() != (type == DBUS_TYPE_VARIANT ? 1u : 2u)) return fail("malformed d-bus container", EBADMSG);
      if (type == DBUS_TYPE_VARIANT) return Value::variant(std::move(items[0]));
      return Value::dict_entry(std::move(items[0]), std::move(items[1]));
    }
    default:
      return fail("unsupported d-bus type '" + std::string(1, static_cast<char>(type)) + "' in a reply", EBADMSG);
  }
}

}  // namespace orun::cgroups::systemd
