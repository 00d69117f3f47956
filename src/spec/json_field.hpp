// Typed access to config.json members with Go-decoder leniency: unknown keys
// are ignored, null means "absent", keys match case-insensitively when no
// exact match exists. Type errors name the field path
// ("process.args: expected array of strings, got number").
#pragma once

#include "sys/go_text.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "orun/result.hpp"

namespace orun::spec::detail {

using nlohmann::json;

// Go's name for a JSON value's kind, as used in our type errors.
const char* kind_name(const json& v);

// Joins a parent path and a member name ("process" + "args").
std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, size_t i);

// The member `key` of object `obj`, or nullptr when it is missing or null.
const json* member(const json& obj, std::string_view key);

// Fails unless `v` is an object.
Result<void> expect_object(const json& v, const std::string& path);

// What a string reader does with a NUL byte. A C string ends at the first
// NUL, so "sleep\u0000x" would silently run `sleep`: every string that can
// reach a syscall refuses one ("process.args[0] contains a NUL byte"). The
// fields runc checks itself, with its own text (mount source, destination
// and type; process.env), keep theirs and are read with `keep`.
enum class Nul { reject, keep };

Result<std::string> as_string(const json& v, const std::string& path, Nul nul = Nul::reject);
Result<bool> as_bool(const json& v, const std::string& path);
Result<uint64_t> as_u64(const json& v, const std::string& path);
Result<uint32_t> as_u32(const json& v, const std::string& path);
Result<int64_t> as_i64(const json& v, const std::string& path);
Result<int32_t> as_i32(const json& v, const std::string& path);
Result<std::vector<std::string>> as_string_array(const json& v, const std::string& path,
                                                 Nul nul = Nul::reject);
Result<std::vector<uint32_t>> as_u32_array(const json& v, const std::string& path);
Result<std::map<std::string, std::string>> as_string_map(const json& v,
                                                         const std::string& path);

// Member readers: leave `out` untouched when the member is absent or null,
// exactly like Go leaves a zero value in place.
Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  std::string& out, Nul nul = Nul::reject);
Result<void> read(const json& obj, std::string_view key, const std::string& parent, bool& out);
Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  uint32_t& out);
Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  uint64_t& out);
Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  int64_t& out);
Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  std::vector<std::string>& out, Nul nul = Nul::reject);
Result<void> read(const json& obj, std::string_view key, const std::string& parent,
                  std::map<std::string, std::string>& out);

// Fails naming the first string (member name or value) in `v` that holds a
// NUL byte: "linux.resources.unified.memory.max contains a NUL byte".
Result<void> reject_nul(const json& v, const std::string& path);

// Go's strconv.Quote, for messages that print values with %q.
using sys::go_quote;

}  // namespace orun::spec::detail
