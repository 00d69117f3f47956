#include "diagnose/mountinfo.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "sys/path.hpp"

namespace orun::diagnose {

namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out += static_cast<char>(v);
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::string clean(const std::string& p) { return sys::clean_abs(p); }

}  // namespace

std::vector<MountEntry> parse_mountinfo(const std::string& content) {
  std::vector<MountEntry> out;
  std::istringstream in(content);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    std::string x;
    while (words >> x) w.push_back(x);
    auto dash = std::find(w.begin(), w.end(), "-");
    if (w.size() < 5 || dash == w.end() || std::distance(dash, w.end()) < 3) continue;
    out.push_back({unescape(w[4]), *(dash + 1), unescape(*(dash + 2)), std::distance(dash, w.end()) > 3 ? *(dash + 3) : ""});
  }
  return out;
}

MountDiff diff_mounts(const std::vector<std::string>& configured, const std::vector<std::string>& explained,
                      const std::vector<std::string>& trees, const std::vector<MountEntry>& mounted) {
  std::set<std::string> have;
  for (const auto& m : mounted) have.insert(clean(m.mount_point));
  std::set<std::string> want, known;
  for (const auto& c : configured) want.insert(clean(c));
  for (const auto& e : explained) known.insert(clean(e));
  MountDiff d;
  for (const auto& c : configured) {
    std::string p = clean(c);
    if (!have.count(p) && std::find(d.missing.begin(), d.missing.end(), p) == d.missing.end()) d.missing.push_back(p);
  }
  for (const auto& m : mounted) {
    std::string p = clean(m.mount_point);
    if (want.count(p) || known.count(p)) continue;
    bool below = false;
    for (const auto& t : trees) below |= sys::is_lexically_in_root(clean(t), p);
    if (below) continue;
    if (std::find(d.extra.begin(), d.extra.end(), p) == d.extra.end()) d.extra.push_back(p);
  }
  return d;
}

}  // namespace orun::diagnose
