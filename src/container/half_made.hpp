// A container dir without state.json: a create still running, or one killed
// before it wrote state.json. runc shows neither ("container does not exist")
// while its `create` of the same id says "already exists"; orun's `state` and
// `list` show it, with pid 0, as "creating" while a create holds its lock and
// as "stopped" once none does (`delete`, `delete --force` or `gc` remove it).
#pragma once

#include <optional>
#include <string>

namespace orun::container {

struct HalfMade {
  std::string id;
  bool creating = false;  // a create (or delete) holds the dir's lock
  bool has_record = false;
  std::string bundle;     // from the create record, when it has one
  std::string created;    // the record's time, else the dir's mtime
};

// nullopt when <root>/<id> is not a directory or holds a state.json.
std::optional<HalfMade> find_half_made(const std::string& root, const std::string& id);

}  // namespace orun::container
