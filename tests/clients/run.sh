#!/usr/bin/env bash
# Run every suite in tests/clients against one orun binary: the engines'
# contracts called directly, then containerd (ctr + runc.v2 shim), Docker,
# podman as root and as an ordinary user. Installs the engines first
# when they are missing (scripts/install-client-deps.sh, Debian packages).
# Usage: tests/clients/run.sh [ORUN]          (or ORUN=... in the environment)
#   CLIENTS_SKIP=1        do nothing (exit 0)
#   CLIENTS_INSTALL=0     do not install missing engines: their suites fail
#   CLIENTS_ENGINES="..." the suites to run (default: contracts containerd docker podman
#                         podman-rootless)
#   CLIENTS_CRIU=PATH     the CRIU binary for podman's checkpoint/restore scenario
#                         (default: criu on PATH; skipped when `criu check` fails)
# Prints each suite's scenarios, then "N passed, N failed" over all of them;
# exits non-zero if any scenario failed or a suite could not run.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ ${CLIENTS_SKIP:-0} == 1 ]]; then
  echo "clients: skipped (CLIENTS_SKIP=1)"
  exit 0
fi
if [[ $# -ge 1 ]]; then export ORUN=$1; fi
if [[ -z ${ORUN:-} || ! -x ${ORUN:-} ]]; then
  echo "clients: orun binary not found (pass it as the argument or ORUN)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "clients: skipped: the engines need root" >&2
  exit 0
fi

need=(containerd ctr containerd-shim-runc-v2 dockerd podman conmon docker-init jq script newuidmap)
missing=0
for c in "${need[@]}"; do command -v "$c" >/dev/null || missing=1; done
if [[ $missing == 1 && ${CLIENTS_INSTALL:-1} != 0 ]]; then
  echo "clients: installing the engines (scripts/install-client-deps.sh)"
  bash "$repo/scripts/install-client-deps.sh" || echo "clients: engine install failed" >&2
fi

total_pass=0
total_fail=0
summary=()
start=$SECONDS
for engine in ${CLIENTS_ENGINES:-contracts containerd docker podman podman-rootless}; do
  echo "=== clients: $engine"
  t0=$SECONDS
  log=$(mktemp)
  # A whole suite is bounded too: a wedged daemon must not eat CI's time.
  # Into a file, not through a pipe: a leftover process holding the suite's
  # stdout must not keep this script waiting.
  timeout -k 30 "${CLIENTS_SUITE_TIMEOUT:-420}" bash "$here/$engine.sh" >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  rm -f "$log"
  if [[ -n $line ]]; then
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
  else
    p=0
    f=1
  fi
  # A suite that died without failing a scenario still fails the run.
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  summary+=("$engine: $p passed, $f failed, $((SECONDS - t0))s (exit $rc)")
done

echo "=== clients summary ($((SECONDS - start))s)"
printf '  %s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
((total_fail == 0))
