#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (tests/fuzz/corpus/<target>/)
from the configs in tests/data/ and a few hand-written inputs. Run from
anywhere; rerun after adding fixtures. Files are named by content hash."""
import hashlib
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data")
out = os.path.join(here, "corpus")


def put(target, blob):
    if isinstance(blob, str):
        blob = blob.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()[:16]), "wb") as f:
        f.write(blob)


def load(path):
    with open(os.path.join(data, path)) as f:
        return json.load(f)


docker = load("docker-create-config.json")
seccomps = [load("seccomp/" + n) for n in sorted(os.listdir(os.path.join(data, "seccomp"))) if n.endswith(".json")]

# A minimal config as `orun spec` writes it, trimmed to the essentials.
minimal = {
    "ociVersion": "1.2.0",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["sh"], "env": ["PATH=/bin"], "cwd": "/",
                "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "noNewPrivileges": True},
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "fuzz",
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}],
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}],
              "cgroupsPath": "/orun-fuzz/x", "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]},
}
userns = json.loads(json.dumps(minimal))
userns["linux"]["namespaces"].append({"type": "user"})
userns["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 65536}]
userns["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 65536}]
userns["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
userns["linux"]["resources"] = {"devices": [{"allow": False, "access": "rwm"},
                                            {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
                                "memory": {"limit": 67108864}, "pids": {"limit": 100}}

for cfg in (docker, minimal, userns):
    put("config", json.dumps(cfg, indent=1))
    put("process", json.dumps(cfg["process"]))
    put("linux", json.dumps(cfg["linux"]))
    for m in cfg.get("mounts", []):
        put("mount", json.dumps(m))
    if "resources" in cfg["linux"]:
        put("resources", json.dumps(cfg["linux"]["resources"]))
put("config", json.dumps(minimal) + "{garbage")
put("mount", json.dumps({"destination": "/mnt", "type": "bind", "source": "/tmp",
                         "options": ["rbind", "ro", "idmap", "rprivate"],
                         "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                         "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}))
put("resources", json.dumps({"cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0-1", "mems": "0"},
                             "blockIO": {"weight": 500}, "unified": {"memory.high": "max"}}))
for s in seccomps:
    put("seccomp", json.dumps(s.get("linux", {}).get("seccomp", s)))
put("seccomp", json.dumps(docker["linux"]["seccomp"]))

state = {"id": "fuzz", "init_process_pid": 4242, "init_process_start": 123456, "created": "2026-12-06T03:00:00.0Z",
         "status": "created", "bundle": "/tmp/b", "rootfs": "/tmp/b/rootfs", "cgroup_paths": {"memory": "/sys/fs/cgroup/memory/x"},
         "config": minimal}
put("state", json.dumps(state))

for words in (["--root", "/tmp/r", "create", "--bundle", "/b", "--pid-file", "/p", "id"],
              ["exec", "-t", "--env", "A=1", "--cap", "CAP_KILL", "--preserve-fds", "2", "id", "ls", "-la"],
              ["--log-format=json", "--debug", "run", "-d", "--no-subreaper", "id"],
              ["update", "--memory", "64M", "--cpu-quota", "5000", "--pids-limit", "10", "id"],
              ["kill", "--all", "id", "SIGTERM"], ["delete", "-f", "id"], ["ps", "-f", "json", "id", "-o", "pid"],
              ["events", "--interval", "5s", "--stats", "id"]):
    put("cli", "\0".join(words))
for v in ("true", "0x1f", "-9223372036854775808", "1h30m0.5s", "SIGRTMIN+3", "64m", "0-3,5", "system.slice:runc:id",
          "rshared", "rbind,ro,nosuid,idmap", "..", "9"):
    put("values", v)
print("corpus written to", out, file=sys.stderr)
