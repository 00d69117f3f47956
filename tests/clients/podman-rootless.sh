#!/usr/bin/env bash
# podman 4.3 as an ordinary user driving orun: podman's own rootless mode
# (its user namespace from /etc/subuid and /etc/subgid through newuidmap,
# its default storage under the user's home, its default cgroup manager),
# orun given as `--runtime`. The user is made for this run (useradd, with a
# home in the work dir and subordinate id ranges) and removed at the end with
# everything it started.
#
# The oracle is Debian's runc in the same setup: scenarios that depend on the
# host (resource limits on a cgroup v1 host, where podman drops them itself)
# run the same command with runc and expect the same exit code and output.
# Networking is `--network none`: slirp4netns needs /dev/net/tun, which some
# hosts (this CI's) do not open to users.
# Usage: ORUN=/path/to/orun tests/clients/podman-rootless.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_init podman-rootless
require_cmd podman conmon newuidmap newgidmap useradd userdel runuser script

RUNC_ORACLE=$(command -v runc || true)

# The user: short, unique, removed at exit with what it runs.
PM_USER=ocpm$$
PM_HOME=$WORK/home
useradd --create-home --home-dir "$PM_HOME" --shell /bin/bash "$PM_USER" >/dev/null
PM_UID=$(id -u "$PM_USER")
# useradd gives ranges when login.defs asks for them; make sure there is one.
grep -q "^$PM_USER:" /etc/subuid || usermod --add-subuids 500000-565535 "$PM_USER"
grep -q "^$PM_USER:" /etc/subgid || usermod --add-subgids 500000-565535 "$PM_USER"

remove_user() {
  local pid
  # Every process of the user: podman's pause process, conmon, containers.
  for pid in $(ps -u "$PM_UID" -o pid= 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  sleep 0.2
  # Storage made inside the user namespace holds ids root can still remove;
  # overlay mounts of the user's are in podman's own namespace and died with it.
  userdel "$PM_USER" 2>/dev/null || userdel -f "$PM_USER" 2>/dev/null
  sed -i "/^$PM_USER:/d" /etc/subuid /etc/subgid
}

# The runtime must be reachable by the user, under the basename podman knows.
mkdir -p "$WORK/rt"
install -m 0755 "$ORUN" "$WORK/rt/orun"
ORUN_USER=$WORK/rt/orun
if [[ -n $RUNC_ORACLE ]]; then install -m 0755 "$RUNC_ORACLE" "$WORK/rt/runc"; fi
XDG=$WORK/xdg
install -d -m 0700 -o "$PM_USER" -g "$PM_USER" "$XDG"
install -m 0644 "$IMAGE_DOCKER" "$WORK/image.tar"

# as-user CMD...: run a command as the user, in its login environment (a
# script, not a function: `t` runs it under timeout).
AS_USER=$WORK/as-user
cat >"$AS_USER" <<SH
#!/bin/sh
exec runuser -u "$PM_USER" -- env -i HOME="$PM_HOME" USER="$PM_USER" LOGNAME="$PM_USER" \\
  PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin XDG_RUNTIME_DIR="$XDG" \\
  TERM="\${TERM:-xterm}" sh -c 'cd "\$HOME" && exec "\$@"' sh "\$@"
SH
chmod 0755 "$AS_USER"

PM=("$AS_USER" podman --runtime "$ORUN_USER")
RUN=(run --pull never --network none)
IMG=$IMAGE_REF
SLEEPER=(sh -c 'trap "exit 7" TERM; sleep 1000 & wait')

cleanup_containers() {
  t "${PM[@]}" rm -af -t 0
  t "${PM[@]}" system reset -f
}
on_cleanup cleanup_containers
on_cleanup remove_user

state_of() { "${PM[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
state_is() { [[ $(state_of "$1") == "$2" ]]; }

# ------------------------------------------------------------------ scenarios

s_load() {
  capture "${PM[@]}" load -i "$WORK/image.tar"
  expect_eq 0 "$RC" "podman load exit code"
  expect_match "Loaded image: $IMG" "$OUT" "load output"
  capture "${PM[@]}" info --format '{{.Host.Security.Rootless}} {{.Host.OCIRuntime.Path}} {{.Store.GraphRoot}}'
  expect_eq 0 "$RC" "podman info exit code"
  expect_eq "true $ORUN_USER $PM_HOME/.local/share/containers/storage" "$OUT" \
    "rootless, the runtime and the user's storage in podman info"
}

s_run_rm() {
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" sh -c 'id -u; cat /proc/self/uid_map; echo err >&2; exit 3'
  expect_eq 3 "$RC" "exit code"
  expect_match '^0$' "$OUT" "root inside the container"
  expect_match "^ +0 +$PM_UID +1$" "$OUT" "container root is the user"
  expect_match '^ +1 +[0-9]+ +65536$' "$OUT" "the subordinate range is mapped"
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

s_detached_exec_stop() {
  capture "${PM[@]}" "${RUN[@]}" -d --name r1 "$IMG" "${SLEEPER[@]}"
  expect_eq 0 "$RC" "run -d exit code"
  poll 10 state_is r1 running || fail "r1 not running: $(state_of r1)"
  local pid
  pid=$("${PM[@]}" inspect -f '{{.State.Pid}}' r1)
  expect_eq "$PM_UID" "$(stat -c %u "/proc/$pid")" "the init runs as the user on the host"
  capture "${PM[@]}" exec r1 sh -c 'echo exec out; id -u; exit 5'
  expect_eq 5 "$RC" "exec exit code"
  expect_eq $'exec out\n0' "$OUT" "exec output"
  capture "${PM[@]}" exec --user 1000 --workdir /tmp --env FOO=bar r1 sh -c 'id -u; pwd; echo $FOO'
  expect_eq 0 "$RC" "exec --user exit code"
  expect_eq $'1000\n/tmp\nbar' "$OUT" "exec user, cwd and env"
  capture "${PM[@]}" top r1 pid args
  expect_eq 0 "$RC" "top exit code"
  expect_match 'sleep 1000' "$OUT" "top lists the container's processes"
  capture "${PM[@]}" stop -t 10 r1
  expect_eq 0 "$RC" "stop exit code"
  expect_eq 7 "$("${PM[@]}" inspect -f '{{.State.ExitCode}}' r1)" "exit code after SIGTERM"
  capture "${PM[@]}" start r1
  expect_eq 0 "$RC" "start again"
  poll 10 state_is r1 running || fail "r1 not running after start: $(state_of r1)"
  capture "${PM[@]}" kill -s KILL r1
  expect_eq 0 "$RC" "kill exit code"
  poll 10 state_is r1 exited || fail "r1 not exited after kill: $(state_of r1)"
  capture "${PM[@]}" rm r1
  expect_eq 0 "$RC" "rm exit code"
}

s_tty() {
  capture_tty "${PM[@]}" "${RUN[@]}" -t --rm "$IMG" sh -c 'tty; exit 4'
  expect_eq 4 "$RC" "run -t exit code"
  expect_match '^/dev/pts/[0-9]+' "$OUT" "a terminal inside"
}

# The same command with runc: same exit code, same output.
same_as_runc() {
  [[ -n $RUNC_ORACLE ]] || fail "no runc on PATH to compare with"
  local out_orun rc_orun
  capture "${PM[@]}" "$@"
  out_orun=$OUT rc_orun=$RC
  capture "$AS_USER" podman --runtime "$WORK/rt/runc" "$@"
  expect_eq "$RC" "$rc_orun" "exit code as with runc"
  expect_eq "$OUT" "$out_orun" "output as with runc"
}

s_limits() {
  # cgroup v1 rootless: podman drops the limits and says so; on a host with
  # a delegated cgroup v2 subtree they apply. Either way, as with runc.
  same_as_runc "${RUN[@]}" --rm --memory 64m --pids-limit 50 "$IMG" sh -c 'echo limited'
  expect_match '^limited$' "$OUT" "the container ran"
}

s_errors() {
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" /no/such/cmd
  expect_eq 127 "$RC" "exit code for a missing command"
  expect_match '/no/such/cmd.*no such file or directory' "$OUT" "error text"
  capture "${PM[@]}" "${RUN[@]}" --rm "$IMG" nosuchcmd
  expect_eq 127 "$RC" "exit code for a command not on PATH"
  expect_match 'nosuchcmd.*executable file not found in \$PATH' "$OUT" "error text"
  capture "${PM[@]}" ps -aq
  expect_eq "" "$OUT" "no container left"
}

s_nothing_left() {
  capture "${PM[@]}" ps -aq
  expect_eq "" "$OUT" "no container left"
  # orun's state lives in podman's runroot for the user: nothing in it.
  local root
  root=$(find "$XDG" -maxdepth 3 -type d -name orun 2>/dev/null | head -1)
  if [[ -n $root ]]; then
    # (the compiled-seccomp cache is orun's one file there that outlives containers)
    expect_eq "" "$(ls -A "$root" | grep -vx '.orun:seccomp-cache')" "orun's state root is empty"
  fi
}

scenario "rootless podman load + info" s_load
scenario "rootless run --rm: user namespace, exit code" s_run_rm
scenario "rootless run -i: stdin" s_run_stdin
scenario "rootless run -d, exec, top, stop, start, kill, rm" s_detached_exec_stop
scenario "rootless run -t" s_tty
scenario "rootless --memory/--pids-limit as with runc" s_limits
scenario "rootless errors: exit 127" s_errors
scenario "rootless: nothing left behind" s_nothing_left

clients_finish
