#!/usr/bin/env bash
# The systemd cgroup driver on cgroup v2 (runc's UnifiedManager): a systemd
# machine booted with a cgroup2 /sys/fs/cgroup (ORUN_SYSTEMD_CGROUP2=1, so
# systemd runs in unified mode), a busybox container with
# system.slice:orun-test:ID gets its scope (IOAccounting, Delegate, the
# device policy), runs in the scope's one cgroup, exec is attached to the
# unit, pause/resume use cgroup.freeze, delete -f removes unit and cgroup.
# On this hybrid host the cgroup2 hierarchy has no controller below the
# machine, so no limit is checked here (the v1 test does that).
#   driver_v2_test.sh ORUN_BINARY
set -euo pipefail

export ORUN=${1:?usage: driver_v2_test.sh ORUN_BINARY}
export ORUN_SYSTEMD_CGROUP2=1
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
if [[ ! -x $rootfs/lib/systemd/systemd ]] && ! command -v debootstrap >/dev/null; then
  echo "skip: no cached rootfs at $rootfs and no debootstrap (scripts/install-deps.sh)"
  exit 77
fi

tmp=$(mktemp -d /tmp/orun-driver-v2.XXXXXX)
id=driver-v2-$$
cleanup() {
  machine exec "$id" orun --root /run/orun-test --systemd-cgroup delete -f c1 >/dev/null 2>&1 || true
  machine stop "$id" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
              "args": ["/bin/busybox", "sleep", "1000"], "env": ["PATH=/bin"]},
  "root": {"path": "rootfs"},
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {
    "cgroupsPath": "system.slice:orun-test:c1",
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
  }
}
JSON

machine boot "$id"
inside() { machine exec "$id" "$@"; }
[[ $(inside stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] || fail "the machine's /sys/fs/cgroup is not cgroup2"
machine install "$id" "$ORUN" /usr/local/bin/orun
machine install "$id" "$busybox" /srv/bundle/rootfs/bin/busybox
machine install "$id" "$tmp/config.json" /srv/bundle/config.json
orun_in() {
  inside sh -c 'orun --root /run/orun-test --systemd-cgroup "$@" </dev/null >/tmp/orun.out 2>&1; rc=$?
    cat /tmp/orun.out; exit $rc' orun "$@"
}
unit=orun-test-c1.scope
cg=/system.slice/$unit
show() { inside systemctl show "$unit" -p "$1" --value; }

out=$(orun_in run -d --bundle /srv/bundle c1) || fail "run: $out"
expect "ActiveState" "$(show ActiveState)" active
expect "ControlGroup" "$(show ControlGroup)" "$cg"
expect "Delegate" "$(show Delegate)" yes
expect "IOAccounting" "$(show IOAccounting)" yes
expect "DevicePolicy" "$(show DevicePolicy)" strict
pid=$(orun_in state c1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
[[ $pid =~ ^[0-9]+$ ]] || fail "no init pid: $pid"
expect "init's cgroup" "$(inside grep "^0::" "/proc/$pid/cgroup")" "0::$cg"
[[ $(orun_in state c1) == *"\"status\": \"running\""* ]] || fail "state: $(orun_in state c1)"

inside sh -c '(timeout 10 busctl monitor --system --match member=AttachProcessesToUnit >/tmp/attach.mon 2>&1 &)'
sleep 0.5
out=$(orun_in exec c1 /bin/busybox grep "^0::" /proc/self/cgroup) || fail "exec: $out"
expect "exec'd process's cgroup" "$out" "0::$cg"
sleep 0.3
[[ $(inside cat /tmp/attach.mon) == *'STRING "orun-test-c1.scope";'* ]] || fail "no AttachProcessesToUnit for exec"

orun_in pause c1 >/dev/null || fail "pause"
expect "cgroup.freeze paused" "$(inside cat /sys/fs/cgroup$cg/cgroup.freeze)" 1
[[ $(orun_in state c1) == *'"status": "paused"'* ]] || fail "state after pause"
orun_in resume c1 >/dev/null || fail "resume"
expect "cgroup.freeze resumed" "$(inside cat /sys/fs/cgroup$cg/cgroup.freeze)" 0

out=$(orun_in delete -f c1) || fail "delete -f: $out"
expect "LoadState after delete" "$(show LoadState)" not-found
inside test ! -e "/sys/fs/cgroup$cg" || fail "delete left /sys/fs/cgroup$cg"
inside test ! -e /run/orun-test/c1 || fail "delete left /run/orun-test/c1"

machine stop "$id" || { machine leftovers "$id" >&2 || true; fail "stop left something behind"; }
trap - EXIT
rm -rf "$tmp"
echo "ok: cgroup v2 machine: scope unit, one cgroup, exec attached, cgroup.freeze pause/resume, delete removes the unit"
