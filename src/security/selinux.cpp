#include "security/selinux.hpp"

#include <sys/statfs.h>

#include <fstream>

#include "sys/procfs.hpp"

namespace orun::security {

namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

Result<void> write_attr(const char* attr, const std::string& label, const char* what) {
  if (label.empty() || !selinux_enabled()) return {};
  auto procfs = sys::open_procfs();
  if (!procfs) return std::unexpected(std::move(procfs.error()).context(what));
  return with_context(sys::write_proc_file(procfs->get(), std::string("thread-self/attr/") + attr, label), what);
}

}  // namespace

bool selinux_enabled() {
  static const bool enabled = [] {
    bool mounted = false;
    for (const char* p : {"/sys/fs/selinux", "/selinux"}) {
      struct statfs st {};
      if (statfs(p, &st) == 0 && static_cast<long>(st.f_type) == kSelinuxMagic) mounted = true;
    }
    if (!mounted) return false;
    std::ifstream f("/proc/self/attr/current");
    std::string label;
    std::getline(f, label, '\0');
    while (!label.empty() && (label.back() == '\n' || label.back() == '\0')) label.pop_back();
    return label != "kernel";
  }();
  return enabled;
}

Result<void> selinux_set_exec_label(const std::string& label) {
  return write_attr("exec", label, "can't set process label");
}

Result<void> selinux_set_keycreate_label(const std::string& label) {
  return write_attr("keycreate", label, "can't set key label");
}

}  // namespace orun::security
