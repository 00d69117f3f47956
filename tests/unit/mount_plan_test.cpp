// The mount option planner (runc's parseMountOptions table and the per-type
// decisions), checked without root.
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <gtest/gtest.h>

#include "init/devices.hpp"
#include "init/mount_plan.hpp"

using namespace orun;
using namespace orun::init;

namespace {

MountOptions opts(std::vector<std::string> o) { return parse_mount_options(o); }

spec::Mount mnt(std::string dest, std::string type, std::string src, std::vector<std::string> o) {
  spec::Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(src);
  m.options = std::move(o);
  return m;
}

}  // namespace

TEST(MountOptions, SetFlagsMapToMsFlags) {
  struct {
    const char* name;
    unsigned long flag;
  } cases[] = {
      {"bind", MS_BIND},         {"rbind", MS_BIND | MS_REC}, {"ro", MS_RDONLY},
      {"nosuid", MS_NOSUID},     {"nodev", MS_NODEV},         {"noexec", MS_NOEXEC},
      {"sync", MS_SYNCHRONOUS},  {"dirsync", MS_DIRSYNC},     {"mand", MS_MANDLOCK},
      {"noatime", MS_NOATIME},   {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME},
      {"strictatime", MS_STRICTATIME}, {"lazytime", MS_LAZYTIME}, {"iversion", MS_I_VERSION},
      {"silent", MS_SILENT},     {"nosymfollow", MS_NOSYMFOLLOW}, {"remount", MS_REMOUNT},
  };
  for (const auto& c : cases) {
    auto o = opts({c.name});
    EXPECT_EQ(o.flags, c.flag) << c.name;
    EXPECT_EQ(o.cleared_flags, 0u) << c.name;
    EXPECT_EQ(o.data, "") << c.name;
  }
}

TEST(MountOptions, ClearFlagsAreRecordedAsCleared) {
  struct {
    const char* name;
    unsigned long flag;
  } cases[] = {
      {"rw", MS_RDONLY},          {"suid", MS_NOSUID},       {"dev", MS_NODEV},
      {"exec", MS_NOEXEC},        {"async", MS_SYNCHRONOUS}, {"atime", MS_NOATIME},
      {"diratime", MS_NODIRATIME}, {"norelatime", MS_RELATIME}, {"nostrictatime", MS_STRICTATIME},
      {"nolazytime", MS_LAZYTIME}, {"noiversion", MS_I_VERSION}, {"nomand", MS_MANDLOCK},
      {"loud", MS_SILENT},        {"symfollow", MS_NOSYMFOLLOW},
  };
  for (const auto& c : cases) {
    auto o = opts({c.name});
    EXPECT_EQ(o.flags, 0u) << c.name;
    EXPECT_EQ(o.cleared_flags, c.flag) << c.name;
  }
}

TEST(MountOptions, LaterOptionWins) {
  auto o = opts({"ro", "rw"});
  EXPECT_EQ(o.flags & MS_RDONLY, 0u);
  EXPECT_EQ(o.cleared_flags, static_cast<unsigned long>(MS_RDONLY));
  o = opts({"rw", "ro"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_RDONLY));
  EXPECT_EQ(o.cleared_flags, 0u);
}

TEST(MountOptions, PropagationKeptInOrder) {
  auto o = opts({"rprivate", "shared", "slave", "rslave", "private", "rshared", "unbindable", "runbindable"});
  std::vector<unsigned long> want = {MS_PRIVATE | MS_REC, MS_SHARED,    MS_SLAVE,      MS_SLAVE | MS_REC,
                                     MS_PRIVATE,          MS_SHARED | MS_REC, MS_UNBINDABLE, MS_UNBINDABLE | MS_REC};
  EXPECT_EQ(o.propagation, want);
  EXPECT_EQ(o.flags, 0u);
}

TEST(MountOptions, RecursiveAttributes) {
  auto o = opts({"rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow"});
  EXPECT_TRUE(o.has_rec_attr);
  EXPECT_EQ(o.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                  MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW));
  EXPECT_EQ(o.rec_attr_clr, 0u);
  EXPECT_EQ(o.flags, 0u);

  o = opts({"rrw", "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow"});
  EXPECT_EQ(o.rec_attr_set, 0u);
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                  MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW));
  o = opts({"rro", "rrw"});
  EXPECT_EQ(o.rec_attr_set, 0u);
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR_RDONLY));
}

TEST(MountOptions, RecursiveAtimeAlsoClearsTheAtimeField) {
  auto o = opts({"rnoatime"});
  EXPECT_EQ(o.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_NOATIME));
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
  o = opts({"rstrictatime"});
  EXPECT_EQ(o.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_STRICTATIME));
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
  o = opts({"rrelatime"});  // MOUNT_ATTR_RELATIME is 0: only the clear field says it
  EXPECT_TRUE(o.has_rec_attr);
  EXPECT_EQ(o.rec_attr_set, 0u);
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
  o = opts({"ratime"});
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME | MOUNT_ATTR_NOATIME));
  // rnodiratime is not part of the atime enum.
  o = opts({"rnodiratime"});
  EXPECT_EQ(o.rec_attr_clr, 0u);
}

TEST(MountOptions, DataOptionsJoinedInOrder) {
  auto o = opts({"nosuid", "mode=755", "size=65536k", "newinstance", "ptmxmode=0666", "gid=5"});
  EXPECT_EQ(o.data, "mode=755,size=65536k,newinstance,ptmxmode=0666,gid=5");
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
}

TEST(MountOptions, DefaultsFallsThroughToData) {
  // runc's table entry for "defaults" has flag 0, so it is passed as data.
  EXPECT_EQ(opts({"defaults"}).data, "defaults");
  EXPECT_EQ(opts({"defaults", "ro"}).flags, static_cast<unsigned long>(MS_RDONLY));
}

TEST(MountOptions, ExtensionsAndIdmap) {
  EXPECT_TRUE(opts({"tmpcopyup"}).tmpcopyup);
  EXPECT_EQ(opts({"tmpcopyup"}).data, "");
  auto o = opts({"idmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_FALSE(o.idmap_recursive);
  o = opts({"ridmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_TRUE(o.idmap_recursive);
}

TEST(MountPlan, BindIgnoresTypeAndJoinsRelativeSource) {
  auto p = plan_mount(mnt("/data", "none", "vol/x", {"rbind", "ro"}), "/bundles/b");
  ASSERT_TRUE(p) << p.error().msg;
  EXPECT_EQ(p->kind, MountKind::bind);
  EXPECT_EQ(p->fstype, "bind");
  EXPECT_EQ(p->source, "/bundles/b/vol/x");
  EXPECT_TRUE(p->recursive_bind());
  EXPECT_TRUE(p->needs_bind_remount());
  p = plan_mount(mnt("/data", "tmpfs", "/abs", {"bind"}), "/b");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, MountKind::bind);
  EXPECT_EQ(p->source, "/abs");
  EXPECT_FALSE(p->recursive_bind());
}

TEST(MountPlan, BindRemountOnlyWhenFlagsOrClears) {
  EXPECT_FALSE(plan_mount(mnt("/d", "bind", "/s", {"bind"}), "/b")->needs_bind_remount());
  EXPECT_FALSE(plan_mount(mnt("/d", "bind", "/s", {"rbind", "remount"}), "/b")->needs_bind_remount());
  EXPECT_FALSE(plan_mount(mnt("/d", "bind", "/s", {"rbind", "rprivate", "rro"}), "/b")->needs_bind_remount());
  EXPECT_TRUE(plan_mount(mnt("/d", "bind", "/s", {"bind", "nosuid"}), "/b")->needs_bind_remount());
  EXPECT_TRUE(plan_mount(mnt("/d", "bind", "/s", {"bind", "rw"}), "/b")->needs_bind_remount());
  EXPECT_TRUE(plan_mount(mnt("/d", "bind", "/s", {"bind", "exec"}), "/b")->needs_bind_remount());
}

TEST(MountPlan, BindWithDataRejected) {
  auto p = plan_mount(mnt("/d", "bind", "/s", {"bind", "mode=755"}), "/b");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().msg.find("bind mounts cannot have any filesystem-specific options applied"),
            std::string::npos);
  EXPECT_FALSE(plan_mount(mnt("/d", "bind", "/s", {"rbind", "defaults"}), "/b"));
}

TEST(MountPlan, IdmapOnlyForBinds) {
  auto p = plan_mount(mnt("/d", "tmpfs", "tmpfs", {"idmap"}), "/b");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().msg.find("id-mapped mounts are only supported for bind-mounts"), std::string::npos);
  auto m = mnt("/d", "bind", "/s", {"bind"});
  m.uid_mappings.push_back({0, 1000, 1});
  auto b = plan_mount(m, "/b");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->idmapped());
}

TEST(MountPlan, NulBytesRejected) {
  auto p = plan_mount(mnt(std::string("/a\0b", 4), "tmpfs", "tmpfs", {}), "/b");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().msg, "mount field contains null byte");
}

TEST(MountPlan, KindsAndDestinationCleaning) {
  EXPECT_EQ(plan_mount(mnt("/proc", "proc", "proc", {}), "/b")->kind, MountKind::proc);
  EXPECT_EQ(plan_mount(mnt("/sys", "sysfs", "sysfs", {}), "/b")->kind, MountKind::sysfs);
  EXPECT_EQ(plan_mount(mnt("/dev", "tmpfs", "tmpfs", {}), "/b")->kind, MountKind::tmpfs);
  EXPECT_EQ(plan_mount(mnt("/dev/pts", "devpts", "devpts", {}), "/b")->kind, MountKind::devpts);
  EXPECT_EQ(plan_mount(mnt("/dev/mqueue", "mqueue", "mqueue", {}), "/b")->kind, MountKind::mqueue);
  EXPECT_EQ(plan_mount(mnt("/sys/fs/cgroup", "cgroup", "cgroup", {}), "/b")->kind, MountKind::cgroup);
  EXPECT_EQ(plan_mount(mnt("/x", "overlay", "overlay", {"lowerdir=/a"}), "/b")->kind, MountKind::other);
  // A relative destination is relative to "/" (runc warns).
  EXPECT_EQ(plan_mount(mnt("run/../tmp//x/", "tmpfs", "tmpfs", {}), "/b")->destination, "/tmp/x");
  EXPECT_EQ(plan_mount(mnt("/../../etc", "tmpfs", "tmpfs", {}), "/b")->destination, "/etc");
}

TEST(MountPlan, HostSpelledDestinationInsideRootfs) {
  EXPECT_EQ(plan_mount(mnt("/b/rootfs/mnt/x", "tmpfs", "tmpfs", {}), "/b", "/b/rootfs")->destination, "/mnt/x");
  EXPECT_EQ(plan_mount(mnt("/b/rootfs", "tmpfs", "tmpfs", {}), "/b", "/b/rootfs")->destination, "/");
  EXPECT_EQ(plan_mount(mnt("/b/rootfsx", "tmpfs", "tmpfs", {}), "/b", "/b/rootfs")->destination, "/b/rootfsx");
  EXPECT_EQ(plan_mount(mnt("/mnt", "tmpfs", "tmpfs", {}), "/b", "/b/rootfs")->destination, "/mnt");
}

TEST(MountPlan, TmpfsAndDevStayWritableUntilFinalize) {
  auto t = plan_mount(mnt("/tmp", "tmpfs", "tmpfs", {"ro", "nosuid"}), "/b");
  EXPECT_EQ(t->initial_flags(), static_cast<unsigned long>(MS_NOSUID));
  EXPECT_TRUE(t->needs_late_readonly());
  auto d = plan_mount(mnt("/dev", "devtmpfs", "x", {"ro"}), "/b");
  EXPECT_EQ(d->initial_flags(), 0u);
  EXPECT_TRUE(d->needs_late_readonly());
  auto s = plan_mount(mnt("/sys", "sysfs", "sysfs", {"ro", "nosuid"}), "/b");
  EXPECT_EQ(s->initial_flags(), static_cast<unsigned long>(MS_RDONLY | MS_NOSUID));
  EXPECT_FALSE(s->needs_late_readonly());
}

TEST(RootfsPropagation, Values) {
  EXPECT_EQ(*parse_rootfs_propagation(""), 0u);
  EXPECT_EQ(*parse_rootfs_propagation("rslave"), static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(*parse_rootfs_propagation("private"), static_cast<unsigned long>(MS_PRIVATE));
  EXPECT_EQ(*parse_rootfs_propagation("rshared"), static_cast<unsigned long>(MS_SHARED | MS_REC));
  EXPECT_EQ(*parse_rootfs_propagation("unbindable"), static_cast<unsigned long>(MS_UNBINDABLE));
  auto bad = parse_rootfs_propagation("bogus");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().msg, "rootfsPropagation=bogus is not supported");
}

TEST(ProcTargets, AllowList) {
  EXPECT_EQ(classify_proc_target("/proc"), ProcTarget::proc_root);
  EXPECT_EQ(classify_proc_target("/proc/"), ProcTarget::proc_root);
  EXPECT_EQ(classify_proc_target("/proc/cpuinfo"), ProcTarget::allowed);
  EXPECT_EQ(classify_proc_target("/proc/meminfo"), ProcTarget::allowed);
  EXPECT_EQ(classify_proc_target("/proc/sys/kernel/ns_last_pid"), ProcTarget::allowed);
  EXPECT_EQ(classify_proc_target("/proc/sys/crypto/fips_enabled"), ProcTarget::allowed);
  EXPECT_EQ(classify_proc_target("/proc/sys/kernel/core_pattern"), ProcTarget::forbidden);
  EXPECT_EQ(classify_proc_target("/proc/self/attr"), ProcTarget::forbidden);
  EXPECT_EQ(classify_proc_target("/proc/sysrq-trigger"), ProcTarget::forbidden);
  EXPECT_EQ(classify_proc_target("/procfoo"), ProcTarget::outside);
  EXPECT_EQ(classify_proc_target("/sys"), ProcTarget::outside);
}

TEST(DevSetup, SkippedOnlyForADevBind) {
  spec::Spec s;
  EXPECT_TRUE(needs_dev_setup(s));
  s.mounts.push_back(mnt("/dev", "tmpfs", "tmpfs", {"nosuid"}));
  EXPECT_TRUE(needs_dev_setup(s));
  s.mounts.push_back(mnt("/dev/", "bind", "/dev", {"rbind"}));
  EXPECT_FALSE(needs_dev_setup(s));
}

TEST(StatfsFlags, Conversion) {
  EXPECT_EQ(statfs_to_mount_flags(ST_RDONLY | ST_NOSUID | ST_RELATIME),
            static_cast<unsigned long>(MS_RDONLY | MS_NOSUID | MS_RELATIME));
  // No atime flag reported means strictatime.
  EXPECT_EQ(statfs_to_mount_flags(ST_NODEV), static_cast<unsigned long>(MS_NODEV | MS_STRICTATIME));
  EXPECT_EQ(statfs_to_mount_flags(ST_NOATIME | ST_NODIRATIME | ST_NOEXEC),
            static_cast<unsigned long>(MS_NOATIME | MS_NODIRATIME | MS_NOEXEC));
}

TEST(Devices, DefaultsAndConfigured) {
  spec::Spec s;
  auto d = plan_devices(s);
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0].path, "/dev/null");
  EXPECT_EQ(d[0].major, 1u);
  EXPECT_EQ(d[0].minor, 3u);
  EXPECT_EQ(d[0].mode, 0666u);
  EXPECT_EQ(d[3].path, "/dev/tty");
  EXPECT_EQ(d[3].major, 5u);

  spec::Device fuse{'c', "/dev/fuse", 10, 229, 020640u, 0u, 7u};
  spec::Device null{'u', "/dev/null", 1, 3, std::nullopt, 5u, std::nullopt};
  spec::Device ptmx{'c', "/dev/ptmx", 5, 2, std::nullopt, std::nullopt, std::nullopt};
  s.linux.devices = {fuse, null, ptmx};
  d = plan_devices(s);
  ASSERT_EQ(d.size(), 2u + 5u);  // fuse, null; ptmx skipped; five defaults left
  EXPECT_EQ(d[0].path, "/dev/fuse");
  EXPECT_EQ(d[0].mode, 0640u);  // type bits stripped
  EXPECT_EQ(d[0].gid, 7u);
  EXPECT_EQ(d[1].type, 'c');    // 'u' is a char device
  EXPECT_EQ(d[1].uid, 5u);
  EXPECT_EQ(d[1].mode, 0666u);
  for (size_t i = 2; i < d.size(); ++i) EXPECT_NE(d[i].path, "/dev/null");
}
