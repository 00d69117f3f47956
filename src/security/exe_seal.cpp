#include <cstdio>
#include <cstring>
#include "security/exe_seal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "orun/log.hpp"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

// In the orun binary's exec trampoline (exe_seal_entry.c); absent from the
// unit tests, which link the library alone.
extern "C" void orun_exec_failed(char** argv, long err) __attribute__((weak));

namespace orun::security {

namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

}  // namespace

std::string escape_overlay_lowerdir(std::string_view path) {
  std::string out;
  for (char ch : path) {
    if (ch == '\\' || ch == ':') out += '\\';
    out += ch;
  }
  return out;
}

Result<UniqueFd> sealed_overlay_of(const std::string& binary, const std::string& scratch_dir) {
  UniqueFd ctx(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!ctx) return fail_errno("fsopen overlay");
  auto slash = binary.rfind('/');
  if (slash == std::string::npos) return std::unexpected(Error{EINVAL, "not an absolute path: " + binary});
  std::string dir = slash == 0 ? "/" : binary.substr(0, slash);
  std::string name = binary.substr(slash + 1);
  // The binary's directory on top, so that a file of the same name in the
  // scratch layer cannot stand in for it.
  std::string lower = escape_overlay_lowerdir(dir) + ":" + escape_overlay_lowerdir(scratch_dir);
  if (::fsconfig(ctx.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) < 0)
    return fail_errno("fsconfig set overlayfs lowerdir=" + lower);
  // xino would be switched on where the layers are on different filesystems,
  // and only adds kernel log noise here.
  (void)::fsconfig(ctx.get(), FSCONFIG_SET_STRING, "xino", "off", 0);
  if (::fsconfig(ctx.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
    return fail_errno("fsconfig create overlayfs");
  UniqueFd mnt(::fsmount(ctx.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID));
  if (!mnt) return fail_errno("fsmount overlayfs");
  // The mount is never attached anywhere: this fd is its only reference.
  UniqueFd exe(::openat(mnt.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!exe) return fail_errno("open " + name + " from overlayfs (lowerdir=" + lower + ")");
  struct stat st{};
  if (::fstat(exe.get(), &st) < 0) return fail_errno("stat " + name + " on overlayfs");
  if (!S_ISREG(st.st_mode)) return std::unexpected(Error{EINVAL, name + " on overlayfs is not a regular file"});
  return exe;
}

Result<UniqueFd> sealed_memfd_copy_of(const std::string& binary) {
  UniqueFd src(::open(binary.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src) return fail_errno("open " + binary);
  struct stat st{};
  if (::fstat(src.get(), &st) < 0) return fail_errno("stat " + binary);
  log::debug("cloning " + binary + " binary (" + std::to_string(st.st_size) + " bytes)");
  // MFD_EXEC (6.3+) keeps the memfd executable under vm.memfd_noexec=1.
  int fd = ::memfd_create(kSealedMemfdName, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = ::memfd_create(kSealedMemfdName, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fail_errno("memfd_create " + std::string(kSealedMemfdName));
  UniqueFd mem(fd);
  off_t done = 0;
  while (done < st.st_size) {
    ssize_t n = ::sendfile(mem.get(), src.get(), nullptr, static_cast<size_t>(st.st_size - done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("copy " + binary + " into memfd");
    if (n == 0) return std::unexpected(Error{EIO, "copy " + binary + " into memfd: short read"});
    done += n;
  }
  // r-x--x--x, before F_SEAL_EXEC freezes the mode's exec bits.
  if (::fchmod(mem.get(), 0511) < 0) return fail_errno("fchmod sealed memfd");
  if (::fcntl(mem.get(), F_ADD_SEALS, kSeals | F_SEAL_EXEC) < 0) {
    if (errno != EINVAL || ::fcntl(mem.get(), F_ADD_SEALS, kSeals) < 0) return fail_errno("fcntl(F_ADD_SEALS)");
  }
  return mem;
}

Result<UniqueFd> seal_self_exe(const std::string& scratch_dir, std::string_view program) {
#ifdef ORUN_SEAL_TRAMPOLINE
  // Sanitizer build: orun is dynamic and cannot start inside the container,
  // so the clone is of the static trampoline (CMakeLists.txt, ORUN_SANITIZE).
  static constexpr const char kSelf[] = ORUN_SEAL_TRAMPOLINE;
  std::string self = kSelf;
#else
  static constexpr const char kSelf[] = "/proc/self/exe";
  // overlayfs needs the real path of the binary's directory.
  char buf[4096];
  ssize_t len = ::readlink(kSelf, buf, sizeof(buf) - 1);
  std::string self = len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string();
#endif
  if (!self.empty()) {
    auto overlay = sealed_overlay_of(self, scratch_dir);
    if (overlay) {
      log::debug(std::string(program) + " exeseal: using overlayfs for sealed /proc/self/exe");
      return overlay;
    }
    log::debug("could not use overlayfs for /proc/self/exe sealing (" + overlay.error().msg +
               ") -- falling back to making a temporary copy");
  }
  auto copy = sealed_memfd_copy_of(kSelf);
  if (!copy) return std::unexpected(copy.error().context("could not create sealed clone of /proc/self/exe"));
  return copy;
}

bool is_fully_sealed(int fd) {
  int seals = ::fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & kSeals) == kSeals;
}

int exec_sealed(int sealed_fd, const char* path, char* const argv[], char* const envp[], const ExecLog& log) {
  std::string log_fd = std::to_string(log.fd > 2 ? log.fd : -1);
  std::vector<char*> args{const_cast<char*>(kSealedExecMarker), const_cast<char*>(path), log_fd.data(),
                          const_cast<char*>(log.json ? "j" : "t"), const_cast<char*>(log.prefix.c_str()),
                          const_cast<char*>(log.suffix.c_str())};
  for (char* const* a = argv; *a; a++) args.push_back(*a);
  args.push_back(nullptr);
  if (sealed_fd >= 0) {
    // The trampoline needs the --log fd; it sets close-on-exec again itself.
    if (log.fd > 2) ::fcntl(log.fd, F_SETFD, 0);
    ::syscall(SYS_execveat, sealed_fd, "", args.data(), envp, AT_EMPTY_PATH);
    // A seccomp profile may allow execve but not execveat.
    std::string via_proc = "/proc/self/fd/" + std::to_string(sealed_fd);
    ::execve(via_proc.c_str(), args.data(), envp);
    if (log.fd > 2) ::fcntl(log.fd, F_SETFD, FD_CLOEXEC);
  }
  // No clone, or neither exec worked (execveat denied and no /proc): both
  // are decided by the trusted config, not by the image: the direct exec.
  ::execve(path, argv, envp);
  int e = errno;
  if (orun_exec_failed) orun_exec_failed(args.data(), e);
  else dprintf(2, "exec %s: %s\n", path, std::strerror(e));
  return e;
}

}  // namespace orun::security
