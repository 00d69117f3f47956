// The host report of `orun check`: one item per probed fact, each ok, warn
// or fail with the fix in a few words, rendered as aligned text or JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orun::diagnose {

enum class Level { ok, warn, fail };
const char* to_string(Level l);

struct Item {
  std::string name;     // "kernel", "openat2", "cgroup layout" ...
  Level level = Level::ok;
  std::string detail;   // what was found
  std::string fix;      // a few words, for warn and fail
  // A fail that stops containers from running at all (the exit code).
  bool blocking = false;
};

using Items = std::vector<Item>;

inline Item ok_item(std::string name, std::string detail) { return {std::move(name), Level::ok, std::move(detail), "", false}; }
inline Item warn_item(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Level::warn, std::move(detail), std::move(fix), false};
}
inline Item fail_item(std::string name, std::string detail, std::string fix, bool blocking = true) {
  return {std::move(name), Level::fail, std::move(detail), std::move(fix), blocking};
}

// "ok    kernel           6.1.0" lines; a fix follows its detail after "; fix: ".
std::string render_text(const Items& items);
// {"items":[{"name","status","detail","fix"?}...],"blocking":[names]}
nlohmann::ordered_json render_json(const Items& items);
// 1 when a blocking item failed, else 0.
int exit_code(const Items& items);

}  // namespace orun::diagnose
