// The `spec` template: byte-for-byte what runc 1.5.1 writes
// (json.MarshalIndent with tabs, Go struct field order, no trailing newline).
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "orun/spec_json.hpp"

using namespace orun::spec;

namespace {

// runc 1.5.1 `runc spec` on a cgroup v1/hybrid host (the same bytes as
// Debian's runc 1.1.5 with ociVersion 1.3.0 and without the ambient set).
const std::string kGolden = R"golden({
	"ociVersion": "1.3.0",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
})golden";

// runc 1.5.1 `runc spec --rootless` (same cgroup v1 host), with the
// caller's euid/egid in place of @UID@/@GID@.
const std::string kRootlessGolden = R"golden({
	"ociVersion": "1.3.0",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "none",
			"source": "/sys",
			"options": [
				"rbind",
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"uidMappings": [
			{
				"containerID": 0,
				"hostID": @UID@,
				"size": 1
			}
		],
		"gidMappings": [
			{
				"containerID": 0,
				"hostID": @GID@,
				"size": 1
			}
		],
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			},
			{
				"type": "user"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
})golden";

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  if (pos == std::string::npos) return s;
  return s.replace(pos, from.size(), to);
}

}  // namespace

TEST(SpecExample, DefaultTemplateMatchesRuncBytes) {
  EXPECT_EQ(example_config(false, false), kGolden);
}

TEST(SpecExample, NoTrailingNewlineAndTabIndent) {
  std::string s = example_config(false, false);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.back(), '}');
  EXPECT_NE(s.find("\n\t\"ociVersion\": \"1.3.0\",\n"), std::string::npos);
  EXPECT_EQ(s.find("    "), std::string::npos);
  EXPECT_EQ(s.find("inheritable"), std::string::npos);
  EXPECT_EQ(s.find("ambient"), std::string::npos);
}

TEST(SpecExample, CgroupNamespaceOnlyOnUnifiedHosts) {
  std::string expected = replace_once(kGolden,
                                      "\t\t\t{\n\t\t\t\t\"type\": \"mount\"\n\t\t\t}\n",
                                      "\t\t\t{\n\t\t\t\t\"type\": \"mount\"\n\t\t\t},\n"
                                      "\t\t\t{\n\t\t\t\t\"type\": \"cgroup\"\n\t\t\t}\n");
  ASSERT_NE(expected, kGolden);
  EXPECT_EQ(example_config(false, true), expected);
}

TEST(SpecExample, RootlessTemplate) {
  std::string s = example_config(true, false);
  auto doc = nlohmann::json::parse(s);
  // Namespaces: network dropped, user appended last.
  auto ns = doc["linux"]["namespaces"];
  ASSERT_EQ(ns.size(), 5u);
  EXPECT_EQ(ns[0]["type"], "pid");
  EXPECT_EQ(ns[1]["type"], "ipc");
  EXPECT_EQ(ns[2]["type"], "uts");
  EXPECT_EQ(ns[3]["type"], "mount");
  EXPECT_EQ(ns[4]["type"], "user");
  // Mappings for the caller, before everything else in "linux".
  auto expect_map = [&](const char* key, unsigned host) {
    const auto& m = doc["linux"][key];
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0]["containerID"], 0);
    EXPECT_EQ(m[0]["hostID"], host);
    EXPECT_EQ(m[0]["size"], 1);
  };
  expect_map("uidMappings", ::geteuid());
  expect_map("gidMappings", ::getegid());
  EXPECT_NE(s.find("\t\"linux\": {\n\t\t\"uidMappings\": [\n\t\t\t{\n\t\t\t\t\"containerID\": 0,\n"
                   "\t\t\t\t\"hostID\": "),
            std::string::npos);
  EXPECT_FALSE(doc["linux"].contains("resources"));
  // /sys is an rbind of the host's, devpts loses gid=5.
  for (const auto& m : doc["mounts"]) {
    if (m["destination"] == "/sys") {
      EXPECT_EQ(m["type"], "none");
      EXPECT_EQ(m["source"], "/sys");
      EXPECT_EQ(m["options"],
                nlohmann::json({"rbind", "nosuid", "noexec", "nodev", "ro"}));
    }
    if (m["destination"] == "/dev/pts") {
      EXPECT_EQ(m["options"], nlohmann::json({"nosuid", "noexec", "newinstance",
                                              "ptmxmode=0666", "mode=0620"}));
    }
  }
  // Everything else is unchanged.
  EXPECT_EQ(doc["process"], nlohmann::json::parse(kGolden)["process"]);
  EXPECT_EQ(doc["linux"]["maskedPaths"], nlohmann::json::parse(kGolden)["linux"]["maskedPaths"]);
}

TEST(SpecExample, RootlessWithCgroupNamespaceKeepsIt) {
  auto doc = nlohmann::json::parse(example_config(true, true));
  auto ns = doc["linux"]["namespaces"];
  ASSERT_EQ(ns.size(), 6u);
  EXPECT_EQ(ns[4]["type"], "cgroup");
  EXPECT_EQ(ns[5]["type"], "user");
}

TEST(SpecExample, TemplateParsesAndValidatesAsASpec) {
  auto s = parse(nlohmann::json::parse(example_config(false, false)));
  ASSERT_TRUE(s) << s.error().msg;
  EXPECT_EQ(s->oci_version, kOciVersion);
  EXPECT_EQ(s->hostname, "runc");
  EXPECT_TRUE(s->linux.has_namespace(NamespaceType::uts));
}

TEST(SpecExample, RootlessTemplateMatchesRuncBytes) {
  std::string expected = replace_once(kRootlessGolden, "@UID@", std::to_string(::geteuid()));
  expected = replace_once(expected, "@GID@", std::to_string(::getegid()));
  EXPECT_EQ(example_config(true, false), expected);
}
