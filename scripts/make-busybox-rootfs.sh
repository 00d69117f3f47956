#!/usr/bin/env bash
# Build a minimal root filesystem from the host's static busybox.
# Usage: make-busybox-rootfs.sh DIR
# Nothing is downloaded: Debian's busybox-static package provides /bin/busybox.
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1

busybox=${BUSYBOX:-}
if [[ -z "$busybox" ]]; then
  for candidate in /bin/busybox /usr/bin/busybox; do
    if [[ -x "$candidate" ]]; then busybox=$candidate; break; fi
  done
fi
if [[ -z "$busybox" ]]; then
  echo "$0: busybox not found (install busybox-static)" >&2
  exit 1
fi
# A dynamically linked busybox would need the host's libc inside the rootfs.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
  echo "$0: $busybox is not statically linked (install busybox-static)" >&2
  exit 1
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin dev etc home/user proc root run sys tmp usr var/tmp var/log mnt
chmod 1777 tmp var/tmp
chmod 0700 root
# Many programs expect these paths; keep one real bin/ and point the rest at it.
ln -sfn bin sbin
ln -sfn ../bin usr/bin
ln -sfn ../bin usr/sbin

install -m 0755 "$busybox" bin/busybox
for applet in $("$busybox" --list); do
  [[ "$applet" == busybox ]] && continue
  ln -sfn busybox "bin/$applet"
done

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
EOF
cat >etc/group <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
tty:x:5:
disk:x:6:
wheel:x:10:root
users:x:100:user
nogroup:x:65534:
user:x:1000:
EOF
chown 1000:1000 home/user
echo busybox >etc/hostname
cat >etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
: >etc/resolv.conf
echo 'hosts: files dns' >etc/nsswitch.conf
echo 'orun busybox rootfs' >etc/issue
