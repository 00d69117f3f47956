// events: the container's stats (once with --stats, else every --interval)
// and OOM notifications, as JSON lines, until the cgroup goes away or the
// init ends (then an "exit" event, orun's own); "under_oom" (orun's own) when
// the cgroup stalls at its limit with the OOM killer disabled.
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cgroups/events.hpp"
#include "cgroups/stats.hpp"
#include "container/exit_record.hpp"
#include "container/lifecycle.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "sys/file.hpp"

namespace orun::commands {

namespace {

// Go's time.ParseDuration for what `--interval` accepts ("5s", "1m30s",
// "100ms", "1.5h"); the CLI has already rejected malformed text.
int64_t duration_ns(const std::string& s) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (s.substr(i) == "0") return 0;
  double total = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) i++;
    double v = std::strtod(s.substr(start, i - start).c_str(), nullptr);
    size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') i++;
    std::string unit = s.substr(ustart, i - ustart);
    double mult = unit == "ns" ? 1 : (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") ? 1e3
                  : unit == "ms" ? 1e6 : unit == "s" ? 1e9 : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : 0;
    total += v * mult;
  }
  return static_cast<int64_t>(neg ? -total : total);
}

void emit(const nlohmann::ordered_json& event) {
  std::string line = event.dump() + "\n";
  fwrite(line.data(), 1, line.size(), stdout);
  fflush(stdout);
}

Result<void> emit_stats(const container::State& s, cgroups::OomCounters oom_counters) {
  auto data = ORUN_TRY(cgroups::collect_stats(s.cgroup_paths, oom_counters));
  nlohmann::ordered_json e;
  e["type"] = "stats";
  e["id"] = s.id;
  e["data"] = std::move(data);
  emit(e);
  return {};
}

// The init ended: how (the exit record a foreground `run` or an earlier
// `state` kept, else what can still be seen, kept now), then the stream ends.
// runc has no such event (its stream goes on with stats of an empty cgroup);
// callers skip types they do not know.
void emit_exit(const std::string& root, const container::State& s) {
  auto rec = container::load_exit(root, s.id);
  if (!rec) {
    auto seen = container::observe_stopped(s);
    seen.seen_by = "events";
    (void)container::save_exit(root, s.id, seen);  // best effort, as `state`'s
    rec = container::to_json(seen);
  }
  nlohmann::ordered_json e;
  e["type"] = "exit";
  e["id"] = s.id;
  e["data"] = *rec;
  emit(e);
}

// v1 memory.oom_control's under_oom: stalled at the limit, OOM killer disabled.
bool under_oom(const container::State& s) {
  auto it = s.cgroup_paths.find("memory");
  if (it == s.cgroup_paths.end()) return false;
  auto text = sys::read_file(it->second + "/memory.oom_control");
  return text && cgroups::parse_flat_keyed(*text)["under_oom"] != 0;
}

bool cgroup_exists(const container::State& s) {
  for (auto& [ctrl, dir] : s.cgroup_paths) {
    struct stat st{};
    if (stat(dir.c_str(), &st) == 0) return true;
  }
  return false;
}

}  // namespace

Result<int> events(const GlobalOptions& g, const EventsOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto s = ORUN_TRY(container::load(g.root, o.id));
  int64_t interval = duration_ns(o.interval);
  if (interval <= 0) return fail("duration interval must be greater than 0");
  if (container::status_of(g.root, s) == container::Status::stopped)
    return fail("container with id " + s.id + " is not running");
  if (o.stats) {
    ORUN_TRY_VOID(emit_stats(s, cgroups::OomCounters::include));
    return 0;
  }

  auto watcher = ORUN_TRY(cgroups::OomWatcher::open(s.cgroup_paths));
  // The init's end wakes the loop (without pidfd_open: the next tick sees it).
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, s.init_pid, 0)));
  if (pidfd && !container::init_alive(s)) pidfd.reset();  // pid reused since state.json
  bool stalled = false;
  auto check_stalled = [&] {
    bool now = under_oom(s);
    if (now && !stalled) {
      nlohmann::ordered_json e;
      e["type"] = "under_oom";
      e["id"] = s.id;
      emit(e);
    }
    stalled = now;
  };
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) return fail_errno("timerfd_create");
  UniqueFd timer(tfd);
  itimerspec its{};
  its.it_value.tv_sec = interval / 1000000000;
  its.it_value.tv_nsec = interval % 1000000000;
  its.it_interval = its.it_value;
  if (timerfd_settime(tfd, 0, &its, nullptr) < 0) return fail_errno("timerfd_settime");

  for (;;) {
    pollfd fds[3] = {{watcher.fd(), POLLIN, 0}, {tfd, POLLIN, 0}, {pidfd ? pidfd.get() : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      bool gone = false;
      uint64_t n = watcher.consume(gone);
      for (uint64_t i = 0; i < n; i++) {
        nlohmann::ordered_json e;
        e["type"] = "oom";
        e["id"] = s.id;
        emit(e);
      }
      if (gone) return 0;
      check_stalled();
    }
    if ((fds[2].revents & POLLIN) || (!pidfd && !container::init_alive(s))) {
      emit_exit(g.root, s);
      return 0;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t ticks = 0;
      (void)!read(tfd, &ticks, sizeof(ticks));
      if (!cgroup_exists(s)) return 0;
      check_stalled();
      // A failed sample is logged and the stream goes on, as runc's.
      if (auto r = emit_stats(s, cgroups::OomCounters::omit); !r) log::error(r.error().msg);
    }
  }
}

}  // namespace orun::commands
