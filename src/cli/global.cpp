#include "cli/global.hpp"

#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "container/rootless.hpp"
#include "orun/log.hpp"
#include "orun/spec.hpp"
#include "sys/file.hpp"

#ifndef ORUN_VERSION
#define ORUN_VERSION "0.0.0"
#endif
#ifndef ORUN_GIT_COMMIT
#define ORUN_GIT_COMMIT "unknown"
#endif

namespace orun::cli {

bool honor_xdg_runtime_dir() {
  if (::geteuid() != 0) return true;
  if (!container::running_in_user_ns()) return false;
  // Root in a user namespace made by an unprivileged user (e.g. `sudo` inside
  // `unshare -r`) still gets the XDG dir, unless USER says we really are root.
  const char* user = std::getenv("USER");
  return user == nullptr || std::string_view(user) != "root";
}

void add_global_flags(CLI::App& app, GlobalFlags& f) {
  GlobalOptions& g = f.options;
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg != nullptr && *xdg != '\0' && honor_xdg_runtime_dir()) {
    g.root = std::string(xdg) + "/orun";
    f.xdg_root = true;
  }
  add_bool(app, {"debug", "enable debug logging"}, g.debug);
  add_string(app, {"log", "set the log file to write {name} logs to (default is '/dev/stderr')"}, g.log);
  add_string(app, {"log-format", "set the log format ('text' (default), or 'json')", "text"}, f.log_format);
  add_flag(app, {"root", "root directory for storage of container state (this should be located in tmpfs)", g.root},
           FlagKind::string, [&g](const std::string& v) {
             g.root = v;
             g.root_set = true;
           });
  add_string(app, {"criu", "path to the criu binary used for checkpoint/restore", "criu", true}, f.criu);
  add_bool(app, {"systemd-cgroup",
                 "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" "
                 "for e.g. \"system.slice:{name}:434234\""},
           g.systemd_cgroup);
  add_string(app, {"rootless", "ignore cgroup permission errors ('true', 'false', or 'auto')", "auto"}, g.rootless);
  add_bool(app, {"help,h", "show help"}, f.help);
  add_bool(app, {"version,v", "print the version"}, f.version);
}

Result<void> apply_global_flags(GlobalFlags& f) {
  GlobalOptions& g = f.options;
  if (!g.root_set && f.xdg_root) {
    // Files in XDG_RUNTIME_DIR need the sticky bit to escape periodic cleanup.
    if (auto r = sys::mkdir_all(g.root, 0700); !r) {
      std::fputs("the path in $XDG_RUNTIME_DIR must be writable by the user\n", stderr);
      return r;
    }
    if (::chmod(g.root.c_str(), 0700 | S_ISVTX) != 0) {
      int err = errno;
      std::fputs("you should check permission of the path in $XDG_RUNTIME_DIR\n", stderr);
      return fail_errno("chmod " + g.root, err);
    }
  }
  if (g.root_set) {
    g.root = ORUN_TRY(absolute_path(g.root));
    if (g.root == "/") return fail("Option --root argument should not be set to /");
  }
  if (f.criu) g.criu = *f.criu;

  if (f.log_format == "json") g.log_format = LogFormat::json;
  else if (f.log_format == "text" || f.log_format.empty()) g.log_format = LogFormat::text;
  else return fail("invalid log-format: " + f.log_format);
  return log::setup(g);
}

std::string version_text(std::string_view argv0) {
  std::string s = program_name(argv0) + " version " ORUN_VERSION "\n";
  s += "commit: " ORUN_GIT_COMMIT "\n";
  s += std::string("spec: ") + spec::kOciVersion + "\n";
  const scmp_version* v = seccomp_version();
  if (v != nullptr && v->major + v->minor + v->micro > 0)
    s += "libseccomp: " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->micro) + "\n";
  return s;
}

}  // namespace orun::cli
