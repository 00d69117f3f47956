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
// v3: the key hashes the typed section (canonical_text), not its JSON.
constexpr const char* kCacheFormat = "orun-seccomp-v3";

bool kernel_accepts(unsigned flags) {
  // With a NULL program the kernel validates the flags first and then fails
  // to copy the program: EFAULT means "flags known", EINVAL "unknown".
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, nullptr);
  return r < 0 && errno == EFAULT;
}

// Every field of the section, each ended by a NUL (no config string holds
// one), so two sections give the same text only when they are the same.
std::string canonical_text(const spec::Seccomp& s) {
  std::string t;
  auto put = [&t](const std::string& v) {
    t += v;
    t += '\0';
  };
  auto put_num = [&put](std::optional<uint64_t> v) { put(v ? std::to_string(*v) : "-"); };
  auto put_list = [&put](const std::vector<std::string>& v) {
    put(std::to_string(v.size()));
    for (auto& e : v) put(e);
  };
  put(s.default_action);
  put_num(s.default_errno_ret);
  put_list(s.architectures);
  put(s.flags ? "flags" : "no flags");
  if (s.flags) put_list(*s.flags);
  put(s.listener_path);
  put(s.listener_metadata);
  put(std::to_string(s.syscalls.size()));
  for (auto& sc : s.syscalls) {
    put_list(sc.names);
    put(sc.action);
    put_num(sc.errno_ret);
    put(std::to_string(sc.args.size()));
    for (auto& a : sc.args) {
      put_num(a.index);
      put_num(a.value);
      put_num(a.value_two);
      put(a.op);
    }
  }
  return t;
}

std::string cache_key(const spec::Seccomp& seccomp, unsigned supported) {
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
  material += canonical_text(seccomp);
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

Result<std::optional<Program>> prepare(const std::optional<spec::Seccomp>& seccomp, const std::string& cache_path) {
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
    key = cache_key(*seccomp, supported);
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
