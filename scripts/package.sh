#!/usr/bin/env bash
# Build the Debian package of orun: a Release build (static, stripped, no
# tests) in build/ -- the directory scripts/demo.sh uses -- then CPack's DEB
# generator. Prints the path of the .deb on the last line.
#   BUILD_DIR=dir     build directory (default: <repo>/build)
#   CMAKE_ARGS="..."  extra cmake arguments (e.g. the ccache launchers)
# Then: sudo dpkg -i build/orun_<version>_<arch>.deb (see README.md).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}

# shellcheck disable=SC2086  # CMAKE_ARGS is a list of arguments
cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DORUN_BUILD_TESTS=OFF ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
(cd "$build_dir" && cpack --config CPackConfig.cmake >/dev/null)
version=$(sed -n 's/^project(orun VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
deb=$build_dir/orun_${version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || { echo "$0: cpack did not write $deb" >&2; exit 1; }
echo "$deb"
