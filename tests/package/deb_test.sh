#!/usr/bin/env bash
# Tests the Debian package: builds it with CPack from a build directory,
# inspects it with dpkg-deb (control fields, contents, maintainer scripts),
# then installs, uses and removes it in a throwaway copy of this system.
#
#   deb_test.sh BUILD_DIR      package BUILD_DIR's build and test it
#   DEB=file.deb deb_test.sh   test a package built elsewhere (scripts/package.sh)
# Exit status: 0 passed, 1 failed, 77 skipped (ctest's SKIP_RETURN_CODE).
#
# Why a throwaway copy: installing the package and switching `runc` to orun
# on the real system would change /usr/sbin/runc under everything else that
# uses it at the same time (runc is the oracle of the integration tests, the
# engines' default runtime, other test runs on a shared machine). Instead the
# install checks (install_checks.sh) run chrooted into an overlay of / whose
# writable layer is a tmpfs in a private mount namespace: dpkg, dpkg-divert
# and update-alternatives act on a real Debian system with the real runc
# package installed, and every change vanishes with the namespace, even if
# the test is killed. Nothing outside the namespace ever sees it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# Inside the private mount namespace (see the end of this file).
if [[ ${1:-} == __sandbox ]]; then
  deb=$2 tmp=$3 version=$4
  mount -t tmpfs -o size=1g,mode=0755 orun-deb-test "$tmp/ovl" || exit 1
  mkdir -p "$tmp/ovl/upper" "$tmp/ovl/work" "$tmp/ovl/root"
  if ! mount -t overlay orun-deb-test -o "lowerdir=/,upperdir=$tmp/ovl/upper,workdir=$tmp/ovl/work" \
    "$tmp/ovl/root" 2>"$tmp/ovl/mount.err"; then
    echo "SKIP: overlayfs over / is not available: $(cat "$tmp/ovl/mount.err")" >&2
    exit 77
  fi
  root=$tmp/ovl/root
  mount --rbind /dev "$root/dev"
  mount -t proc proc "$root/proc"
  mount -t tmpfs tmpfs "$root/tmp"
  mount -t tmpfs tmpfs "$root/run"
  cp "$deb" "$root/tmp/orun.deb"
  cp "$here/install_checks.sh" "$root/tmp/install_checks.sh"
  # The checks list the files the package must ship, from its own contents.
  dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$root/tmp/orun.files"
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 TERM=dumb chroot "$root" /bin/bash /tmp/install_checks.sh "$version"
  exit $?
fi

tmp=$(mktemp -d /tmp/orun-deb-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for tool in dpkg-deb cpack; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed" >&2; exit 77; }
done

deb=${DEB:-}
if [[ -z $deb ]]; then
  build=${1:?usage: $0 BUILD_DIR, or DEB=file.deb $0}
  if ! (cd "$build" && cpack --config CPackConfig.cmake -B "$tmp/out" >"$tmp/cpack.log" 2>&1); then
    cat "$tmp/cpack.log" >&2
    echo "FAIL: cpack" >&2
    exit 1
  fi
  deb=$(echo "$tmp"/out/orun_*.deb)
fi
[[ -f $deb ]] || { echo "FAIL: no package at $deb" >&2; exit 1; }

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
version=$(sed -n 's/^project(orun VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
[[ $(field Package) == orun ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), want the project's $version"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] || fail "Architecture: $(field Architecture)"
[[ -z $(field Depends) && -z $(field Pre-Depends) ]] || fail "the static binary needs no Depends: $(field Depends)"
[[ $(field Suggests) == *criu* ]] || fail "Suggests: $(field Suggests)"
[[ $(field Section) == admin ]] || fail "Section: $(field Section)"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
[[ $(field Description) == *"drop-in replacement for runc"* ]] || fail "Description: $(field Description)"
[[ $(basename "$deb") == "orun_${version}_$(dpkg --print-architecture).deb" ]] || fail "file name $(basename "$deb")"

# Contents: exactly these files.
want=(/usr/bin/orun /usr/sbin/orun-alternatives /usr/share/bash-completion/completions/orun
  /usr/share/doc/orun/copyright /usr/share/doc/orun/LICENSE /usr/share/doc/orun/README.md)
for page in "$repo"/man/*.8; do want+=("/usr/share/man/man8/$(basename "$page").gz"); done
for doc in "$repo"/docs/*.md; do want+=("/usr/share/doc/orun/docs/$(basename "$doc")"); done
listing=$(dpkg-deb -c "$deb")
got=$(awk '$1 !~ /^d/ {print $6}' <<<"$listing" | sed 's|^\./|/|' | sort)
wanted=$(printf '%s\n' "${want[@]}" | sort)
[[ $got == "$wanted" ]] || fail "contents differ (< shipped, > expected):
$(diff <(echo "$got") <(echo "$wanted"))"
grep -q '^-rwxr-xr-x root/root .* \./usr/bin/orun$' <<<"$listing" || fail "/usr/bin/orun is not 0755 root:root"
grep -q '^-rwxr-xr-x root/root .* \./usr/sbin/orun-alternatives$' <<<"$listing" || fail "orun-alternatives is not 0755"

# Maintainer scripts: executable, and what they run.
ctrl=$(dpkg-deb --ctrl-tarfile "$deb" | tar tvf -)
for script in postinst prerm; do
  grep -qE "^-rwxr-xr-x .* \./$script$" <<<"$ctrl" || fail "$script missing or not 0755: $ctrl"
done
dpkg-deb -e "$deb" "$tmp/control"
grep -q 'orun-alternatives disable --if-enabled' "$tmp/control/prerm" || fail "prerm does not undo the alternative"
grep -q 'ORUN_AS_RUNC' "$tmp/control/postinst" || fail "postinst ignores ORUN_AS_RUNC"

# Payload: man pages compressed as Debian does (gzip -9n: no name, no time),
# a static binary.
dpkg-deb -x "$deb" "$tmp/x"
for gz in "$tmp"/x/usr/share/man/man8/*.gz; do
  gzip -t "$gz" || fail "$gz is not gzip"
  [[ $(od -An -tx1 -j3 -N5 "$gz" | tr -d ' \n') == 0000000000 ]] || fail "$(basename "$gz") has a name or time stamp"
done
if command -v file >/dev/null; then
  [[ $(file -L "$tmp/x/usr/bin/orun") == *"statically linked"* ]] || fail "orun is not static: $(file -L "$tmp/x/usr/bin/orun")"
fi
[[ $("$tmp/x/usr/bin/orun" --version | head -n1) == "orun version $version" ]] || fail "packaged orun --version"

# Install, use, switch runc, remove: in a throwaway copy of this system.
if ((failures == 0)); then
  if [[ $(id -u) -ne 0 ]] || ! command -v unshare >/dev/null; then
    echo "SKIP: the install checks need root and unshare" >&2
    exit 77
  fi
  mkdir -p "$tmp/ovl"
  unshare -m --propagation private "$0" __sandbox "$deb" "$tmp" "$version"
  rc=$?
  ((rc == 77)) && exit 77
  ((rc == 0)) || fail "install checks (above)"
fi

if ((failures > 0)); then
  echo "$failures package check(s) failed" >&2
  exit 1
fi
echo "deb package $(basename "$deb"): all checks passed"
