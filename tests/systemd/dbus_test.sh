#!/usr/bin/env bash
# The systemd driver's D-Bus layer against a real systemd: boots the machine
# (machine.sh) with the orun under test, installs the static dbus_probe in it
# and drives systemd's manager through it: a transient scope with a process
# and a memory limit, a property read and update, UnitExists, stop, and the
# private-socket fallback.
#   dbus_test.sh ORUN_BINARY DBUS_PROBE_BINARY
set -euo pipefail

export ORUN=${1:?usage: dbus_test.sh ORUN_BINARY DBUS_PROBE_BINARY}
probe=${2:?usage: dbus_test.sh ORUN_BINARY DBUS_PROBE_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
machine() { bash "$here/machine.sh" "$@"; }
rootfs=${ORUN_SYSTEMD_ROOTFS:-/var/cache/orun-tests/systemd-rootfs}

if [[ $(id -u) -ne 0 ]]; then echo "skip: needs root"; exit 77; fi
if [[ ! -x $rootfs/lib/systemd/systemd ]] && ! command -v debootstrap >/dev/null; then
  echo "skip: no cached rootfs at $rootfs and no debootstrap (scripts/install-deps.sh)"
  exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect WHAT GOT WANT
  [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}
id=dbus-test-$$
trap 'machine stop "$id" >/dev/null 2>&1 || true' EXIT
machine boot "$id"
machine install "$id" "$probe" /usr/local/bin/dbus_probe
inside() { machine exec "$id" "$@"; }
unit=orun-probe-test.scope

# A process for the scope, orphaned to systemd inside the machine.
pid=$(inside sh -c 'sleep 300 >/dev/null 2>&1 & echo $!')
expect "start $unit" "$(inside dbus_probe start $unit "$pid" MemoryMax=t:52428800 2>/dev/null)" done
cg=$(inside dbus_probe get $unit org.freedesktop.systemd1.Scope ControlGroup 2>/dev/null)
expect "ControlGroup" "$cg" /system.slice/$unit
expect "the process's memory cgroup" "$(inside sh -c "grep :memory: /proc/$pid/cgroup | cut -d: -f3")" "$cg"
expect "MemoryMax property" "$(inside dbus_probe get $unit org.freedesktop.systemd1.Scope MemoryMax 2>/dev/null)" 52428800
expect "Delegate property" "$(inside dbus_probe get $unit org.freedesktop.systemd1.Scope Delegate 2>/dev/null)" true
expect "memory.limit_in_bytes" "$(inside cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes)" 52428800

inside dbus_probe set $unit MemoryMax=t:104857600 2>/dev/null
expect "memory.limit_in_bytes after SetUnitProperties" \
  "$(inside cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes)" 104857600

# A second unit of the same name is systemd's UnitExists error.
err=$(inside dbus_probe start $unit "$pid" 2>&1 >/dev/null) && fail "second start succeeded"
[[ $err == *"org.freedesktop.systemd1.UnitExists: Unit $unit was already loaded"* ]] || fail "second start: $err"

# As root, without a system bus: systemd's private socket.
out=$(inside env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent dbus_probe get $unit \
  org.freedesktop.systemd1.Unit ActiveState 2>&1)
expect "over the private socket" "$out" $'connected to systemd\'s private socket\nactive'

expect "stop $unit" "$(inside dbus_probe stop $unit 2>/dev/null)" done
expect "ActiveState after stop" \
  "$(inside dbus_probe get $unit org.freedesktop.systemd1.Unit ActiveState 2>/dev/null)" inactive
inside sh -c "! kill -0 $pid 2>/dev/null" || fail "the scope's process survived StopUnit"

machine stop "$id" || { machine leftovers "$id" >&2 || true; fail "stop left something behind"; }
trap - EXIT
echo "ok: StartTransientUnit, JobRemoved, Get, SetUnitProperties, UnitExists, StopUnit, private socket"
