#include "cgroups/events.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cgroups/stats.hpp"
#include "sys/file.hpp"

namespace orun::cgroups {

namespace {

// The file's text, or "" when it cannot be read (a missing controller file).

bool exists(const std::string& p) {
  struct stat st{};
  return stat(p.c_str(), &st) == 0;
}

}  // namespace

Result<OomWatcher> OomWatcher::open(const std::map<std::string, std::string>& paths) {
  OomWatcher w;
  if (auto it = paths.find("memory"); it != paths.end()) {
    w.dir_ = it->second;
    int efd = eventfd(0, EFD_CLOEXEC);
    if (efd < 0) return fail_errno("eventfd");
    w.fd_.reset(efd);
    std::string oc = w.dir_ + "/memory.oom_control";
    int ofd = ::open(oc.c_str(), O_RDONLY | O_CLOEXEC);
    if (ofd < 0) return fail_errno("open " + oc);
    w.oom_control_.reset(ofd);
    std::string ec = w.dir_ + "/cgroup.event_control";
    int cfd = ::open(ec.c_str(), O_WRONLY | O_CLOEXEC);
    if (cfd < 0) return fail_errno("open " + ec);
    UniqueFd guard(cfd);
    std::string line = std::to_string(efd) + " " + std::to_string(ofd);
    if (write(cfd, line.data(), line.size()) < 0) return fail_errno("write " + ec);
    return w;
  }
  auto it = paths.find("");
  if (it == paths.end()) return fail("cgroup not exist");
  w.v2_ = true;
  w.dir_ = it->second;
  int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (ifd < 0) return fail_errno("inotify_init1");
  w.fd_.reset(ifd);
  // memory.events exists only with the memory controller; cgroup.events
  // always, and tells when the cgroup empties.
  if (exists(w.dir_ + "/memory.events")) {
    if (inotify_add_watch(ifd, (w.dir_ + "/memory.events").c_str(), IN_MODIFY) < 0)
      return fail_errno("inotify_add_watch " + w.dir_ + "/memory.events");
    w.last_oom_ = parse_flat_keyed(sys::read_file_or_empty(w.dir_ + "/memory.events"))["oom"];
  }
  if (inotify_add_watch(ifd, (w.dir_ + "/cgroup.events").c_str(), IN_MODIFY) < 0)
    return fail_errno("inotify_add_watch " + w.dir_ + "/cgroup.events");
  return w;
}

uint64_t OomWatcher::consume(bool& gone) {
  gone = false;
  if (!v2_) {
    uint64_t n = 0;
    if (read(fd_.get(), &n, sizeof(n)) != sizeof(n)) n = 0;
    // The kernel also signals registered eventfds when the cgroup is removed.
    if (!exists(dir_ + "/cgroup.event_control")) {
      gone = true;
      return 0;
    }
    return n;
  }
  char buf[4096];
  while (read(fd_.get(), buf, sizeof(buf)) > 0) {
  }
  if (!exists(dir_ + "/cgroup.events")) {
    gone = true;
    return 0;
  }
  uint64_t oom = parse_flat_keyed(sys::read_file_or_empty(dir_ + "/memory.events"))["oom"];
  uint64_t n = oom > last_oom_ ? oom - last_oom_ : 0;
  last_oom_ = oom;
  // runc ends the stream once the cgroup has no process left.
  if (sys::read_file_or_empty(dir_ + "/cgroup.events").find("populated 0") != std::string::npos) gone = true;
  return n;
}

Result<std::vector<pid_t>> all_pids(const std::map<std::string, std::string>& paths) {
  std::string dir;
  for (const char* c : {"pids", "devices", "memory", ""})
    if (auto it = paths.find(c); it != paths.end()) {
      dir = it->second;
      break;
    }
  if (dir.empty() && !paths.empty()) dir = paths.begin()->second;
  std::vector<pid_t> out;
  std::vector<std::string> todo{dir};
  while (!todo.empty()) {
    std::string d = todo.back();
    todo.pop_back();
    std::ifstream procs(d + "/cgroup.procs");
    if (!procs) {
      if (errno == ENOENT) continue;
      return fail_errno("open " + d + "/cgroup.procs");
    }
    for (std::string l; std::getline(procs, l);)
      if (!l.empty()) out.push_back(static_cast<pid_t>(std::strtol(l.c_str(), nullptr, 10)));
    DIR* dd = opendir(d.c_str());
    if (!dd) continue;
    while (dirent* e = readdir(dd))
      if (e->d_type == DT_DIR && e->d_name[0] != '.') todo.push_back(d + "/" + e->d_name);
    closedir(dd);
  }
  return out;
}

}  // namespace orun::cgroups
