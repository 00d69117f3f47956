// CRIU: where it is and which version (`criu --version`, a quick exec with a
// deadline). orun has no checkpoint/restore yet, which the item says.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "diagnose/probes.hpp"
#include "orun/fd.hpp"

extern char** environ;

namespace orun::diagnose {

namespace {

constexpr int kDeadlineMs = 2000;

std::string find_criu() {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/local/sbin:/sbin";
  std::istringstream in(path);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    std::string p = dir + "/criu";
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// stdout of `criu --version`, or "" when it did not answer in time.
std::string criu_version_output(const std::string& criu) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "";
  UniqueFd rd(fds[0]), wr(fds[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, wr.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  char* argv[] = {const_cast<char*>(criu.c_str()), const_cast<char*>("--version"), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, criu.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  wr.reset();
  if (rc != 0) return "";
  std::string out;
  char buf[512];
  struct pollfd p{rd.get(), POLLIN, 0};
  while (::poll(&p, 1, kDeadlineMs) > 0) {
    ssize_t n = ::read(rd.get(), buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);  // our own child, by pid
    ::waitpid(pid, &status, 0);
  }
  return out;
}

}  // namespace

std::string parse_criu_version(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("Version:")) continue;
    auto v = line.find_first_not_of(" \t", 8);
    return v == std::string::npos ? "" : line.substr(v);
  }
  return "";
}

void probe_criu(Items& out) {
  std::string criu = find_criu();
  if (criu.empty()) {
    out.push_back(ok_item("criu", "not installed; checkpoint/restore need it (found on $PATH or given with --criu)"));
    return;
  }
  std::string version = parse_criu_version(criu_version_output(criu));
  out.push_back(ok_item("criu", criu + " " + (version.empty() ? "(version unknown)" : version)));
}

}  // namespace orun::diagnose
