#!/usr/bin/env bash
# The man pages in man/: each renders without groff warnings and is about
# orun; every command in `orun --help` that is implemented has its page.
#   man_test.sh ORUN_BINARY
# Exit status: 0 passed, 1 failed, 77 skipped (man not installed).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
orun=${1:?usage: $0 ORUN_BINARY}
command -v man >/dev/null || { echo "SKIP: man is not installed" >&2; exit 77; }

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for page in "$repo"/man/*.8; do
  name=$(basename "$page" .8)
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  [[ -z $warnings ]] || fail "$name: $warnings"
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null)
  [[ $(sed -n '/^NAME/{n;p;q}' <<<"$text") == *"$name "* ]] || fail "$name: NAME section does not name $name"
  grep -q "^\.TH $(tr a-z A-Z <<<"$name" | sed 's/-/\\\\-/g') 8 " "$page" || fail "$name: .TH is not ${name^^} 8"
done
grep -q '/run/orun' "$repo/man/orun.8" || fail "orun(8) does not name its default root /run/orun"

for cmd in $("$orun" --help | sed -n '/^COMMANDS:/,/^$/p' | sed -n 's/^   \([a-z]*\)  .*/\1/p'); do
  [[ -f $repo/man/orun-$cmd.8 ]] || fail "no man page for '$cmd' (man/orun-$cmd.8)"
done

if ((failures > 0)); then
  echo "$failures man page check(s) failed" >&2
  exit 1
fi
echo "man pages: all checks passed"
