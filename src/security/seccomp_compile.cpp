#include "security/seccomp_compile.hpp"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "orun/fd.hpp"
#include "orun/log.hpp"

namespace orun::security::seccomp {

namespace {

constexpr size_t kMaxInstructions = BPF_MAXINSNS;

uint32_t audit_arch_of(uint32_t scmp_arch) {
  // SCMP_ARCH_* equal the AUDIT_ARCH_* values except for the x32 pseudo
  // arch, which the kernel reports as x86_64 (with bit 30 in the number).
  return scmp_arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : scmp_arch;
}

Result<void> add_rule(scmp_filter_ctx ctx, const Rule& r, int nr) {
  if (r.args.empty()) {
    int e = seccomp_rule_add_array(ctx, r.action, nr, 0, nullptr);
    if (e < 0) return fail("error adding seccomp filter rule for syscall " + r.name + ": " + errno_text(-e), -e);
    return {};
  }
  std::vector<scmp_arg_cmp> conds;
  unsigned per_index[6] = {};
  for (auto& a : r.args) {
    conds.push_back(scmp_arg_cmp{a.index, static_cast<scmp_compare>(a.op), a.value, a.value_two});
    per_index[a.index]++;
  }
  // Conditions on distinct arguments are ANDed in one rule. Several on the
  // same argument cannot be ANDed by libseccomp, so (like runc) each becomes
  // its own rule: they are ORed.
  bool repeated = std::any_of(std::begin(per_index), std::end(per_index), [](unsigned n) { return n > 1; });
  auto add = [&](unsigned n, const scmp_arg_cmp* c) -> Result<void> {
    int e = seccomp_rule_add_array(ctx, r.action, nr, n, c);
    if (e < 0) return fail("error adding seccomp rule for syscall " + r.name + ": " + errno_text(-e), -e);
    return {};
  };
  if (!repeated) return add(static_cast<unsigned>(conds.size()), conds.data());
  for (auto& c : conds) ORUN_TRY_VOID(add(1, &c));
  return {};
}

// libseccomp 2.5 can only export to an fd; a memfd keeps it off the disk.
Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx) {
  int fd = memfd_create("orun-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return fail_errno("error exporting BPF: memfd_create");
  UniqueFd mem(fd);
  if (int e = seccomp_export_bpf(ctx, fd); e < 0) return fail("error exporting BPF: " + errno_text(-e), -e);
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0 || size % sizeof(sock_filter) != 0) return fail("error exporting BPF: odd program size");
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  size_t want = static_cast<size_t>(size), got = 0;
  while (got < want) {
    ssize_t n = pread(fd, reinterpret_cast<char*>(prog.data()) + got, want - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail_errno("error exporting BPF: read back");
    got += static_cast<size_t>(n);
  }
  return prog;
}

}  // namespace

bool wants_enosys_stub(const Profile& p) {
  return !p.default_permissive && p.default_action != SCMP_ACT_ERRNO(ENOSYS);
}

std::vector<ArchLimit> arch_limits(const Profile& p) {
  std::vector<uint32_t> archs = p.architectures;
  // Docker's profiles on some platforms omit the native arch, which would
  // make the stub a no-op there: it is always included (runc 1.1.15).
  uint32_t native = seccomp_arch_native();
  if (std::find(archs.begin(), archs.end(), native) == archs.end()) archs.push_back(native);
  std::sort(archs.begin(), archs.end());
  archs.erase(std::unique(archs.begin(), archs.end()), archs.end());
  std::vector<ArchLimit> out;
  for (uint32_t arch : archs) {
    uint32_t max = 0;
    for (auto& r : p.rules) {
      int nr = seccomp_syscall_resolve_name_arch(arch, r.name.c_str());
      if (nr >= 0) max = std::max(max, static_cast<uint32_t>(nr));
    }
    if (max == 0) {
      log::debug("seccomp: no syscall of the profile is known on arch " + std::to_string(arch));
      continue;
    }
    out.push_back(ArchLimit{audit_arch_of(arch), arch, max});
  }
  return out;
}

std::vector<std::string> unknown_syscalls(const Profile& p) {
  std::vector<std::string> out;
  for (auto& r : p.rules) {
    if (r.action == p.default_action) continue;  // never resolved (runc's order)
    if (seccomp_syscall_resolve_name(r.name.c_str()) == __NR_SCMP_ERROR) out.push_back(r.name);
  }
  return out;
}

Result<std::vector<sock_filter>> compile_program(const Profile& p) {
  scmp_filter_ctx ctx = seccomp_init(p.default_action);
  if (!ctx) return fail("error initializing seccomp - invalid default action");
  ScopeGuard release([ctx] { seccomp_release(ctx); });
  for (uint32_t arch : p.architectures) {
    int e = seccomp_arch_add(ctx, arch);
    if (e < 0 && e != -EEXIST) return fail("error adding architecture to seccomp filter: " + errno_text(-e), -e);
  }
  // no_new_privs is orun's decision (process.noNewPrivileges), not the filter's.
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  // A binary tree of syscalls for long profiles. libseccomp <= 2.5.4
  // misbehaves with it on empty rule sets, hence the threshold (as runc).
  if (p.rules.size() > 32) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

  for (auto& r : p.rules) {
    // A rule with the default's action would change nothing (and libseccomp
    // refuses it).
    if (r.action == p.default_action) continue;
    int nr = seccomp_syscall_resolve_name(r.name.c_str());
    // Not a syscall this libseccomp knows (unknown_syscalls lists them).
    if (nr == __NR_SCMP_ERROR) continue;
    ORUN_TRY_VOID(add_rule(ctx, r, nr));
  }
  auto prog = ORUN_TRY(export_program(ctx));
  if (wants_enosys_stub(p)) {
    auto stub = enosys_stub(arch_limits(p));
    prog.insert(prog.begin(), stub.begin(), stub.end());
  }
  if (prog.empty() || prog.size() > kMaxInstructions)
    return fail("seccomp filter has " + std::to_string(prog.size()) + " instructions (the kernel allows 1-" +
                std::to_string(kMaxInstructions) + ")");
  return prog;
}

}  // namespace orun::security::seccomp
