#!/usr/bin/env bash
# Build the client tests' container image from Debian's busybox-static, with no
# registry and no network: one uncompressed layer made from
# scripts/make-busybox-rootfs.sh, written out twice:
#   OUT/oci.tar     an OCI image layout archive, for `ctr image import`
#   OUT/docker.tar  a docker-archive (manifest.json + config + layer), for
#                   `docker load` and `podman load`
# Usage: make-image.sh OUT [NAME]     NAME defaults to orun-busybox:latest
# The image reference inside both archives is docker.io/library/NAME (what
# Docker and podman call just NAME).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 OUT [NAME]" >&2
  exit 2
fi
out=$1
name=${2:-orun-busybox:latest}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
repo_name=${name%:*}
tag=${name##*:}

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

bash "$repo/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
# Fixtures for the engines' exit-code contracts: a file that exists but is not
# executable (126) next to the missing commands (127).
printf '#!/bin/sh\necho never\n' >"$work/rootfs/bin/not-executable"
chmod 0644 "$work/rootfs/bin/not-executable"

# A reproducible layer: sorted names, fixed times, numeric owners.
tar --format=gnu --sort=name --mtime=@0 --numeric-owner -C "$work/rootfs" \
  -cf "$work/layer.tar" .
layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar")

jq -cn --arg diff "sha256:$layer_sha" '{
  architecture: "amd64",
  os: "linux",
  created: "1970-01-01T00:00:00Z",
  config: {
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    Cmd: ["sh"],
    WorkingDir: "/"
  },
  rootfs: {type: "layers", diff_ids: [$diff]},
  history: [{created: "1970-01-01T00:00:00Z", created_by: "orun tests/clients/make-image.sh"}]
}' >"$work/config.json"
config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")

# --- OCI image layout ---------------------------------------------------------
oci=$work/oci
mkdir -p "$oci/blobs/sha256"
cp "$work/layer.tar" "$oci/blobs/sha256/$layer_sha"
cp "$work/config.json" "$oci/blobs/sha256/$config_sha"
jq -cn --arg c "sha256:$config_sha" --argjson cs "$config_size" \
  --arg l "sha256:$layer_sha" --argjson ls "$layer_size" '{
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]
}' >"$work/manifest.json"
manifest_sha=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
cp "$work/manifest.json" "$oci/blobs/sha256/$manifest_sha"
echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
# ctr names the imported image after io.containerd.image.name; other tools
# read the standard ref.name annotation (the tag).
jq -cn --arg m "sha256:$manifest_sha" --argjson ms "$manifest_size" \
  --arg full "docker.io/library/$repo_name:$tag" --arg tag "$tag" '{
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.index.v1+json",
  manifests: [{
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: $m, size: $ms,
    platform: {architecture: "amd64", os: "linux"},
    annotations: {"io.containerd.image.name": $full, "org.opencontainers.image.ref.name": $tag}
  }]
}' >"$oci/index.json"
tar --format=gnu --sort=name --mtime=@0 --numeric-owner -C "$oci" -cf "$out/oci.tar" .

# --- docker-archive -------------------------------------------------------------
dock=$work/docker
mkdir -p "$dock/$layer_sha"
cp "$work/layer.tar" "$dock/$layer_sha/layer.tar"
cp "$work/config.json" "$dock/$config_sha.json"
jq -cn --arg cfg "$config_sha.json" --arg layer "$layer_sha/layer.tar" \
  --arg ref "docker.io/library/$repo_name:$tag" \
  '[{Config: $cfg, RepoTags: [$ref], Layers: [$layer]}]' >"$dock/manifest.json"
jq -cn --arg r "$repo_name" --arg t "$tag" --arg id "$layer_sha" \
  '{($r): {($t): $id}}' >"$dock/repositories"
tar --format=gnu --sort=name --mtime=@0 --numeric-owner -C "$dock" -cf "$out/docker.tar" .

echo "$out/oci.tar"
echo "$out/docker.tar"
