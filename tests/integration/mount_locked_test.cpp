// Bind mounts of a source with flags the kernel locks in a user namespace
// (ro, nodev, nosuid, noexec, atime): with a user ns they are kept unless
// cleared explicitly, and clearing one fails the container, as runc does
// (runc's mounts_sshfs.bats, on a tmpfs source).
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "harness.hpp"

namespace orun::itest {
namespace {

using ::testing::HasSubstr;

// A host tmpfs with per-mount flags set by a bind remount, unmounted when
// the test body ends (before teardown removes the temp dir), even on failure.
class HostSource {
 public:
  explicit HostSource(std::string dir) : dir_(std::move(dir)) {
    ::mkdir(dir_.c_str(), 0755);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "mode=0755") == 0;
  }
  ~HostSource() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    ::rmdir(dir_.c_str());
  }
  HostSource(const HostSource&) = delete;
  HostSource& operator=(const HostSource&) = delete;

  bool mounted() const { return mounted_; }
  // `mount --bind -o remount,<flags>` after resetting the atime to strict.
  ::testing::AssertionResult set_flags(unsigned long flags) {
    unsigned long base = MS_BIND | MS_REMOUNT;
    if (::mount(nullptr, dir_.c_str(), nullptr, base | MS_STRICTATIME, nullptr) < 0 ||
        ::mount(nullptr, dir_.c_str(), nullptr, base | flags, nullptr) < 0)
      return ::testing::AssertionFailure() << "remount " << dir_ << ": " << std::strerror(errno);
    return ::testing::AssertionSuccess();
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

class MountLockedTest : public ContainerTest {
 protected:
  void bind_mnt(const std::string& source, const std::vector<std::string>& options) {
    Json mounts = Json::array();
    for (auto& m : config_["mounts"])
      if (m["destination"] != "/mnt") mounts.push_back(m);
    mounts.push_back({{"source", source}, {"destination", "/mnt"}, {"type", "bind"}, {"options", options}});
    config_["mounts"] = mounts;
  }
  void use_userns() {
    config_["linux"]["namespaces"].push_back({{"type", "user"}});
    config_["linux"]["uidMappings"] =
        Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65534}}});
    config_["linux"]["gidMappings"] =
        Json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65534}}});
  }
  // The options of /mnt as the container sees them, split on ','.
  std::vector<std::string> mnt_flags(const CommandResult& r) {
    std::vector<std::string> out;
    std::istringstream in(trim(r.out));
    std::string f;
    while (std::getline(in, f, ',')) out.push_back(f);
    return out;
  }
  CommandResult run_mnt() { return run_sh("awk '$2 == \"/mnt\" { print $4 }' /proc/self/mounts"); }
};

using ::testing::Contains;
using ::testing::Not;

TEST_F(MountLockedTest, UnrequestedLockedFlagsAreKeptInUserns) {
  HostSource src(tmp_ + "/src");
  ASSERT_TRUE(src.mounted());
  ASSERT_TRUE(src.set_flags(MS_RDONLY | MS_NOEXEC | MS_NOSYMFOLLOW));
  use_userns();
  bind_mnt(src.dir(), {"bind", "nodev"});
  auto r = run_mnt();
  ASSERT_EQ(r.exit_code, 0) << r;
  auto f = mnt_flags(r);
  EXPECT_THAT(f, Contains("ro")) << r;
  EXPECT_THAT(f, Contains("noexec")) << r;
  EXPECT_THAT(f, Contains("nodev")) << r;
  // nosymfollow is not lockable: unrequested, it is dropped.
  EXPECT_THAT(f, Not(Contains("nosymfollow"))) << r;
}

TEST_F(MountLockedTest, ExplicitlyClearingALockedFlagFailsInUserns) {
  HostSource src(tmp_ + "/src");
  ASSERT_TRUE(src.mounted());
  ASSERT_TRUE(src.set_flags(MS_RDONLY));
  use_userns();
  bind_mnt(src.dir(), {"bind", "rw", "nosuid"});
  auto r = run_mnt();
  EXPECT_NE(r.exit_code, 0) << r;
  // The log line escapes the quotes of runc's `error mounting "SRC" to
  // rootfs at "DST"`: match the pieces.
  EXPECT_THAT(r.err, HasSubstr("error during container init: error mounting")) << r;
  EXPECT_THAT(r.err, HasSubstr(src.dir())) << r;
  EXPECT_THAT(r.err, HasSubstr("to rootfs at")) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot clear locked flags MS_RDONLY")) << r;
  EXPECT_THAT(r.err, HasSubstr("operation not permitted")) << r;
}

TEST_F(MountLockedTest, ChangingLockedAtimeFailsInUserns) {
  HostSource src(tmp_ + "/src");
  ASSERT_TRUE(src.mounted());
  ASSERT_TRUE(src.set_flags(MS_NOATIME));
  use_userns();
  bind_mnt(src.dir(), {"bind", "relatime"});
  auto r = run_mnt();
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot change locked atime flags")) << r;
  EXPECT_THAT(r.err, HasSubstr("operation not permitted")) << r;
}

TEST_F(MountLockedTest, InheritedAtimeIsKeptInUserns) {
  HostSource src(tmp_ + "/src");
  ASSERT_TRUE(src.mounted());
  ASSERT_TRUE(src.set_flags(MS_NOATIME | MS_NODIRATIME));
  use_userns();
  bind_mnt(src.dir(), {"bind", "norelatime"});
  auto r = run_mnt();
  ASSERT_EQ(r.exit_code, 0) << r;
  auto f = mnt_flags(r);
  EXPECT_THAT(f, Contains("noatime")) << r;
  EXPECT_THAT(f, Contains("nodiratime")) << r;
}

TEST_F(MountLockedTest, WithoutUsernsRequestedFlagsReplaceTheSource) {
  HostSource src(tmp_ + "/src");
  ASSERT_TRUE(src.mounted());
  ASSERT_TRUE(src.set_flags(MS_RDONLY | MS_NODEV));
  bind_mnt(src.dir(), {"bind", "rw", "nosuid"});
  auto r = run_mnt();
  ASSERT_EQ(r.exit_code, 0) << r;
  auto f = mnt_flags(r);
  EXPECT_THAT(f, Contains("rw")) << r;
  EXPECT_THAT(f, Contains("nosuid")) << r;
  EXPECT_THAT(f, Not(Contains("nodev"))) << r;
}

}  // namespace
}  // namespace orun::itest
