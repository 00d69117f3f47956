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
  // For `state`/`list` of a half-created container (no state.json yet).
  std::string bundle;
  std::string created;  // RFC3339Nano, when create made the state dir

  std::string to_json() const;
  // Strict: unknown types, relative paths and paths outside /sys/fs/cgroup
  // are refused (undo kills what the record names).
  static Result<CreateRecord> parse(const std::string& text);
};

inline constexpr const char* kRecordFile = "create.json";

// <dir>/create.json, atomically (temp file, rename).
Result<void> save_record(const std::string& dir, const CreateRecord& r);
// ENOENT when there is none.
Result<CreateRecord> load_record(const std::string& dir);

// Kills every process in the recorded cgroups (when owned), removes the
// cgroups (and stops the systemd unit).
Result<void> undo_record(const CreateRecord& r);

// The root's ledger of cgroups: the file <root>/.orun:cgroups:<id>, a copy of
// the record written with it and removed once the cgroups are gone, so `gc`
// finds a container's cgroups after its state dir was removed by hand.
// A file (runc's `list` skips files in a root it shares) whose name is no
// container id (':').
constexpr const char* kLedgerPrefix = ".orun:cgroups:";
std::string ledger_path(const std::string& root, const std::string& id);
Result<void> save_ledger(const std::string& root, const CreateRecord& r);
// Best effort: a missing entry is fine.
void remove_ledger(const std::string& root, const std::string& id);

}  // namespace orun::container
