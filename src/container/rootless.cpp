#include "container/rootless.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace orun::container {

bool running_in_user_ns() {
  std::ifstream f("/proc/self/uid_map");
  if (!f) return false;
  std::string line;
  if (!std::getline(f, line)) return true;  // empty map: a fresh user namespace
  std::istringstream in(line);
  long long a = -1, b = -1, c = -1;
  if (!(in >> a >> b >> c)) return true;
  std::string more;
  if (std::getline(f, more) && !more.empty()) return true;
  return !(a == 0 && b == 0 && c == 4294967295LL);
}

bool rootless_euid() { return ::geteuid() != 0; }

Result<bool> rootless_cgroups(std::string_view flag, bool systemd_cgroup) {
  if (flag == "1" || flag == "t" || flag == "T" || flag == "TRUE" || flag == "true" || flag == "True") return true;
  if (flag == "0" || flag == "f" || flag == "F" || flag == "FALSE" || flag == "false" || flag == "False") return false;
  bool is_auto = flag.empty() || flag.size() == 4;
  if (is_auto) {
    std::string lower(flag);
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    is_auto = lower.empty() || lower == "auto";
  }
  if (!is_auto) return fail("strconv.ParseBool: parsing \"" + std::string(flag) + "\": invalid syntax", EINVAL);
  if (rootless_euid()) return true;
  if (!running_in_user_ns()) return false;
  return !systemd_cgroup;
}

Result<bool> rootless_cgroups(const GlobalOptions& g) { return rootless_cgroups(g.rootless, g.systemd_cgroup); }

std::string look_path(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "";
  std::istringstream in(path);
  for (std::string dir; std::getline(in, dir, ':');) {
    if (dir.empty()) dir = ".";
    std::string full = dir + "/" + name;
    struct stat st{};
    if (::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0) return full;
  }
  return "";
}

}  // namespace orun::container
