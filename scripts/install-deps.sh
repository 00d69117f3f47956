#!/usr/bin/env bash
# Install everything orun needs to build, test, demo and benchmark on Debian 12
# (or a derivative). Safe to run again: apt-get skips what is already there.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then exec sudo bash "$0" "$@"; fi
  echo "$0: run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
packages=(
  # build
  build-essential cmake pkg-config git
  libcli11-dev nlohmann-json3-dev libseccomp-dev libcap-dev libspdlog-dev libfmt-dev
  libdbus-1-dev
  # checkpoint/restore: CRIU's rpc.proto, protoc-c and the static libprotobuf-c.a
  protobuf-c-compiler libprotobuf-c-dev golang-github-checkpoint-restore-go-criu-dev
  libgtest-dev libgmock-dev
  # tests, demo and bench: the busybox rootfs, the reference runtimes, tools
  # (uidmap: newuidmap/newgidmap for the rootless tests)
  busybox-static runc crun jq bats time util-linux uidmap procps file iproute2
  # the systemd machine (tests/systemd/machine.sh): a Debian rootfs
  debootstrap
  # man page checks
  man-db groff-base
  # the package test (tests/package/) and bash completion (contrib/completions/)
  bash-completion
  # the fuzz build (tests/fuzz/): clang and its libFuzzer/sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
echo "install-deps: all dependencies are installed"
