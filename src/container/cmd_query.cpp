// state and list: what runc prints, field for field.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "container/exit_record.hpp"
#include "container/half_made.hpp"
#include "container/state.hpp"
#include "orun/commands.hpp"
#include "orun/spec.hpp"

namespace orun::commands {

namespace {

using container::State;
using container::Status;

// runc's containerState, in its field order.
nlohmann::ordered_json state_json(const State& s, Status st, const std::string& owner) {
  nlohmann::ordered_json j;
  j["ociVersion"] = s.oci_version;
  j["id"] = s.id;
  j["pid"] = st == Status::stopped ? 0 : s.init_pid;
  j["status"] = container::to_string(st);
  j["bundle"] = s.bundle;
  j["rootfs"] = s.rootfs;
  j["created"] = s.created;
  if (!s.annotations.empty()) {
    nlohmann::ordered_json a = nlohmann::ordered_json::object();
    for (auto& [k, v] : s.annotations)
      if (k != "bundle") a[k] = v;
    if (!a.empty()) j["annotations"] = a;
  }
  j["owner"] = owner;
  return j;
}

// A half-created container (container/half_made.hpp), in the same shape.
nlohmann::ordered_json half_made_json(const container::HalfMade& h, const std::string& owner) {
  nlohmann::ordered_json j;
  j["ociVersion"] = spec::kOciVersion;
  j["id"] = h.id;
  j["pid"] = 0;
  j["status"] = h.creating ? "creating" : "stopped";
  j["bundle"] = h.bundle;
  j["rootfs"] = "";
  j["created"] = h.created;
  j["owner"] = owner;
  return j;
}

// Go's encoding/json escapes <, > and & (HTML-safe output); so do we.
std::string go_escape(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string owner_of(uid_t uid) {
  std::ifstream f("/etc/passwd");
  std::string line;
  while (std::getline(f, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    auto c = line.find(':', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
    if (line.substr(b + 1, c - b - 1) == std::to_string(uid)) return line.substr(0, a);
  }
  return "#" + std::to_string(uid);
}

// Go's text/tabwriter with minwidth 12, tabwidth 1, padding 3, ' '.
std::string tabulate(const std::vector<std::vector<std::string>>& rows) {
  size_t cols = 0;
  for (auto& r : rows) cols = std::max(cols, r.size());
  std::vector<size_t> width(cols, 0);
  for (auto& r : rows)
    for (size_t i = 0; i + 1 < r.size(); i++) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (auto& r : rows) {
    for (size_t i = 0; i < r.size(); i++) {
      out += r[i];
      if (i + 1 < r.size()) out += std::string(std::max<size_t>(12, width[i] + 3) - r[i].size(), ' ');
    }
    out += "\n";
  }
  return out;
}

}  // namespace

Result<int> state(const GlobalOptions& g, const IdOptions& o) {
  auto loaded = container::load(g.root, o.id);
  if (!loaded && loaded.error().err == ENOENT) {
    if (auto h = container::find_half_made(g.root, o.id)) {
      std::string out = go_escape(half_made_json(*h, "").dump(2));
      fwrite(out.data(), 1, out.size(), stdout);
      return 0;
    }
  }
  auto s = ORUN_TRY(std::move(loaded));
  auto st = container::status_of(g.root, s);
  // The first `state` after a detached init ended keeps what it can learn.
  container::record_if_stopped(g.root, s, st);
  std::string out = go_escape(state_json(s, st, "").dump(2));
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

Result<int> list(const GlobalOptions& g, const ListOptions& o) {
  if (o.format != "table" && o.format != "json") return fail("invalid format option");
  DIR* d = opendir(g.root.c_str());
  if (!d) {
    if (errno == ENOENT && !g.root_set) {
      if (o.format == "json" && !o.quiet) std::fputs("null\n", stdout);
      else if (!o.quiet) std::fputs(tabulate({{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}}).c_str(), stdout);
      return 0;
    }
    return fail_errno("open " + g.root);
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0))) continue;
    names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());

  struct Row {
    State s;
    Status st;
    std::string owner;
    std::optional<container::HalfMade> half;
  };
  std::vector<Row> rows;
  for (auto& name : names) {
    std::string dir = container::state_dir(g.root, name);
    struct stat sb{};
    // Only directories are containers (runc's getContainers): files such as
    // orun's seccomp cache and symlinks are not.
    if (lstat(dir.c_str(), &sb) < 0 || !S_ISDIR(sb.st_mode)) continue;
    // orun's own dirs (the cgroup ledger, a create's temporary name) are not ids.
    if (!container::valid_id(name) || name.starts_with(".orun:")) continue;
    auto s = container::load(g.root, name);
    if (!s && s.error().err == ENOENT) {
      if (auto h = container::find_half_made(g.root, name)) rows.push_back({State{}, Status::stopped, owner_of(sb.st_uid), h});
      continue;
    }
    if (!s) {
      // A directory that vanished mid-walk is not an error (runc 1.1.13).
      if (s.error().err != ENOENT) std::fprintf(stderr, "load container %s: %s\n", name.c_str(), s.error().msg.c_str());
      continue;
    }
    rows.push_back({*s, container::status_of(g.root, *s), owner_of(sb.st_uid)});
  }

  if (o.quiet) {
    for (auto& r : rows) std::printf("%s\n", (r.half ? r.half->id : r.s.id).c_str());
    return 0;
  }
  if (o.format == "json") {
    if (rows.empty()) {
      std::fputs("null\n", stdout);
      return 0;
    }
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (auto& r : rows) arr.push_back(r.half ? half_made_json(*r.half, r.owner) : state_json(r.s, r.st, r.owner));
    std::string out = go_escape(arr.dump()) + "\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  std::vector<std::vector<std::string>> table{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (auto& r : rows) {
    if (r.half) {
      auto j = half_made_json(*r.half, r.owner);
      table.push_back({r.half->id, "0", j["status"].get<std::string>(), r.half->bundle, r.half->created, r.owner});
      continue;
    }
    table.push_back({r.s.id, std::to_string(r.st == Status::stopped ? 0 : r.s.init_pid), container::to_string(r.st),
                     r.s.bundle, r.s.created, r.owner});
  }
  std::fputs(tabulate(table).c_str(), stdout);
  return 0;
}

}  // namespace orun::commands
