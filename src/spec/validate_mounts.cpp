// Static mount checks of runc 1.5.1: NUL bytes (specconv), bind mounts with
// filesystem data, id-mapped mount rules (validator), uid=/gid= options of
// rootless containers.
#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "orun/spec.hpp"
#include "spec/parse_internal.hpp"
#include "spec/validate_internal.hpp"

namespace orun::spec::detail {

namespace {

// Options runc's parseMountOptions consumes itself; everything else
// (including "defaults", whose table flag is 0) becomes mount(2) data.
constexpr std::string_view kFlagOptions[] = {
    "async",      "atime",      "bind",      "dev",         "diratime",      "dirsync",
    "exec",       "iversion",   "lazytime",  "loud",        "mand",          "noatime",
    "nodev",      "nodiratime", "noexec",    "noiversion",  "nolazytime",    "nomand",
    "norelatime", "nostrictatime", "nosuid", "nosymfollow", "rbind",         "relatime",
    "remount",    "ro",         "rw",        "silent",      "strictatime",   "suid",
    "sync",       "symfollow",
    // propagation
    "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
    // recursive mount attributes
    "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime",
    "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime",
    "rnostrictatime", "rnosymfollow", "rsymfollow",
    // extensions and id mapping
    "tmpcopyup", "idmap", "ridmap"};

struct MountKind {
  bool bind = false;
  bool idmap_option = false;
  std::string data;
};

MountKind classify(const Mount& m) {
  MountKind k;
  for (const auto& o : m.options) {
    bool known = false;
    for (auto f : kFlagOptions)
      if (o == f) known = true;
    if (o == "bind" || o == "rbind") k.bind = true;
    if (o == "idmap" || o == "ridmap") k.idmap_option = true;
    if (!known) {
      if (!k.data.empty()) k.data += ',';
      k.data += o;
    }
  }
  return k;
}

bool has_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

std::unexpected<Error> mount_error(const Mount& m, const std::string& what) {
  return fail("invalid mount " + go_mount_string(m) + ": " + what);
}

Result<void> check_idmap(const ValidateContext& c, const Mount& m, const MountKind& k) {
  bool has_maps = !m.uid_mappings.empty() || !m.gid_mappings.empty();
  if (!k.idmap_option && !has_maps) return {};
  if (!k.bind) return mount_error(m, "id-mapped mounts are only supported for bind-mounts");
  if (c.rootless_euid)
    return mount_error(m, "id-mapped mounts are not supported for rootless containers");
  const std::vector<IdMapping>* uid = &m.uid_mappings;
  const std::vector<IdMapping>* gid = &m.gid_mappings;
  if (!has_maps) {
    // idmap/ridmap without mappings take the container's user namespace.
    if (const Namespace* user = c.spec.linux.find_namespace(NamespaceType::user)) {
      if (!user->path.empty()) return {};
      uid = &c.uid_maps;
      gid = &c.gid_maps;
    }
  }
  if (uid->empty() || gid->empty())
    return mount_error(m, "id-mapped mounts must have both uid and gid mappings specified");
  return {};
}

// Go's strconv.Atoi, as runc uses it on uid=/gid= values.
bool go_atoi(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  std::string str(s);
  if (str[0] == '+' || str[0] == '-') {
    if (str.size() == 1) return false;
  }
  for (size_t i = (str[0] == '+' || str[0] == '-') ? 1 : 0; i < str.size(); ++i)
    if (str[i] < '0' || str[i] > '9') return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(str.c_str(), &end, 10);
  if (errno == ERANGE) return false;
  out = v;
  return true;
}

}  // namespace

Result<void> validate_mounts_specconv(const ValidateContext& c) {
  for (size_t i = 0; i < c.spec.mounts.size(); ++i) {
    const Mount& m = c.spec.mounts[i];
    // REQUIRED by config.md; runc warns that "" is not absolute, then fails
    // in the init on a mount over the rootfs itself.
    if (m.destination.empty())
      return fail("mounts[" + std::to_string(i) + "].destination must not be empty");
    // Deprecated but allowed (config.md: MAY be relative, taken from "/"):
    // runc's warning.
    if (m.destination[0] != '/' && c.warnings)
      c.warnings->push_back("mount destination " + m.destination +
                            " is not absolute. Support for non-absolute mount destinations will "
                            "be removed in a future release.");
    MountKind k = classify(m);
    // For binds runc replaces the type with "bind" before this check.
    if (has_nul(m.source) || has_nul(m.destination) || (!k.bind && has_nul(m.type)))
      return mount_error(m, "mount field contains null byte");
  }
  return {};
}

Result<void> validate_mounts_strict(const ValidateContext& c) {
  for (const auto& m : c.spec.mounts) {
    MountKind k = classify(m);
    // The kernel ignores data on a bind mount and it cannot be set per
    // mountpoint, so runc refuses it rather than silently dropping it.
    if (k.bind && !k.data.empty())
      return mount_error(m, "bind mounts cannot have any filesystem-specific options applied");
    ORUN_TRY_VOID(check_idmap(c, m, k));
  }
  return {};
}

Result<void> validate_rootless_mounts(const ValidateContext& c) {
  for (const auto& m : c.spec.mounts) {
    MountKind k = classify(m);
    if (k.data.find("id=") == std::string::npos) continue;
    size_t i = 0;
    while (i <= k.data.size()) {
      size_t j = k.data.find(',', i);
      if (j == std::string::npos) j = k.data.size();
      std::string_view opt(k.data.data() + i, j - i);
      i = j + 1;
      bool is_uid = opt.starts_with("uid="), is_gid = opt.starts_with("gid=");
      if (!is_uid && !is_gid) continue;
      int64_t id = 0;
      if (!go_atoi(opt.substr(4), id)) continue;  // unknown values are left to the kernel
      auto r = host_id(c, id, is_uid);
      if (!r)
        return fail("cannot specify " + std::string(opt) +
                    " mount option for rootless container: " + r.error().msg);
    }
  }
  return {};
}

}  // namespace orun::spec::detail
