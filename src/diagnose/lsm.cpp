// AppArmor and SELinux as orun's own code sees them (security/apparmor.hpp,
// security/selinux.hpp), plus the kernel's active LSM list when readable.
#include <fstream>
#include <string>

#include "diagnose/probes.hpp"
#include "security/apparmor.hpp"
#include "security/selinux.hpp"

namespace orun::diagnose {

void probe_lsm(Items& out) {
  std::ifstream f("/sys/kernel/security/lsm");
  std::string lsms;
  if (f) std::getline(f, lsms);
  std::string active = lsms.empty() ? "" : " (active LSMs: " + lsms + ")";
  if (security::apparmor_enabled()) {
    out.push_back(ok_item("apparmor", "enabled; process.apparmorProfile is applied" + active));
  } else {
    out.push_back(ok_item("apparmor", "not enabled; a config naming a profile fails (\"apparmor not supported\")" + active));
  }
  if (security::selinux_enabled()) {
    out.push_back(ok_item("selinux", "enabled; process labels are applied"));
  } else {
    out.push_back(ok_item("selinux", "not enabled; labels in configs are ignored or rejected as runc does"));
  }
}

}  // namespace orun::diagnose
