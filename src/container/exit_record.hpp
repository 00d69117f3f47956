// How the container's init ended, kept in `<root>/<id>/exit.json` (not in
// state.json: `state` output and what engines parse stay runc's) and shown by
// `orun diagnose`.
//
// Written by the orun process that sees the end: the foreground `run` (it
// reaps the init: code or signal, core dump, OOM as oom_report.hpp decides),
// or, for a detached container, the first `state` that finds the init gone.
// That one is not the init's parent: it knows the wait status only while the
// init is still an unreaped zombie (the exit_code field of /proc/PID/stat);
// once the shim or the subreaper reaped it, code and signal are unknown and
// an OOM kill counted after the baseline is only "possible". `delete`
// removes the state dir, so nothing is kept after it.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "container/state.hpp"

namespace orun::container {

struct ExitRecord {
  std::optional<int> code;    // exited with
  std::optional<int> signal;  // killed by
  bool core_dumped = false;
  std::string oom = "no";     // "yes", "no", "possible"
  std::string time;           // RFC 3339, when orun saw the end
  std::string seen_by;        // "run", "state" or "events"
};

// From a wait(2) status.
ExitRecord exit_from_wait_status(int status, bool oom_killed);
// "container killed by SIGSEGV (core dumped)", "container exited with code 3",
// "container init was OOM-killed", "container stopped (exit status unknown)".
std::string describe(const ExitRecord& r);
nlohmann::json to_json(const ExitRecord& r);

Result<void> save_exit(const std::string& root, const std::string& id, ExitRecord r);
std::optional<nlohmann::json> load_exit(const std::string& root, const std::string& id);

// For a stopped container with no record: what can still be learned (see
// above). Reads only.
ExitRecord observe_stopped(const State& s);
// `state`: records observe_stopped() once, best effort.
void record_if_stopped(const std::string& root, const State& s, Status st);

}  // namespace orun::container
