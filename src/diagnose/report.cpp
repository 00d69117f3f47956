#include "diagnose/report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace orun::diagnose {

const char* to_string(Level l) {
  switch (l) {
    case Level::ok: return "ok";
    case Level::warn: return "warn";
    case Level::fail: return "fail";
  }
  return "?";
}

std::string render_text(const Items& items) {
  size_t width = 0;
  for (const auto& i : items) width = std::max(width, i.name.size());
  std::string out;
  for (const auto& i : items) {
    std::string level = to_string(i.level);
    level.resize(6, ' ');
    std::string name = i.name;
    name.resize(width + 2, ' ');
    out += level + name + i.detail;
    if (!i.fix.empty()) out += "; fix: " + i.fix;
    out += '\n';
  }
  return out;
}

nlohmann::ordered_json render_json(const Items& items) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  nlohmann::ordered_json blocking = nlohmann::ordered_json::array();
  for (const auto& i : items) {
    nlohmann::ordered_json j;
    j["name"] = i.name;
    j["status"] = to_string(i.level);
    j["detail"] = i.detail;
    if (!i.fix.empty()) j["fix"] = i.fix;
    arr.push_back(std::move(j));
    if (i.level == Level::fail && i.blocking) blocking.push_back(i.name);
  }
  nlohmann::ordered_json out;
  out["items"] = std::move(arr);
  out["blocking"] = std::move(blocking);
  return out;
}

int exit_code(const Items& items) {
  for (const auto& i : items)
    if (i.level == Level::fail && i.blocking) return 1;
  return 0;
}

}  // namespace orun::diagnose
