#include "init/user.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "orun/fd.hpp"
#include "sys/go_text.hpp"
#include "sys/procfs.hpp"

namespace orun::init {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Go's strconv.Atoi with the error ignored: 0 for anything but an optionally
// signed decimal that fits.
int go_atoi(std::string_view s) {
  if (s.empty()) return 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return 0;
  }
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
    if (v > (1LL << 40)) return 0;
  }
  if (neg) v = -v;
  if (v > INT32_MAX || v < INT32_MIN) return 0;
  return static_cast<int>(v);
}

// The non-blank lines of `content`, trimmed (views into it).
std::vector<std::string_view> lines(std::string_view content) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t nl = content.find('\n');
    if (auto l = trim(content.substr(0, nl)); !l.empty()) out.push_back(l);
    if (nl == std::string_view::npos) return out;
    content.remove_prefix(nl + 1);
  }
}

bool is_dev_null(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view content) {
  std::vector<PasswdEntry> out;
  for (auto line : lines(content)) {
    auto f = sys::split(line, ':');
    PasswdEntry e;
    auto field = [&](size_t i) { return i < f.size() ? f[i] : std::string_view{}; };
    e.name = field(0);
    e.pass = field(1);
    e.uid = go_atoi(field(2));
    e.gid = go_atoi(field(3));
    e.gecos = field(4);
    e.home = field(5);
    e.shell = field(6);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view content) {
  std::vector<GroupEntry> out;
  for (auto line : lines(content)) {
    if (line.front() == '#') continue;
    auto f = sys::split(line, ':');
    auto field = [&](size_t i) { return i < f.size() ? f[i] : std::string_view{}; };
    GroupEntry g;
    g.name = field(0);
    g.pass = field(1);
    g.gid = go_atoi(field(2));
    if (f.size() > 3 && !f[3].empty())
      for (auto& m : sys::split(f[3], ',')) g.members.emplace_back(m);
    out.push_back(std::move(g));
  }
  return out;
}

std::optional<PasswdEntry> find_passwd_uid(const std::vector<PasswdEntry>& entries, uid_t uid) {
  for (const auto& e : entries)
    if (e.uid >= 0 && static_cast<uid_t>(e.uid) == uid) return e;
  return std::nullopt;
}

std::string container_home_dir(uid_t uid, const std::string& passwd_path) {
  std::ifstream in(passwd_path);
  if (!in) return "/";
  std::stringstream ss;
  ss << in.rdbuf();
  auto entry = find_passwd_uid(parse_passwd(ss.str()), uid);
  return entry ? entry->home : "/";
}

Result<void> fix_stdio_permissions(uid_t uid) {
  static const char* names[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st{};
    if (::fstat(fd, &st) < 0) {
      if (errno == EBADF) continue;  // closed stdio: nothing to fix
      return fail_errno(std::string("fstat ") + names[fd]);
    }
    if (st.st_uid == uid || is_dev_null(st)) continue;
    // Only the uid: the gid may come from a mount option (devpts gid=5).
    if (::fchown(fd, uid, static_cast<gid_t>(-1)) < 0) {
      if (errno == EPERM || errno == EROFS || errno == EINVAL) continue;
      return fail_errno(std::string("chown ") + names[fd]);
    }
  }
  return {};
}

Result<bool> setgroups_allowed(bool in_userns) {
  const std::string prefix = "unable to setup user";
  if (!in_userns) return true;
  // Through a verified procfs: a faked "deny" would make us keep the
  // runtime's supplementary groups.
  auto proc = sys::open_procfs(sys::ProcfsView::pids);
  if (!proc) return std::unexpected(std::move(proc.error()).context(prefix));
  auto content = sys::read_proc_file(proc->get(), "self/setgroups");
  if (!content) {
    if (content.error().err == ENOENT) return true;  // kernel < 3.19
    return std::unexpected(std::move(content.error()).context(prefix));
  }
  return trim(*content) != "deny";
}

Result<void> setup_user(const spec::User& u, bool allow_setgroups) {
  const std::string prefix = "unable to setup user";
  if (auto r = fix_stdio_permissions(u.uid); !r) return std::unexpected(std::move(r.error()).context(prefix));

  // Keep the permitted set across the switch away from uid 0 so
  // apply_capabilities can still grant what the config asks for.
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail_errno("unable to set keep caps");

  if (allow_setgroups) {
    std::vector<gid_t> gids(u.additional_gids.begin(), u.additional_gids.end());
    if (::syscall(SYS_setgroups, gids.size(), gids.data()) < 0) return fail_errno(prefix + ": setgroups");
  }
  // Raw syscalls: glibc's set*id wrappers broadcast to every thread, which a
  // single-threaded init does not need.
  if (::syscall(SYS_setgid, u.gid) < 0) {
    int e = errno;
    if (e == EINVAL)
      return fail(prefix + ": cannot setgid to unmapped gid " + std::to_string(u.gid) + " in user namespace", e);
    return fail(prefix + ": " + errno_text(e), e);
  }
  if (::syscall(SYS_setuid, u.uid) < 0) {
    int e = errno;
    if (e == EINVAL)
      return fail(prefix + ": cannot setuid to unmapped uid " + std::to_string(u.uid) + " in user namespace", e);
    return fail(prefix + ": " + errno_text(e), e);
  }

  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return fail_errno("unable to clear keep caps");
  return {};
}

mode_t init_umask(const spec::User& u) {
  return u.umask ? static_cast<mode_t>(*u.umask & 07777) : static_cast<mode_t>(0022);
}

void set_umask(const spec::User& u) { ::umask(init_umask(u)); }

Result<void> set_no_new_privs() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail_errno("prctl PR_SET_NO_NEW_PRIVS");
  return {};
}

}  // namespace orun::init
