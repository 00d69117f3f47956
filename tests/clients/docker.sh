#!/usr/bin/env bash
# Docker 20.10 driving orun: dockerd on private data and exec roots, vfs
# storage, no bridge/iptables, using a private containerd started here, with
# orun registered under "runtimes" in its daemon.json and made the default
# runtime. Most scenarios name it anyway (`--runtime orun`), as users do; the
# "default runtime" scenario does not.
# Usage: ORUN=/path/to/orun tests/clients/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_init docker
require_cmd dockerd containerd ctr containerd-shim-runc-v2 docker-init script
# The docker CLI of the same release as dockerd (another one may be first on
# PATH; any CLI that negotiates the API version works too).
DOCKER_BIN=${DOCKER_BIN:-/usr/bin/docker}
[[ -x $DOCKER_BIN ]] || DOCKER_BIN=$(command -v docker)

D=$WORK/d
X=$WORK/x # exec root: kept short, it holds unix sockets
mkdir -p "$D/data" "$X" "$WORK/cli"
export DOCKER_CONFIG=$WORK/cli
CG_PARENT=/$RUN_ID-docker
CGROUP_PARENTS+=("$CG_PARENT")

start_containerd "$WORK/containerd" || exit 1

cat >"$D/daemon.json" <<JSON
{
  "runtimes": {
    "orun": { "path": "$ORUN" }
  },
  "default-runtime": "orun"
}
JSON

DOCKER_SOCK=$X/docker.sock
track_new_path /etc/docker/key.json /run/docker
start_daemon dockerd "$D/dockerd.log" "$(command -v dockerd)" \
  --config-file "$D/daemon.json" \
  --data-root "$D/data" --exec-root "$X" --pidfile "$D/docker.pid" \
  --host "unix://$DOCKER_SOCK" --containerd "$CTRD_SOCK" \
  --storage-driver vfs --iptables=false --ip-masq=false --ip-forward=false \
  --bridge none --userland-proxy=false --cgroup-parent "$CG_PARENT"

DK=("$DOCKER_BIN" -H "unix://$DOCKER_SOCK")
dk() { "${DK[@]}" "$@"; }
if ! wait_for "dockerd at $DOCKER_SOCK" 60 "${DK[@]}" info; then
  tail -n 40 "$D/dockerd.log" >&2
  exit 1
fi

cleanup_containers() {
  local ids
  ids=$(t "${DK[@]}" ps -aq 2>/dev/null)
  if [[ -n $ids ]]; then
    # shellcheck disable=SC2086
    t "${DK[@]}" rm -f $ids
  fi
}
on_cleanup cleanup_containers

IMG=$IMAGE_NAME
RUN=(run --runtime orun --network none)
# Sleeps as an init that exits 7 on SIGTERM, so stop does not wait for SIGKILL.
SLEEPER=(sh -c 'trap "exit 7" TERM; sleep 1000 & wait')

state_of() { "${DK[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
state_is() { [[ $(state_of "$1") == "$2" ]]; }
pid_of() { "${DK[@]}" inspect -f '{{.State.Pid}}' "$1"; }
full_id() { "${DK[@]}" inspect -f '{{.Id}}' "$1"; }

# ------------------------------------------------------------------ scenarios

s_load() {
  capture "${DK[@]}" load -i "$IMAGE_DOCKER"
  expect_eq 0 "$RC" "docker load exit code"
  expect_match "Loaded image: $IMG" "$OUT" "docker load output"
}

s_info_version() {
  local want_commit
  want_commit=$("$ORUN" --version | awk '/^commit:/ {print $2}')
  capture "${DK[@]}" info --format '{{json .}}'
  expect_eq 0 "$RC" "docker info exit code"
  expect_eq orun "$(jq -r .DefaultRuntime <<<"$OUT")" "default runtime"
  expect_eq "$ORUN" "$(jq -r .Runtimes.orun.path <<<"$OUT")" "registered runtime path"
  expect_eq "$want_commit" "$(jq -r .RuncCommit.ID <<<"$OUT")" "runtime commit in docker info"
  capture "${DK[@]}" version --format '{{json .Server.Components}}'
  expect_eq 0 "$RC" "docker version exit code"
  local want_version
  want_version=$("$ORUN" --version | head -1 | awk '{print $3}')
  expect_eq "$want_version" "$(jq -r '.[] | select(.Name == "orun") | .Version' <<<"$OUT")" "orun version in docker version"
  expect_eq "$want_commit" "$(jq -r '.[] | select(.Name == "orun") | .Details.GitCommit' <<<"$OUT")" "orun commit in docker version"
}

s_run_output() {
  capture "${DK[@]}" "${RUN[@]}" --rm "$IMG" sh -c 'echo hello from orun; echo err >&2; exit 3'
  expect_eq 3 "$RC" "exit code"
  expect_match '^hello from orun$' "$OUT" "stdout"
  expect_match '^err$' "$OUT" "stderr"
}

s_run_stdin() {
  echo "+ printf 'one\ntwo\n' | docker run -i --rm $IMG sh -c 'cat; echo done'" >&2
  OUT=$(printf 'one\ntwo\n' | t "${DK[@]}" "${RUN[@]}" -i --rm "$IMG" sh -c 'cat; echo done' 2>&1) && RC=0 || RC=$?
  echo "  > $OUT  rc=$RC" >&2
  expect_eq 0 "$RC" "exit code"
  expect_eq $'one\ntwo\ndone' "$OUT" "stdin copied through"
}

s_run_tty() {
  capture_tty "${DK[@]}" "${RUN[@]}" -t --rm "$IMG" sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 4'
  expect_eq 4 "$RC" "exit code"
  expect_match '^/dev/pts/0$' "$OUT" "tty"
  expect_match '^stdin-is-tty$' "$OUT" "stdin is a tty"
}

s_run_detached() {
  capture "${DK[@]}" "${RUN[@]}" -d --name d1 "$IMG" "${SLEEPER[@]}"
  expect_eq 0 "$RC" "run -d exit code"
  poll 10 state_is d1 running || fail "d1 not running: $(state_of d1)"
  local pid id
  pid=$(pid_of d1)
  id=$(full_id d1)
  expect_eq "$CG_PARENT/$id" "$(memory_cgroup_of "$pid")" "memory cgroup of the init"
  # the runc.v2 options dockerd gave the shim: Root <exec-root>/runtime-runc (whatever the runtime name)
  capture "$ORUN" --root "$X/runtime-runc/moby" state "$id"
  expect_eq 0 "$RC" "orun state in docker's runtime root"
  expect_eq running "$(jq -r .status <<<"$OUT")" "orun state status"
  expect_eq "$pid" "$(jq -r .pid <<<"$OUT")" "orun state pid"
}

s_exec() {
  capture "${DK[@]}" exec d1 sh -c 'echo exec out; echo exec err >&2; exit 5'
  expect_eq 5 "$RC" "exec exit code"
  expect_match '^exec out$' "$OUT" "exec stdout"
  expect_match '^exec err$' "$OUT" "exec stderr"
  capture "${DK[@]}" exec --user 1000 -w /home/user -e FOO=bar d1 sh -c 'id -u; pwd; echo $FOO'
  expect_eq 0 "$RC" "exec --user exit code"
  expect_eq $'1000\n/home/user\nbar' "$OUT" "exec user, cwd and env"
}

s_exec_tty() {
  capture_tty "${DK[@]}" exec -t d1 sh -c 'tty; exit 6'
  expect_eq 6 "$RC" "exec -t exit code"
  expect_match '^/dev/pts/[0-9]+$' "$OUT" "exec tty"
}

s_top() {
  capture "${DK[@]}" top d1
  expect_eq 0 "$RC" "docker top exit code"
  expect_match '^UID[[:space:]]+PID' "$OUT" "top header"
  expect_match 'sleep 1000' "$OUT" "top lists the sleep"
  expect_match "[[:space:]]$(pid_of d1)[[:space:]]" "$OUT" "top lists the init pid"
}

s_pause() {
  capture "${DK[@]}" pause d1
  expect_eq 0 "$RC" "pause exit code"
  expect_eq paused "$(state_of d1)" "state after pause"
  capture "${DK[@]}" unpause d1
  expect_eq 0 "$RC" "unpause exit code"
  expect_eq running "$(state_of d1)" "state after unpause"
  capture "${DK[@]}" exec d1 true
  expect_eq 0 "$RC" "exec after unpause"
}

s_update() {
  local id
  id=$(full_id d1)
  capture "${DK[@]}" update --memory 64m --memory-swap 128m --pids-limit 77 --cpu-shares 512 d1
  expect_eq 0 "$RC" "docker update exit code"
  expect_eq 67108864 "$(cat "/sys/fs/cgroup/memory$CG_PARENT/$id/memory.limit_in_bytes")" "memory limit"
  expect_eq 134217728 "$(cat "/sys/fs/cgroup/memory$CG_PARENT/$id/memory.memsw.limit_in_bytes" 2>/dev/null || echo 134217728)" "memory+swap limit"
  expect_eq 77 "$(cat "/sys/fs/cgroup/pids$CG_PARENT/$id/pids.max")" "pids limit"
  expect_eq 512 "$(cat "/sys/fs/cgroup/cpu$CG_PARENT/$id/cpu.shares")" "cpu shares"
  # a second update that sets only one field leaves the others alone (the
  # shim sends zeros for "unset")
  capture "${DK[@]}" update --cpu-shares 256 d1
  expect_eq 0 "$RC" "second docker update"
  expect_eq 67108864 "$(cat "/sys/fs/cgroup/memory$CG_PARENT/$id/memory.limit_in_bytes")" "memory limit kept"
  expect_eq 77 "$(cat "/sys/fs/cgroup/pids$CG_PARENT/$id/pids.max")" "pids limit kept"
}

s_stats() {
  capture "${DK[@]}" stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' d1
  expect_eq 0 "$RC" "docker stats exit code"
  expect_match '^d1 [0-9.]+[KMG]i?B / ' "$OUT" "memory usage"
  expect_match ' [2-9]$' "$OUT" "pids (sh + sleep)"
}

s_stop_start() {
  local old_pid
  old_pid=$(pid_of d1)
  capture "${DK[@]}" stop -t 10 d1
  expect_eq 0 "$RC" "docker stop exit code"
  expect_eq exited "$(state_of d1)" "state after stop"
  expect_eq 7 "$("${DK[@]}" inspect -f '{{.State.ExitCode}}' d1)" "exit code from the TERM trap"
  capture "${DK[@]}" start d1
  expect_eq 0 "$RC" "docker start exit code"
  poll 10 state_is d1 running || fail "d1 not running after start"
  [[ $(pid_of d1) != "$old_pid" ]] || fail "same pid after restart"
}

s_kill() {
  capture "${DK[@]}" kill d1
  expect_eq 0 "$RC" "docker kill exit code"
  poll 10 state_is d1 exited || fail "d1 not exited after kill"
  expect_eq 137 "$("${DK[@]}" inspect -f '{{.State.ExitCode}}' d1)" "exit code after SIGKILL"
}

s_rm() {
  local id
  id=$(full_id d1)
  capture "${DK[@]}" rm d1
  expect_eq 0 "$RC" "docker rm exit code"
  capture "${DK[@]}" ps -aq --filter name=d1
  expect_eq "" "$OUT" "container list after rm"
  [[ ! -e $X/runtime-runc/moby/$id ]] || fail "orun state left: $X/runtime-runc/moby/$id"
  [[ ! -d /sys/fs/cgroup/memory$CG_PARENT/$id ]] || fail "memory cgroup left"
}

s_rm_force_running() {
  capture "${DK[@]}" "${RUN[@]}" -d --name r2 "$IMG" sleep 1000
  expect_eq 0 "$RC" "run -d exit code"
  local id
  id=$(full_id r2)
  capture "${DK[@]}" rm -f r2
  expect_eq 0 "$RC" "docker rm -f exit code"
  [[ ! -e $X/runtime-runc/moby/$id ]] || fail "orun state left"
}

s_init() {
  capture "${DK[@]}" "${RUN[@]}" --rm --init "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo self=$$'
  expect_eq 0 "$RC" "exit code"
  expect_match '^/sbin/docker-init -- sh -c' "$OUT" "pid 1 is docker-init"
  expect_no_match '^self=1$' "$OUT" "the command is not pid 1"
}

s_user() {
  capture "${DK[@]}" "${RUN[@]}" --rm --user 1000:1000 "$IMG" id
  expect_eq 0 "$RC" "exit code"
  expect_match '^uid=1000\(user\) gid=1000\(user\)' "$OUT" "id output"
  capture "${DK[@]}" "${RUN[@]}" --rm --user nobody "$IMG" id -u
  expect_eq 0 "$RC" "exit code (by name)"
  expect_eq 65534 "$OUT" "uid of nobody"
}

s_read_only() {
  capture "${DK[@]}" "${RUN[@]}" --rm --read-only "$IMG" sh -c 'touch /x'
  expect_eq 1 "$RC" "exit code"
  expect_match 'Read-only file system' "$OUT" "error"
  capture "${DK[@]}" "${RUN[@]}" --rm --read-only --tmpfs /tmp "$IMG" sh -c 'touch /tmp/x && echo ok'
  expect_eq 0 "$RC" "tmpfs on a read-only rootfs"
  expect_eq ok "$OUT" "output"
}

s_memory() {
  capture "${DK[@]}" "${RUN[@]}" --rm --memory 64m "$IMG" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
  expect_eq 0 "$RC" "exit code"
  expect_eq 67108864 "$OUT" "memory limit inside the container"
}

s_restart_logs_wait() {
  capture "${DK[@]}" "${RUN[@]}" -d --name w1 "$IMG" sh -c 'echo started; sleep 1000'
  expect_eq 0 "$RC" "run -d"
  poll 10 bash -c "'${DK[0]}' '${DK[1]}' '${DK[2]}' logs w1 2>&1 | grep -q started" || fail "no log output"
  local pid
  pid=$(pid_of w1)
  capture "${DK[@]}" restart -t 1 w1
  expect_eq 0 "$RC" "restart"
  poll 10 state_is w1 running || fail "w1 not running after restart"
  [[ $(pid_of w1) != "$pid" ]] || fail "same pid after restart"
  capture "${DK[@]}" logs w1
  expect_eq $'started\nstarted' "$OUT" "logs across the restart"
  capture "${DK[@]}" "${RUN[@]}" -d --name w2 "$IMG" sh -c 'sleep 1; exit 9'
  capture "${DK[@]}" wait w2
  expect_eq 9 "$OUT" "docker wait prints the exit code"
  capture "${DK[@]}" rm -f w1 w2
  expect_eq 0 "$RC" "rm -f"
}

s_env_workdir_hostname_volume() {
  mkdir -p "$WORK/vol"
  echo from-host >"$WORK/vol/file"
  capture "${DK[@]}" "${RUN[@]}" --rm -e FOO=bar -w /home --hostname box1 \
    -v "$WORK/vol:/data" -v "$WORK/vol:/ro:ro" --tmpfs /scratch "$IMG" \
    sh -c 'echo $FOO; pwd; hostname; cat /data/file; echo new >/data/new; touch /ro/x 2>&1; touch /scratch/s && echo tmpfs-ok; exit 0'
  expect_eq 0 "$RC" "exit code"
  expect_match '^bar$' "$OUT" "-e"
  expect_match '^/home$' "$OUT" "-w"
  expect_match '^box1$' "$OUT" "--hostname"
  expect_match '^from-host$' "$OUT" "-v content"
  expect_match 'Read-only file system' "$OUT" "-v :ro"
  expect_match '^tmpfs-ok$' "$OUT" "--tmpfs"
  expect_eq new "$(cat "$WORK/vol/new")" "write through -v"
}

s_caps_pids() {
  capture "${DK[@]}" "${RUN[@]}" --rm --cap-drop ALL --cap-add NET_BIND_SERVICE --pids-limit 33 "$IMG" \
    sh -c 'grep CapEff /proc/self/status; cat /sys/fs/cgroup/pids/pids.max'
  expect_eq 0 "$RC" "exit code"
  expect_match '^CapEff:[[:space:]]+0000000000000400$' "$OUT" "only CAP_NET_BIND_SERVICE"
  expect_match '^33$' "$OUT" "pids limit"
}

s_exit_127() {
  capture "${DK[@]}" "${RUN[@]}" --rm "$IMG" /no/such/cmd
  expect_eq 127 "$RC" "exit code for a missing absolute path"
  expect_match 'no such file or directory' "$OUT" "error text"
  capture "${DK[@]}" "${RUN[@]}" --rm "$IMG" nosuchcmd
  expect_eq 127 "$RC" "exit code for a command not on PATH"
  expect_match 'executable file not found in \$PATH' "$OUT" "error text"
}

s_exit_126() {
  capture "${DK[@]}" "${RUN[@]}" --rm "$IMG" /bin/not-executable
  expect_eq 126 "$RC" "exit code for a non-executable file"
  expect_match 'permission denied' "$OUT" "error text"
  # A directory: runc built with Go < 1.20 says "permission denied" (126),
  # newer runc (Go's LookPath) and orun "is a directory", which Docker 20.10
  # does not map (125). Either way the run fails with that cause.
  capture "${DK[@]}" "${RUN[@]}" --rm "$IMG" /etc
  [[ $RC == 125 || $RC == 126 ]] || fail "exit code for a directory: $RC"
  expect_match '"/etc": (is a directory|permission denied)' "$OUT" "error text for a directory"
}

s_default_runtime() {
  capture "${DK[@]}" run -d --network none --name def1 "$IMG" sleep 1000
  expect_eq 0 "$RC" "run -d without --runtime"
  expect_eq orun "$("${DK[@]}" inspect -f '{{.HostConfig.Runtime}}' def1)" "runtime recorded"
  local id
  id=$(full_id def1)
  capture "$ORUN" --root "$X/runtime-runc/moby" state "$id"
  expect_eq 0 "$RC" "orun knows the container"
  local pid
  pid=$(pid_of def1)
  # SIGPIPE is ignored in dockerd, containerd and the shim: not in the container
  expect_match '^SigIgn:[[:space:]]+0+$' "$(grep SigIgn "/proc/$pid/status")" "ignored signals of the init"
  # the shim's stray fds do not reach the container: the init has 0-2 only
  expect_eq "0 1 2" "$(ls /proc/"$pid"/fd | sort -n | xargs)" "fds of the init"
  capture "${DK[@]}" rm -f def1
  expect_eq 0 "$RC" "rm -f"
}

s_network_host() {
  capture "${DK[@]}" run --runtime orun --rm --network host "$IMG" sh -c 'ls /sys/class/net | sort | xargs'
  expect_eq 0 "$RC" "exit code"
  expect_eq "$(ls /sys/class/net | sort | xargs)" "$OUT" "host's interfaces"
}

scenario "docker load (docker-archive from busybox-static)" s_load
scenario "docker info / version show orun" s_info_version
scenario "run: output and exit code" s_run_output
scenario "run -i: stdin" s_run_stdin
scenario "run -t" s_run_tty
scenario "run -d: cgroup, runtime state" s_run_detached
scenario "exec (+ --user, -w, -e)" s_exec
scenario "exec -t" s_exec_tty
scenario "top" s_top
scenario "pause / unpause" s_pause
scenario "update" s_update
scenario "stats" s_stats
scenario "stop / start" s_stop_start
scenario "kill" s_kill
scenario "rm" s_rm
scenario "rm -f of a running container" s_rm_force_running
scenario "run --init" s_init
scenario "run --user" s_user
scenario "run --read-only" s_read_only
scenario "run --memory" s_memory
scenario "restart, logs, wait" s_restart_logs_wait
scenario "run -e -w --hostname -v --tmpfs" s_env_workdir_hostname_volume
scenario "run --cap-drop/--cap-add --pids-limit" s_caps_pids
scenario "missing command: exit 127" s_exit_127
scenario "non-executable command: exit 126" s_exit_126
scenario "default runtime is orun (+ no ignored signals, fds 0-2)" s_default_runtime
scenario "run --network host" s_network_host

clients_finish
