#include "container/signal_names.hpp"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace orun::container {

namespace {

constexpr std::pair<const char*, int> kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},     {"CHLD", SIGCHLD}, {"CLD", SIGCHLD},
    {"CONT", SIGCONT}, {"FPE", SIGFPE},   {"HUP", SIGHUP},     {"ILL", SIGILL},   {"INT", SIGINT},
    {"IO", SIGIO},     {"IOT", SIGIOT},   {"KILL", SIGKILL},   {"PIPE", SIGPIPE}, {"POLL", SIGPOLL},
    {"PROF", SIGPROF}, {"PWR", SIGPWR},   {"QUIT", SIGQUIT},   {"SEGV", SIGSEGV}, {"STKFLT", SIGSTKFLT},
    {"STOP", SIGSTOP}, {"SYS", SIGSYS},   {"TERM", SIGTERM},   {"TRAP", SIGTRAP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
    {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

}  // namespace

Result<int> parse_signal(const std::string& raw) {
  int n = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
  if (ec == std::errc() && ptr == raw.data() + raw.size() && !raw.empty()) {
    // runc hands any number to kill(2), which says only "invalid argument";
    // name the value instead. 0 stays: it probes the process.
    if (n < 0 || n > SIGRTMAX) return fail("unknown signal \"" + raw + "\"");
    return n;
  }
  std::string name = raw;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (auto& [k, v] : kSignals)
    if (name == k) return v;
  // Real-time signals: RTMIN, RTMIN+n, RTMAX-n.
  if (name == "RTMIN") return SIGRTMIN;
  if (name == "RTMAX") return SIGRTMAX;
  if (name.rfind("RTMIN+", 0) == 0 || name.rfind("RTMAX-", 0) == 0) {
    int off = 0;
    auto s = name.substr(6);
    auto [p2, e2] = std::from_chars(s.data(), s.data() + s.size(), off);
    if (e2 == std::errc() && p2 == s.data() + s.size()) {
      int sig = name[5] == '+' ? SIGRTMIN + off : SIGRTMAX - off;
      if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
    }
  }
  return fail("unknown signal \"" + raw + "\"");
}

}  // namespace orun::container
