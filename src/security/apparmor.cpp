#include "security/apparmor.hpp"

#include <sys/stat.h>

#include <fstream>

#include "sys/procfs.hpp"

namespace orun::security {

bool apparmor_enabled() {
  static const bool enabled = [] {
    struct stat st {};
    if (stat("/sys/kernel/security/apparmor", &st) != 0) return false;
    std::ifstream f("/sys/module/apparmor/parameters/enabled");
    std::string v;
    return f && std::getline(f, v) && !v.empty() && v[0] == 'Y';
  }();
  return enabled;
}

std::string apparmor_exec_request(const std::string& name) { return "exec " + name; }

Result<void> apply_apparmor_profile(const std::string& name) {
  if (name.empty()) return {};
  const std::string what = "unable to apply apparmor profile";
  if (!apparmor_enabled()) return fail(what + ": apparmor: config provided but apparmor not supported");
  auto procfs = sys::open_procfs();
  if (!procfs) return std::unexpected(std::move(procfs.error()).context(what));
  // Only our own attr can change under AppArmor: thread-self is exact.
  auto r = sys::write_proc_file(procfs->get(), "thread-self/attr/apparmor/exec", apparmor_exec_request(name));
  if (!r && r.error().err == ENOENT)
    r = sys::write_proc_file(procfs->get(), "thread-self/attr/exec", apparmor_exec_request(name));
  if (!r) return std::unexpected(std::move(r.error()).context(what + ": apparmor failed to apply profile"));
  return {};
}

}  // namespace orun::security
