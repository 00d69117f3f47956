#include "security/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "orun/log.hpp"
#include "security/seccomp_cache.hpp"
#include "security/seccomp_compile.hpp"
#include "security/seccomp_profile.hpp"

namespace orun::security::seccomp {

namespace {

// Bumped whenever the compiled output for the same profile would change
// (stub layout, rule conversion), so old cache entries are never reused.
constexpr const char* kCacheFormat = "orun-seccomp-v2";

bool kernel_accepts(unsigned flags) {
  // With a NULL program the kernel validates the flags first and then fails
  // to copy the program: EFAULT means "flags known", EINVAL "unknown".
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, nullptr);
  return r < 0 && errno == EFAULT;
}

std::string cache_key(const nlohmann::json& seccomp, unsigned supported) {
  std::string material = kCacheFormat;
  material += "\nlibseccomp " + std::to_string(SCMP_VER_MAJOR) + "." + std::to_string(SCMP_VER_MINOR) + "." +
              std::to_string(SCMP_VER_MICRO);
#if defined(__x86_64__)
  material += "\narch x86_64";
#elif defined(__aarch64__)
  material += "\narch aarch64";
#else
  material += "\narch other";
#endif
  material += "\nflags " + std::to_string(supported) + "\n";
  // nlohmann's dump sorts object keys: the same profile hashes the same.
  material += seccomp.dump();
  return sha256_hex(material);
}

}  // namespace

unsigned supported_flags() {
  static const unsigned flags = [] {
    unsigned f = 0;
    for (unsigned bit : {kFlagTsync, kFlagLog, kFlagSpecAllow})
      if (kernel_accepts(bit)) f |= bit;
    // WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER.
    if (kernel_accepts(kFlagNewListener | kFlagWaitKillableRecv)) f |= kFlagWaitKillableRecv;
    return f;
  }();
  return flags;
}

bool report_requested(const std::map<std::string, std::string>& annotations) {
  auto it = annotations.find(kReportAnnotation);
  return it != annotations.end() && (it->second == "true" || it->second == "1");
}

void apply_report(Program& p, const std::map<std::string, std::string>& annotations) {
  if (!report_requested(annotations)) return;
  if (supported_flags() & kFlagLog) {
    p.flags |= kFlagLog;
  } else {
    log::warn(std::string(kReportAnnotation) + ": the kernel has no SECCOMP_FILTER_FLAG_LOG, only kills are logged");
  }
}

std::string cache_path_for_root(const std::string& root) { return root + "/" + kCacheFileName; }

Result<std::optional<Program>> prepare(const nlohmann::json& seccomp, const std::string& cache_path) {
  const unsigned supported = supported_flags();
  auto profile = ORUN_TRY(parse_profile(seccomp, supported));
  if (!profile) return std::optional<Program>();
  Program prog;
  prog.flags = profile->flags;
  prog.notify = profile->uses_notify;
  prog.listener_path = profile->listener_path;
  prog.listener_metadata = profile->listener_metadata;
  // Derived from the profile, not from compiling it, so a program from the
  // cache logs the same lines: runc logs them on every run.
  prog.ignored_syscalls = unknown_syscalls(*profile);
  for (auto& name : prog.ignored_syscalls) log::debug("unknown seccomp syscall \"" + name + "\" ignored");

  std::string key;
  if (!cache_path.empty()) {
    key = cache_key(seccomp, supported);
    if (auto cached = cache_read(cache_path, key)) {
      log::debug("seccomp: program " + key + " from the cache");
      prog.insns = std::move(*cached);
      prog.from_cache = true;
      return std::optional<Program>(std::move(prog));
    }
  }
  prog.insns = ORUN_TRY(compile_program(*profile));
  log::debug("seccomp: compiled " + std::to_string(prog.insns.size()) + " instructions");
  if (!cache_path.empty()) cache_write(cache_path, key, prog.insns);
  return std::optional<Program>(std::move(prog));
}

Result<int> load(const Program& p) {
  // runc logs the same line; its tests read the flags from it.
  log::debug("seccomp filter flags: " + std::to_string(p.flags));
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(p.insns.size());
  fprog.filter = const_cast<sock_filter*>(p.insns.data());
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &fprog);
  if (r < 0) return fail_errno("error loading seccomp filter into kernel: error loading seccomp filter");
  return (p.flags & kFlagNewListener) ? static_cast<int>(r) : -1;
}

}  // namespace orun::security::seccomp
