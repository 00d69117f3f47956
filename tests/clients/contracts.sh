#!/usr/bin/env bash
# The contracts the engines rely on (docs/engines.md, runc-reference section 6),
# checked by calling orun exactly as containerd's runc.v2 shim does (argv
# recorded in shared/engine-samples), but without an engine: each call gets
# an empty environment (no PATH, no HOME), SIGPIPE ignored and a stray fd 3,
# as the shim leaks its socket. Fast, and precise about which contract broke.
# Usage: ORUN=/path/to/orun tests/clients/contracts.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clients_init contracts
require_cmd jq

ROOT=$WORK/root
B=$WORK/bundle
ID=c1
CG=/$RUN_ID/$ID
CGROUP_PARENTS+=("/$RUN_ID")
mkdir -p "$ROOT" "$B"
bash "$REPO_DIR/scripts/make-busybox-rootfs.sh" "$B/rootfs" >/dev/null

# A config as the shim's bundles have it: no terminal, an absolute cgroupsPath.
(cd "$B" && "$ORUN" spec)
jq --arg cg "$CG" '.process.terminal = false | .process.args = ["sleep", "1000"]
  | .linux.cgroupsPath = $cg | .root.readonly = false' "$B/config.json" >"$B/config.json.new"
mv "$B/config.json.new" "$B/config.json"

on_cleanup 'shim_orun kill "$ID" 9; sleep 0.2; shim_orun delete --force "$ID"'

# shim_orun ARGS...: orun as the shim runs it: global flags first, JSON log,
# env -i, SIGPIPE ignored, a stray fd 3 (a script, so that `t` can bound it).
cat >"$WORK/shim-orun" <<SCRIPT
#!/usr/bin/env bash
trap '' PIPE
exec 3<>"$WORK/stray-fd"
exec env -i "$ORUN" --root "$ROOT" --log "$B/log.json" --log-format json "\$@"
SCRIPT
chmod +x "$WORK/shim-orun"
shim_orun() { "$WORK/shim-orun" "$@"; }
SHIM_ORUN=$WORK/shim-orun

# Every line of a --log file must be a JSON object {level,msg,time(RFC3339)}.
check_log_json() {
  local f=$1 line n=0
  [[ -f $f ]] || return 0
  while IFS= read -r line; do
    n=$((n + 1))
    jq -e 'type == "object" and (.level | type == "string") and (.msg | type == "string")
      and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"))' \
      <<<"$line" >/dev/null || fail "log line $n is not {level,msg,time}: $line"
  done <"$f"
}

s_version() {
  capture env -i "$ORUN" --version
  expect_eq 0 "$RC" "exit code"
  expect_match '^[a-z]+ version [0-9]' "$(head -1 <<<"$OUT")" "first line: '<name> version X'"
  expect_match '^commit: [0-9a-f]+' "$OUT" "commit line (docker info reads it)"
  expect_match '^spec: 1\.' "$OUT" "spec line"
}

s_features() {
  capture env -i "$ORUN" features
  expect_eq 0 "$RC" "exit code"
  jq -e '.ociVersionMin and .ociVersionMax and (.hooks | type == "array")
    and (.mountOptions | type == "array") and (.linux.namespaces | index("pid"))
    and (.linux.capabilities | index("CAP_SYS_ADMIN")) and (.linux.cgroup | type == "object")' \
    <<<"$OUT" >/dev/null || fail "features JSON lacks runc's fields"
}

s_create() {
  echo "+ create --bundle $B --pid-file $B/init.pid $ID" >&2
  shim_orun create --bundle "$B" --pid-file "$B/init.pid" "$ID" >"$WORK/create.out" 2>&1 && RC=0 || RC=$?
  cat "$WORK/create.out" >&2
  expect_eq 0 "$RC" "create exit code (with no PATH or HOME)"
  # the pid file exists when create returns, a bare integer
  [[ -f $B/init.pid ]] || fail "no pid file after create"
  local pid
  pid=$(cat "$B/init.pid")
  [[ $pid =~ ^[0-9]+$ ]] || fail "pid file is not a bare integer: [$pid]"
  [[ $(tail -c1 "$B/init.pid" | od -An -c | tr -d ' ') != '\n' ]] || fail "pid file ends with a newline"
  # the init is in its cgroups when create returns (the shim reads metrics there)
  expect_eq "$CG" "$(memory_cgroup_of "$pid")" "memory cgroup at create"
  expect_eq "$CG" "$(awk -F: '$2 == "pids" {print $3}' "/proc/$pid/cgroup")" "pids cgroup at create"
  capture env -i "$ORUN" --root "$ROOT" state "$ID"
  expect_eq created "$(jq -r .status <<<"$OUT")" "state after create"
  check_log_json "$B/log.json"
}

s_start() {
  capture "$SHIM_ORUN" start "$ID"
  expect_eq 0 "$RC" "start exit code"
  local pid
  pid=$(cat "$B/init.pid")
  poll 5 bash -c "[[ \$(readlink /proc/$pid/exe) == */busybox ]]" || fail "init did not exec sleep"
  # the stray fd 3 did not reach the container, SIGPIPE is not ignored there
  expect_eq "0 1 2" "$(ls /proc/"$pid"/fd | sort -n | xargs)" "fds of the container process"
  expect_match '^SigIgn:[[:space:]]+0+$' "$(grep SigIgn "/proc/$pid/status")" "ignored signals"
  # state: stdout only, and nothing on stderr (callers mix the two)
  capture env -i "$ORUN" --root "$ROOT" state "$ID"
  expect_eq running "$(jq -r .status <<<"$OUT")" "state after start"
  expect_eq "$pid" "$(jq -r .pid <<<"$OUT")" "state pid"
  check_log_json "$B/log.json"
}

s_ps_json() {
  # go-runc parses the combined stdout+stderr as []int
  capture "$SHIM_ORUN" ps --format json "$ID"
  expect_eq 0 "$RC" "ps exit code"
  jq -e 'type == "array" and all(.[]; type == "number")' <<<"$OUT" >/dev/null ||
    fail "ps --format json is not a JSON array of numbers: $OUT"
  expect_eq "$(cat "$B/init.pid")" "$(jq -r '.[]' <<<"$OUT" | xargs)" "pids listed"
}

s_exec_detach() {
  jq '.process | .args = ["sleep", "999"]' "$B/config.json" >"$WORK/process.json"
  capture "$SHIM_ORUN" exec --process "$WORK/process.json" --detach --pid-file "$B/e1.pid" "$ID"
  expect_eq 0 "$RC" "exec -d exit code"
  [[ -f $B/e1.pid ]] || fail "no exec pid file when exec --detach returns"
  local pid
  pid=$(cat "$B/e1.pid")
  [[ $pid =~ ^[0-9]+$ ]] || fail "exec pid file is not a bare integer: [$pid]"
  expect_eq "$CG" "$(memory_cgroup_of "$pid")" "exec'd process cgroup"
  capture "$SHIM_ORUN" ps --format json "$ID"
  expect_eq 2 "$(jq length <<<"$OUT")" "ps lists init and exec"
}

s_update_zero_unset() {
  local d=/sys/fs/cgroup
  local shares_before
  shares_before=$(cat "$d/cpu$CG/cpu.shares")
  # exactly what containerd's shim pipes for `docker update --memory 64m
  # --memory-swap 128m --pids-limit 100`: zero fields mean "leave alone"
  echo "+ update --resources - $ID < docker-update-resources.json" >&2
  printf '%s' '{"memory":{"limit":67108864,"reservation":0,"swap":134217728,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"pids":{"limit":100},"blockIO":{"weight":0}}' |
    shim_orun update --resources - "$ID" >"$WORK/update.out" 2>&1 && RC=0 || RC=$?
  cat "$WORK/update.out" >&2
  expect_eq 0 "$RC" "update exit code"
  expect_eq 67108864 "$(cat "$d/memory$CG/memory.limit_in_bytes")" "memory limit"
  expect_eq 100 "$(cat "$d/pids$CG/pids.max")" "pids limit"
  expect_eq "$shares_before" "$(cat "$d/cpu$CG/cpu.shares")" "cpu shares untouched by a zero"
  expect_eq -1 "$(cat "$d/cpu$CG/cpu.cfs_quota_us")" "cpu quota untouched by a zero"
}

s_pause_resume() {
  capture "$SHIM_ORUN" pause "$ID"
  expect_eq 0 "$RC" "pause"
  expect_eq FROZEN "$(cat "/sys/fs/cgroup/freezer$CG/freezer.state")" "freezer"
  capture "$SHIM_ORUN" resume "$ID"
  expect_eq 0 "$RC" "resume"
  expect_eq THAWED "$(cat "/sys/fs/cgroup/freezer$CG/freezer.state")" "freezer"
}

s_kill_delete() {
  local pid
  pid=$(cat "$B/init.pid")
  capture "$SHIM_ORUN" kill --all "$ID" 9
  expect_eq 0 "$RC" "kill --all with a numeric signal"
  poll 5 bash -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status" || fail "init survived"
  capture "$SHIM_ORUN" delete "$ID"
  expect_eq 0 "$RC" "delete of a stopped container"
  [[ ! -e $ROOT/$ID ]] || fail "state dir left"
  [[ ! -d /sys/fs/cgroup/memory$CG ]] || fail "cgroup left"
  # the shim ignores a delete error containing "does not exist"
  capture "$SHIM_ORUN" delete "$ID"
  [[ $RC -ne 0 ]] || fail "second delete succeeded"
  expect_match 'does not exist' "$(tail -1 "$B/log.json")" "error for a missing container"
  check_log_json "$B/log.json"
}

s_failed_create_log() {
  jq --arg cg "/$RUN_ID/bad1" '.process.args = ["/no/such/cmd"] | .linux.cgroupsPath = $cg' "$B/config.json" >"$WORK/bad.json"
  cp "$B/config.json" "$WORK/good.json"
  cp "$WORK/bad.json" "$B/config.json"
  : >"$B/log.json"
  shim_orun create --bundle "$B" --pid-file "$B/bad.pid" bad1 >/dev/null 2>&1 && RC=0 || RC=$?
  cp "$WORK/good.json" "$B/config.json"
  [[ $RC -ne 0 ]] || fail "create of a missing command succeeded"
  check_log_json "$B/log.json"
  local last
  last=$(jq -r 'select(.level == "error") | .msg' "$B/log.json" | tail -1)
  echo "last error: $last" >&2
  # containerd reports this line; Docker maps its words to exit code 127
  expect_match 'exec: "/no/such/cmd": stat /no/such/cmd: no such file or directory' "$last" "last error line"
  [[ ! -e $ROOT/bad1 ]] || fail "state left after a failed create"
}

scenario "--version: name, commit, spec lines" s_version
scenario "features: runc's JSON schema" s_features
scenario "create: pid file, cgroups, JSON log (env -i)" s_create
scenario "start: fds 0-2, SIGPIPE reset, state" s_start
scenario "ps --format json: array of host pids" s_ps_json
scenario "exec --detach --pid-file" s_exec_detach
scenario "update --resources -: zeros are unset" s_update_zero_unset
scenario "pause / resume" s_pause_resume
scenario "kill --all 9, delete, 'does not exist'" s_kill_delete
scenario "failed create: real cause as last error line" s_failed_create_log

clients_finish
