#!/usr/bin/env bash
# Install the container engines that tests/clients drives orun with: containerd
# (with ctr), Docker (dockerd + docker) and podman (with conmon), all from
# Debian 12 packages. Safe to run again: apt-get skips what is already there.
#
# The packages' maintainer scripts would start and enable the daemons. The
# client tests start their own daemons on private directories, so a system
# containerd or dockerd would only be in the way: a policy-rc.d that denies
# every service action is in place during the install and removed afterwards
# (unless one was there before, which is then left as it was).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then exec sudo bash "$0" "$@"; fi
  echo "$0: run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
packages=(
  containerd  # containerd 1.6, ctr and containerd-shim-runc-v2
  docker.io   # dockerd, docker-proxy, the docker CLI; pulls in tini (docker-init)
  podman      # podman 4.3; pulls in conmon, containers-common and the CNI plugins
  iptables    # dockerd insists on finding it even with --iptables=false
  tini        # `docker run --init` needs /usr/bin/docker-init
  uidmap      # newuidmap/newgidmap: rootless podman's user namespace
  busybox-static jq  # the test image and the scripts that build it
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-client-deps: all client dependencies are installed"
  exit 0
fi

policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# installed by orun install-client-deps.sh: start no service\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  own_policy=1
fi
cleanup() { if [[ $own_policy -eq 1 ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Nothing here runs systemd, but where a unit system exists keep the engines'
# services disabled so that no system daemon shares sockets with the tests.
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
fi
echo "install-client-deps: installed ${missing[*]}"
