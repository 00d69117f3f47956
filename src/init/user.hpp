// The process identity inside the container: /etc/passwd and /etc/group of the
// container rootfs, supplementary groups, gid, uid, umask, no_new_privs, and
// the ownership of stdio. Runs in the container init after pivot_root.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::init {

// One /etc/passwd line: name:pass:uid:gid:gecos:home:shell.
struct PasswdEntry {
  std::string name, pass;
  int uid = 0, gid = 0;
  std::string gecos, home, shell;
};

// One /etc/group line: name:pass:gid:member,member.
struct GroupEntry {
  std::string name, pass;
  int gid = 0;
  std::vector<std::string> members;
};

// Parsing follows moby/sys/user (what runc uses): lines are trimmed, blank
// lines skipped, missing trailing fields left empty, a non-numeric id reads as
// 0 (like Go's strconv.Atoi error value). /etc/group also skips '#' lines;
// /etc/passwd does not.
std::vector<PasswdEntry> parse_passwd(std::string_view content);
std::vector<GroupEntry> parse_group(std::string_view content);

// First entry with that uid, if any.
std::optional<PasswdEntry> find_passwd_uid(const std::vector<PasswdEntry>& entries, uid_t uid);

// Home directory of `uid` in the container's /etc/passwd (the init has already
// pivoted, so the plain path is the container's), or "/" when the file cannot
// be read or has no entry.
std::string container_home_dir(uid_t uid, const std::string& passwd_path = "/etc/passwd");

// runc's fixStdioPermissions: fchown fds 0-2 to `uid` (gid unchanged) unless
// already owned by it or open on /dev/null. EPERM (owner not mapped in our
// user namespace), EROFS (read-only /dev) and EINVAL are ignored.
Result<void> fix_stdio_permissions(uid_t uid);

// Whether setgroups(2) may be called: false when, in a user namespace,
// /proc/self/setgroups reads "deny" (read through a verified private procfs,
// sys/procfs.hpp). Call it before the container's seccomp filter is loaded:
// the procfs handle needs fsopen/open_tree/openat2/statx, which a profile may
// deny, and after the filter the init makes only the syscalls runc makes
// there. Outside a user namespace: true without reading anything.
// Errors carry runc's prefix "unable to setup user: ".
Result<bool> setgroups_allowed(bool in_userns);

// The user switch (runc's finalizeNamespace middle part), in this order:
// fix_stdio_permissions; PR_SET_KEEPCAPS 1 (so the permitted set survives the
// switch away from uid 0 and capabilities can be applied afterwards);
// setgroups(additional_gids) unless !allow_setgroups (rootless, or
// setgroups_allowed() said "deny": then silently skipped, as runc does);
// setgid; setuid; PR_SET_KEEPCAPS 0. Runs after the seccomp filter (without
// no_new_privs), so it makes only fstat, fchown, prctl, setgroups, setgid and
// setuid.
// Call after security::drop_bounding_set and before
// security::apply_capabilities. All errors carry runc's prefix
// "unable to setup user: ", e.g.
//   "unable to setup user: setgroups: operation not permitted"
//   "unable to setup user: cannot setgid to unmapped gid 5 in user namespace"
//   "unable to setup user: cannot setuid to unmapped uid 5 in user namespace"
// except "unable to set keep caps: ..." / "unable to clear keep caps: ...".
Result<void> setup_user(const spec::User& u, bool allow_setgroups);

// The umask for the container init: process.user.umask, else 0022.
mode_t init_umask(const spec::User& u);
void set_umask(const spec::User& u);

// prctl(PR_SET_NO_NEW_PRIVS, 1).
Result<void> set_no_new_privs();

}  // namespace orun::init
