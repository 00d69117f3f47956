#!/usr/bin/env bash
# Build orun with warnings as errors and run every test suite: the GoogleTest
# unit and integration tests through ctest, plus any optional suite present.
# The output ends with ctest's summary line; the exit status is non-zero if
# anything failed.
#   BUILD_DIR=dir      build directory (default: <repo>/build-test)
#   BUILD_TYPE=type    CMake build type (default: Debug)
#   CTEST_ARGS="..."   extra ctest arguments (e.g. -L unit, -R Lifecycle)
#   ORUN_WERROR=OFF    do not treat warnings as errors (local use; CI keeps ON)
#   ORUN_FUZZ_SECONDS=n  libFuzzer time per target (default 20; 0 skips the
#                      fuzz build and run; tests/fuzz/README.md)
#   ORUN_SANITIZE_TESTS=1  also build with ASan+UBSan in $SANITIZE_BUILD_DIR
#                      (default <repo>/build-asan) and run the unit and
#                      integration tests there (docs/sanitizers.md)
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

# libFuzzer targets of every parser of outside input, a short run each; a
# separate clang build, so the gcc build above is untouched.
fuzz_seconds=${ORUN_FUZZ_SECONDS:-20}
if [[ $fuzz_seconds != 0 ]]; then
  if command -v clang++-14 >/dev/null && command -v clang-14 >/dev/null; then
    fuzz_dir=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
    if cmake -S "$repo/tests/fuzz" -B "$fuzz_dir" -DCMAKE_CXX_COMPILER=clang++-14 \
         -DCMAKE_C_COMPILER=clang-14 >/dev/null && cmake --build "$fuzz_dir" -j"$jobs"; then
      bash "$repo/tests/fuzz/run.sh" "$fuzz_dir" "$fuzz_seconds" || status=1
    else
      echo "test.sh: the fuzz build failed" >&2
      status=1
    fi
  else
    echo "test.sh: clang-14 not installed, skipping tests/fuzz" >&2
  fi
fi

# ASan+UBSan build of orun and the tests (opt-in: several times slower).
if [[ ${ORUN_SANITIZE_TESTS:-0} == 1 ]]; then
  san_dir=${SANITIZE_BUILD_DIR:-$repo/build-asan}
  if cmake -S "$repo" -B "$san_dir" -DCMAKE_BUILD_TYPE=Debug -DORUN_WERROR="${ORUN_WERROR:-ON}" \
       -DORUN_BUILD_TESTS=ON -DORUN_SANITIZE=ON >/dev/null && cmake --build "$san_dir" -j"$jobs"; then
    (cd "$san_dir" && ctest --output-on-failure -j"$jobs" -L 'unit|integration' -E 'DebPackage|BashCompletion') ||
      status=1
  else
    echo "test.sh: the sanitizer build failed" >&2
    status=1
  fi
fi

# shellcheck disable=SC2086  # CTEST_ARGS is a list of arguments
(cd "$build_dir" && ctest --output-on-failure -j"$jobs" ${CTEST_ARGS:-}) || status=1
exit "$status"
