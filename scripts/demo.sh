#!/usr/bin/env bash
# Build orun (Release, static) if needed, then run one busybox container with it
# and print what the container sees from inside its own namespaces.
#   ORUN=/path/to/runtime  use another binary (e.g. /usr/sbin/runc to compare)
#   BUILD_DIR=dir          build directory (default: <repo>/build)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}

say() {
  if [[ -t 2 ]]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi
}

# Root is needed to create namespaces, mounts and cgroups; build as the caller.
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "$0: containers need root and sudo is not installed; run as root" >&2
    exit 1
  fi
fi

if [[ -z "${ORUN:-}" ]]; then
  say "building orun (Release) in $build_dir"
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DORUN_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$build_dir" --target orun -j"$(nproc)" >/dev/null
  ORUN=$build_dir/orun
fi
[[ -x "$ORUN" ]] || { echo "$0: $ORUN is not executable" >&2; exit 1; }

work=$(mktemp -d /tmp/orun-demo.XXXXXX)
id=demo-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
cgroup=/orun-demo/$id
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
  "${as_root[@]}" "$ORUN" --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
  for d in /sys/fs/cgroup/*/orun-demo /sys/fs/cgroup/orun-demo; do
    [[ -d "$d" ]] || continue
    "${as_root[@]}" rmdir "$d/$id" "$d" 2>/dev/null || true
  done
  "${as_root[@]}" rm -rf "$work"
}
trap cleanup EXIT

say "making a busybox bundle in $work/bundle"
mkdir -p "$work/bundle"
bash "$repo/scripts/make-busybox-rootfs.sh" "$work/bundle/rootfs"
(cd "$work/bundle" && "$ORUN" spec)
# shellcheck disable=SC2016  # expanded by the container's shell
script='echo "hello from $(hostname), I am pid $$ in my own pid namespace"; id; echo "my mounts:"; cut -d" " -f2,3 /proc/mounts | head -n 8; echo "/ contains: $(ls / | tr "\n" " ")"'
jq --arg script "$script" --arg cg "$cgroup" '
  .process.terminal = false
  | .process.args = ["sh", "-c", $script]
  | .hostname = "orun-demo"
  | .linux.cgroupsPath = $cg
' "$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"

say "$(basename "$ORUN") --root $work/state run --bundle $work/bundle $id"
status=0
"${as_root[@]}" "$ORUN" --root "$work/state" run --bundle "$work/bundle" "$id" || status=$?
say "container exited with status $status"
exit "$status"
