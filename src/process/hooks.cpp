#include "process/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "orun/fd.hpp"

extern char** environ;

namespace orun::process {

namespace {

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct HookOutcome {
  int status = 0;
  bool timed_out = false;
  std::string out, err;
};

Result<HookOutcome> run_one(const spec::Hook& h, const std::string& state, const std::vector<std::string>* default_env) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (pipe2(out, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (pipe2(err, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);

  std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  const std::vector<std::string>* env = h.env ? &*h.env : default_env;
  if (env) {
    for (auto& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }

  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execve(h.path.c_str(), argv.data(), env ? envp.data() : environ);
    dprintf(2, "exec %s: %s", h.path.c_str(), errno_text(errno).c_str());
    _exit(127);
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();
  // The state is small (well under a pipe buffer); a hook that doesn't read
  // stdin must not block us, so write without waiting.
  fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);
  (void)!write(in_w.get(), state.data(), state.size());
  in_w.reset();

  HookOutcome o;
  long long deadline = h.timeout ? now_ms() + *h.timeout * 1000LL : -1;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd p[2] = {{out_open ? out_r.get() : -1, POLLIN, 0}, {err_open ? err_r.get() : -1, POLLIN, 0}};
    int wait = deadline < 0 ? -1 : static_cast<int>(std::max(0LL, deadline - now_ms()));
    int n = poll(p, 2, wait);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      o.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    char buf[4096];
    for (int i = 0; i < 2; i++) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = read(p[i].fd, buf, sizeof(buf));
      if (r <= 0) (i == 0 ? out_open : err_open) = false;
      else (i == 0 ? o.out : o.err).append(buf, static_cast<size_t>(r));
    }
  }
  while (waitpid(pid, &o.status, 0) < 0 && errno == EINTR) {
  }
  return o;
}

}  // namespace

std::string hook_state(const std::string& id, const std::string& status, int pid, const std::string& bundle,
                       const std::map<std::string, std::string>& annotations) {
  nlohmann::ordered_json j;
  j["ociVersion"] = spec::kOciVersion;
  j["id"] = id;
  j["status"] = status;
  if (pid > 0) j["pid"] = pid;
  j["bundle"] = bundle;
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

Result<void> run_hooks(const std::vector<spec::Hook>& hooks, const std::string& kind, const std::string& state,
                       const std::vector<std::string>* default_env) {
  for (size_t i = 0; i < hooks.size(); i++) {
    const auto& h = hooks[i];
    auto o = run_one(h, state, default_env);
    std::string prefix = "error running " + kind + " hook #" + std::to_string(i) + ": ";
    if (!o) return fail(prefix + o.error().msg);
    std::string reason;
    if (o->timed_out) {
      char t[64];
      snprintf(t, sizeof(t), "hook ran past specified timeout of %.1fs", static_cast<double>(*h.timeout));
      reason = t;
    } else if (WIFSIGNALED(o->status)) {
      reason = "signal: " + std::string(strsignal(WTERMSIG(o->status)));
      for (auto& c : reason) c = static_cast<char>(tolower(c));
    } else if (WEXITSTATUS(o->status) != 0) {
      reason = "exit status " + std::to_string(WEXITSTATUS(o->status));
    }
    if (!reason.empty()) return fail(prefix + reason + ", stdout: " + o->out + ", stderr: " + o->err);
  }
  return {};
}

}  // namespace orun::process
