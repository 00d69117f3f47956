// Helpers shared by the libFuzzer targets (tests/fuzz/README.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orun::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// The input as JSON, or a discarded value when it is not JSON (no exception).
inline nlohmann::json json_of(const uint8_t* data, size_t size) {
  return nlohmann::json::parse(data, data + size, nullptr, false);
}

// The input cut at `sep` (NUL for argv words, ',' for mount options).
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A bundle directory with an empty rootfs/, made once per fuzzer process, so
// that validate() gets past its rootfs check to the rest of the config.
const std::string& scratch_bundle();

}  // namespace orun::fuzz
