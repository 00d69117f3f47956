#include "diagnose/roots.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "sys/path.hpp"

namespace orun::diagnose {

namespace {

bool is_dir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> subdirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n.starts_with(".")) continue;
    if (is_dir(dir + "/" + n)) out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> known_roots() {
  std::vector<std::string> cand = {"/run/orun", "/run/runc"};
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) {
    cand.push_back(std::string(x) + "/orun");
    cand.push_back(std::string(x) + "/runc");
  }
  std::string user = "/run/user/" + std::to_string(::geteuid());
  cand.push_back(user + "/orun");
  cand.push_back(user + "/runc");
  for (const char* parent : {"/run/containerd/runc", "/run/docker/runtime-runc"})
    for (const auto& ns : subdirs(parent)) cand.push_back(std::string(parent) + "/" + ns);
  std::vector<std::string> out;
  for (auto& c : cand) {
    std::string p = sys::clean_path(c);
    if (is_dir(p) && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

std::vector<std::string> roots_holding(const std::string& id, const std::string& except) {
  std::vector<std::string> out;
  if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..") return out;
  const std::string skip = sys::clean_path(except);
  for (const auto& r : known_roots()) {
    if (r == skip) continue;
    struct stat st{};
    if (::stat((r + "/" + id + "/state.json").c_str(), &st) == 0) out.push_back(r);
  }
  return out;
}

std::vector<std::string> container_dirs(const std::string& root) { return subdirs(root); }

}  // namespace orun::diagnose
