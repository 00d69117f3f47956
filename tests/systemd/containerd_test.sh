#!/usr/bin/env bash
# containerd with the systemd cgroup driver inside the systemd machine
# (machine.sh): containerd 1.6 runs as a transient service of the machine's
# systemd, and `ctr run --runc-systemd-cgroup --runc-binary orun` has its
# io.containerd.runc.v2 shim call orun with --systemd-cgroup and a
# Kubernetes-style `slice:cri-containerd:ID` cgroupsPath (what CRI's
# SystemdCgroup = true gives). Checked: the shim really called orun with
# --systemd-cgroup, the scope unit and its memory limit, the task in the
# scope's cgroups, exec, pause/resume through the freezer, and that kill +
# delete remove the unit and its cgroups.
#   containerd_test.sh ORUN_BINARY
# Skips (77) without root, without containerd/ctr/the runc v2 shim/jq on the
# host, or without a cached rootfs and debootstrap.
set -euo pipefail

export ORUN=${1:?usage: containerd_test.sh ORUN_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
machine() { bash "$here/machine.sh" "$@"; }
rootfs=${ORUN_SYSTEMD_ROOTFS:-/var/cache/orun-tests/systemd-rootfs}

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect WHAT GOT WANT
  [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}
if [[ $(id -u) -ne 0 ]]; then echo "skip: needs root"; exit 77; fi
for c in containerd ctr containerd-shim-runc-v2 jq; do
  command -v "$c" >/dev/null || { echo "skip: no $c on the host"; exit 77; }
done
if [[ ! -x $rootfs/lib/systemd/systemd ]] && ! command -v debootstrap >/dev/null; then
  echo "skip: no cached rootfs at $rootfs and no debootstrap (scripts/install-deps.sh)"
  exit 77
fi

tmp=$(mktemp -d /tmp/orun-containerd-sd.XXXXXX)
id=ctrd-sd-$$
inside() { machine exec "$id" "$@"; }
ctr_in() { inside ctr --address /run/ctrd-test/containerd.sock --namespace k8s.io "$@"; }
cleanup() {
  # The task first (its pid 1 ignores the SIGTERM of systemd's halt), then
  # containerd, then the machine.
  ctr_in task kill -s SIGKILL ct1 >/dev/null 2>&1 || true
  sleep 0.3
  ctr_in task delete -f ct1 >/dev/null 2>&1 || true
  inside systemctl stop ctrd-test.service >/dev/null 2>&1 || true
  machine stop "$id" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

bash "$repo/tests/clients/make-image.sh" "$tmp/image" orun-busybox:latest >/dev/null
machine boot "$id"
machine install "$id" "$ORUN" /usr/local/bin/orun
for c in containerd ctr containerd-shim-runc-v2; do
  machine install "$id" "$(command -v "$c")" "/usr/local/bin/$c"
done
machine install "$id" "$tmp/image/oci.tar" /srv/image.tar
# The shim's BinaryName: orun behind a wrapper that records its arguments.
cat >"$tmp/orun-wrapper" <<'EOF'
#!/bin/sh
echo "$*" >>/run/ctrd-test/orun-calls
exec /usr/local/bin/orun "$@"
EOF
machine install "$id" "$tmp/orun-wrapper" /usr/local/bin/orun-wrapper
# containerd's dirs on the machine's /run (a tmpfs: the overlayfs
# snapshotter cannot put its upper dirs on the machine's overlay root).
cat >"$tmp/config.toml" <<'TOML'
version = 2
root = "/run/ctrd-test/root"
state = "/run/ctrd-test/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "/run/ctrd-test/containerd.sock"
[ttrpc]
  address = "/run/ctrd-test/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "/run/ctrd-test/opt"
TOML
machine install "$id" "$tmp/config.toml" /srv/ctrd/config.toml

# containerd as a service of the machine's systemd (Delegate and KillMode as
# containerd.service has them).
inside mkdir -p /run/ctrd-test
inside systemd-run --unit=ctrd-test -p Delegate=yes -p KillMode=process \
  /usr/local/bin/containerd --config /srv/ctrd/config.toml >/dev/null 2>&1 || fail "systemd-run containerd"
for _ in $(seq 100); do ctr_in version >/dev/null 2>&1 && break; sleep 0.1; done
ctr_in version >/dev/null 2>&1 || fail "containerd did not start: $(inside journalctl -u ctrd-test --no-pager 2>&1 | tail -5)"

out=$(ctr_in image import /srv/image.tar 2>&1) || fail "image import: $out"
cgpath=kubepods-besteffort-pod1234.slice:cri-containerd:ct1
out=$(ctr_in run -d --runc-binary /usr/local/bin/orun-wrapper --runc-systemd-cgroup --cgroup "$cgpath" \
  --memory-limit 52428800 docker.io/library/orun-busybox:latest ct1 sleep 1000 2>&1) || fail "ctr run: $out"

calls=$(inside cat /run/ctrd-test/orun-calls)
[[ $calls == *"--systemd-cgroup"*" create "* ]] || fail "the shim did not call orun with --systemd-cgroup: $calls"
unit=cri-containerd-ct1.scope
cg=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/$unit
show() { inside systemctl show "$unit" -p "$1" --value; }
expect "ActiveState" "$(show ActiveState)" active
expect "ControlGroup" "$(show ControlGroup)" "$cg"
expect "Slice" "$(show Slice)" kubepods-besteffort-pod1234.slice
expect "MemoryLimit" "$(show MemoryLimit)" 52428800
expect "memory.limit_in_bytes" "$(inside cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes)" 52428800

pid=$(ctr_in task ls | awk '$1 == "ct1" {print $2}')
[[ $pid =~ ^[0-9]+$ ]] || fail "no task pid: $(ctr_in task ls)"
for h in memory pids freezer name=systemd; do
  line=$(inside grep -E "^[0-9]+:([a-z_,]*,)?$h(,[a-z_]*)?:" "/proc/$pid/cgroup")
  [[ $line == *":$cg" ]] || fail "task's $h cgroup: $line"
done

out=$(ctr_in task exec --exec-id e1 ct1 cat /proc/self/cgroup 2>&1) || fail "task exec: $out"
[[ $out == *":memory:$cg"* ]] || fail "exec'd process's cgroups: $out"

ctr_in task pause ct1 >/dev/null || fail "task pause"
expect "freezer.state paused" "$(inside cat /sys/fs/cgroup/freezer$cg/freezer.state)" FROZEN
ctr_in task resume ct1 >/dev/null || fail "task resume"
expect "freezer.state resumed" "$(inside cat /sys/fs/cgroup/freezer$cg/freezer.state)" THAWED

ctr_in task kill -s SIGKILL ct1 >/dev/null || fail "task kill"
for _ in $(seq 50); do [[ $(ctr_in task ls | awk '$1 == "ct1" {print $3}') == STOPPED ]] && break; sleep 0.1; done
out=$(ctr_in task delete ct1 2>&1) || fail "task delete: $out"
out=$(ctr_in container delete ct1 2>&1) || fail "container delete: $out"
[[ $(inside cat /run/ctrd-test/orun-calls) == *" delete "* ]] || fail "the shim did not call orun delete"
expect "LoadState after delete" "$(show LoadState)" not-found
for h in memory pids freezer cpu systemd unified; do
  inside test ! -e "/sys/fs/cgroup/$h$cg" || fail "delete left /sys/fs/cgroup/$h$cg"
done

inside systemctl stop ctrd-test.service >/dev/null 2>&1 || true
machine stop "$id" || { machine leftovers "$id" >&2 || true; fail "stop left something behind"; }
trap - EXIT
rm -rf "$tmp"
echo "ok: containerd's runc v2 shim ran orun with --systemd-cgroup: scope unit, limits, cgroups, exec, pause/resume, delete removes the unit"
