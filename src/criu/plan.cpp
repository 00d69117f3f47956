#include "criu/plan.hpp"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "sys/go_text.hpp"

namespace orun::criu {

Result<CgMode> parse_cg_mode(const std::string& mode) {
  if (mode.empty()) return CgMode::default_mode;
  if (mode == "soft") return CgMode::soft;
  if (mode == "full") return CgMode::full;
  if (mode == "strict") return CgMode::strict;
  if (mode == "ignore") return CgMode::ignore;
  return fail("invalid manage-cgroups-mode value");
}

Result<uint32_t> empty_ns_mask(const std::vector<std::string>& names) {
  uint32_t mask = CLONE_NEWNET;
  for (auto& n : names) {
    if (n != "network") return fail("namespace " + sys::go_quote(n) + " is not supported");
    mask |= CLONE_NEWNET;
  }
  return mask;
}

Result<std::pair<std::string, int>> parse_page_server(const std::string& value) {
  const auto usage = fail("Use --page-server ADDRESS:PORT to specify page server");
  std::string host, port;
  if (!value.empty() && value[0] == '[') {
    auto close = value.find(']');
    if (close == std::string::npos || close + 1 >= value.size() || value[close + 1] != ':') return usage;
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
  } else {
    auto colon = value.rfind(':');
    if (colon == std::string::npos || value.find(':') != colon) return usage;
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return usage;
  // strconv.Atoi: optional sign, decimal digits, fits an int.
  size_t i = (port[0] == '+' || port[0] == '-') ? 1 : 0;
  if (i == port.size() || port.size() - i > 10 ||
      !std::all_of(port.begin() + static_cast<long>(i), port.end(), [](char c) { return std::isdigit(c); }))
    return fail("Invalid port number");
  long long n = std::stoll(port);
  if (n > INT32_MAX || n < INT32_MIN) return fail("Invalid port number");
  return std::pair{host, static_cast<int>(n)};
}

std::string external_ns_key(spec::NamespaceType t) {
  std::string name = spec::proc_ns_name(t);
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(name[0]));
  return "extRoot" + name + "NS";
}

bool is_bind_mount(const spec::Mount& m) {
  if (m.type == "bind") return true;
  return std::any_of(m.options.begin(), m.options.end(), [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

std::vector<ExtMount> dump_ext_mounts(const MountInputs& in) {
  std::vector<ExtMount> out;
  for (auto& b : in.binds) out.push_back({b.destination, b.destination});
  for (auto& p : in.masked_files) out.push_back({p, "/dev/null"});
  for (auto& d : in.device_paths) out.push_back({d, d});
  return out;
}

std::vector<ExtMount> restore_ext_mounts(const MountInputs& in) {
  std::vector<ExtMount> out;
  for (auto& b : in.binds) out.push_back({b.destination, b.source});
  if (in.has_masked_paths) out.push_back({"/dev/null", "/dev/null"});
  for (auto& d : in.device_paths) out.push_back({d, d});
  return out;
}

std::vector<std::string> device_paths(const spec::Spec& s) {
  std::vector<std::string> out;
  for (auto& d : s.linux.devices) out.push_back(d.path);
  for (const char* d : {"/dev/null", "/dev/random", "/dev/full", "/dev/tty", "/dev/zero", "/dev/urandom"})
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  return out;
}

std::vector<InheritFd> pipe_inherit_fds(const std::vector<std::string>& descriptors) {
  std::vector<InheritFd> out;
  for (size_t i = 0; i < descriptors.size(); i++)
    if (descriptors[i].find("pipe:") != std::string::npos) out.push_back({descriptors[i], static_cast<int>(i)});
  return out;
}

std::vector<CgroupRoot> cgroup_roots(const std::string& proc_cgroup) {
  std::vector<CgroupRoot> out;
  std::istringstream in(proc_cgroup);
  std::string line;
  auto add = [&](const std::string& ctrl, const std::string& path) {
    for (auto& r : out)
      if (r.ctrl == ctrl) {
        r.path = path;
        return;
      }
    out.push_back({ctrl, path});
  };
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (ctrls.empty()) {
      add("", path);
      continue;
    }
    std::istringstream cs(ctrls);
    std::string c;
    while (std::getline(cs, c, ',')) add(c, path);
  }
  return out;
}

std::vector<std::string> dumpable_controllers(const std::string& proc_cgroup) {
  std::vector<std::string> inside;
  bool outside = false;
  std::istringstream in(proc_cgroup);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (path == "/.." || path.rfind("/../", 0) == 0) {
      outside = true;
      continue;
    }
    std::istringstream cs(ctrls);
    std::string c;
    while (std::getline(cs, c, ','))
      if (!c.empty()) inside.push_back(c);
  }
  return outside ? inside : std::vector<std::string>{};
}

std::vector<std::string> quote_errors(const std::string& log, const std::string& path) {
  constexpr int kMax = 6;  // the "Error" line and five before it
  std::vector<std::string> out;
  std::string ring[kMax];
  int idx = 0, line_no = 0, printed = 0;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    line_no++;
    ring[idx] = line;
    idx = (idx + 1) % kMax;
    if (line.find("Error") == std::string::npos) continue;
    if (printed == 0) out.push_back("--- Quoting " + sys::go_quote(path));
    else if (line_no - kMax > printed) out.push_back("...");
    for (int add = 0; add < kMax; add++) {
      const std::string& s = ring[(idx + add) % kMax];
      int act = line_no + add - kMax + 1;
      if (!s.empty() && act > printed) {
        out.push_back(std::to_string(act) + ":" + s);
        printed = act;
      }
    }
  }
  if (printed != 0) out.push_back("---");
  return out;
}

}  // namespace orun::criu
