// The running binary: its path and version, whether it is static (nothing
// to resolve at exec, nothing a container's libraries could replace), and
// which sealed-exe method (CVE-2019-5736, security/exe_seal.hpp) will work:
// the overlayfs view needs overlay and CAP_SYS_ADMIN, the memfd copy needs
// memfd_create with sealing.
#include <elf.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "diagnose/probes.hpp"
#include "orun/fd.hpp"

#ifndef ORUN_VERSION
#define ORUN_VERSION "0.0.0"
#endif

namespace orun::diagnose {

namespace {

// True when the ELF file has no PT_INTERP program header.
bool is_static_elf(int fd) {
  Elf64_Ehdr eh{};
  if (::pread(fd, &eh, sizeof(eh), 0) != static_cast<ssize_t>(sizeof(eh))) return false;
  if (std::string_view(reinterpret_cast<const char*>(eh.e_ident), 4) != ELFMAG || eh.e_ident[EI_CLASS] != ELFCLASS64)
    return false;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    off_t at = static_cast<off_t>(eh.e_phoff + i * static_cast<uint64_t>(eh.e_phentsize));
    if (::pread(fd, &ph, sizeof(ph), at) != static_cast<ssize_t>(sizeof(ph))) return false;
    if (ph.p_type == PT_INTERP) return false;
  }
  return true;
}

bool has_sys_admin() {
  cap_t c = cap_get_proc();
  if (!c) return false;
  cap_flag_value_t v = CAP_CLEAR;
  cap_get_flag(c, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
  cap_free(c);
  return v == CAP_SET;
}

bool kernel_has_overlay() {
  std::ifstream f("/proc/filesystems");
  std::string line;
  while (std::getline(f, line))
    if (line.ends_with("\toverlay")) return true;
  return false;
}

bool memfd_sealing_works() {
  UniqueFd fd(static_cast<int>(::memfd_create("orun-check", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  return fd && ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) == 0;
}

}  // namespace

void probe_binary(Items& out) {
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  std::string exe = n > 0 ? std::string(path, static_cast<size_t>(n)) : "/proc/self/exe";
  UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  bool is_static = fd && is_static_elf(fd.get());
  std::string detail = exe + " " ORUN_VERSION + (is_static ? ", static" : ", dynamically linked");
  if (is_static) out.push_back(ok_item("binary", detail));
  else out.push_back(warn_item("binary", detail, "build with the default (static) link"));

  bool overlay = kernel_has_overlay(), admin = has_sys_admin(), memfd = memfd_sealing_works();
  if (overlay && admin) {
    out.push_back(ok_item("sealed exe", std::string("overlayfs view") + (memfd ? " (memfd copy as fallback)" : "")));
  } else if (memfd) {
    out.push_back(ok_item("sealed exe", std::string("memfd copy (overlayfs view needs ") +
                                       (overlay ? "CAP_SYS_ADMIN" : "overlay in the kernel") + ")"));
  } else {
    out.push_back(fail_item("sealed exe", "neither overlayfs nor a sealed memfd is available",
                       "a kernel with overlay or memfd sealing (CVE-2019-5736 defence)"));
  }
}

}  // namespace orun::diagnose
