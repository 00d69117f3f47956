#include "container/create_record.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "container/state.hpp"
#include "orun/cgroups.hpp"
#include "sys/file.hpp"
#include "orun/log.hpp"

namespace orun::container {

namespace {

constexpr int kVersion = 1;

bool under_cgroup_fs(const std::string& p) {
  return p.rfind("/sys/fs/cgroup/", 0) == 0 && p.find("/../") == std::string::npos &&
         (p.size() < 3 || p.compare(p.size() - 3, 3, "/..") != 0);
}

bool unit_name_ok(const std::string& u) {
  auto ends = [&](const char* s) {
    std::string suf = s;
    return u.size() > suf.size() && u.compare(u.size() - suf.size(), suf.size(), suf) == 0;
  };
  return u.empty() || ((ends(".scope") || ends(".slice")) && u.find('/') == std::string::npos);
}

// Every process in the distinct dirs of `paths`, frozen first where a freezer
// is recorded so none forks meanwhile.
void kill_all(const std::map<std::string, std::string>& paths) {
  std::vector<std::string> dirs;
  for (auto& [ctrl, d] : paths)
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  auto cg = cgroups::Manager::from_paths(paths);
  for (int round = 0; round < 50; round++) {
    bool froze = paths.count("freezer") && cg.set_frozen(true).has_value();
    size_t seen = 0;
    for (auto& d : dirs) {
      auto procs = sys::read_file(d + "/cgroup.procs");
      if (!procs) continue;
      size_t pos = 0;
      while (pos < procs->size()) {
        size_t end = procs->find('\n', pos);
        if (end == std::string::npos) end = procs->size();
        pid_t pid = static_cast<pid_t>(std::strtol(procs->c_str() + pos, nullptr, 10));
        if (pid > 0) {
          ::kill(pid, SIGKILL);
          seen++;
        }
        pos = end + 1;
      }
    }
    if (froze)
      if (auto r = cg.set_frozen(false); !r) log::warn("thaw " + r.error().msg);
    if (seen == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(round < 10 ? 2 : 20));
  }
}

}  // namespace

std::string CreateRecord::to_json() const {
  nlohmann::json j;
  j["version"] = kVersion;
  j["id"] = id;
  j["cgroup_paths"] = cgroup_paths;
  j["cgroup_unit"] = cgroup_unit;
  j["cgroup_made"] = cgroup_made;
  j["cgroup_owned"] = cgroup_owned;
  if (!bundle.empty()) j["bundle"] = bundle;
  if (!created.empty()) j["created"] = created;
  return j.dump();
}

Result<CreateRecord> CreateRecord::parse(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("create record: not a JSON object");
  CreateRecord r;
  try {
    if (j.at("version").get<int>() != kVersion) return fail("create record: unknown version");
    r.id = j.at("id").get<std::string>();
    r.cgroup_paths = j.at("cgroup_paths").get<std::map<std::string, std::string>>();
    r.cgroup_unit = j.value("cgroup_unit", "");
    r.cgroup_made = j.value("cgroup_made", std::vector<std::string>{});
    r.cgroup_owned = j.value("cgroup_owned", false);
    r.bundle = j.value("bundle", "");
    r.created = j.value("created", "");
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("create record: ") + e.what());
  }
  if (!valid_id(r.id)) return fail("create record: invalid id");
  for (auto& [ctrl, p] : r.cgroup_paths)
    if (!under_cgroup_fs(p)) return fail("create record: cgroup path outside /sys/fs/cgroup: " + p);
  for (auto& p : r.cgroup_made)
    if (!under_cgroup_fs(p)) return fail("create record: cgroup path outside /sys/fs/cgroup: " + p);
  if (!unit_name_ok(r.cgroup_unit)) return fail("create record: invalid unit name " + r.cgroup_unit);
  return r;
}

Result<void> save_record(const std::string& dir, const CreateRecord& r) {
  return sys::write_file_atomic(dir, kRecordFile, r.to_json(), "create record");
}

Result<CreateRecord> load_record(const std::string& dir) {
  auto text = sys::read_file(dir + "/" + kRecordFile);
  if (!text) return std::unexpected(text.error());
  return CreateRecord::parse(*text);
}

Result<void> undo_record(const CreateRecord& r) {
  if (!r.cgroup_owned && r.cgroup_unit.empty()) {
    // Killed while making them: only empty dirs go (a reused cgroup with
    // processes of someone else's stays as it was).
    for (auto& [ctrl, d] : r.cgroup_paths)
      if (::rmdir(d.c_str()) < 0 && errno != ENOENT && errno != EBUSY)
        return fail_errno("unable to remove container's cgroup " + d);
    return {};
  }
  if (r.cgroup_owned) kill_all(r.cgroup_paths);
  auto cg = cgroups::Manager::from_paths(r.cgroup_paths, r.cgroup_unit);
  cg.set_created_dirs(r.cgroup_made);
  return cg.destroy();
}

std::string ledger_path(const std::string& root, const std::string& id) { return root + "/" + kLedgerPrefix + id; }

Result<void> save_ledger(const std::string& root, const CreateRecord& r) {
  return sys::write_file_atomic(root, kLedgerPrefix + r.id, r.to_json(), "cgroup ledger entry");
}

void remove_ledger(const std::string& root, const std::string& id) { (void)::unlink(ledger_path(root, id).c_str()); }

}  // namespace orun::container
