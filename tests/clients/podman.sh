#!/usr/bin/env bash
# podman 4.3 (with conmon) driving orun: no daemon; a private containers.conf
# and storage.conf (vfs) under a temp dir, the cgroupfs manager, orun given as
# `--runtime <orun>` and also registered under [engine.runtimes] with
# runtime_supports_json. One scenario uses a containers.conf that leaves orun
# out of runtime_supports_json, so podman/conmon call it without
# --log-format=json: errors must read right either way.
# This machine lacks CAP_SYS_RESOURCE, so every run pins nofile/nproc (podman's
# defaults are above the hard limit).
# Usage: ORUN=/path/to/orun tests/clients/podman.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_init podman
require_cmd podman conmon script

P=$WORK/p
mkdir -p "$P"/{root,runroot,tmp,net}
# podman matches runtime_supports_json against the runtime's basename.
if [[ $(basename "$ORUN") != orun ]]; then
  mkdir -p "$WORK/rt"
  ln -s "$ORUN" "$WORK/rt/orun"
  ORUN=$WORK/rt/orun
fi
CG_PARENT=/$RUN_ID-podman
CGROUP_PARENTS+=("$CG_PARENT")
# Where podman and the CNI tooling write no matter what configuration says.
track_new_path /dev/shm/libpod_lock /run/libpod /run/containers /var/lib/containers \
  /var/lib/cni /run/cni /run/netns /etc/cni/net.d/87-podman-bridge.conflist

cat >"$P/storage.conf" <<TOML
[storage]
driver = "vfs"
runroot = "$P/runroot"
graphroot = "$P/root"
TOML

write_containers_conf() { # write_containers_conf FILE SUPPORTS_JSON_LIST
  cat >"$1" <<TOML
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "cni"
network_config_dir = "$P/net"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
static_dir = "$P/root/libpod"
volume_path = "$P/root/volumes"
num_locks = 64
runtime = "orun"
runtime_supports_json = [$2]

[engine.runtimes]
orun = ["$ORUN"]
TOML
}
write_containers_conf "$P/containers.conf" '"orun", "crun", "runc", "kata", "runsc", "youki", "krun"'
write_containers_conf "$P/containers-nojson.conf" '"crun", "runc", "kata", "runsc", "youki", "krun"'
export CONTAINERS_CONF=$P/containers.conf
export CONTAINERS_STORAGE_CONF=$P/storage.conf
export CONTAINERS_REGISTRIES_CONF=$P/registries.conf
: >"$P/registries.conf"

PM=(podman --runtime "$ORUN" --cgroup-manager cgroupfs)
RUN=(run --pull never --network none --cgroup-parent "$CG_PARENT"
  --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
IMG=$IMAGE_REF
SLEEPER=(sh -c 'trap "exit 7" TERM; sleep 1000 & wait')

cleanup_containers() {
  t "${PM[@]}" rm -af -t 0
  CONTAINERS_CONF=$P/containers-nojson.conf t "${PM[@]}" rm -af -t 0
}
on_cleanup cleanup_containers

state_of() { "${PM[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
state_is() { [[ $(state_of "$1") == "$2" ]]; }
pid_of() { "${PM[@]}" inspect -f '{{.State.Pid}}' "$1"; }

# ------------------------------------------------------------------ scenarios

s_load() {
  capture "${PM[@]}" load -i "$IMAGE_DOCKER"
  expect_eq 0 "$RC" "podman load exit code"
  expect_match "Loaded image: $IMG" "$OUT" "load output"
  capture "${PM[@]}" info --format '{{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}} {{.Store.GraphDriverName}}'
  expect_eq 0 "$RC" "podman info exit code"
  expect_eq "$ORUN cgroupfs vfs" "$OUT" "runtime, cgroup manager and storage in podman info"
}

s_run_rm() {
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" sh -c 'echo hello from orun; echo err >&2; exit 3'
  expect_eq 3 "$RC" "exit code"
  expect_match '^hello from orun$' "$OUT" "stdout"
  expect_match '^err$' "$OUT" "stderr"
  capture "${PM[@]}" ps -aq
  expect_eq "" "$OUT" "no container left after --rm"
}

s_run_stdin() {
  echo "+ printf 'one\ntwo\n' | podman run -i --rm $IMG cat" >&2
  OUT=$(printf 'one\ntwo\n' | t "${PM[@]}" "${RUN[@]}" -i --rm "$IMG" cat 2>&1) && RC=0 || RC=$?
  echo "  > $OUT  rc=$RC" >&2
  expect_eq 0 "$RC" "exit code"
  expect_eq $'one\ntwo' "$OUT" "stdin copied through"
}

s_run_detached() {
  capture "${PM[@]}" "${RUN[@]}" -d --name p1 "$IMG" "${SLEEPER[@]}"
  expect_eq 0 "$RC" "run -d exit code"
  poll 10 state_is p1 running || fail "p1 not running: $(state_of p1)"
  local pid id
  pid=$(pid_of p1)
  id=$("${PM[@]}" inspect -f '{{.Id}}' p1)
  expect_eq "$CG_PARENT/libpod-$id" "$(memory_cgroup_of "$pid")" "memory cgroup of the init"
  expect_eq 20000 "$(awk '/Max open files/ {print $4}' "/proc/$pid/limits")" "nofile soft limit"
  capture "${PM[@]}" ps --format '{{.Names}} {{.Status}}'
  expect_match '^p1 Up' "$OUT" "podman ps"
}

s_exec() {
  capture "${PM[@]}" exec p1 sh -c 'echo exec out; echo exec err >&2; exit 5'
  expect_eq 5 "$RC" "exec exit code"
  expect_match '^exec out$' "$OUT" "exec stdout"
  expect_match '^exec err$' "$OUT" "exec stderr"
  capture "${PM[@]}" exec --user 1000 --workdir /home/user --env FOO=bar p1 sh -c 'id -u; pwd; echo $FOO'
  expect_eq 0 "$RC" "exec --user exit code"
  expect_eq $'1000\n/home/user\nbar' "$OUT" "exec user, cwd and env"
}

s_exec_tty() {
  capture_tty "${PM[@]}" exec -t p1 sh -c 'tty; exit 6'
  expect_eq 6 "$RC" "exec -t exit code"
  expect_match '^/dev/pts/[0-9]+$' "$OUT" "exec tty"
}

s_run_tty() {
  capture_tty "${PM[@]}" "${RUN[@]}" -t --rm "$IMG" sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 4'
  expect_eq 4 "$RC" "exit code"
  expect_match '^/dev/pts/0$' "$OUT" "tty"
  expect_match '^stdin-is-tty$' "$OUT" "stdin is a tty"
}

s_pause() {
  capture "${PM[@]}" pause p1
  expect_eq 0 "$RC" "pause exit code"
  expect_eq paused "$(state_of p1)" "state after pause"
  capture "${PM[@]}" unpause p1
  expect_eq 0 "$RC" "unpause exit code"
  expect_eq running "$(state_of p1)" "state after unpause"
}

s_stop() {
  capture "${PM[@]}" stop -t 10 p1
  expect_eq 0 "$RC" "stop exit code"
  expect_eq exited "$(state_of p1)" "state after stop"
  expect_eq 7 "$("${PM[@]}" inspect -f '{{.State.ExitCode}}' p1)" "exit code from the TERM trap"
  capture "${PM[@]}" start p1
  expect_eq 0 "$RC" "start exit code"
  poll 10 state_is p1 running || fail "p1 not running after start"
}

s_kill() {
  capture "${PM[@]}" kill p1
  expect_eq 0 "$RC" "kill exit code"
  poll 10 state_is p1 exited || fail "p1 not exited after kill"
  expect_eq 137 "$("${PM[@]}" inspect -f '{{.State.ExitCode}}' p1)" "exit code after SIGKILL"
}

s_rm() {
  capture "${PM[@]}" rm p1
  expect_eq 0 "$RC" "rm exit code"
  capture "${PM[@]}" "${RUN[@]}" -d --name p2 "$IMG" sleep 1000
  expect_eq 0 "$RC" "run -d exit code"
  capture "${PM[@]}" rm -f -t 0 p2
  expect_eq 0 "$RC" "rm -f of a running container"
  capture "${PM[@]}" ps -aq
  expect_eq "" "$OUT" "no container left"
}

s_memory() {
  capture "${PM[@]}" "${RUN[@]}" --rm --memory 64m "$IMG" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
  expect_eq 0 "$RC" "exit code"
  expect_eq 67108864 "$OUT" "memory limit inside the container"
}

s_pids_limit() {
  capture "${PM[@]}" "${RUN[@]}" --rm --pids-limit 42 "$IMG" cat /sys/fs/cgroup/pids/pids.max
  expect_eq 0 "$RC" "exit code"
  expect_eq 42 "$OUT" "pids limit inside the container"
}

s_user_readonly() {
  capture "${PM[@]}" "${RUN[@]}" --rm --user 1000:1000 --read-only "$IMG" sh -c 'id; touch /x'
  expect_eq 1 "$RC" "exit code"
  expect_match '^uid=1000\(user\) gid=1000\(user\)' "$OUT" "id"
  expect_match 'Read-only file system' "$OUT" "read-only rootfs"
}

s_restart_logs_wait_update() {
  capture "${PM[@]}" "${RUN[@]}" -d --name w1 "$IMG" sh -c 'echo started; sleep 1000'
  expect_eq 0 "$RC" "run -d"
  poll 10 state_is w1 running || fail "w1 not running"
  local id
  id=$("${PM[@]}" inspect -f '{{.Id}}' w1)
  capture "${PM[@]}" update --memory 64m --cpu-shares 512 w1
  expect_eq 0 "$RC" "podman update exit code"
  expect_eq 67108864 "$(cat "/sys/fs/cgroup/memory$CG_PARENT/libpod-$id/memory.limit_in_bytes")" "memory limit after update"
  expect_eq 512 "$(cat "/sys/fs/cgroup/cpu$CG_PARENT/libpod-$id/cpu.shares")" "cpu shares after update"
  capture "${PM[@]}" restart -t 1 w1
  expect_eq 0 "$RC" "restart"
  poll 10 state_is w1 running || fail "w1 not running after restart"
  capture "${PM[@]}" logs w1
  expect_eq $'started\nstarted' "$OUT" "logs across the restart"
  capture "${PM[@]}" "${RUN[@]}" -d --name w2 "$IMG" sh -c 'sleep 1; exit 9'
  capture "${PM[@]}" wait w2
  expect_eq 9 "$OUT" "podman wait prints the exit code"
  capture "${PM[@]}" rm -f -t 0 w1 w2
  expect_eq 0 "$RC" "rm -f"
}

s_env_workdir_volume() {
  mkdir -p "$WORK/vol"
  echo from-host >"$WORK/vol/file"
  capture "${PM[@]}" "${RUN[@]}" --rm -e FOO=bar -w /home --hostname box1 \
    -v "$WORK/vol:/data" -v "$WORK/vol:/ro:ro" "$IMG" \
    sh -c 'echo $FOO; pwd; hostname; cat /data/file; touch /ro/x 2>&1; exit 0'
  expect_eq 0 "$RC" "exit code"
  expect_match '^bar$' "$OUT" "-e"
  expect_match '^/home$' "$OUT" "-w"
  expect_match '^box1$' "$OUT" "--hostname"
  expect_match '^from-host$' "$OUT" "-v content"
  expect_match 'Read-only file system' "$OUT" "-v :ro"
}

errors_both_ways() { # errors_both_ways JSON(1|0)
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" /no/such/cmd
  expect_eq 127 "$RC" "exit code for a missing command"
  expect_match '/no/such/cmd.*no such file or directory' "$OUT" "error text"
  if [[ $1 == 1 ]]; then
    # podman parsed the JSON log: only the message, no log syntax
    expect_no_match '"level"|"msg"|level=' "$OUT" "no raw log lines in the message"
  else
    # no --log at all: podman shows the runtime's stderr, a text log line
    # (as runc's: time="..." level=error msg="...")
    expect_match 'level=error msg=".*/no/such/cmd' "$OUT" "text log line on stderr"
  fi
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" nosuchcmd
  expect_eq 127 "$RC" "exit code for a command not on PATH"
  expect_match 'nosuchcmd.*executable file not found in \$PATH' "$OUT" "error text"
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" /bin/not-executable
  expect_eq 126 "$RC" "exit code for a non-executable file"
  expect_match 'permission denied' "$OUT" "error text"
}

s_errors_json() { errors_both_ways 1; }

s_errors_text() {
  export CONTAINERS_CONF=$P/containers-nojson.conf
  errors_both_ways 0
}

# checkpoint/restore needs a CRIU that works on this kernel: $CLIENTS_CRIU
# (the binary) or criu on PATH; podman looks it up on PATH itself, so its dir
# goes first there. Without one the scenario is skipped, naming the reason.
criu_problem() {
  local criu=${CLIENTS_CRIU:-$(command -v criu || true)} out
  [[ -n $criu ]] || { echo "no criu on PATH and CLIENTS_CRIU unset"; return 0; }
  out=$("$criu" check 2>&1) || { echo "$criu check fails: $(tail -n 1 <<<"$out")"; return 0; }
  return 1
}

s_checkpoint_restore() {
  local criu=${CLIENTS_CRIU:-$(command -v criu)}
  PATH=$(dirname "$criu"):$PATH
  export PATH
  capture "${PM[@]}" "${RUN[@]}" -d --name cr1 "$IMG" \
    sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.1; done'
  expect_eq 0 "$RC" "run -d exit code"
  poll 10 state_is cr1 running || fail "cr1 not running: $(state_of cr1)"
  sleep 1
  local before after
  before=$("${PM[@]}" exec cr1 cat /tmp/n)
  capture "${PM[@]}" container checkpoint cr1
  expect_eq 0 "$RC" "checkpoint exit code"
  expect_eq exited "$(state_of cr1)" "state after checkpoint"
  capture "${PM[@]}" container restore cr1
  expect_eq 0 "$RC" "restore exit code"
  poll 10 state_is cr1 running || fail "cr1 not running after restore: $(state_of cr1)"
  after=$("${PM[@]}" exec cr1 cat /tmp/n)
  ((after >= before)) || fail "the count went back: $before before, $after after"
  sleep 0.5
  (($("${PM[@]}" exec cr1 cat /tmp/n) > after)) || fail "the restored process does not run"
  capture "${PM[@]}" rm -f -t 0 cr1
  expect_eq 0 "$RC" "rm -f after restore"
}

scenario "podman load + info" s_load
scenario "run --rm: output and exit code" s_run_rm
scenario "run -i: stdin" s_run_stdin
scenario "run -d: cgroup, ulimits" s_run_detached
scenario "exec (+ --user, --workdir, --env)" s_exec
scenario "exec -t" s_exec_tty
scenario "run -t" s_run_tty
scenario "pause / unpause" s_pause
scenario "stop / start" s_stop
scenario "kill" s_kill
scenario "rm, rm -f" s_rm
scenario "run --memory" s_memory
scenario "run --pids-limit" s_pids_limit
scenario "run --user --read-only" s_user_readonly
scenario "update, restart, logs, wait" s_restart_logs_wait_update
scenario "run -e -w --hostname -v" s_env_workdir_volume
scenario "errors: exit 126/127 with runtime_supports_json" s_errors_json
scenario "errors: exit 126/127 without runtime_supports_json" s_errors_text
if reason=$(criu_problem); then
  say "skipped: container checkpoint / restore ($reason)"
else
  scenario "container checkpoint / restore" s_checkpoint_restore
fi

clients_finish
