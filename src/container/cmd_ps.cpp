// ps: the container's processes, as JSON pids or through the host's ps(1)
// filtered to the container's pids.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "cgroups/events.hpp"
#include "container/lifecycle.hpp"
#include "orun/commands.hpp"
#include "orun/log.hpp"
#include "orun/program.hpp"

extern char** environ;

namespace orun::commands {

namespace {

// Runs ps with stdout and stderr captured together (Go's CombinedOutput).
Result<std::pair<int, std::string>> run_ps(const std::vector<std::string>& args) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, wr.get(), 2);
  std::vector<char*> argv;
  std::string name = "ps";
  argv.push_back(name.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "ps", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return fail_errno("exec: \"ps\"", rc);
  wr.reset();
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = read(rd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return std::make_pair(status, out);
}

}  // namespace

Result<int> ps(const GlobalOptions& g, const PsOptions& o) {
  ORUN_TRY_VOID(container::check_id(o.id));
  auto s = ORUN_TRY(container::load(g.root, o.id));
  auto pids_r = cgroups::all_pids(s.cgroup_paths);
  if (!pids_r) {
    if (pids_r.error().err == EPERM || pids_r.error().err == EACCES)
      log::warn(named("{name} ps failure might be caused by lack of full access to cgroups"));
    return std::unexpected(pids_r.error());
  }
  auto& pids = *pids_r;
  if (o.format == "json") {
    std::string line = "null";
    if (!pids.empty()) {
      line = "[";
      for (size_t i = 0; i < pids.size(); i++) line += (i ? "," : "") + std::to_string(pids[i]);
      line += "]";
    }
    printf("%s\n", line.c_str());
    return 0;
  }
  if (o.format != "table") return fail("invalid format option");

  std::vector<std::string> args = o.ps_args;
  if (args.empty()) args = {"-ef"};
  auto [status, out] = ORUN_TRY(run_ps(args));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : "signal: " + std::to_string(WTERMSIG(status));
    return fail(why + ": " + out);
  }
  std::istringstream in(out);
  std::string header;
  std::getline(in, header);
  std::istringstream h(header);
  int pid_index = -1, i = 0;
  for (std::string t; h >> t; i++)
    if (t == "PID") {
      pid_index = i;
      break;
    }
  if (pid_index < 0) return fail("couldn't find PID field in ps output");
  printf("%s\n", header.c_str());
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::istringstream l(line);
    std::string f;
    for (int k = 0; k <= pid_index && (l >> f); k++) {
    }
    char* end = nullptr;
    long p = std::strtol(f.c_str(), &end, 10);
    if (f.empty() || *end != '\0') return fail("unable to parse pid: strconv.Atoi: parsing \"" + f + "\": invalid syntax");
    if (std::find(pids.begin(), pids.end(), static_cast<pid_t>(p)) != pids.end()) printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace orun::commands
