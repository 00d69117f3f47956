#include "container/half_made.hpp"

#include <sys/stat.h>

#include "container/create_record.hpp"
#include "container/state.hpp"

namespace orun::container {

std::optional<HalfMade> find_half_made(const std::string& root, const std::string& id) {
  if (!valid_id(id)) return std::nullopt;
  std::string dir = state_dir(root, id);
  struct stat st{};
  if (lstat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  struct stat sj{};
  if (lstat((dir + "/state.json").c_str(), &sj) == 0) return std::nullopt;
  HalfMade h;
  h.id = id;
  h.creating = Lock::held_elsewhere(dir);
  if (auto rec = load_record(dir)) {
    h.has_record = true;
    h.bundle = rec->bundle;
    h.created = rec->created;
  }
  if (h.created.empty()) h.created = rfc3339nano(st.st_mtim);
  return h;
}

}  // namespace orun::container
