// The create record: <root>/<id>/create.json, written before each host-side
// resource of a container exists, so a `create` killed at any point (before
// state.json) can still be undone by `delete --force` (and by `delete` when
// state.json is missing or corrupt).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orun/result.hpp"

namespace orun::container {

struct CreateRecord {
  std::string id;
  // The container's cgroup per controller ("" for v2), named before any is made.
  std::map<std::string, std::string> cgroup_paths;
  // --systemd-cgroup: the scope (or slice) unit, named before it is started.
  std::string cgroup_unit;
  // The leaf dirs create made (known once made), removed like state.json's cgroup_created.
  std::vector<std::string> cgroup_made;
  // Set once the cgroups exist and were checked empty (runc's create-time
  // check): from then on every process in them is the container's and
  // undo kills them. Before, a reused cgroup may hold processes that are not.
  bool cgroup_owned = false;

  std::string to_json() const;
  // Strict: unknown types, relative paths and paths outside /sys/fs/cgroup
  // are refused (undo kills what the record names).
  static Result<CreateRecord> parse(const std::string& text);
};

// <dir>/create.json, atomically (temp file, fsync, rename).
Result<void> save_record(const std::string& dir, const CreateRecord& r);
// ENOENT when there is none.
Result<CreateRecord> load_record(const std::string& dir);

// Kills every process in the recorded cgroups (when owned), removes the
// cgroups (and stops the systemd unit).
Result<void> undo_record(const CreateRecord& r);

}  // namespace orun::container
