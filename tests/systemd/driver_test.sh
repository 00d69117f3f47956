#!/usr/bin/env bash
# The systemd cgroup driver (--systemd-cgroup) end to end: on the host (no
# systemd as pid 1) runc's "systemd not running" error; inside the systemd
# machine (machine.sh) a busybox container with cgroupsPath
# system.slice:orun-test:ID gets its scope unit with runc's properties, the
# cgroup files follow, update/exec/pause work through it, a cgroupfs path is
# runc's format error, and delete -f removes the unit and its cgroups.
#   driver_test.sh ORUN_BINARY
# ORUN_SYSTEMD_INNER=/usr/sbin/runc runs the checks inside the machine with
# that runtime instead (an oracle: Debian's runc 1.1.5 passes them too); the
# machine itself is booted by ORUN_BINARY.
set -euo pipefail

export ORUN=${1:?usage: driver_test.sh ORUN_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
machine() { bash "$here/machine.sh" "$@"; }
rootfs=${ORUN_SYSTEMD_ROOTFS:-/var/cache/orun-tests/systemd-rootfs}
busybox=${ORUN_BUSYBOX:-/bin/busybox}

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect WHAT GOT WANT
  [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}
if [[ $(id -u) -ne 0 ]]; then echo "skip: needs root"; exit 77; fi
[[ -x $busybox ]] || { echo "skip: no static busybox at $busybox"; exit 77; }

# A bundle config: busybox sleeping, limits, the given cgroupsPath.
write_config() {  # write_config FILE CGROUPS_PATH
  cat >"$1" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
              "args": ["/bin/busybox", "sleep", "1000"], "env": ["PATH=/bin"]},
  "root": {"path": "rootfs"},
  "hostname": "driver-test",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {
    "cgroupsPath": "$2",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}],
      "memory": {"limit": 52428800},
      "cpu": {"shares": 512, "quota": 50000, "period": 100000},
      "pids": {"limit": 20}
    },
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
  }
}
JSON
}

tmp=$(mktemp -d /tmp/orun-driver-test.XXXXXX)
id=driver-test-$$
cleanup() {
  # The containers first: their pid-1 sleep ignores the SIGTERM of systemd's halt.
  machine exec "$id" sh -c 'for c in c1 c3 c4 c5 c6; do orun --root /run/orun-test delete -f $c; done' >/dev/null 2>&1 ||
    true
  machine stop "$id" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# On the host: no systemd as pid 1 -> runc's error, nothing made.
if [[ ! -d /run/systemd/system ]]; then
  mkdir -p "$tmp/bundle/rootfs"
  write_config "$tmp/bundle/config.json" "system.slice:orun-test:nosd"
  err=$("$ORUN" --root "$tmp/root" --systemd-cgroup run -d --bundle "$tmp/bundle" nosd 2>&1 </dev/null) &&
    fail "run without systemd succeeded"
  [[ $err == *'run failed: systemd not running on this host, cannot use systemd cgroups manager"'* ]] ||
    fail "no-systemd error: $err"
  [[ ! -e $tmp/root/nosd ]] || fail "no-systemd error left $tmp/root/nosd"
  echo "ok: no systemd on the host is runc's error"
fi

if [[ ! -x $rootfs/lib/systemd/systemd ]] && ! command -v debootstrap >/dev/null; then
  echo "skip: no cached rootfs at $rootfs and no debootstrap (scripts/install-deps.sh)"
  exit 77
fi

machine boot "$id"
machine install "$id" "${ORUN_SYSTEMD_INNER:-$ORUN}" /usr/local/bin/orun
machine install "$id" "$busybox" /srv/bundle/rootfs/bin/busybox
write_config "$tmp/config.json" "system.slice:orun-test:c1"
machine install "$id" "$tmp/config.json" /srv/bundle/config.json
write_config "$tmp/bad.json" "/orun-test/c2"
machine install "$id" "$tmp/bad.json" /srv/bad/config.json
inside() { machine exec "$id" "$@"; }
# orun inside the machine, its stdio away from the exec's pipes (a detached
# container would hold them open).
orun_in() {
  inside sh -c 'orun --root /run/orun-test --systemd-cgroup "$@" </dev/null >/tmp/orun.out 2>&1; rc=$?
    cat /tmp/orun.out; exit $rc' orun "$@"
}
unit=orun-test-c1.scope
cg=/system.slice/$unit
show() { inside systemctl show "$unit" -p "$1" --value; }
file() { inside cat "/sys/fs/cgroup/$1$cg/$2"; }

# A cgroupfs path with --systemd-cgroup: runc's error, nothing made.
out=$(orun_in run -d --bundle /srv/bad c2) && fail "cgroupfs path accepted: $out"
[[ $out == *'run failed: expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"/orun-test/c2\" instead"'* ]] ||
  fail "format error: $out"
inside test ! -e /run/orun-test/c2 || fail "format error left /run/orun-test/c2"

out=$(orun_in run -d --bundle /srv/bundle c1) || fail "run: $out"
expect "ActiveState" "$(show ActiveState)" active
expect "ControlGroup" "$(show ControlGroup)" "$cg"
expect "Delegate" "$(show Delegate)" yes
expect "Slice" "$(show Slice)" system.slice
expect "Description" "$(show Description)" "libcontainer container c1"
expect "MemoryLimit" "$(show MemoryLimit)" 52428800
expect "TasksMax" "$(show TasksMax)" 20
expect "CPUShares" "$(show CPUShares)" 512
expect "CPUQuotaPerSecUSec" "$(show CPUQuotaPerSecUSec)" 500ms
expect "DevicePolicy" "$(show DevicePolicy)" strict
[[ $(show DeviceAllow) == *"/dev/char/1:3 rwm"* ]] || fail "DeviceAllow: $(show DeviceAllow)"
expect "memory.limit_in_bytes" "$(file memory memory.limit_in_bytes)" 52428800
expect "pids.max" "$(file pids pids.max)" 20
expect "cpu.shares" "$(file cpu cpu.shares)" 512
expect "cpu.cfs_quota_us" "$(file cpu cpu.cfs_quota_us)" 50000

# The init is in the scope in every hierarchy, the ones systemd does not
# manage (freezer) included.
pid=$(orun_in state c1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
[[ $pid =~ ^[0-9]+$ ]] || fail "no init pid: $pid"
for h in memory pids freezer name=systemd; do
  line=$(inside grep -E "^[0-9]+:([a-z_,]*,)?$h(,[a-z_]*)?:" "/proc/$pid/cgroup")
  [[ $line == *":$cg" ]] || fail "init's $h cgroup: $line"
done

# (json: the machine has no ps(1) for the table)
expect "ps --format json" "$(orun_in ps --format json c1)" "[$pid]"

out=$(orun_in update --memory 104857600 --pids-limit 30 c1) || fail "update: $out"
expect "MemoryLimit after update" "$(show MemoryLimit)" 104857600
expect "TasksMax after update" "$(show TasksMax)" 30
expect "memory.limit_in_bytes after update" "$(file memory memory.limit_in_bytes)" 104857600
expect "pids.max after update" "$(file pids pids.max)" 30

# exec: runc's AddPid, AttachProcessesToUnit of the new process into the
# unit (seen on the bus), then the paths.
inside sh -c '(timeout 10 busctl monitor --system --match member=AttachProcessesToUnit >/tmp/attach.mon 2>&1 &)'
sleep 0.5
out=$(orun_in exec c1 /bin/busybox sh -c 'echo pid=$$; cat /proc/self/cgroup') || fail "exec: $out"
[[ $out == *":memory:$cg"* && $out == *":freezer:$cg"* ]] || fail "exec'd process's cgroups: $out"
sleep 0.3
mon=$(inside cat /tmp/attach.mon)
[[ $mon == *'STRING "orun-test-c1.scope";'*'STRING "/";'*'UINT32 '* ]] || fail "no AttachProcessesToUnit for exec: $mon"

orun_in pause c1 >/dev/null || fail "pause"
expect "freezer.state paused" "$(file freezer freezer.state)" FROZEN
[[ $(orun_in state c1) == *'"status": "paused"'* ]] || fail "state after pause"
orun_in resume c1 >/dev/null || fail "resume"
expect "freezer.state resumed" "$(file freezer freezer.state)" THAWED

out=$(orun_in delete -f c1) || fail "delete -f: $out"
expect "LoadState after delete" "$(show LoadState)" not-found
for h in memory pids cpu cpuacct blkio cpuset freezer devices systemd unified; do
  inside test ! -e "/sys/fs/cgroup/$h$cg" || fail "delete left /sys/fs/cgroup/$h$cg"
done
inside test ! -e /run/orun-test/c1 || fail "delete left /run/orun-test/c1"

# A container that stopped by itself: systemd may have dropped the empty
# scope already; delete still removes everything.
out=$(orun_in run -d --bundle /srv/bundle c1) || fail "second run: $out"
expect "ActiveState of the second run" "$(show ActiveState)" active
orun_in kill c1 KILL >/dev/null || fail "kill"
for _ in $(seq 50); do [[ $(orun_in state c1) == *'"status": "stopped"'* ]] && break; sleep 0.1; done
out=$(orun_in delete c1) || fail "delete of a stopped container: $out"
expect "LoadState after delete of a stopped container" "$(show LoadState)" not-found
for h in memory pids freezer systemd; do
  inside test ! -e "/sys/fs/cgroup/$h$cg" || fail "delete of a stopped container left /sys/fs/cgroup/$h$cg"
done

# Kubernetes' form: a nested slice systemd makes, and the scope in it;
# events read the stored paths.
write_config "$tmp/k8s.json" "kubepods-burstable-pod1234.slice:cri-containerd:c3"
machine install "$id" "$tmp/k8s.json" /srv/k8s/config.json
machine install "$id" "$busybox" /srv/k8s/rootfs/bin/busybox
out=$(orun_in run -d --bundle /srv/k8s c3) || fail "run c3: $out"
k8s_unit=cri-containerd-c3.scope
k8s_cg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/$k8s_unit
expect "nested ControlGroup" "$(inside systemctl show $k8s_unit -p ControlGroup --value)" "$k8s_cg"
expect "nested slice" "$(inside systemctl show $k8s_unit -p Slice --value)" kubepods-burstable-pod1234.slice
expect "nested memory.limit_in_bytes" "$(inside cat /sys/fs/cgroup/memory$k8s_cg/memory.limit_in_bytes)" 52428800
[[ $(orun_in events --stats c3) == *'"limit":52428800'* ]] || fail "events --stats c3: $(orun_in events --stats c3)"
out=$(orun_in delete -f c3) || fail "delete -f c3: $out"
expect "LoadState of c3 after delete" "$(inside systemctl show $k8s_unit -p LoadState --value)" not-found
inside test ! -e "/sys/fs/cgroup/memory$k8s_cg" || fail "delete left /sys/fs/cgroup/memory$k8s_cg"

# An empty cgroupsPath is system.slice:runc:ID, as runc.
write_config "$tmp/empty.json" ""
machine install "$id" "$tmp/empty.json" /srv/empty/config.json
machine install "$id" "$busybox" /srv/empty/rootfs/bin/busybox
out=$(orun_in run -d --bundle /srv/empty c4) || fail "run c4: $out"
expect "default unit's ControlGroup" "$(inside systemctl show runc-c4.scope -p ControlGroup --value)" \
  /system.slice/runc-c4.scope
out=$(orun_in delete -f c4) || fail "delete -f c4: $out"
expect "LoadState of runc-c4.scope after delete" "$(inside systemctl show runc-c4.scope -p LoadState --value)" not-found

# org.systemd.property.* annotations go with StartTransientUnit (runc's
# ...Sec -> ...USec); a bad one is runc's error before anything is made.
write_config "$tmp/ann.json" "system.slice:orun-test:c6"
jq '.annotations = {"org.systemd.property.TimeoutStopSec": "7",
                    "org.systemd.property.CollectMode": "'"'inactive-or-failed'"'",
                    "org.systemd.property.RuntimeMaxSec": "uint64 600"}' "$tmp/ann.json" >"$tmp/ann2.json"
machine install "$id" "$tmp/ann2.json" /srv/ann/config.json
machine install "$id" "$busybox" /srv/ann/rootfs/bin/busybox
out=$(orun_in run -d --bundle /srv/ann c6) || fail "run c6: $out"
ann_show() { inside systemctl show orun-test-c6.scope -p "$1" --value; }
expect "TimeoutStopUSec from the annotation" "$(ann_show TimeoutStopUSec)" 7s
expect "RuntimeMaxUSec from the annotation" "$(ann_show RuntimeMaxUSec)" 10min
expect "CollectMode from the annotation" "$(ann_show CollectMode)" inactive-or-failed
out=$(orun_in delete -f c6) || fail "delete -f c6: $out"
jq '.annotations = {"org.systemd.property.TimeoutStopSec": "soon"}' "$tmp/ann.json" >"$tmp/ann3.json"
machine install "$id" "$tmp/ann3.json" /srv/ann/config.json
out=$(orun_in run -d --bundle /srv/ann c7) && fail "a bad annotation was accepted"
[[ $out == *'annotation org.systemd.property.TimeoutStopSec=soon value parse error: unrecognized type \"soon\""'* ]] ||
  fail "bad annotation error: $out"
inside test ! -e /run/orun-test/c7 || fail "a bad annotation left /run/orun-test/c7"

# A limit the kernel refuses after the unit exists (cpus the host does not
# have): run fails, and the unit, its cgroups and the state go.
write_config "$tmp/cpus.json" "system.slice:orun-test:c5"
sed -i 's/"shares": 512,/"shares": 512, "cpus": "0-1023",/' "$tmp/cpus.json"
machine install "$id" "$tmp/cpus.json" /srv/cpus/config.json
machine install "$id" "$busybox" /srv/cpus/rootfs/bin/busybox
out=$(orun_in run -d --bundle /srv/cpus c5) && fail "run with cpus 0-1023 succeeded"
expect "LoadState after a failed run" "$(inside systemctl show orun-test-c5.scope -p LoadState --value)" not-found
for h in memory pids cpuset freezer systemd unified; do
  inside test ! -e "/sys/fs/cgroup/$h/system.slice/orun-test-c5.scope" ||
    fail "failed run left /sys/fs/cgroup/$h/system.slice/orun-test-c5.scope ($out)"
done
inside test ! -e /run/orun-test/c5 || fail "failed run left /run/orun-test/c5"

machine stop "$id" || { machine leftovers "$id" >&2 || true; fail "stop left something behind"; }
trap - EXIT
rm -rf "$tmp"
echo "ok: scope unit with runc's properties, files, update, exec, pause, delete -f, delete after exit, nested slice, default path, ps, events, format error, failed run cleaned up, annotations"
