// Reading the id maps of an existing user namespace, for configs that join
// one (linux.namespaces[].path): runc caches them to compute host ids.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "orun/fd.hpp"
#include "orun/spec.hpp"
#include "sys/file.hpp"

namespace orun::spec {

namespace {

// `nsenter --user=<ns_path> cat <file>`: a forked child joins the user
// namespace (setns needs a single-threaded process, which a fork child of a
// single-threaded parent is) and sends the file back through a pipe.
Result<std::string> cat_in_userns(const std::string& ns_path, const std::string& file) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) < 0) return fail_errno("create pipe for userns spawn failed");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) < 0) return fail_errno("create error pipe for userns spawn failed");
  UniqueFd err_r(err[0]), err_w(err[1]);

  pid_t pid = ::fork();
  if (pid < 0) return fail_errno("failed to spawn fork for userns");
  if (pid == 0) {
    // Child of a single-threaded caller (read_userns_mappings' contract), so
    // plain library calls are safe. A failure goes to the parent on the
    // error pipe; when even that write fails the parent says "child failed".
    auto die = [&err_w](const std::string& what, int e) {
      if (auto w = sys::write_all(err_w.get(), what + ": " + errno_text(e), "error pipe"); !w) ::_exit(2);
      ::_exit(1);
    };
    int fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("open " + ns_path, errno);
    if (::setns(fd, CLONE_NEWUSER) < 0) die("setns " + ns_path, errno);
    int in = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) die("open " + file, errno);
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(in, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      // A short copy must not pass for the whole map.
      if (!sys::write_all(out_w.get(), std::string_view(buf, static_cast<size_t>(n)), "userns pipe")) ::_exit(1);
    }
    ::_exit(0);
  }
  out_w.reset();
  err_w.reset();
  auto data = sys::read_fd(out_r.get(), "userns pipe");
  auto errtext = sys::read_fd(err_r.get(), "userns error pipe");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!data) return std::unexpected(data.error());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string e = errtext && !errtext->empty() ? *errtext : "child failed";
    for (auto& ch : e) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return fail("userns spawn: " + e);
  }
  return *data;
}

Result<std::vector<IdMapping>> parse_idmap(const std::string& data) {
  std::vector<IdMapping> out;
  std::istringstream in(data);
  std::string line;
  while (std::getline(in, line)) {
    long long c = 0, h = 0, s = 0;
    char extra = 0;
    int n = std::sscanf(line.c_str(), "%lld %lld %lld %c", &c, &h, &s, &extra);
    if (n < 3 || c < 0 || h < 0 || s < 0)
      return fail("parsing id map failed: invalid format in line \"" + line + "\"");
    out.push_back(IdMapping{static_cast<uint32_t>(c), static_cast<uint32_t>(h),
                            static_cast<uint32_t>(s)});
  }
  return out;
}

}  // namespace

Result<UsernsMappings> read_userns_mappings(const std::string& ns_path) {
  // /proc/<pid>/ns/user names a process inside that namespace, whose maps
  // can be read directly.
  int pid = 0;
  char extra = 0;
  bool fast = std::sscanf(ns_path.c_str(), "/proc/%d/ns/user%c", &pid, &extra) == 1 && pid > 0;

  UsernsMappings m;
  for (const char* name : {"uid_map", "gid_map"}) {
    std::string data;
    bool have = false;
    if (fast) {
      if (auto d = sys::read_file("/proc/" + std::to_string(pid) + "/" + name)) {
        data = std::move(*d);
        have = true;
      }
    }
    if (!have) data = ORUN_TRY(cat_in_userns(ns_path, std::string("/proc/self/") + name));
    auto maps = parse_idmap(data);
    if (!maps)
      return fail("failed to parse " + std::string(name) + " of userns " + ns_path + ": " +
                  maps.error().msg);
    (std::string(name) == "uid_map" ? m.uid : m.gid) = std::move(*maps);
  }
  return m;
}

}  // namespace orun::spec
