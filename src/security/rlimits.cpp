#include "security/rlimits.hpp"

#include <cerrno>

namespace orun::security {

std::string rlimit_name(int resource) {
  switch (resource) {
    case RLIMIT_CPU: return "RLIMIT_CPU";
    case RLIMIT_FSIZE: return "RLIMIT_FSIZE";
    case RLIMIT_DATA: return "RLIMIT_DATA";
    case RLIMIT_STACK: return "RLIMIT_STACK";
    case RLIMIT_CORE: return "RLIMIT_CORE";
    case RLIMIT_RSS: return "RLIMIT_RSS";
    case RLIMIT_NPROC: return "RLIMIT_NPROC";
    case RLIMIT_NOFILE: return "RLIMIT_NOFILE";
    case RLIMIT_MEMLOCK: return "RLIMIT_MEMLOCK";
    case RLIMIT_AS: return "RLIMIT_AS";
    case RLIMIT_LOCKS: return "RLIMIT_LOCKS";
    case RLIMIT_SIGPENDING: return "RLIMIT_SIGPENDING";
    case RLIMIT_MSGQUEUE: return "RLIMIT_MSGQUEUE";
    case RLIMIT_NICE: return "RLIMIT_NICE";
    case RLIMIT_RTPRIO: return "RLIMIT_RTPRIO";
    case RLIMIT_RTTIME: return "RLIMIT_RTTIME";
    default: return std::to_string(resource);
  }
}

struct rlimit clamp_rlimit(const struct rlimit& want, rlim_t hard_cap) {
  struct rlimit r = want;
  if (r.rlim_max == RLIM_INFINITY || r.rlim_max > hard_cap) r.rlim_max = hard_cap;
  if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur > r.rlim_max) r.rlim_cur = r.rlim_max;
  return r;
}

Result<std::vector<std::string>> apply_rlimits(pid_t pid, const std::vector<spec::Rlimit>& rlimits) {
  std::vector<std::string> warnings;
  for (const auto& rl : rlimits) {
    auto res = static_cast<__rlimit_resource>(rl.resource);
    std::string name = rl.type.empty() ? rlimit_name(rl.resource) : rl.type;
    struct rlimit want{static_cast<rlim_t>(rl.soft), static_cast<rlim_t>(rl.hard)};
    if (::prlimit(pid, res, &want, nullptr) == 0) continue;
    int e = errno;
    if (e == EPERM && rl.resource == RLIMIT_MEMLOCK) {
      struct rlimit cur{};
      if (::prlimit(pid, res, nullptr, &cur) == 0) {
        struct rlimit clamped = clamp_rlimit(want, cur.rlim_max);
        if (::prlimit(pid, res, &clamped, nullptr) == 0) {
          warnings.push_back("cannot raise " + name + " to soft=" + std::to_string(rl.soft) +
                             " hard=" + std::to_string(rl.hard) + " (" + errno_text(EPERM) +
                             "), set soft=" + std::to_string(clamped.rlim_cur) +
                             " hard=" + std::to_string(clamped.rlim_max) + " instead");
          continue;
        }
      }
    }
    return fail("error setting rlimit type " + name + ": " + errno_text(e), e);
  }
  return warnings;
}

}  // namespace orun::security
