// Locked mount flags in a user ns (runc's bind remount of a mount with
// MNT_LOCK_* flags): what the kernel refuses, what is kept, what fails.
// The cases are those of runc's mounts_sshfs.bats, with the source flags as
// statfs reports them after `mount --bind -o remount,<host flags>`.
#include <sys/mount.h>

#include <gtest/gtest.h>

#include "init/mount_plan.hpp"

using namespace orun::init;

namespace {

constexpr unsigned long kStrict = MS_STRICTATIME;  // statfs: no atime flag stored

LockedRemount resolve(unsigned long src, unsigned long set, unsigned long cleared = 0) {
  return resolve_locked_remount(src, MS_BIND | set, cleared);
}

TEST(MountLockedFlags, LockableSetExcludesNosymfollow) {
  unsigned long f = mount_lock_flags();
  for (unsigned long want : {MS_RDONLY, MS_NODEV, MS_NOSUID, MS_NOEXEC, MS_NOATIME, MS_RELATIME, MS_STRICTATIME,
                             MS_NODIRATIME})
    EXPECT_TRUE(f & want) << want;
  EXPECT_FALSE(f & MS_NOSYMFOLLOW);
  EXPECT_FALSE(f & MS_SYNCHRONOUS);
}

TEST(MountLockedFlags, KernelRefusesDroppingASetLockedFlag) {
  EXPECT_TRUE(locked_remount_refused(MS_RDONLY | kStrict, MS_BIND | MS_NOSUID));
  EXPECT_TRUE(locked_remount_refused(MS_NODEV | kStrict, MS_BIND));
  EXPECT_FALSE(locked_remount_refused(MS_RDONLY | MS_NODEV | kStrict, MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID));
  // Not lockable: dropping nosymfollow is allowed.
  EXPECT_FALSE(locked_remount_refused(MS_NOSYMFOLLOW | kStrict, MS_BIND));
}

TEST(MountLockedFlags, KernelAtimeRules) {
  // No atime flag asked: the mount's atime is kept, never refused.
  EXPECT_FALSE(locked_remount_refused(MS_NOATIME, MS_BIND));
  // Asked flags must translate to the mount's stored ones.
  EXPECT_FALSE(locked_remount_refused(MS_NOATIME, MS_BIND | MS_NOATIME));
  EXPECT_FALSE(locked_remount_refused(MS_NODIRATIME | MS_RELATIME, MS_BIND | MS_NODIRATIME));
  EXPECT_FALSE(locked_remount_refused(kStrict, MS_BIND | MS_STRICTATIME));
  EXPECT_TRUE(locked_remount_refused(MS_RELATIME, MS_BIND | MS_NODIRATIME));
  EXPECT_TRUE(locked_remount_refused(kStrict, MS_BIND | MS_RELATIME));
  // strictatime wins over noatime in the kernel.
  EXPECT_TRUE(locked_remount_refused(MS_NOATIME, MS_BIND | MS_NOATIME | MS_STRICTATIME));
}

TEST(MountLockedFlags, BindWithClearingFlagKeepsLockedDropsNosymfollow) {
  // host ro,noexec,nosymfollow,nodiratime; bind,dev
  auto r = resolve(MS_RDONLY | MS_NOEXEC | MS_NOSYMFOLLOW | MS_NODIRATIME | MS_RELATIME, 0, MS_NODEV);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_BIND | MS_RDONLY | MS_NOEXEC | MS_NODIRATIME | MS_RELATIME));
}

TEST(MountLockedFlags, ImpliedRwKeepsReadOnly) {
  // host ro; bind,nosuid,nodev
  auto r = resolve(MS_RDONLY | kStrict, MS_NOSUID | MS_NODEV);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_BIND | MS_NOSUID | MS_NODEV | MS_RDONLY | MS_STRICTATIME));
}

TEST(MountLockedFlags, ExplicitRwOnReadOnlyFails) {
  // host ro; bind,rw,nosuid,nodev
  auto r = resolve(MS_RDONLY | kStrict, MS_NOSUID | MS_NODEV, MS_RDONLY);
  EXPECT_EQ(r.verdict, LockedVerdict::cannot_clear);
  EXPECT_EQ(r.offending, static_cast<unsigned long>(MS_RDONLY));
}

TEST(MountLockedFlags, ClearingSeveralLockedFlagsFailsNamingThem) {
  // host nodev,nosuid,noatime; bind,dev,suid,exec,atime
  auto r = resolve(MS_NODEV | MS_NOSUID | MS_NOATIME, 0, MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_NOATIME);
  EXPECT_EQ(r.verdict, LockedVerdict::cannot_clear);
  EXPECT_EQ(r.offending, static_cast<unsigned long>(MS_NODEV | MS_NOSUID | MS_NOATIME));
}

TEST(MountLockedFlags, SettingUnlockedFlagIsUnionWithLocked) {
  // host rw,nodev,nosuid,noexec,noatime; bind,ro
  auto r = resolve(MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_NOATIME, MS_RDONLY);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_EQ(r.flags,
            static_cast<unsigned long>(MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_NOATIME));
  // host nodev,nosuid,noatime; bind,ro,exec: exec clears nothing locked.
  r = resolve(MS_NODEV | MS_NOSUID | MS_NOATIME, MS_RDONLY, MS_NOEXEC);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_FALSE(r.flags & MS_NOEXEC);
  EXPECT_TRUE(r.flags & MS_NOATIME);
}

TEST(MountLockedFlags, SymfollowClearsNonLockable) {
  // host rw,nodev,nosymfollow; bind,ro,symfollow
  auto r = resolve(MS_NODEV | MS_NOSYMFOLLOW | kStrict, MS_RDONLY, MS_NOSYMFOLLOW);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_BIND | MS_RDONLY | MS_NODEV | MS_STRICTATIME));
  // bind,rw: rw clears a flag the source does not have.
  r = resolve(MS_NODEV | MS_NOSYMFOLLOW | kStrict, 0, MS_RDONLY);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_BIND | MS_NODEV | MS_STRICTATIME));
}

TEST(MountLockedFlags, AcceptedRequestsStayAsRequested) {
  auto r = resolve(MS_RDONLY | kStrict, MS_RDONLY | MS_NOSUID);
  EXPECT_EQ(r.verdict, LockedVerdict::as_requested);
  EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_BIND | MS_RDONLY | MS_NOSUID));
  // An unrelated clear flag has no effect (the atime is kept by the kernel).
  r = resolve(MS_NOATIME | MS_NODIRATIME, 0, MS_RELATIME);
  EXPECT_EQ(r.verdict, LockedVerdict::as_requested);
}

TEST(MountLockedFlags, ChangingLockedAtimeFails) {
  struct {
    unsigned long src, set;
  } cases[] = {
      {MS_NODIRATIME | MS_RELATIME, MS_STRICTATIME}, {MS_RELATIME, MS_STRICTATIME},
      {MS_NOATIME, MS_STRICTATIME},                  {MS_NODIRATIME | MS_RELATIME, MS_NOATIME},
      {MS_RELATIME, MS_NOATIME},                     {MS_RELATIME, MS_NODIRATIME},
      {kStrict, MS_RELATIME},                        {kStrict, MS_NOATIME},
      {kStrict, MS_NODIRATIME},                      {MS_NOATIME, MS_RELATIME},
  };
  for (const auto& c : cases) {
    auto r = resolve(c.src, c.set);
    EXPECT_EQ(r.verdict, LockedVerdict::cannot_change_atime) << c.src << " " << c.set;
    EXPECT_EQ(r.offending, c.src) << c.src << " " << c.set;
  }
}

TEST(MountLockedFlags, ClearingInheritedAtimeWithoutSettingIsAccepted) {
  // runc's FIXME cases: the kernel keeps the atime of a remount that names
  // none, so these pass and inherit the source's atime.
  EXPECT_EQ(resolve(kStrict, 0, MS_STRICTATIME).verdict, LockedVerdict::as_requested);
  EXPECT_EQ(resolve(MS_NODIRATIME | MS_RELATIME, 0, MS_NODIRATIME).verdict, LockedVerdict::as_requested);
  EXPECT_EQ(resolve(MS_NODIRATIME | MS_RELATIME, 0, MS_RELATIME).verdict, LockedVerdict::as_requested);
  EXPECT_EQ(resolve(MS_NOATIME | MS_NODIRATIME, 0, MS_NOATIME).verdict, LockedVerdict::as_requested);
}

TEST(MountLockedFlags, FallbackAfterRealRefusalKeepsLockedFlags) {
  // The kernel refused although the flags alone allow it: runc's retry.
  auto r = locked_remount_fallback(MS_RDONLY | kStrict, MS_BIND | MS_RDONLY, 0);
  EXPECT_EQ(r.verdict, LockedVerdict::locked_kept);
  EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_BIND | MS_RDONLY | MS_STRICTATIME));
  EXPECT_EQ(locked_remount_fallback(MS_NOSUID | kStrict, MS_BIND, MS_NOSUID).verdict, LockedVerdict::cannot_clear);
}

}  // namespace
