#include "init/environment.hpp"

#include <algorithm>
#include <cerrno>
#include <unordered_set>

#include "init/user.hpp"

namespace orun::init {

Result<std::vector<std::string>> prepare_env(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  std::unordered_set<std::string_view> seen;
  // Walk backwards so the first time a name is seen is its last occurrence.
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    const std::string& kv = *it;
    size_t eq = kv.find('=');
    if (eq == std::string::npos) return fail("invalid environment variable: missing '='", EINVAL);
    if (eq == 0) return fail("invalid environment variable: name cannot be empty", EINVAL);
    std::string_view key(kv.data(), eq);
    if (!seen.insert(key).second) continue;
    if (kv.find('\0') != std::string::npos)
      return fail("invalid environment variable \"" + std::string(key) + "\": contains nul byte (\\x00)", EINVAL);
    if (key == "HOME" && eq + 1 == kv.size()) continue;  // empty HOME: replaced later
    out.push_back(kv);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool env_lookup(const std::vector<std::string>& env, std::string_view name, std::string* value) {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 && (*it)[name.size()] == '=') {
      if (value) *value = it->substr(name.size() + 1);
      return true;
    }
  }
  return false;
}

void add_home_if_missing(std::vector<std::string>& env, uid_t uid, const std::string& passwd_path) {
  std::string home;
  if (env_lookup(env, "HOME", &home) && !home.empty()) return;
  std::erase(env, std::string("HOME="));
  env.push_back("HOME=" + container_home_dir(uid, passwd_path));
}

}  // namespace orun::init
