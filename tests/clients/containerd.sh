#!/usr/bin/env bash
# containerd 1.6 + its io.containerd.runc.v2 shim driving orun, through ctr.
#
# One private containerd (config, root, state, sockets and the opt plugin all
# under a temp dir, CRI disabled) started with a minimal environment: PATH is
# a private bin dir where `runc` is orun (and the shim is linked in), HOME is
# unset and SIGPIPE is ignored, so every shim and every orun call inherits what
# the issue's contracts are about. Most scenarios name orun explicitly
# (`ctr run --runc-binary <orun> --runc-root <dir>`, the runc.v2 options); the
# "runc on PATH" scenario relies on that PATH instead.
# Usage: ORUN=/path/to/orun tests/clients/containerd.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_init containerd
require_cmd containerd ctr containerd-shim-runc-v2 script

NS=$RUN_ID
CD=$WORK/containerd
RUNC_ROOT=$WORK/runc-root
FIFO=$WORK/fifo
BIN=$WORK/bin
mkdir -p "$RUNC_ROOT" "$FIFO" "$BIN"
ln -s "$ORUN" "$BIN/runc"
ln -s "$(command -v containerd-shim-runc-v2)" "$BIN/containerd-shim-runc-v2"
# containerd puts tasks in cgroupsPath /<namespace>/<id>.
CGROUP_PARENTS+=("/$NS")
# Where the shim keeps runc's state when no --runc-root is given.
EXTRA_DIRS+=("/run/containerd/runc/$NS")

# start_daemon ignores SIGPIPE; env -i leaves only PATH.
start_containerd "$CD" "PATH=$BIN" || exit 1

C=(ctr --address "$CTRD_SOCK" --namespace "$NS")
c() { "${C[@]}" "$@"; }
R=(--runc-binary "$ORUN" --runc-root "$RUNC_ROOT" --fifo-dir "$FIFO")

cleanup_tasks() {
  local id
  for id in $(c task ls -q 2>/dev/null); do
    t ctr --address "$CTRD_SOCK" --namespace "$NS" task kill -a -s SIGKILL "$id"
    sleep 0.2
    t ctr --address "$CTRD_SOCK" --namespace "$NS" task delete -f "$id"
  done
  for id in $(c container ls -q 2>/dev/null); do
    t ctr --address "$CTRD_SOCK" --namespace "$NS" container delete "$id"
  done
}
on_cleanup cleanup_tasks

task_field() { # task_field ID COLUMN(2=pid,3=status)
  c task ls 2>/dev/null | awk -v id="$1" -v col="$2" '$1 == id {print $col}'
}
task_status_is() { [[ $(task_field "$1" 3) == "$2" ]]; }
bundle_of() { echo "$CD/state/io.containerd.runtime.v2.task/$NS/$1"; }

# ------------------------------------------------------------------ scenarios

s_import() {
  capture "${C[@]}" image import "$IMAGE_OCI"
  expect_eq 0 "$RC" "ctr image import exit code"
  capture "${C[@]}" image ls -q
  expect_match "^$IMAGE_REF\$" "$OUT" "imported image name"
}

s_run_foreground() {
  capture "${C[@]}" run --rm "${R[@]}" "$IMAGE_REF" fg1 sh -c 'echo hello from orun; echo to stderr >&2; exit 3'
  expect_eq 3 "$RC" "exit code of the container"
  expect_match '^hello from orun$' "$OUT" "stdout"
  expect_match '^to stderr$' "$OUT" "stderr"
  # --rm removed the container and the runtime's state
  capture "${C[@]}" container ls -q
  expect_no_match '^fg1$' "$OUT" "container list after --rm"
  [[ ! -e $RUNC_ROOT/$NS/fg1 ]] || fail "orun state dir left: $RUNC_ROOT/$NS/fg1"
}

s_process_env() {
  # the container's own view: pid 1, no signal ignored (the daemon ignores
  # SIGPIPE), the image's PATH, its cgroup.
  capture "${C[@]}" run --rm "${R[@]}" "$IMAGE_REF" env1 sh -c \
    'echo pid=$$; grep SigIgn /proc/self/status; echo path=$PATH; grep memory /proc/self/cgroup'
  expect_eq 0 "$RC" "exit code"
  expect_match '^pid=1$' "$OUT" "the process is pid 1"
  expect_match '^SigIgn:[[:space:]]+0+$' "$OUT" "ignored signals"
  expect_match '^path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "$OUT" "PATH from the image"
}

s_run_detached() {
  capture "${C[@]}" run -d "${R[@]}" "$IMAGE_REF" d1 sh -c 'trap "exit 7" TERM; while :; do sleep 0.2; done'
  expect_eq 0 "$RC" "ctr run -d exit code"
  poll 10 task_status_is d1 RUNNING || fail "task d1 not RUNNING: $(c task ls)"
  local pid
  pid=$(task_field d1 2)
  [[ $pid =~ ^[0-9]+$ ]] || fail "no pid for d1"
  # the pid file the shim read: a bare integer, no newline
  local pidfile
  pidfile=$(bundle_of d1)/init.pid
  expect_eq "$pid" "$(cat "$pidfile")" "init.pid content"
  expect_eq "$(printf %s "$pid" | wc -c)" "$(stat -c %s "$pidfile")" "init.pid size (no newline)"
  # the init lives in the cgroup containerd asked for
  expect_eq "/$NS/d1" "$(memory_cgroup_of "$pid")" "memory cgroup of the init"
  # orun's own view through the runc root the shim used
  capture "$ORUN" --root "$RUNC_ROOT/$NS" state d1
  expect_eq 0 "$RC" "orun state exit code"
  expect_eq running "$(jq -r .status <<<"$OUT")" "orun state status"
  expect_eq "$pid" "$(jq -r .pid <<<"$OUT")" "orun state pid"
}

s_exec() {
  capture "${C[@]}" task exec --fifo-dir "$FIFO" --exec-id e1 d1 sh -c 'echo exec out; echo exec err >&2; cat /proc/self/cgroup | grep memory; exit 5'
  expect_eq 5 "$RC" "exit code of the exec'd process"
  expect_match '^exec out$' "$OUT" "exec stdout"
  expect_match '^exec err$' "$OUT" "exec stderr"
  expect_match ":memory:/$NS/d1\$" "$OUT" "exec joined the container's cgroup"
}

s_exec_tty() {
  capture_tty "${C[@]}" task exec -t --fifo-dir "$FIFO" --exec-id e2 d1 sh -c 'tty; exit 6'
  expect_eq 6 "$RC" "exit code of the exec'd process"
  expect_match '^/dev/pts/[0-9]+$' "$OUT" "tty of the exec'd process"
}

s_ps() {
  capture "${C[@]}" task exec -d --fifo-dir "$FIFO" --exec-id bg1 d1 sleep 1000
  expect_eq 0 "$RC" "exec -d exit code"
  local init_pid
  init_pid=$(task_field d1 2)
  poll 10 bash -c "[[ \$(ctr --address $CTRD_SOCK --namespace $NS task ps d1 | tail -n +2 | wc -l) -ge 2 ]]" ||
    fail "ps never showed 2 processes"
  capture "${C[@]}" task ps d1
  expect_eq 0 "$RC" "ctr task ps exit code"
  expect_match '^PID' "$OUT" "ps header"
  expect_match "^${init_pid}[[:space:]]" "$OUT" "ps lists the init pid"
  local p
  for p in $(tail -n +2 <<<"$OUT" | awk '{print $1}'); do
    [[ -e /proc/$p ]] || continue # the init loop's short-lived sleeps
    expect_eq "/$NS/d1" "$(memory_cgroup_of "$p")" "cgroup of listed pid $p"
  done
}

s_pause_resume() {
  capture "${C[@]}" task pause d1
  expect_eq 0 "$RC" "pause exit code"
  expect_eq PAUSED "$(task_field d1 3)" "status after pause"
  expect_eq FROZEN "$(cat "/sys/fs/cgroup/freezer/$NS/d1/freezer.state")" "freezer state after pause"
  capture "$ORUN" --root "$RUNC_ROOT/$NS" state d1
  expect_eq paused "$(jq -r .status <<<"$OUT")" "orun state after pause"
  capture "${C[@]}" task resume d1
  expect_eq 0 "$RC" "resume exit code"
  expect_eq RUNNING "$(task_field d1 3)" "status after resume"
  expect_eq THAWED "$(cat "/sys/fs/cgroup/freezer/$NS/d1/freezer.state")" "freezer state after resume"
}

s_metrics() {
  capture "${C[@]}" task metrics d1
  expect_eq 0 "$RC" "metrics exit code"
  expect_match '^memory\.usage_in_bytes[[:space:]]+[1-9][0-9]*[[:space:]]*$' "$OUT" "memory usage"
  expect_match '^pids\.current[[:space:]]+[2-9][0-9]*[[:space:]]*$' "$OUT" "pids.current (init + sleep)"
  capture "${C[@]}" task metrics --format json d1
  expect_eq 0 "$RC" "metrics json exit code"
  local v
  v=$(jq -r '.memory.usage.usage // .Data.memory.usage.usage // empty' <<<"$OUT")
  [[ $v =~ ^[1-9][0-9]*$ ]] || fail "json metrics without memory usage"
}

s_kill() {
  local pid
  pid=$(task_field d1 2)
  capture "${C[@]}" task kill -s SIGTERM d1
  expect_eq 0 "$RC" "kill exit code"
  poll 10 task_status_is d1 STOPPED || fail "d1 not STOPPED after SIGTERM: $(c task ls)"
  # ctr task delete reports the task's exit status: the TERM trap's 7
  capture "${C[@]}" task delete d1
  expect_eq 0 "$RC" "task delete exit code"
  expect_match 'exit code 7"?$' "$OUT" "exit status reported by delete"
  capture "${C[@]}" container delete d1
  expect_eq 0 "$RC" "container delete exit code"
  [[ ! -e $RUNC_ROOT/$NS/d1 ]] || fail "orun state left for d1"
  [[ ! -d /sys/fs/cgroup/memory/$NS/d1 ]] || fail "memory cgroup left for d1"
  [[ ! -e /proc/$pid ]] || fail "init pid $pid still exists"
}

s_kill_all() {
  capture "${C[@]}" run -d "${R[@]}" "$IMAGE_REF" k2 sleep 1000
  expect_eq 0 "$RC" "run -d exit code"
  poll 10 task_status_is k2 RUNNING || fail "k2 not running"
  capture "${C[@]}" task exec -d --fifo-dir "$FIFO" --exec-id x1 k2 sleep 999
  expect_eq 0 "$RC" "exec -d exit code"
  # read the cgroup directly: this scenario is about kill, not ps
  local pids procs=/sys/fs/cgroup/memory/$NS/k2/cgroup.procs
  poll 10 bash -c "[[ \$(wc -l <$procs) -ge 2 ]]" || fail "no second process in $procs"
  pids=$(cat "$procs")
  # The shim leaks a socket into runc as fd 3: the container gets only 0-2.
  local init_pid
  init_pid=$(task_field k2 2)
  expect_eq "0 1 2" "$(ls /proc/"$init_pid"/fd | sort -n | xargs)" "fds of the container's init"
  capture "${C[@]}" task kill --all -s SIGKILL k2
  expect_eq 0 "$RC" "kill --all exit code"
  poll 10 task_status_is k2 STOPPED || fail "k2 not STOPPED"
  local p
  for p in $pids; do
    poll 5 test ! -e "/proc/$p" || fail "pid $p survived kill --all"
  done
  capture "${C[@]}" task delete k2
  expect_match 'exit code 137"?$' "$OUT" "exit status after SIGKILL"
  capture "${C[@]}" container delete k2
  expect_eq 0 "$RC" "container delete exit code"
}

s_run_tty() {
  capture_tty "${C[@]}" run -t --rm "${R[@]}" "$IMAGE_REF" t1 sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 4'
  expect_eq 4 "$RC" "exit code of the tty container"
  expect_match '^/dev/pts/0$' "$OUT" "the container's tty"
  expect_match '^stdin-is-tty$' "$OUT" "stdin is the tty"
}

s_delete_force() {
  # task delete -f on a running task: the shim kills it, then `delete --force`
  capture "${C[@]}" run -d "${R[@]}" "$IMAGE_REF" f1 sleep 1000
  expect_eq 0 "$RC" "run -d exit code"
  poll 10 task_status_is f1 RUNNING || fail "f1 not running"
  capture "${C[@]}" task delete -f f1
  expect_eq 0 "$RC" "task delete -f exit code"
  expect_match 'exit code 137"?$' "$OUT" "exit status after delete -f"
  capture "${C[@]}" container delete f1
  expect_eq 0 "$RC" "container delete exit code"
  [[ ! -e $RUNC_ROOT/$NS/f1 ]] || fail "orun state left for f1"
  [[ ! -d /sys/fs/cgroup/memory/$NS/f1 ]] || fail "memory cgroup left for f1"
}

s_memory_limit() {
  capture "${C[@]}" run -d "${R[@]}" --memory-limit 67108864 "$IMAGE_REF" m1 sleep 1000
  expect_eq 0 "$RC" "run -d exit code"
  expect_eq 67108864 "$(cat "/sys/fs/cgroup/memory/$NS/m1/memory.limit_in_bytes")" "memory.limit_in_bytes"
  capture "${C[@]}" task delete -f m1
  expect_eq 0 "$RC" "task delete -f"
  capture "${C[@]}" container delete m1
  expect_eq 0 "$RC" "container delete"
}

s_stdin() {
  # ctr forwards the end of stdin (CloseIO) only once the task exists: an
  # EOF that arrives while the runtime is still in `create` is lost (with
  # runc too), so the input comes a moment later.
  echo "+ (sleep 1; printf 'one\ntwo\n') | ctr run --rm ... cat" >&2
  OUT=$( (sleep 1; printf 'one\ntwo\n') | t "${C[@]}" run --rm "${R[@]}" "$IMAGE_REF" in1 cat 2>&1) && RC=0 || RC=$?
  echo "  > $OUT rc=$RC" >&2
  expect_eq 0 "$RC" "exit code"
  expect_eq $'one\ntwo' "$OUT" "stdin copied through"
}

s_env_cwd_ro_mount() {
  mkdir -p "$WORK/vol"
  echo from-host >"$WORK/vol/file"
  capture "${C[@]}" run --rm "${R[@]}" --env FOO=bar --cwd /home --read-only \
    --mount "type=bind,src=$WORK/vol,dst=/data,options=rbind:ro" "$IMAGE_REF" o1 \
    sh -c 'echo $FOO; pwd; cat /data/file; touch /x 2>&1; touch /data/y 2>&1; exit 0'
  expect_eq 0 "$RC" "exit code"
  expect_match '^bar$' "$OUT" "--env"
  expect_match '^/home$' "$OUT" "--cwd"
  expect_match '^from-host$' "$OUT" "bind mount content"
  expect_match "touch: /x: Read-only file system" "$OUT" "--read-only rootfs"
  expect_match "touch: /data/y: Read-only file system" "$OUT" "ro bind mount"
}

s_exec_user() {
  capture "${C[@]}" run -d "${R[@]}" "$IMAGE_REF" u1 sleep 1000
  expect_eq 0 "$RC" "run -d"
  capture "${C[@]}" task exec --fifo-dir "$FIFO" --exec-id eu --user 1000 --cwd /home/user u1 sh -c 'id -u; pwd'
  expect_eq 0 "$RC" "exec --user exit code"
  expect_eq $'1000\n/home/user' "$OUT" "exec user and cwd"
  capture "${C[@]}" task delete -f u1
  capture "${C[@]}" container delete u1
  expect_eq 0 "$RC" "container delete"
}

s_missing_command() {
  capture "${C[@]}" run --rm "${R[@]}" "$IMAGE_REF" bad1 /no/such/cmd
  [[ $RC -ne 0 ]] || fail "running a missing command succeeded"
  # the shim's message comes from the last error line of orun's --log
  expect_match 'OCI runtime create failed: .*/no/such/cmd.*no such file or directory' "$OUT" "error text"
  c container delete bad1 >/dev/null 2>&1 || true
  [[ ! -e $RUNC_ROOT/$NS/bad1 ]] || fail "orun state left after a failed create"
}

s_runc_on_path() {
  # No --runc-binary: the runc.v2 shim runs "runc" from its PATH, which here
  # is orun (no other runc is on the daemon's PATH), with the default root
  # /run/containerd/runc/<namespace>.
  capture "${C[@]}" container create --runtime io.containerd.runc.v2 "$IMAGE_REF" p1 sleep 1000
  expect_eq 0 "$RC" "container create exit code"
  capture "${C[@]}" task start -d --fifo-dir "$FIFO" p1
  expect_eq 0 "$RC" "task start -d exit code"
  poll 10 task_status_is p1 RUNNING || fail "p1 not running"
  capture "$ORUN" --root "/run/containerd/runc/$NS" state p1
  expect_eq 0 "$RC" "orun state in the shim's default root"
  expect_eq running "$(jq -r .status <<<"$OUT")" "state status"
  expect_eq "$(task_field p1 2)" "$(jq -r .pid <<<"$OUT")" "state pid"
  capture "${C[@]}" task kill -s SIGKILL p1
  expect_eq 0 "$RC" "kill exit code"
  poll 10 task_status_is p1 STOPPED || fail "p1 not stopped"
  capture "${C[@]}" task delete p1
  expect_match 'exit code 137"?$' "$OUT" "exit status"
  capture "${C[@]}" container delete p1
  expect_eq 0 "$RC" "container delete"
  [[ ! -e /run/containerd/runc/$NS/p1 ]] || fail "state left in the default root"
}

scenario "image import (OCI layout from busybox-static)" s_import
scenario "run: foreground output and exit code" s_run_foreground
scenario "run: pid 1, image PATH, no ignored signals" s_process_env
scenario "run -d: detached, pid file, cgroup, state" s_run_detached
scenario "task exec without tty" s_exec
scenario "task exec -t" s_exec_tty
scenario "task ps" s_ps
scenario "task pause / resume" s_pause_resume
scenario "task metrics" s_metrics
scenario "task kill + delete (exit status)" s_kill
scenario "task kill --all (and init fds are 0-2)" s_kill_all
scenario "run -t" s_run_tty
scenario "task delete -f of a running task" s_delete_force
scenario "run --memory-limit" s_memory_limit
scenario "run: stdin" s_stdin
scenario "run --env --cwd --read-only --mount" s_env_cwd_ro_mount
scenario "task exec --user --cwd" s_exec_user
scenario "missing command: error from --log" s_missing_command
scenario "runc on the daemon's PATH is orun" s_runc_on_path

clients_finish
