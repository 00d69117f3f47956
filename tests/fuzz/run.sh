#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for SECONDS each (README.md).
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# The corpus in tests/fuzz/corpus/<target>/ is read, never written: new
# inputs go to a temp dir (kept with -k via ORUN_FUZZ_KEEP=1). A crash, leak,
# timeout or sanitizer report fails the run and names the reproducer file.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(config process resources state seccomp cli values mount linux)
fi

work=$(mktemp -d /tmp/orun-fuzz-run.XXXXXX)
status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz_$t"
  if [[ ! -x $bin ]]; then
    echo "fuzz: $bin missing" >&2
    status=1
    continue
  fi
  mkdir -p "$work/$t/new" "$work/$t/artifacts"
  seeds="$here/corpus/$t"
  mkdir -p "$seeds"
  # -timeout: one input taking more than 10 s is a hang; -rss_limit_mb: a
  # huge allocation is a bug too. One process, no forks: CI has 2 cores.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
      "$work/$t/new" "$seeds" >"$work/$t/log" 2>&1; then
    echo "fuzz: $t: ok, $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$') runs in ${seconds}s"
  else
    status=1
    echo "fuzz: $t: FAILED; reproducer: $(ls "$work/$t/artifacts/"* 2>/dev/null | head -1)" >&2
    grep -m1 -B2 -A30 "ERROR:\|runtime error\|deadly signal" "$work/$t/log" >&2
  fi
done
if [[ $status -eq 0 && ${ORUN_FUZZ_KEEP:-0} != 1 ]]; then rm -rf "$work"; else echo "fuzz: outputs in $work" >&2; fi
exit "$status"
