#!/usr/bin/env bash
# Compare orun with runc and crun: N sequential `run` of /bin/true in a busybox
# bundle (each with its own cgroupsPath, removed afterwards). Prints mean and
# median wall time per run, max RSS, binary size and orun's ratios.
#   bench/run.sh [N]          N defaults to 50
#   ORUN=/path/to/orun        skip the build and use this binary
#   RUNC=... CRUN=...         other runtimes (default: from PATH)
# Needs root. Works when orun is broken: its row then shows the failure.
set -uo pipefail

# ---------------------------------------------------------------- inner mode
# `run.sh --measure NAME BINARY BUNDLE N WORKDIR`: time N runs, print one line
# "NAME ok fails mean_ms median_ms rss_kb" (rss from a few extra runs).
if [[ "${1:-}" == --measure ]]; then
  name=$2 bin=$3 bundle=$4 n=$5 work=$6
  state=$work/state-$name
  mkdir -p "$state"
  config=$bundle/config.json
  template=$bundle/config.template.json
  times=() fails=0 first_error=""
  cleanup_one() {
    [[ -d "$state/$1" ]] && "$bin" --root "$state" delete --force "$1" >/dev/null 2>&1
    for d in /sys/fs/cgroup/*/orun-bench/"$1" /sys/fs/cgroup/orun-bench/"$1"; do
      [[ -d "$d" ]] && rmdir "$d" 2>/dev/null
    done
    return 0
  }
  one_run() {  # $1 = id, rest = wrapper; sets $elapsed (µs) and returns status
    local id=$1; shift
    jq --arg cg "/orun-bench/$id" '.linux.cgroupsPath = $cg' "$template" >"$config"
    local t0=$EPOCHREALTIME
    "$@" "$bin" --root "$state" run --bundle "$bundle" "$id" >/dev/null 2>"$work/err-$name"
    local rc=$?
    local t1=$EPOCHREALTIME
    elapsed=$(( ${t1/./} - ${t0/./} ))
    cleanup_one "$id"
    return $rc
  }
  for i in 1 2 3; do one_run "warm-$name-$i"; done  # page cache, first-run costs
  for ((i = 0; i < n; i++)); do
    if one_run "$name-$i"; then
      times+=("$elapsed")
    else
      fails=$((fails + 1))
      [[ -z "$first_error" ]] && first_error=$(head -c 300 "$work/err-$name" | tr '\n' ' ')
    fi
  done
  rss=0
  if [[ -x /usr/bin/time ]]; then
    for i in 1 2 3 4 5; do
      one_run "rss-$name-$i" /usr/bin/time -f %M -o "$work/rss-$name" || continue
      r=$(tail -n1 "$work/rss-$name")
      ((r > rss)) && rss=$r
    done
  fi
  # exec latency (what liveness probes pay): one detached container, then
  # N `exec ID /bin/true`.
  exec_times=()
  eid="exec-$name"
  jq --arg cg "/orun-bench/$eid" '.linux.cgroupsPath = $cg | .process.args = ["/bin/sleep", "1000"]' \
    "$template" >"$config"
  if "$bin" --root "$state" run -d --bundle "$bundle" "$eid" </dev/null >/dev/null 2>&1; then
    for ((i = 0; i < n; i++)); do
      t0=$EPOCHREALTIME
      if "$bin" --root "$state" exec "$eid" /bin/true </dev/null >/dev/null 2>&1; then
        t1=$EPOCHREALTIME
        exec_times+=($(( ${t1/./} - ${t0/./} )))
      fi
    done
  fi
  cleanup_one "$eid"
  exec_median=-
  if ((${#exec_times[@]} > 0)); then
    exec_median=$(printf '%s\n' "${exec_times[@]}" | sort -n | awk '{ t[NR] = $1 }
      END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.2f", m / 1000 }')
  fi
  if ((${#times[@]} == 0)); then
    echo "$name 0 $fails - - $rss $exec_median ${first_error:-no output}"
    exit 0
  fi
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v fails="$fails" -v rss="$rss" -v ex="$exec_median" '
    { t[NR] = $1; sum += $1 }
    END {
      median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%s %d %d %.2f %.2f %d %s\n", name, NR, fails, sum / NR / 1000, median / 1000, rss, ex
    }'
  exit 0
fi

# ---------------------------------------------------------------- main
n=${1:-50}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$repo/bench/run.sh

if [[ $(id -u) -ne 0 ]]; then
  echo "bench/run.sh: needs root (namespaces, mounts, cgroups)" >&2
  exit 1
fi
for tool in jq busybox; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

orun_note=""
if [[ -z "${ORUN:-}" ]]; then
  build_dir=${BUILD_DIR:-$repo/build}
  echo "building orun (Release) in $build_dir ..." >&2
  if { [[ -f "$build_dir/CMakeCache.txt" ]] ||
       cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DORUN_BUILD_TESTS=OFF >/dev/null; } &&
     cmake --build "$build_dir" --target orun -j"$(nproc)" >"$build_dir/bench-build.log" 2>&1; then
    ORUN=$build_dir/orun
  else
    orun_note="build failed (see $build_dir/bench-build.log)"
    ORUN=""
  fi
fi
RUNC=${RUNC:-$(command -v runc || true)}
CRUN=${CRUN:-$(command -v crun || true)}

work=$(mktemp -d /tmp/orun-bench.XXXXXX)
cleanup() {
  rmdir /sys/fs/cgroup/*/orun-bench /sys/fs/cgroup/orun-bench 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "making a busybox bundle in $work ..." >&2
bash "$repo/scripts/make-busybox-rootfs.sh" "$work/rootfs"
spec_from=${RUNC:-$ORUN}
mkdir -p "$work/spec"
(cd "$work/spec" && "$spec_from" spec) || { echo "bench/run.sh: $spec_from spec failed" >&2; exit 1; }
jq --arg root "$work/rootfs" '
  .process.terminal = false | .process.args = ["/bin/true"] | .root.path = $root
' "$work/spec/config.json" >"$work/template.json"

# Each runtime gets its own bundle (config only; the rootfs is shared, read-only).
measure() {  # name binary
  local name=$1 bin=$2 bundle=$work/bundle-$1
  mkdir -p "$bundle"
  cp "$work/template.json" "$bundle/config.template.json"
  if [[ "$name" == crun && -d /sys/fs/cgroup/unified ]] &&
     mountpoint -q /sys/fs/cgroup/unified; then
    # crun refuses hybrid hierarchies: give it a pure v1 view in a private
    # mount namespace (the host's mounts are untouched).
    unshare -m bash -c 'umount /sys/fs/cgroup/unified && exec bash "$@"' _ \
      "$self" --measure "$name" "$bin" "$bundle" "$n" "$work"
  else
    bash "$self" --measure "$name" "$bin" "$bundle" "$n" "$work"
  fi
}

declare -A mean median rss size ok note exec_med
for rt in orun runc crun; do
  case $rt in orun) bin=$ORUN ;; runc) bin=$RUNC ;; crun) bin=$CRUN ;; esac
  if [[ -z "$bin" || ! -x "$bin" ]]; then
    note[$rt]=${orun_note:-not installed}
    [[ $rt != orun ]] && note[$rt]="not installed"
    continue
  fi
  echo "measuring $rt ($bin), $n runs ..." >&2
  read -r _ ok_runs fails m med r ex err < <(measure "$rt" "$bin")
  exec_med[$rt]=$ex
  size[$rt]=$(stat -L -c %s "$bin")
  ok[$rt]="${ok_runs:-0}/$n"
  if [[ "${ok_runs:-0}" -gt 0 ]]; then
    mean[$rt]=$m median[$rt]=$med rss[$rt]=$r
    ((fails > 0)) && note[$rt]="$fails failed"
  else
    note[$rt]="FAILED: ${err:-no output}"
  fi
done

echo
# shellcheck disable=SC2016  # literal backquotes
printf 'orun benchmark: %s sequential `run` of /bin/true, busybox bundle, %s\n' "$n" "$(uname -r)"
printf '%-6s %10s %10s %14s %12s %12s %8s  %s\n' runtime mean_ms median_ms exec_median_ms max_rss_kb size_bytes ok notes
for rt in orun runc crun; do
  printf '%-6s %10s %10s %14s %12s %12s %8s  %s\n' "$rt" "${mean[$rt]:--}" "${median[$rt]:--}" \
    "${exec_med[$rt]:--}" "${rss[$rt]:--}" "${size[$rt]:--}" "${ok[$rt]:--}" "${note[$rt]:-}"
done
ratio() {  # a b -> a/b or "-"
  [[ -n "${1:-}" && -n "${2:-}" && "$2" != 0 && "$2" != 0.00 ]] || { echo -; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
echo
for other in runc crun; do
  printf 'orun/%s: time %s (mean), %s (median), exec %s (median), rss %s, size %s\n' "$other" \
    "$(ratio "${mean[orun]:-}" "${mean[$other]:-}")" \
    "$(ratio "${median[orun]:-}" "${median[$other]:-}")" \
    "$(ratio "${exec_med[orun]:-}" "${exec_med[$other]:-}")" \
    "$(ratio "${rss[orun]:-}" "${rss[$other]:-}")" \
    "$(ratio "${size[orun]:-}" "${size[$other]:-}")"
done
