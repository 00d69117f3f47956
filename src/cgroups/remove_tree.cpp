#include "cgroups/remove_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "orun/fd.hpp"

namespace orun::cgroups {

namespace {

// Sub-directories of a cgroup dir are its sub-cgroups (files cannot be
// removed and are not tried).
std::vector<std::string> subdirs(const std::string& path) {
  std::vector<std::string> out;
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return out;
  DIR* d = fdopendir(fd);
  if (!d) {
    close(fd);
    return out;
  }
  while (auto* e = readdir(d)) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") out.push_back(path + "/" + name);
  }
  closedir(d);
  return out;
}

}  // namespace

int rmdir_tree(const std::string& path) {
  if (rmdir(path.c_str()) == 0) return 0;
  if (errno == ENOENT) return 0;
  if (errno != EBUSY) return -1;
  for (const auto& sub : subdirs(path))
    if (rmdir_tree(sub) < 0) return -1;
  if (rmdir(path.c_str()) == 0 || errno == ENOENT) return 0;
  return -1;
}

}  // namespace orun::cgroups
