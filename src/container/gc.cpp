#include "container/gc.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "container/create_record.hpp"
#include "container/exit_record.hpp"
#include "container/state.hpp"
#include "orun/commands.hpp"
#include "sys/file.hpp"

namespace orun::container {

namespace {

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool is_dir(const std::string& p) {
  struct stat st{};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& p) {
  struct stat st{};
  return ::lstat(p.c_str(), &st) == 0;
}

Result<void> remove_tree(const std::string& p) {
  std::error_code ec;
  std::filesystem::remove_all(p, ec);
  if (ec) return fail("remove " + p + ": " + ec.message(), ec.value());
  return {};
}

Result<void> remove_file(const std::string& p) {
  if (::unlink(p.c_str()) < 0 && errno != ENOENT) return fail_errno("remove " + p);
  return {};
}

// `delete --force ID`, as a user would run it (kills through the cgroups the
// state or the create record names, removes the cgroups and the dir).
std::function<Result<void>()> force_delete(const GlobalOptions& g, const std::string& id) {
  return [g, id]() -> Result<void> {
    DeleteOptions d;
    d.id = id;
    d.force = true;
    ORUN_TRY(commands::del(g, d));
    return {};
  };
}

// The temporary files write_file_atomic leaves when killed: NAME.XXXXXX.
bool is_temp_file(const std::string& name) {
  for (const char* base : {"state.json.", "create.json.", "exit.json."})
    if (name.starts_with(base) && name.size() == std::string(base).size() + 6) return true;
  return false;
}

void scan_container(const GlobalOptions& g, const std::string& id, std::vector<GcFinding>& out) {
  std::string dir = state_dir(g.root, id);
  // A command holds it: busy, not a leftover.
  if (Lock::held_elsewhere(dir)) return;
  auto s = load(g.root, id);
  // Without state.json only a create record shows that orun made the dir: a
  // --root pointed at /tmp must not lose its directories.
  bool rec = exists(dir + "/create.json");
  if (!s && !rec) {
    GcFinding f{"unknown dir", dir, s.error().err == ENOENT ? "no state.json and no create record" : s.error().msg,
                "not known to be orun's: orun delete --force " + id + " removes it", false, {}};
    f.report_only = true;
    out.push_back(std::move(f));
    return;
  }
  for (auto& n : entries(dir))
    if (is_temp_file(n))
      out.push_back({"temporary file", dir + "/" + n, "left by a command killed while writing it", "remove", false,
                     [p = dir + "/" + n] { return remove_file(p); }});
  if (!s && s.error().err == ENOENT) {
    out.push_back({"half-created", id, "create killed before state.json",
                   "undo the create record (kill, remove cgroups), remove the state dir", false,
                   force_delete(g, id)});
    return;
  }
  if (!s) {
    out.push_back({"unreadable state", id, s.error().msg,
                   "kill its processes through its recorded cgroups, remove them and the state dir", true,
                   force_delete(g, id)});
    return;
  }
  auto st = status_of(g.root, *s);
  if (st != Status::stopped) return;
  std::string pid = "init " + std::to_string(s->init_pid) + " gone";
  if (!load_exit(g.root, id)) {
    out.push_back({"stopped", id, pid + ", not recorded as stopped", "record how it ended (exit.json, for diagnose)",
                   false, [g, s = *s]() -> Result<void> {
                     return save_exit(g.root, s.id, observe_stopped(s));
                   }});
  }
  if (exists(dir + "/exec.fifo"))
    out.push_back({"fifo", dir + "/exec.fifo", pid + " before start", "remove", false,
                   [p = dir + "/exec.fifo"] { return remove_file(p); }});
  out.push_back({"stopped", id, pid + ", never deleted", "delete it (its cgroups, state dir, poststop hooks)", true,
                 force_delete(g, id)});
}

// Processes in a record's cgroups; -1 when none of them exists.
long procs_in(const CreateRecord& r) {
  long n = -1;
  std::vector<std::string> seen;
  for (auto& [ctrl, d] : r.cgroup_paths) {
    if (std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
    seen.push_back(d);
    auto procs = sys::read_file(d + "/cgroup.procs");
    if (!procs) continue;
    // The same processes in every hierarchy: the largest count.
    n = std::max(n, static_cast<long>(std::count(procs->begin(), procs->end(), '\n')));
  }
  return n;
}

// Ledger entries whose state dir is gone: the cgroups a container made that
// nothing else names any more.
void scan_ledger(const GlobalOptions& g, std::vector<GcFinding>& out) {
  for (auto& name : entries(g.root)) {
    if (!name.starts_with(kLedgerPrefix)) continue;
    std::string id = name.substr(std::string(kLedgerPrefix).size());
    std::string entry = g.root + "/" + name;
    if (!valid_id(id) || is_dir(state_dir(g.root, id))) continue;
    auto text = sys::read_file(entry);
    auto rec = text ? CreateRecord::parse(*text) : std::unexpected(text.error());
    if (!rec || rec->id != id) {
      // A temporary file (ID.XXXXXX) of a killed writer, unless just written.
      struct stat st{};
      if (::lstat(entry.c_str(), &st) < 0 || ::time(nullptr) - st.st_mtime < 60) continue;
      out.push_back({"temporary file", entry, rec ? "a copy of " + rec->id + "'s entry" : rec.error().msg, "remove",
                     false, [entry] { return remove_file(entry); }});
      continue;
    }
    long procs = procs_in(*rec);
    auto done = [g, id, entry, r = *rec](bool kill) -> Result<void> {
      if (is_dir(state_dir(g.root, id))) return {};  // a new create of that id took it meanwhile
      CreateRecord undo = r;
      undo.cgroup_owned = kill;
      ORUN_TRY_VOID(undo_record(undo));
      for (auto& [ctrl, d] : r.cgroup_paths)
        if (::rmdir(d.c_str()) < 0 && errno != ENOENT) return fail_errno("remove cgroup " + d);
      return remove_file(entry);
    };
    std::vector<std::string> dirs;
    for (auto& [ctrl, d] : rec->cgroup_paths)
      if (exists(d) && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
    std::string where = dirs.empty() ? "" : dirs.front();
    if (dirs.size() > 1) where += " and " + std::to_string(dirs.size() - 1) + " more";
    if (procs < 0) {
      out.push_back({"ledger entry", entry, "its cgroups and state dir are gone", "remove", false,
                     [entry] { return remove_file(entry); }});
    } else if (procs == 0) {
      out.push_back({"orphan cgroups", where, "container " + id + " has no state dir; no process in them",
                     "remove the cgroups", false, [done] { return done(false); }});
    } else {
      out.push_back({"orphan cgroups", where,
                     "container " + id + " has no state dir; " + std::to_string(procs) + " process(es) in them",
                     "kill the processes, remove the cgroups", true, [done] { return done(true); }});
    }
  }
}

// Mounts left under the root: orun's sealed exe is a detached mount (or a
// memfd) and never appears here, but older or other runtimes' may.
void scan_mounts(const GlobalOptions& g, std::vector<GcFinding>& out) {
  auto info = sys::read_file("/proc/self/mountinfo");
  if (!info) return;
  std::string prefix = g.root + "/";
  size_t pos = 0;
  while (pos < info->size()) {
    size_t end = info->find('\n', pos);
    if (end == std::string::npos) end = info->size();
    std::string line = info->substr(pos, end - pos);
    pos = end + 1;
    // id parent major:minor root mountpoint ...
    size_t f = 0;
    for (int i = 0; i < 4 && f != std::string::npos; i++) f = line.find(' ', f + 1);
    if (f == std::string::npos) continue;
    size_t e = line.find(' ', f + 1);
    std::string mp = line.substr(f + 1, e - f - 1);
    if (!mp.starts_with(prefix)) continue;
    // Shown only: a --root pointed at a shared dir must not lose its mounts.
    GcFinding m{"mount", mp, "mounted under the state root", "umount -l " + mp + " if nothing uses it", false, {}};
    m.report_only = true;
    out.push_back(std::move(m));
  }
}

}  // namespace

std::vector<GcFinding> gc_scan(const GlobalOptions& g) {
  std::vector<GcFinding> out;
  scan_mounts(g, out);
  for (auto& name : entries(g.root)) {
    std::string p = g.root + "/" + name;
    if (name.starts_with(kCreatingPrefix)) {
      if (is_dir(p) && !Lock::held_elsewhere(p))
        out.push_back({"temporary dir", p, "a create killed before naming its state dir", "remove", false,
                       [p] { return remove_tree(p); }});
      continue;
    }
    if (name.starts_with(".orun:seccomp-cache.") && name.ends_with(".tmp")) {
      pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + std::string(".orun:seccomp-cache.").size()));
      if (pid > 0 && ::kill(pid, 0) < 0 && errno == ESRCH)
        out.push_back({"temporary file", p, "seccomp cache of a killed command (pid " + std::to_string(pid) + ")",
                       "remove", false, [p] { return remove_file(p); }});
      continue;
    }
    if (valid_id(name) && is_dir(p)) scan_container(g, name, out);
  }
  scan_ledger(g, out);
  return out;
}

Result<int> gc(const GlobalOptions& g, const GcOptions& o) {
  int rc = 0;
  for (auto& f : gc_scan(g)) {
    std::string line = f.kind + " " + f.object + " (" + f.detail + "): ";
    if (f.report_only) {
      line += "left; " + f.action;
    } else if (f.needs_force && !o.force) {
      line += "left; --force would " + f.action;
    } else if (o.dry_run) {
      line += "would " + f.action;
    } else if (auto r = f.apply(); !r) {
      line += "failed to " + f.action + ": " + r.error().msg;
      rc = 1;
    } else {
      line += "done: " + f.action;
    }
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
  return rc;
}

}  // namespace orun::container
