#!/usr/bin/env bash
# Build orun with warnings as errors and run every test suite: the GoogleTest
# unit and integration tests through ctest, plus any optional suite present.
# The output ends with ctest's summary line; the exit status is non-zero if
# anything failed.
#   BUILD_DIR=dir      build directory (default: <repo>/build-test)
#   BUILD_TYPE=type    CMake build type (default: Debug)
#   CTEST_ARGS="..."   extra ctest arguments (e.g. -L unit, -R Lifecycle)
#   ORUN_WERROR=OFF    do not treat warnings as errors (local use; CI keeps ON)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build-test}
jobs=$(nproc 2>/dev/null || echo 2)
export CI=${CI:-true}

# The integration tests create namespaces, mounts and cgroups: they need root.
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -E bash "$0" "$@"
  fi
  echo "test.sh: not root: the integration tests will be skipped" >&2
fi

cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Debug}" \
  -DORUN_WERROR="${ORUN_WERROR:-ON}" -DORUN_BUILD_TESTS=ON || exit 1
cmake --build "$build_dir" -j"$jobs" || exit 1

status=0
# Optional suites run first so that ctest's summary stays the last line.
if [[ -d "$repo/tests/bats" ]] && compgen -G "$repo/tests/bats/*.bats" >/dev/null; then
  if command -v bats >/dev/null; then
    ORUN="$build_dir/orun" bats "$repo/tests/bats" || status=1
  else
    echo "test.sh: bats not installed, skipping tests/bats" >&2
  fi
fi

bash "$repo/tests/clients/run.sh" "$build_dir/orun" || status=1  # containerd, Docker, podman (docs/engines.md)

# shellcheck disable=SC2086  # CTEST_ARGS is a list of arguments
(cd "$build_dir" && ctest --output-on-failure -j"$jobs" ${CTEST_ARGS:-}) || status=1
exit "$status"
