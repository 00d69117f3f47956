# shellcheck shell=bash disable=SC2034  # variables are used by the suites
# Shared helpers for the engine suites in tests/clients (sourced, not run).
#
# Each suite: sources this file, calls clients_init ENGINE, starts its daemons
# with start_daemon (so that cleanup stops exactly those pids), registers its
# scenarios with `scenario NAME FUNCTION`, and ends with clients_finish, which
# prints "N passed, N failed" and returns non-zero if anything failed.
#
# A scenario function runs in a subshell with `set -e`: any failing command or
# assertion fails the scenario, and its output is shown only on failure (or
# always with CLIENTS_VERBOSE=1). Every client command goes through `t`, which
# bounds it in time so that a hung engine fails a scenario instead of the run.
#
# Environment:
#   ORUN              the orun binary under test (default: the newest build found)
#   CLIENTS_KEEP=1    leave the work directory in place for post-mortems
#   CLIENTS_VERBOSE=1 print every scenario's output
#   CLIENTS_ONLY=re   run only the scenarios whose name matches the regex

set -uo pipefail

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$CLIENTS_DIR/../.." && pwd)
T_TIMEOUT=${CLIENTS_TIMEOUT:-60}

PASSED=0
FAILED=0
FAILED_NAMES=()
DAEMON_PIDS=()
CLEANUP_HOOKS=()
CGROUP_PARENTS=()
EXTRA_DIRS=()

say() { printf '[%s] %s\n' "$ENGINE" "$*" >&2; }

find_orun() {
  if [[ -n ${ORUN:-} ]]; then
    printf '%s\n' "$ORUN"
    return
  fi
  local c best=
  for c in "$REPO_DIR"/build-test/orun "$REPO_DIR"/build/orun /tmp/build-*/orun; do
    [[ -x $c ]] || continue
    if [[ -z $best || $c -nt $best ]]; then best=$c; fi
  done
  printf '%s\n' "$best"
}

# clients_init ENGINE: check root and orun, make the private work directory,
# install the cleanup trap and build the test image.
clients_init() {
  ENGINE=$1
  START_TIME=$SECONDS
  if [[ $(id -u) -ne 0 ]]; then
    say "must run as root"
    exit 1
  fi
  ORUN=$(find_orun)
  if [[ -z $ORUN || ! -x $ORUN ]]; then
    say "orun binary not found: set ORUN"
    exit 1
  fi
  ORUN=$(readlink -f "$ORUN")
  # Short and unique: it names sockets (108-byte limit), namespaces and cgroups.
  RUN_ID=orun$$
  WORK=$(mktemp -d "/tmp/oc-$ENGINE.XXXXXX")
  chmod 0711 "$WORK"
  trap clients_cleanup EXIT
  trap 'exit 130' INT TERM
  say "orun: $ORUN ($("$ORUN" --version | head -1))"
  say "work dir: $WORK"
  IMAGE_NAME=orun-busybox:latest
  IMAGE_REF=docker.io/library/$IMAGE_NAME
  bash "$CLIENTS_DIR/make-image.sh" "$WORK/image" "$IMAGE_NAME" >/dev/null
  IMAGE_OCI=$WORK/image/oci.tar
  IMAGE_DOCKER=$WORK/image/docker.tar
}

# t CMD...: run a client command with a time limit.
t() { timeout -k 5 "$T_TIMEOUT" "$@"; }

# require_cmd CMD...: skip the whole suite (successfully) when a tool is missing
# and the suite was not asked to insist (CI installs them first).
require_cmd() {
  local c
  for c in "$@"; do
    if ! command -v "$c" >/dev/null; then
      say "$c not installed (scripts/install-client-deps.sh installs it)"
      echo "0 passed, 1 failed"
      exit 1
    fi
  done
}

# start_daemon NAME LOGFILE CMD...: start a daemon in the background, in its
# own session so that a terminal's signals do not reach it; remember its pid.
# SIGPIPE is ignored in the daemon, as it is under many service managers: the
# runtime must not pass that on to the container.
start_daemon() {
  local name=$1 logfile=$2
  shift 2
  (
    trap '' PIPE
    exec setsid "$@"
  ) </dev/null >"$logfile" 2>&1 &
  local pid=$!
  DAEMON_PIDS+=("$pid")
  say "started $name (pid $pid)"
  LAST_DAEMON_PID=$pid
}

# wait_for WHAT SECONDS CMD...: poll CMD until it succeeds, at most SECONDS.
wait_for() {
  local what=$1 limit=$2
  shift 2
  local deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  say "timed out after ${limit}s waiting for $what"
  return 1
}

# stop_pid PID [SECONDS]: SIGTERM, bounded wait, then SIGKILL.
stop_pid() {
  local pid=$1 limit=${2:-15} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    # A zombie child of ours counts as gone once reaped.
    if [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]]; then break; fi
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
    say "pid $pid ignored SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Processes that our daemons spawned and that outlived them (shims, conmon):
# identified precisely by our private work directory in their command line.
pids_referencing_work() {
  local p cmd
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$BASHPID" ]] && continue
    { cmd=$(tr '\0' ' ' <"/proc/$p/cmdline"); } 2>/dev/null || continue
    [[ $cmd == *"$WORK"* ]] && printf '%s\n' "$p"
  done
}

# Container processes left in the cgroups made for this run.
pids_in_our_cgroups() {
  local parent f
  for parent in "${CGROUP_PARENTS[@]}"; do
    for f in /sys/fs/cgroup/*/"${parent#/}"; do
      [[ -d $f ]] || continue
      find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null
    done
  done | sort -u
}

remove_cgroups() {
  local parent d
  for parent in "${CGROUP_PARENTS[@]}"; do
    for d in /sys/fs/cgroup/*/"${parent#/}"; do
      [[ -d $d ]] || continue
      # A frozen leftover would keep its tasks forever.
      [[ -f $d/freezer.state ]] && echo THAWED >"$d/freezer.state" 2>/dev/null
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
      [[ -d $d ]] && say "cgroup left behind: $d"
    done
  done
  return 0
}

unmount_under() {
  local dir=$1 m
  # Deepest first; mountinfo escapes spaces as \040, which our paths never have.
  for m in $(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "cannot unmount $m"
  done
}

clients_cleanup() {
  local rc=$? h p
  trap - EXIT
  set +e
  for h in "${CLEANUP_HOOKS[@]}"; do
    # Hooks run in this shell (they use its functions); their client
    # commands are bounded by `t`.
    eval "$h" >>"$WORK/cleanup.log" 2>&1 || true
  done
  for ((p = ${#DAEMON_PIDS[@]} - 1; p >= 0; p--)); do
    stop_pid "${DAEMON_PIDS[p]}" 20
  done
  for p in $(pids_referencing_work); do
    say "stopping leftover pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-120)"
    kill -KILL "$p" 2>/dev/null
  done
  for p in $(pids_in_our_cgroups); do
    say "killing leftover container pid $p"
    kill -KILL "$p" 2>/dev/null
  done
  sleep 0.3
  remove_cgroups
  unmount_under "$WORK"
  for p in "${EXTRA_DIRS[@]}"; do
    unmount_under "$p"
    rm -rf "$p"
  done
  [[ -n ${SHIM_SOCKETS_BEFORE+x} ]] && remove_new_shim_sockets
  for p in "${NEW_PATHS[@]}"; do
    unmount_under "$p"
    rm -rf "$p"
  done
  if [[ ${CLIENTS_KEEP:-0} == 1 ]]; then
    say "kept $WORK"
  else
    rm -rf "$WORK" 2>/dev/null || say "could not remove $WORK"
  fi
  exit "$rc"
}

on_cleanup() { CLEANUP_HOOKS+=("$1"); }

# ---------------------------------------------------------------- scenarios --

# scenario NAME FUNCTION: run FUNCTION in a subshell with set -e and count it.
scenario() {
  local name=$1 fn=$2 rc start=$SECONDS
  if [[ -n ${CLIENTS_ONLY:-} && ! $name =~ $CLIENTS_ONLY ]]; then return 0; fi
  local out=$WORK/scenario.$((PASSED + FAILED + 1)).log
  (
    set -e
    "$fn"
  ) >"$out" 2>&1 </dev/null
  rc=$?
  if [[ $rc -eq 0 ]]; then
    PASSED=$((PASSED + 1))
    printf 'ok   %-48s (%ss)\n' "$ENGINE: $name" $((SECONDS - start))
    [[ ${CLIENTS_VERBOSE:-0} == 1 ]] && sed 's/^/     | /' "$out"
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    printf 'FAIL %-48s (%ss, exit %s)\n' "$ENGINE: $name" $((SECONDS - start)) "$rc"
    tail -n 40 "$out" | sed 's/^/     | /'
  fi
  return 0
}

clients_finish() {
  say "finished in $((SECONDS - START_TIME))s"
  if ((FAILED > 0)); then
    say "failed: ${FAILED_NAMES[*]}"
  fi
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

# ---------------------------------------------------------------- asserting --

fail() {
  echo "ASSERTION FAILED: $*" >&2
  return 1
}

# expect_eq EXPECTED ACTUAL WHAT
expect_eq() {
  if [[ $1 != "$2" ]]; then
    fail "$3: expected [$1], got [$2]"
  fi
}

# expect_match REGEX ACTUAL WHAT  (extended regex, grep semantics, any line)
expect_match() {
  if ! grep -Eq -- "$1" <<<"$2"; then
    fail "$3: [$2] does not match /$1/"
  fi
}

expect_no_match() {
  if grep -Eq -- "$1" <<<"$2"; then
    fail "$3: [$2] matches /$1/"
  fi
}

# capture CMD...: run CMD (time-bounded), set OUT (stdout+stderr, CRs removed)
# and RC, never failing itself. Shows what ran, for the failure log.
capture() {
  echo "+ $*" >&2
  # Through a file, not a pipe: a process left running (a detached exec, a
  # container) may keep its stdio open, and a pipe would then never end.
  local f=$WORK/capture.$BASHPID
  t "$@" >"$f" 2>&1 </dev/null && RC=0 || RC=$?
  OUT=$(<"$f")
  rm -f "$f"
  OUT=${OUT//$'\r'/}
  printf '%s\n' "$OUT" | sed 's/^/  > /' >&2
  echo "  rc=$RC" >&2
}

# capture_tty CMD...: like capture, but with a pseudo-terminal as stdin/stdout
# (for `-t`), using util-linux script(1); RC is the command's own exit code.
capture_tty() {
  local cmd
  # --foreground: timeout must not move the command into a process group of
  # its own, or the client (ctr, docker, podman) is a background job on the
  # terminal and stops with SIGTTOU when it puts the terminal in raw mode.
  # Under bash, script(1)'s shell execs timeout as session leader (setpgid
  # fails, which hid this); without SHELL in the environment script runs
  # /bin/sh, which does not.
  printf -v cmd '%q ' timeout --foreground -k 5 "$T_TIMEOUT" "$@"
  echo "+ (tty) $*" >&2
  local f=$WORK/capture.$BASHPID
  script -qefc "$cmd" /dev/null >"$f" 2>&1 </dev/null && RC=0 || RC=$?
  OUT=$(<"$f")
  rm -f "$f"
  OUT=${OUT//$'\r'/}
  # script(1) passes the end of its (empty) stdin on as the terminal's EOF
  # character, which the tty may echo back as ^@ or ^D.
  OUT=${OUT//'^@'/}
  OUT=${OUT//'^D'/}
  printf '%s\n' "$OUT" | sed 's/^/  > /' >&2
  echo "  rc=$RC" >&2
}

# The cgroup (v1 memory hierarchy) that PID lives in.
memory_cgroup_of() { awk -F: '$2 == "memory" {print $3}' "/proc/$1/cgroup"; }

# poll SECONDS CMD...: retry CMD until it succeeds, at most SECONDS.
poll() {
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- containerd --

# Paths outside the work dir that the engines create no matter what (containerd
# 1.6 puts shim sockets in /run/containerd/s, dockerd writes /etc/docker/key.json
# and /run/docker/plugins): removed after the daemons stop, but only those that
# did not exist before this run.
NEW_PATHS=()
track_new_path() {
  local p
  for p in "$@"; do
    [[ -e $p || -L $p ]] || NEW_PATHS+=("$p")
  done
  return 0
}

# Shim sockets of this run in a /run/containerd/s that existed before.
snapshot_shim_sockets() {
  SHIM_SOCKETS_BEFORE=$(ls -A /run/containerd/s 2>/dev/null | sort)
  track_new_path /run/containerd
}

remove_new_shim_sockets() {
  local f
  [[ -d /run/containerd/s ]] || return 0
  for f in $(comm -13 <(printf '%s\n' "$SHIM_SOCKETS_BEFORE") <(ls -A /run/containerd/s 2>/dev/null | sort)); do
    [[ -S /run/containerd/s/$f ]] && rm -f "/run/containerd/s/$f"
  done
  return 0
}

# start_containerd DIR [ENV...]: containerd on private directories under DIR,
# CRI disabled, the opt plugin kept out of /opt. ENV (NAME=VALUE words) replaces
# the daemon's environment entirely when given. Sets CTRD_SOCK.
start_containerd() {
  local dir=$1
  shift
  mkdir -p "$dir"/{root,state,opt}
  CTRD_SOCK=$dir/containerd.sock
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = "$CTRD_SOCK.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
TOML
  snapshot_shim_sockets
  local envcmd=()
  if [[ $# -gt 0 ]]; then envcmd=(env -i "$@"); fi
  start_daemon containerd "$dir/containerd.log" "${envcmd[@]}" \
    "$(command -v containerd)" --config "$dir/config.toml"
  CTRD_PID=$LAST_DAEMON_PID
  if ! wait_for "containerd at $CTRD_SOCK" 30 ctr --address "$CTRD_SOCK" version; then
    tail -n 30 "$dir/containerd.log" >&2
    return 1
  fi
}
