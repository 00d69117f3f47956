#include "diagnose/proc_status.hpp"

#include <sstream>

#include "security/capabilities.hpp"

namespace orun::diagnose {

std::map<std::string, std::string> parse_status(const std::string& content) {
  std::map<std::string, std::string> out;
  std::istringstream in(content);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    auto v = line.find_first_not_of(" \t", colon + 1);
    out[line.substr(0, colon)] = v == std::string::npos ? "" : line.substr(v);
  }
  return out;
}

std::optional<uint64_t> parse_cap_mask(const std::string& hex) {
  if (hex.empty() || hex.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

std::vector<std::string> cap_names(uint64_t mask) {
  std::vector<std::string> out;
  for (int c = 0; c < 64; ++c) {
    if (!(mask & (uint64_t{1} << c))) continue;
    std::string n = security::capability_name(c);
    out.push_back(n.empty() ? "CAP_" + std::to_string(c) : n);
  }
  return out;
}

std::vector<std::string> missing_caps(uint64_t mask, int last_cap) {
  uint64_t all = last_cap >= 63 ? ~uint64_t{0} : (uint64_t{1} << (last_cap + 1)) - 1;
  return cap_names(all & ~mask);
}

std::string seccomp_mode_name(const std::string& value) {
  if (value == "0") return "disabled";
  if (value == "1") return "strict";
  if (value == "2") return "filter";
  return value.empty() ? "unknown" : value;
}

std::vector<std::string> parse_id_map(const std::string& content) {
  std::vector<std::string> out;
  std::istringstream in(content);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string w, joined;
    while (words >> w) joined += (joined.empty() ? "" : " ") + w;
    if (!joined.empty()) out.push_back(joined);
  }
  return out;
}

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? sep : "") + words[i];
  return out;
}

}  // namespace orun::diagnose
