#include "spec/json_field.hpp"

#include <cctype>
#include <cerrno>
#include <limits>

namespace orun::spec::detail {

const char* kind_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "bool";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    case json::value_t::binary: return "binary";
    case json::value_t::discarded: return "invalid";
    default: return "number";
  }
}

std::string join_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string p = parent;
  p += '.';
  p += key;
  return p;
}

std::string index_path(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

static bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

const json* member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const json* found = nullptr;
  auto it = obj.find(std::string(key));
  if (it != obj.end()) {
    found = &*it;
  } else {
    // Go's decoder falls back to a case-insensitive match of the field name.
    for (auto i = obj.begin(); i != obj.end(); ++i) {
      if (equal_fold(i.key(), key)) {
        found = &i.value();
        break;
      }
    }
  }
  if (found && found->is_null()) return nullptr;
  return found;
}

static std::unexpected<Error> type_error(const std::string& path, std::string_view want,
                                         const json& got) {
  std::string m = path.empty() ? std::string() : path + ": ";
  m += "expected ";
  m += want;
  m += ", got ";
  m += kind_name(got);
  // The value matters for range errors ("expected uint32, got number -1").
  bool numeric_want = want.starts_with("int") || want.starts_with("uint");
  if (got.is_number() && numeric_want) {
    m += ' ';
    m += got.dump();
  }
  return fail(std::move(m));
}

Result<void> expect_object(const json& v, const std::string& path) {
  if (!v.is_object()) return type_error(path, "object", v);
  return {};
}

static std::unexpected<Error> nul_error(const std::string& path) {
  return fail((path.empty() ? std::string("value") : path) + " contains a NUL byte", EINVAL);
}

static bool has_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

Result<std::string> as_string(const json& v, const std::string& path, Nul nul) {
  if (!v.is_string()) return type_error(path, "string", v);
  const auto& s = v.get_ref<const std::string&>();
  if (nul == Nul::reject && has_nul(s)) return nul_error(path);
  return s;
}

Result<void> reject_nul(const json& v, const std::string& path) {
  if (v.is_string()) {
    if (has_nul(v.get_ref<const std::string&>())) return nul_error(path);
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string p = join_path(path, it.key());
      if (has_nul(it.key())) return nul_error(p);
      ORUN_TRY_VOID(reject_nul(it.value(), p));
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) ORUN_TRY_VOID(reject_nul(v[i], index_path(path, i)));
  }
  return {};
}

Result<bool> as_bool(const json& v, const std::string& path) {
  if (!v.is_boolean()) return type_error(path, "bool", v);
  return v.get<bool>();
}

// Go decodes integers from the literal text, so 1.5 and 1e3 fail for integer
// fields; nlohmann stores those as floats, which we reject the same way.
Result<uint64_t> as_u64(const json& v, const std::string& path) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
  return type_error(path, "uint64", v);
}

Result<uint32_t> as_u32(const json& v, const std::string& path) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    if (v.is_number_unsigned() || v.get<int64_t>() >= 0) {
      uint64_t u = v.get<uint64_t>();
      if (u <= std::numeric_limits<uint32_t>::max()) return static_cast<uint32_t>(u);
    }
  }
  return type_error(path, "uint32", v);
}

Result<int64_t> as_i64(const json& v, const std::string& path) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    return v.get<int64_t>();
  }
  return type_error(path, "int64", v);
}

Result<int32_t> as_i32(const json& v, const std::string& path) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
        return static_cast<int32_t>(v.get<uint64_t>());
    } else {
      int64_t i = v.get<int64_t>();
      if (i >= std::numeric_limits<int32_t>::min() && i <= std::numeric_limits<int32_t>::max())
        return static_cast<int32_t>(i);
    }
  }
  return type_error(path, "int32", v);
}

Result<std::vector<std::string>> as_string_array(const json& v, const std::string& path, Nul nul) {
  if (!v.is_array()) return type_error(path, "array of strings", v);
  std::vector<std::string> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    // Go turns a null element into "" rather than failing.
    if (v[i].is_null()) {
      out.emplace_back();
      continue;
    }
    out.push_back(ORUN_TRY(as_string(v[i], index_path(path, i), nul)));
  }
  return out;
}

Result<std::vector<uint32_t>> as_u32_array(const json& v, const std::string& path) {
  if (!v.is_array()) return type_error(path, "array of uint32", v);
  std::vector<uint32_t> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].is_null()) {
      out.push_back(0);
      continue;
    }
    out.push_back(ORUN_TRY(as_u32(v[i], index_path(path, i))));
  }
  return out;
}

Result<std::map<std::string, std::string>> as_string_map(const json& v,
                                                         const std::string& path) {
  if (!v.is_object()) return type_error(path, "object of strings", v);
  std::map<std::string, std::string> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (has_nul(it.key())) return nul_error(join_path(path, it.key()));
    if (it.value().is_null()) {
      out[it.key()] = "";
      continue;
    }
    out[it.key()] = ORUN_TRY(as_string(it.value(), join_path(path, it.key())));
  }
  return out;
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  std::string& out, Nul nul) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(as_string(*v, join_path(parent, key), nul));
  return {};
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent, bool& out) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(as_bool(*v, join_path(parent, key)));
  return {};
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  uint32_t& out) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(as_u32(*v, join_path(parent, key)));
  return {};
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  uint64_t& out) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(as_u64(*v, join_path(parent, key)));
  return {};
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  int64_t& out) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(as_i64(*v, join_path(parent, key)));
  return {};
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  std::vector<std::string>& out, Nul nul) {
  if (const json* v = member(obj, key))
    out = ORUN_TRY(as_string_array(*v, join_path(parent, key), nul));
  return {};
}

Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  std::map<std::string, std::string>& out) {
  if (const json* v = member(obj, key)) out = ORUN_TRY(as_string_map(*v, join_path(parent, key)));
  return {};
}



}  // namespace orun::spec::detail
