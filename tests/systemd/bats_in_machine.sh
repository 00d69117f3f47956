#!/usr/bin/env bash
# runc's own bats suite with RUNC_USE_SYSTEMD=1, run inside the systemd
# machine (machine.sh) against one or more runtimes, side by side. A tool for
# people, not a ctest: the suite is runc's, extracted outside the project
# (runc's tests/integration with its built tests/cmd/_bin helpers and a
# busybox.tar image; a runc-bats runner's --prepare-only makes such a tree).
#   bats_in_machine.sh ORUN_BINARY [FILE...]
# FILE is a bats file name without .bats (default: the cgroup-related ones).
# Environment:
#   RUNC_BATS_SRC        the extracted suite's root (holds tests/integration);
#                        default: the newest /tmp/runc-bats/src-*
#   RUNC_BATS_IMAGES     dir with busybox.tar (default /tmp/runc-bats/images)
#   ORUN_BATS_RUNTIMES   runtimes to run the suite with, host paths, space
#                        separated (default: ORUN_BINARY and /usr/sbin/runc)
#   ORUN_BATS_RESULTS    where the TAP files go (default /tmp/orun-bats-systemd)
#   ORUN_BATS_FILTER     a bats --filter regex
#   ORUN_BATS_TIMEOUT    seconds per file (default 900)
# The machine is booted by ORUN_BINARY; what the suite needs and the minbase
# rootfs lacks (bats, jq, gawk, ps) is copied from the host's Debian packages
# into the machine's overlay, never into the cached rootfs. runc's sd-helper
# (a Go program that starts/stops a pod slice) is replaced by systemctl.
set -euo pipefail

export ORUN=${1:?usage: bats_in_machine.sh ORUN_BINARY [FILE...]}
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
machine() { bash "$here/machine.sh" "$@"; }
files=("$@")
((${#files[@]})) || files=(cgroups update run exec kill delete pause ps events)
src=${RUNC_BATS_SRC:-$(ls -d /tmp/runc-bats/src-*/ 2>/dev/null | tail -1)}
src=${src%/}
images=${RUNC_BATS_IMAGES:-/tmp/runc-bats/images}
runtimes=(${ORUN_BATS_RUNTIMES:-$ORUN /usr/sbin/runc})
results=${ORUN_BATS_RESULTS:-/tmp/orun-bats-systemd}

die() { echo "bats_in_machine: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root"
[[ -n $src && -e $src/tests/integration/helpers.bash ]] ||
  die "no suite: set RUNC_BATS_SRC (runc-bats.sh --prepare-only extracts one)"
[[ -e $images/busybox.tar ]] || die "no $images/busybox.tar (RUNC_BATS_IMAGES)"
command -v bats >/dev/null || die "bats is not installed on the host (its files are copied in)"

id=bats-sd-$$
mkdir -p "$results"
cleanup() { machine stop "$id" >/dev/null 2>&1 || true; }
trap cleanup EXIT
machine boot "$id"
root=${ORUN_SYSTEMD_STATE:-/tmp/orun-systemd-test}/$id/bundle/rootfs

# Host packages -> the machine's overlay (same Debian release), when the
# machine does not have them.
copy_pkg() {
  local p=$1 f
  dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' "$p" 2>/dev/null |
    grep -q 'ok installed' && return 0
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    die "package $p is not installed on the host"
  dpkg -L "$p" | while IFS= read -r f; do
    [[ -f $f || -L $f ]] || continue
    [[ $f == /usr/share/doc/* || $f == /usr/share/man/* ]] || echo "${f#/}"
  done | tar -C / --no-recursion -cf - -T - | tar -C "$root" -xf -
}
for p in bats jq libjq1 libonig5 gawk libsigsegv2 libmpfr6 libgmp10 libreadline8 readline-common \
  procps libproc2-0 libncursesw6 libtinfo6; do
  copy_pkg "$p"
done
chroot "$root" ldconfig

# The suite at /opt/runc-bats (the machine's /tmp is a tmpfs of its own).
mkdir -p "$root/opt/runc-bats/tests" "$root/opt/runc-bats/images"
cp -a "$src/tests/integration" "$root/opt/runc-bats/tests/"
mkdir -p "$root/opt/runc-bats/tests/cmd"
cp -a "$src/tests/cmd/_bin" "$root/opt/runc-bats/tests/cmd/"
cp "$images/busybox.tar" "$root/opt/runc-bats/images/"
[[ -e $images/debian.tar ]] && cp "$images/debian.tar" "$root/opt/runc-bats/images/"
cat >"$root/opt/runc-bats/tests/integration/get-images.sh" <<'EOF'
#!/bin/bash
echo "BUSYBOX_IMAGE=/opt/runc-bats/images/busybox.tar"
echo "DEBIAN_IMAGE=/opt/runc-bats/images/debian.tar"
EOF
chmod +x "$root/opt/runc-bats/tests/integration/get-images.sh"
# sd-helper --parent machine.slice start|stop NAME.slice: runc's helper
# applies/destroys a slice unit through its systemd manager; systemd starts
# a slice by name without a unit file, in the parent its name implies.
cat >"$root/opt/runc-bats/tests/cmd/_bin/sd-helper" <<'EOF'
#!/bin/bash
[ "$1" = --parent ] && shift 2
case "$1" in
start) exec systemctl start "$2" ;;
stop) exec systemctl stop "$2" ;;
*) echo "sd-helper: unknown command $1" >&2; exit 1 ;;
esac
EOF
chmod +x "$root/opt/runc-bats/tests/cmd/_bin/sd-helper"

declare -A P F S
for rt in "${runtimes[@]}"; do
  name=$(basename "$rt")
  # Each runtime is called "runc" (orun names itself after argv[0], and the
  # suite greps for "runc ..." in a few messages).
  machine install "$id" "$rt" "/usr/local/lib/rt-$name/runc"
  for f in "${files[@]}"; do
    tap="$results/$name-$f.tap"
    cmd="cd /opt/runc-bats/tests/integration && bats --tap"
    [[ -n ${ORUN_BATS_FILTER:-} ]] && cmd+=" --filter $(printf %q "$ORUN_BATS_FILTER")"
    cmd+=" $f.bats"
    start=$SECONDS
    # bats under script(1) as runc's CI (some tests want a terminal). Its
    # stdin is a FIFO that never ends: at EOF script(1) types the EOF
    # character into the terminal, which a test's `exec -t` may then echo.
    machine exec "$id" env RUNC="/usr/local/lib/rt-$name/runc" RUNC_USE_SYSTEMD=1 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      CMD="$cmd" TIMEOUT="${ORUN_BATS_TIMEOUT:-900}" sh -c \
      'rm -f /tmp/bats-stdin; mkfifo /tmp/bats-stdin; exec timeout -k 10 "$TIMEOUT" script -q -e -c "$CMD" /dev/null 0<>/tmp/bats-stdin' \
      </dev/null >"$tap" 2>&1 || true
    s=$(grep -cE '^ok [0-9]+ .*# skip' "$tap" || true)
    p=$(($(grep -cE '^ok [0-9]+' "$tap" || true) - s))
    n=$(grep -cE '^not ok [0-9]+' "$tap" || true)
    P[$name/$f]=$p F[$name/$f]=$n S[$name/$f]=$s
    printf '%-14s %-10s %3d passed %3d failed %3d skipped %4ds\n' "$name" "$f" "$p" "$n" "$s" $((SECONDS - start)) >&2
    # Nothing of a file may outlive it: leftover scopes would fail the next.
    machine exec "$id" sh -c 'systemctl list-units --all --plain --no-legend "runc-cgroups-*" "machine-*.slice" | awk "{print \$1}" | xargs -r systemctl stop' \
      </dev/null >/dev/null 2>&1 || true
  done
done

{
  printf '%-12s' FILE
  for rt in "${runtimes[@]}"; do printf '  %-22s' "$(basename "$rt") pass/fail/skip"; done
  echo
  for f in "${files[@]}"; do
    printf '%-12s' "$f"
    for rt in "${runtimes[@]}"; do
      name=$(basename "$rt")
      printf '  %-22s' "${P[$name/$f]}/${F[$name/$f]}/${S[$name/$f]}"
    done
    echo
  done
} | tee "$results/summary.txt"
