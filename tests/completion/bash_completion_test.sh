#!/usr/bin/env bash
# Tests contrib/completions/bash/orun by sourcing it into this bash and calling
# its completion function with COMP_WORDS/COMP_CWORD set, as bash does on <Tab>.
#
#   bash_completion_test.sh ORUN_BINARY words   commands, options, option values
#   bash_completion_test.sh ORUN_BINARY ids     container ids from --root, by state
#                                               (root only: it runs containers)
# Exit status: 0 passed, 1 failed, 77 skipped (ctest's SKIP_RETURN_CODE).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
orun=$(readlink -f "${1:?usage: $0 ORUN_BINARY words|ids}")
mode=${2:?usage: $0 ORUN_BINARY words|ids}

# The completion runs the binary typed on the line: put the one under test
# first on PATH under the name orun.
tmp=$(mktemp -d /tmp/orun-completion-XXXXXX)
mkdir -p "$tmp/bin"
ln -s "$orun" "$tmp/bin/orun"
export PATH="$tmp/bin:$PATH"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# shellcheck source=../../contrib/completions/bash/orun
source "$repo/contrib/completions/bash/orun"

# complete WORD... : the sorted, space-joined completions with the cursor in
# the last word (an empty last word is a <Tab> after a space).
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _orun
  printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect_eq "WANT" WORD...
expect_eq() {
  local want=$1 got
  shift
  got=$(complete_words "$@")
  [[ $got == "$want" ]] || fail "'$*<Tab>': want [$want], got [$got]"
}

# expect_has "W1 W2 ..." WORD...: every Wi is offered.
expect_has() {
  local want=$1 got w
  shift
  got=" $(complete_words "$@") "
  for w in $want; do
    [[ $got == *" $w "* ]] || fail "'$*<Tab>': $w missing from [$got]"
  done
}

# expect_lacks "W1 ..." WORD...: no Wi is offered.
expect_lacks() {
  local bad=$1 got w
  shift
  got=" $(complete_words "$@") "
  for w in $bad; do
    [[ $got != *" $w "* ]] || fail "'$*<Tab>': $w offered in [$got]"
  done
}

sorted() { printf '%s\n' "$@" | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# The options a help text lists, read here independently of the script.
help_options() { "$orun" "$@" --help | sed -n '/OPTIONS:/,$p' | grep -oE '(^|, )--?[a-z0-9-]+' | sed 's/^, //'; }

runc_commands="checkpoint create delete events exec kill list pause ps restore resume run spec start state update features"

test_words() {
  [[ $(complete -p orun) == "complete -F _orun orun" ]] || fail "complete -p orun: $(complete -p orun 2>&1)"
  # bash-completion sources the file inside a function (its lazy loader): the
  # tables must still be global afterwards.
  local got
  got=$(bash -c 'load() { source "$1"; }; load "$1"
    COMP_WORDS=(orun --log-format ""); COMP_CWORD=2; _orun; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
    bash "$repo/contrib/completions/bash/orun")
  [[ $got == "json text " ]] || fail "sourced from a function: --log-format offers [$got]"

  # Every command in the help, runc's included, and nothing else.
  local listed
  listed=$("$orun" --help | sed -n '/^COMMANDS:/,/^$/p' | sed -n 's/^   \([a-z]*\)\(, \([a-z]*\)\)\? .*/\1 \3/p')
  # shellcheck disable=SC2086
  expect_eq "$(sorted $listed)" orun ""
  expect_has "$runc_commands help h" orun ""
  expect_eq "pause ps" orun p
  expect_eq "restore resume" orun re
  expect_eq "" orun run ""     # a new container id: nothing to offer
  expect_eq "" orun spec ""

  # Global options, hidden --criu too (it takes a value and must be skipped).
  expect_has "--debug --log --log-format --root --systemd-cgroup --rootless --help --version" orun --
  expect_has "-h -v" orun -
  expect_eq "json text" orun --log-format ""
  expect_eq "auto false true" orun --rootless ""
  expect_eq "auto false true" orun -rootless ""

  # Every option of every command, as its help lists them.
  local cmd opt
  for cmd in $runc_commands; do
    for opt in $(help_options "$cmd"); do
      expect_has "$opt" orun "$cmd" "${opt:0:2}"
    done
  done
  expect_has "--bundle -b --console-socket --pidfd-socket --pid-file --no-pivot --no-new-keyring --preserve-fds" orun create -
  expect_has "--detach -d --keep --no-subreaper" orun run -
  expect_has "--tty -t --cap -c --env -e --user -u --process -p --ignore-paused --cgroup" orun exec -
  expect_has "--all -a" orun kill -      # hidden in help, as in runc
  expect_has "--force -f" orun delete -
  expect_has "--format -f --quiet -q" orun list -
  expect_has "--interval --stats" orun events -
  expect_has "--resources -r --memory --pids-limit --cpuset-cpus" orun update -
  expect_lacks "--bundle" orun delete --
  # Options after a global option's value belong to the command.
  expect_has "--quiet" orun --root /nonexistent --log-format json list --q

  # Option values.
  mkdir -p "$tmp/vals/dir-a" "$tmp/vals/dir-b"
  : >"$tmp/vals/file-c"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b" orun --root "$tmp/vals/"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b" orun create --bundle "$tmp/vals/"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b" orun create -b "$tmp/vals/d"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b $tmp/vals/file-c" orun run --pid-file "$tmp/vals/"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b $tmp/vals/file-c" orun --log "$tmp/vals/"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b $tmp/vals/file-c" orun exec -p "$tmp/vals/"
  expect_eq "$tmp/vals/dir-a $tmp/vals/dir-b" orun --root = "$tmp/vals/"   # --root=<dir>
  expect_eq "json table" orun list --format ""
  expect_eq "json table" orun ps -f ""
  expect_has "CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE" orun exec --cap CAP_NET_
  expect_eq "full ignore soft strict" orun checkpoint --manage-cgroups-mode ""
  expect_eq "" orun exec --cwd ""        # a path inside the container
  expect_has "KILL TERM HUP USR1" orun kill someid ""
  expect_eq "KILL" orun kill someid KI
  expect_eq "" orun kill someid KILL ""
  expect_has "$runc_commands" orun help ""
  expect_eq "" orun help run ""

  # exec and ps hand the words after the id to the process and to ps(1).
  expect_eq "" orun exec someid -
  expect_eq "" orun exec someid ""
  expect_eq "" orun ps someid -

  # The binary typed, by path.
  expect_eq "spec" "$orun" sp
}

# A bundle that runs `args` with its own cgroup.
make_bundle() {
  local dir=$1 id=$2
  shift 2
  mkdir -p "$dir"
  cp -a "$tmp/rootfs" "$dir/rootfs"
  (cd "$dir" && "$orun" spec)
  local args
  args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  jq --argjson args "$args" --arg cg "/orun-test/$id" \
    '.process.terminal = false | .process.args = $args | .linux.cgroupsPath = $cg' \
    "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

test_ids() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: running containers needs root" >&2
    exit 77
  fi
  for tool in jq busybox; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed" >&2; exit 77; }
  done
  bash "$repo/scripts/make-busybox-rootfs.sh" "$tmp/rootfs" >/dev/null || { fail "make-busybox-rootfs.sh"; return; }
  root=$tmp/root
  local sfx
  sfx=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  created=compl-created-$sfx running=compl-running-$sfx paused=compl-paused-$sfx stopped=compl-stopped-$sfx
  make_bundle "$tmp/b-created" "$created" sleep 1000
  make_bundle "$tmp/b-running" "$running" sleep 1000
  make_bundle "$tmp/b-paused" "$paused" sleep 1000
  make_bundle "$tmp/b-stopped" "$stopped" true
  "$orun" --root "$root" create --bundle "$tmp/b-created" "$created" || fail "create $created"
  "$orun" --root "$root" run -d --bundle "$tmp/b-running" "$running" || fail "run $running"
  "$orun" --root "$root" run -d --bundle "$tmp/b-paused" "$paused" || fail "run $paused"
  "$orun" --root "$root" pause "$paused" || fail "pause $paused"
  "$orun" --root "$root" run -d --bundle "$tmp/b-stopped" "$stopped" || fail "run $stopped"
  local i
  for ((i = 0; i < 100; i++)); do
    "$orun" --root "$root" state "$stopped" | grep -q '"status": "stopped"' && break
    sleep 0.05
  done

  expect_eq "$(sorted "$created" "$running" "$paused" "$stopped")" orun --root "$root" state ""
  expect_eq "$(sorted "$created" "$running" "$paused" "$stopped")" orun --root "$root" delete ""
  expect_eq "$created" orun --root "$root" start ""
  expect_eq "$running" orun --root "$root" pause ""
  expect_eq "$paused" orun --root "$root" resume ""
  expect_eq "$(sorted "$created" "$running" "$paused")" orun --root "$root" exec ""
  expect_eq "$(sorted "$created" "$running" "$paused")" orun --root "$root" kill ""
  expect_eq "$(sorted "$created" "$running" "$paused")" orun --root "$root" ps ""
  expect_eq "$running" orun --root "$root" checkpoint ""
  expect_eq "$running" orun --root "$root" state compl-r
  # --root in its other spellings, after other global options, and command
  # options before the id.
  expect_eq "$created" orun --root = "$root" start ""
  expect_eq "$created" orun -root "$root" start ""
  expect_eq "$created" orun --log-format json --root "$root" --debug start ""
  expect_eq "$(sorted "$created" "$running" "$paused")" orun --root "$root" exec -e A=B --cwd / -t ""
  expect_eq "$paused" orun --root "$root" kill --all compl-p
  # Another root holds none of them.
  mkdir -p "$tmp/empty-root"
  expect_eq "" orun --root "$tmp/empty-root" state ""
  # An id already typed: the next word is a signal for kill, nothing for start.
  expect_has "KILL" orun --root "$root" kill "$running" ""
  expect_eq "" orun --root "$root" start "$created" ""
}

cleanup() {
  if [[ -n ${root:-} && -d ${root:-} ]]; then
    local id
    for id in $("$orun" --root "$root" list -q 2>/dev/null); do
      "$orun" --root "$root" resume "$id" >/dev/null 2>&1
      "$orun" --root "$root" delete --force "$id" >/dev/null 2>&1
    done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

case $mode in
words) test_words ;;
ids) test_ids ;;
*) echo "unknown mode $mode" >&2; exit 2 ;;
esac

if ((failures > 0)); then
  echo "$failures completion check(s) failed" >&2
  exit 1
fi
echo "bash completion ($mode): all checks passed"
