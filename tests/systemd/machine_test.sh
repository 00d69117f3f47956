#!/usr/bin/env bash
# Boots systemd as pid 1 in a container run by the orun under test
# (machine.sh), checks that systemd manages cgroups and answers on D-Bus inside
# it, stops it, and checks that nothing of it is left.
#   machine_test.sh ORUN_BINARY
# Exit 77 (skipped) only when the machine cannot be built here: not root, or
# neither a cached rootfs nor debootstrap.
set -euo pipefail

export ORUN=${1:?usage: machine_test.sh ORUN_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
machine() { bash "$here/machine.sh" "$@"; }
rootfs=${ORUN_SYSTEMD_ROOTFS:-/var/cache/orun-tests/systemd-rootfs}

if [[ $(id -u) -ne 0 ]]; then echo "skip: needs root"; exit 77; fi
if [[ ! -x $rootfs/lib/systemd/systemd ]] && ! command -v debootstrap >/dev/null; then
  echo "skip: no cached rootfs at $rootfs and no debootstrap (scripts/install-deps.sh)"
  exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
id=machine-test-$$
trap 'machine stop "$id" >/dev/null 2>&1 || true' EXIT

usec() { echo "${EPOCHREALTIME/./}"; }
start=$(usec)
machine rootfs
built=$(usec)
machine boot "$id"
booted=$(usec)
echo "rootfs ready in $(((built - start) / 1000)) ms, systemd running in $(((booted - built) / 1000)) ms"

# systemd made a transient scope with a memory limit in the container's own
# memory cgroup, through its D-Bus API (systemd-run talks to the manager).
# shellcheck disable=SC2016  # expanded inside the machine
limit=$(machine exec "$id" systemd-run --quiet --scope -p MemoryMax=50M sh -c \
  'p=$(grep :memory: /proc/self/cgroup | cut -d: -f3); case $p in /system.slice/run-*.scope) cat "/sys/fs/cgroup/memory$p/memory.limit_in_bytes";; *) echo "not in a scope: $p";; esac')
[[ $limit == 52428800 ]] || fail "scope memory.limit_in_bytes: got '$limit', want 52428800"

# The manager answers a plain property read on the system bus.
version=$(machine exec "$id" busctl get-property org.freedesktop.systemd1 \
  /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager Version)
[[ $version == 's "2'* ]] || fail "systemd Version over D-Bus: got '$version'"

# The machine's sub-cgroups (init.scope, system.slice/...) must go with it.
machine stop "$id" || { machine leftovers "$id" >&2 || true; fail "stop left something behind"; }
trap - EXIT
left=$(machine leftovers "$id") || fail "left behind: $left"
echo "ok: booted, scope with MemoryMax, D-Bus, stopped cleanly"
