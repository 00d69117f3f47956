// bpf(2) for the v2 device program: load, find what is attached, attach.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "cgroups/devices.hpp"

namespace orun::cgroups {

namespace {

long sys_bpf(int cmd, bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

Result<UniqueFd> load(const std::vector<bpf_insn>& prog) {
  // Before 5.11 BPF memory is charged to RLIMIT_MEMLOCK; the limit is not
  // inherited by the container (its init sets its own rlimits).
  rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  (void)setrlimit(RLIMIT_MEMLOCK, &unlimited);
  static const char kLicense[] = "Apache";
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(prog.data());
  attr.insn_cnt = static_cast<uint32_t>(prog.size());
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  int fd = static_cast<int>(sys_bpf(BPF_PROG_LOAD, &attr));
  if (fd >= 0) return UniqueFd(fd);
  int err = errno;
  // Ask the verifier why, for the error message.
  std::string log(16384, '\0');
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  fd = static_cast<int>(sys_bpf(BPF_PROG_LOAD, &attr));
  if (fd >= 0) return UniqueFd(fd);
  log.resize(strnlen(log.c_str(), log.size()));
  return fail_errno("load device eBPF program" + (log.empty() ? std::string() : " (" + log + ")"), err);
}

Result<std::vector<UniqueFd>> attached(int dir_fd) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr{};
  attr.query.target_fd = static_cast<uint32_t>(dir_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) return fail_errno("bpf_prog_query(BPF_CGROUP_DEVICE) failed");
  std::vector<UniqueFd> out;
  for (uint32_t i = 0; i < attr.query.prog_cnt && i < ids.size(); i++) {
    bpf_attr get{};
    get.prog_id = ids[i];
    int fd = static_cast<int>(sys_bpf(BPF_PROG_GET_FD_BY_ID, &get));
    if (fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      return fail_errno("bpf_prog_get_fd_by_id");
    }
    out.emplace_back(fd);
  }
  return out;
}

}  // namespace

Result<void> attach_device_program(int dir_fd, const std::vector<bpf_insn>& prog) {
  UniqueFd fd = ORUN_TRY(load(prog));
  std::vector<UniqueFd> old = ORUN_TRY(attached(dir_fd));
  bpf_attr attr{};
  attr.target_fd = static_cast<uint32_t>(dir_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(fd.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (old.size() == 1) {
    // Swap atomically so there is no moment without a filter (5.6+).
    attr.attach_flags |= BPF_F_REPLACE;
    attr.replace_bpf_fd = static_cast<uint32_t>(old[0].get());
    if (sys_bpf(BPF_PROG_ATTACH, &attr) == 0) return {};
    if (errno != EINVAL) return fail_errno("failed to call BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)");
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    attr.replace_bpf_fd = 0;
  }
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
    return fail_errno("failed to call BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)");
  // The new filter is in place: the old ones would only deny more.
  for (auto& o : old) {
    bpf_attr d{};
    d.target_fd = static_cast<uint32_t>(dir_fd);
    d.attach_bpf_fd = static_cast<uint32_t>(o.get());
    d.attach_type = BPF_CGROUP_DEVICE;
    if (sys_bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT)
      return fail_errno("failed to call BPF_PROG_DETACH (BPF_CGROUP_DEVICE)");
  }
  return {};
}

}  // namespace orun::cgroups
