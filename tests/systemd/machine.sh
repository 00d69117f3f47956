#!/usr/bin/env bash
# A real systemd booted as pid 1 in a container run by orun, to test the
# systemd cgroup driver against (docs/systemd.md). Subcommands:
#   machine.sh rootfs            build the cached Debian 12 rootfs if missing
#   machine.sh boot ID           boot systemd in container ID, wait until running
#   machine.sh exec ID CMD...    run CMD in the machine (orun exec)
#   machine.sh install ID FILE DEST   copy FILE to DEST in the machine
#   machine.sh stop ID           halt systemd (SIGRTMIN+3), delete, clean up
#   machine.sh leftovers ID      print what of ID is left (cgroups, state,
#                                mounts, processes); exit 1 if anything is
# Environment:
#   ORUN                      the runtime binary (default: orun in PATH); runc works too
#   ORUN_SYSTEMD_ROOTFS       cached rootfs (default /var/cache/orun-tests/systemd-rootfs)
#   ORUN_SYSTEMD_STATE        per-machine dirs (default /tmp/orun-systemd-test)
#   ORUN_SYSTEMD_CGROUP       parent of the machine's cgroup (default /orun-systemd-test)
#   ORUN_SYSTEMD_TIMEOUT      seconds to wait for boot and for halt (default 60)
#   ORUN_SYSTEMD_MIRROR       Debian mirror (default http://deb.debian.org/debian)
#   ORUN_SYSTEMD_CGROUP2=1    a cgroup2 mount on /sys/fs/cgroup: systemd boots in
#                             unified mode (cgroup v2), with the controllers
#                             the host's cgroup2 hierarchy has (none on hybrid)
# The rootfs is read-only below an overlay per machine, so machines never
# change the cache and several can run at once.
set -euo pipefail

ORUN=${ORUN:-orun}
rootfs_cache=${ORUN_SYSTEMD_ROOTFS:-/var/cache/orun-tests/systemd-rootfs}
state_base=${ORUN_SYSTEMD_STATE:-/tmp/orun-systemd-test}
cgroup_parent=${ORUN_SYSTEMD_CGROUP:-/orun-systemd-test}
timeout=${ORUN_SYSTEMD_TIMEOUT:-60}
mirror=${ORUN_SYSTEMD_MIRROR:-http://deb.debian.org/debian}

die() { echo "machine.sh: $*" >&2; exit 1; }
log() { echo "machine.sh: $*" >&2; }

check_id() {
  [[ ${1:-} =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "bad machine id '${1:-}'"
}

# Build the rootfs in a temporary dir next to the cache and rename it into
# place, so an interrupted build never leaves a half rootfs behind. A lock
# serialises concurrent callers; the second one finds the finished cache.
cmd_rootfs() {
  [[ -x $rootfs_cache/lib/systemd/systemd ]] && return 0
  command -v debootstrap >/dev/null || die "debootstrap not installed (scripts/install-deps.sh)"
  local parent
  parent=$(dirname "$rootfs_cache")
  mkdir -p "$parent"
  exec 9>"$rootfs_cache.lock"
  flock 9
  if [[ -x $rootfs_cache/lib/systemd/systemd ]]; then exec 9>&-; return 0; fi
  local tmp
  tmp=$(mktemp -d "$rootfs_cache.tmp.XXXXXX")
  local start=$SECONDS
  log "building $rootfs_cache (debootstrap, a few minutes)"
  if ! debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus \
       bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1; then
    tail -20 "$tmp.log" >&2
    rm -rf --one-file-system "$tmp"
    die "debootstrap failed (log: $tmp.log)"
  fi
  # Nothing in the cache is per machine: systemd makes a machine-id at boot
  # (an empty file tells it to use a transient one).
  : >"$tmp/etc/machine-id"
  rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
  rm -rf "$rootfs_cache"
  mv -T "$tmp" "$rootfs_cache"
  rm -f "$tmp.log"
  exec 9>&-
  log "rootfs built in $((SECONDS - start)) s"
}

# All capabilities in our bounding set (this host may lack some, e.g.
# CAP_SYS_RESOURCE), by name.
all_caps() {
  local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID
    SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW
    IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT
    SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
    AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM
    BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
  local bnd
  bnd=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
  local i out=()
  for ((i = 0; i < ${#names[@]}; i++)); do
    ((bnd >> i & 1)) && out+=("\"CAP_${names[i]}\"")
  done
  local IFS=,
  echo "[${out[*]}]"
}

# The config the issue describes: systemd as pid 1 with container=docker,
# private pid/mount/uts/ipc/net/cgroup namespaces, v1 hierarchies mounted rw
# at the container's cgroup (systemd mounts the unified one itself), tmpfs on
# /run, /run/lock and /tmp, /sys read-only, /proc/sys and /proc/sysrq-trigger
# read-only (else systemd would change the host's sysctls), no seccomp, no
# masked paths, every capability and device.
write_config() {
  local id=$1 bundle=$2 caps cgroup_mount='"type": "cgroup", "source": "cgroup"'
  caps=$(all_caps)
  [[ ${ORUN_SYSTEMD_CGROUP2:-} == 1 ]] && cgroup_mount='"type": "cgroup2", "source": "cgroup2"'

  cat >"$bundle/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/lib/systemd/systemd"],
    "env": ["container=docker", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "cwd": "/",
    "capabilities": {"bounding": $caps, "effective": $caps, "permitted": $caps},
    "noNewPrivileges": false
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "$id",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", $cgroup_mount, "options": ["nosuid", "noexec", "nodev", "relatime", "rw"]},
    {"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=755"]},
    {"destination": "/run/lock", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "mode=1777"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}
  ],
  "linux": {
    "cgroupsPath": "$cgroup_parent/$id",
    "resources": {"devices": [{"allow": true, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "ipc"}, {"type": "network"}, {"type": "cgroup"}],
    "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON
}

# Per machine: <state>/<id>/{root (the runtime's --root), bundle, upper, work}.
machine_dir() { echo "$state_base/$1"; }
runtime() { "$ORUN" --root "$(machine_dir "$1")/root" "${@:2}"; }

cmd_boot() {
  local id=$1 dir
  check_id "$id"
  cmd_rootfs
  dir=$(machine_dir "$id")
  [[ -e $dir ]] && die "machine $id exists ($dir): stop it first"
  mkdir -p "$dir/root" "$dir/bundle/rootfs" "$dir/upper" "$dir/work"
  # A failed boot undoes itself.
  trap 'log "boot of $id failed"; cmd_stop "$id" >/dev/null 2>&1 || true' ERR
  mount -t overlay overlay -o "lowerdir=$rootfs_cache,upperdir=$dir/upper,workdir=$dir/work" "$dir/bundle/rootfs"
  write_config "$id" "$dir/bundle"
  local start=$SECONDS
  # systemd's console (stdout/stderr) goes to console.log, not to our caller.
  runtime "$id" run -d --bundle "$dir/bundle" "$id" </dev/null >"$dir/console.log" 2>&1 ||
    { tail -20 "$dir/console.log" >&2; false; }
  local st=""
  while ((SECONDS - start < timeout)); do
    st=$(runtime "$id" exec "$id" systemctl is-system-running 2>/dev/null) || true
    case $st in
      running | degraded) log "$id: systemd $st after $((SECONDS - start)) s"; trap - ERR; return 0 ;;
    esac
    sleep 0.2
  done
  log "$id: systemd is '${st:-unreachable}' after ${timeout} s; console:"
  tail -30 "$dir/console.log" >&2
  false
}

cmd_exec() {
  local id=$1
  check_id "$id"
  runtime "$id" exec "$id" "${@:2}"
}

# The machine's root is an overlay mounted on the host: a copy into it is
# seen inside at once.
cmd_install() {
  local id=$1 file=$2 dest=$3 root
  check_id "$id"
  root=$(machine_dir "$id")/bundle/rootfs
  mountpoint -q "$root" || die "machine $id is not running"
  [[ $dest == /* && $dest != *..* ]] || die "bad destination '$dest'"
  install -D -m 0755 "$file" "$root$dest"
}

# Whether the machine's init is still alive.
container_alive() {
  local out
  out=$(runtime "$1" state "$1" 2>/dev/null) || return 1
  [[ $out != *'"status": "stopped"'* && $out != *'"status":"stopped"'* ]]
}

cmd_stop() {
  local id=$1 dir
  check_id "$id"
  dir=$(machine_dir "$id")
  if container_alive "$id"; then
    # pid 1 ignores SIGTERM; SIGRTMIN+3 is systemd's "halt" (by number:
    # runc 1.1 knows no RTMIN names).
    runtime "$id" kill "$id" "$(kill -l RTMIN+3)" 2>/dev/null || true
    local start=$SECONDS
    while container_alive "$id" && ((SECONDS - start < timeout)); do sleep 0.2; done
    container_alive "$id" && log "$id: still up after ${timeout} s of halt, killing"
  fi
  runtime "$id" delete -f "$id" >/dev/null 2>&1 || true
  if mountpoint -q "$dir/bundle/rootfs"; then umount "$dir/bundle/rootfs"; fi
  rm -rf --one-file-system "$dir"
  # The shared parent cgroup goes once the last machine is gone.
  # (A machine killed without a halt leaves systemd's cgroups inside its
  # own: deepest first.)
  local h
  for h in /sys/fs/cgroup/*/; do
    [[ -d $h${cgroup_parent#/}/$id ]] &&
      find "$h${cgroup_parent#/}/$id" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    rmdir "$h${cgroup_parent#/}/$id" 2>/dev/null || true
    rmdir "$h${cgroup_parent#/}" 2>/dev/null || true
  done
  rmdir "/sys/fs/cgroup/${cgroup_parent#/}/$id" "/sys/fs/cgroup/${cgroup_parent#/}" 2>/dev/null || true
  rmdir "$state_base" 2>/dev/null || true
  [[ $(cmd_leftovers "$id") == "" ]]
}

cmd_leftovers() {
  local id=$1 dir found=()
  check_id "$id"
  dir=$(machine_dir "$id")
  [[ -e $dir ]] && found+=("state dir $dir")
  grep -qF " $dir/" /proc/self/mountinfo && found+=("mounts under $dir")
  local d
  for d in /sys/fs/cgroup/*/"${cgroup_parent#/}/$id" "/sys/fs/cgroup/${cgroup_parent#/}/$id"; do
    [[ -d $d ]] && found+=("cgroup $d")
  done
  # A process of the machine has the machine's cgroup in /proc/PID/cgroup.
  # Zombies do not count: after `run -d` the machine's pid 1 is a child of
  # the host's init, which reaps it when it gets to it.
  local f
  for f in /proc/[0-9]*/cgroup; do
    grep -qE ":$cgroup_parent/$id(/|$)" "$f" 2>/dev/null || continue
    grep -q '^State:.*zombie' "${f%cgroup}status" 2>/dev/null && continue
    found+=("process ${f//[^0-9]/}: $(tr '\0' ' ' <"${f%cgroup}cmdline" 2>/dev/null) $(grep -m1 '^State' "${f%cgroup}status" 2>/dev/null) $(cat "$f" 2>/dev/null | tr '\n' ' ')")
  done
  ((${#found[@]} == 0)) && return 0
  printf '%s\n' "${found[@]}"
  return 1
}

case ${1:-} in
  rootfs) cmd_rootfs ;;
  boot) cmd_boot "${2:-}" ;;
  exec) cmd_exec "${2:-}" "${@:3}" ;;
  install) cmd_install "${2:-}" "${3:?file}" "${4:?destination}" ;;
  stop) cmd_stop "${2:-}" ;;
  leftovers) cmd_leftovers "${2:-}" ;;
  *) die "usage: machine.sh rootfs | boot ID | exec ID CMD... | install ID FILE DEST | stop ID | leftovers ID" ;;
esac
