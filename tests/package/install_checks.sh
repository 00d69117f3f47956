#!/bin/bash
# Runs inside the throwaway copy of the system that deb_test.sh prepares
# (chroot into an overlay of /, in a private mount namespace): installs
# /tmp/orun.deb, uses orun through man and completion, switches `runc` to
# orun with orun-alternatives and back, and removes the package, checking
# that everything is as before. Never run it on a real system.
#   install_checks.sh VERSION
set -u

version=$1
deb=/tmp/orun.deb
mapfile -t shipped </tmp/orun.files
failures=0
fail() {
  echo "FAIL (install): $*" >&2
  failures=$((failures + 1))
}
step() { echo "-- $*"; }
quiet() { "$@" >/tmp/cmd.log 2>&1 || { cat /tmp/cmd.log >&2; return 1; }; }

# The runc package's file, if it is installed here (it is on a machine set up
# by scripts/install-deps.sh); its digest proves it comes back unchanged.
has_runc=0
runc_sum=""
if dpkg -s runc 2>/dev/null | grep -q '^Status: install ok installed' && [[ -f /usr/sbin/runc ]]; then
  has_runc=1
  runc_sum=$(sha256sum </usr/sbin/runc)
fi

# /usr/sbin/runc is as before the test: the runc package's own file (or absent).
expect_runc_restored() {
  local when=$1
  if ((has_runc)); then
    [[ -f /usr/sbin/runc && ! -L /usr/sbin/runc ]] || fail "$when: /usr/sbin/runc is not a plain file: $(ls -l /usr/sbin/runc 2>&1)"
    [[ $(sha256sum </usr/sbin/runc) == "$runc_sum" ]] || fail "$when: /usr/sbin/runc changed"
    [[ $(/usr/sbin/runc --version | head -n1) != "runc version $version" ]] || fail "$when: runc is still orun"
  else
    [[ ! -e /usr/sbin/runc && ! -L /usr/sbin/runc ]] || fail "$when: /usr/sbin/runc left behind: $(ls -l /usr/sbin/runc 2>&1)"
  fi
  [[ ! -e /usr/sbin/runc.distrib ]] || fail "$when: /usr/sbin/runc.distrib left behind"
  [[ -z $(dpkg-divert --listpackage /usr/sbin/runc) ]] || fail "$when: diversion left: $(dpkg-divert --list /usr/sbin/runc)"
  ! update-alternatives --query runc >/dev/null 2>&1 || fail "$when: runc alternatives left: $(update-alternatives --display runc)"
  [[ ! -e /etc/alternatives/runc && ! -L /etc/alternatives/runc ]] || fail "$when: /etc/alternatives/runc left"
}

# runc runs orun, registered through the alternatives system.
expect_runc_is_orun() {
  local when=$1
  [[ $(readlink /usr/sbin/runc) == /etc/alternatives/runc ]] || fail "$when: /usr/sbin/runc is not the alternatives link: $(ls -l /usr/sbin/runc 2>&1)"
  [[ $(readlink -f /usr/sbin/runc) == /usr/bin/orun ]] || fail "$when: runc resolves to $(readlink -f /usr/sbin/runc)"
  # Under runc's name orun keeps runc's texts: engines parse `runc version`.
  [[ $(runc --version | head -n1) == "runc version $version" ]] || fail "$when: runc --version: $(runc --version | head -n1)"
  [[ $(runc --help | sed -n 2p) == "   runc - Open Container Initiative runtime" ]] || fail "$when: runc --help title"
  [[ $(runc --help | sed -n 4p) == "runc is orun here:"* ]] || fail "$when: runc --help does not say it is orun"
  [[ $(dpkg-divert --listpackage /usr/sbin/runc) == orun ]] || fail "$when: /usr/sbin/runc not diverted by orun"
  local display
  display=$(update-alternatives --display runc)
  [[ $display == *"link currently points to /usr/bin/orun"* ]] || fail "$when: update-alternatives --display runc: $display"
  [[ $display == *"/usr/bin/orun - priority 50"* ]] || fail "$when: orun not registered: $display"
  if ((has_runc)); then
    [[ $display == *"/usr/sbin/runc.distrib - priority 10"* ]] || fail "$when: runc.distrib not registered: $display"
    [[ $(sha256sum </usr/sbin/runc.distrib) == "$runc_sum" ]] || fail "$when: the diverted runc changed"
  fi
}

expect_all_removed() {
  local when=$1 f
  dpkg -s orun >/dev/null 2>&1 && fail "$when: dpkg still knows orun"
  for f in "${shipped[@]}"; do
    [[ -d $f || ! -e $f ]] || fail "$when: $f left behind"
  done
  ! command -v orun >/dev/null || fail "$when: orun still on PATH"
}

step "dpkg -i"
quiet dpkg -i "$deb" || fail "dpkg -i"
[[ $(command -v orun) == /usr/bin/orun ]] || fail "orun not on PATH: $(command -v orun)"
[[ $(orun --version | head -n1) == "orun version $version" ]] || fail "orun --version: $(orun --version 2>&1 | head -n1)"
[[ $(orun --help | sed -n 2p) == "   orun - Open Container Initiative runtime" ]] || fail "orun --help title"
orun --help | grep -q '(default: "/run/orun")' || fail "orun --help does not show its root"
# Installing alone changes nothing about runc.
expect_runc_restored "after dpkg -i"

step "man"
[[ $(man -w orun) == /usr/share/man/man8/orun.8.gz ]] || fail "man -w orun: $(man -w orun 2>&1)"
for page in orun-alternatives orun-create orun-run orun-exec; do
  [[ $(man -w "$page") == "/usr/share/man/man8/$page.8.gz" ]] || fail "man -w $page: $(man -w "$page" 2>&1)"
done
MANWIDTH=80 man -P cat orun 2>/dev/null | grep -q 'drop-in replacement for runc' || fail "man orun does not render"
MANWIDTH=80 man -P cat orun 2>/dev/null | grep -q '/run/orun' || fail "man orun does not name /run/orun"

step "bash completion"
got=$(bash -c 'source /usr/share/bash-completion/completions/orun
  COMP_WORDS=(orun sta); COMP_CWORD=1; _orun; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "')
[[ $got == "start state " ]] || fail "completion of 'orun sta': [$got]"
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
  # bash-completion finds the file by the command's name on the first <Tab>.
  # It sources the file inside a function: the tables must still be global.
  got=$(bash -c 'source /usr/share/bash-completion/bash_completion; __load_completion orun; complete -p orun
    COMP_WORDS=(orun --log-format ""); COMP_CWORD=2; _orun; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "')
  [[ $got == "complete -F _orun orun"$'\n'"json text " ]] || fail "bash-completion does not load orun's: [$got]"
else
  echo "(bash-completion is not installed: its lazy loading is not checked)"
fi

step "orun-alternatives enable"
quiet orun-alternatives enable || fail "orun-alternatives enable"
expect_runc_is_orun "after enable"
quiet orun-alternatives enable || fail "orun-alternatives enable, twice"
expect_runc_is_orun "after a second enable"
orun-alternatives status | grep -q '^enabled' || fail "status: $(orun-alternatives status)"
if ((has_runc)); then
  step "update-alternatives --set runc /usr/sbin/runc.distrib, then --auto"
  quiet update-alternatives --set runc /usr/sbin/runc.distrib || fail "--set runc.distrib"
  [[ $(sha256sum </usr/sbin/runc) == "$runc_sum" ]] || fail "runc is not the real runc after --set"
  quiet update-alternatives --auto runc || fail "--auto runc"
  expect_runc_is_orun "after --auto"
fi

step "orun-alternatives disable"
quiet orun-alternatives disable || fail "orun-alternatives disable"
expect_runc_restored "after disable"
orun-alternatives status | grep -q '^disabled' || fail "status: $(orun-alternatives status)"
quiet orun-alternatives disable || fail "orun-alternatives disable, twice"

step "dpkg -r while enabled"
quiet orun-alternatives enable || fail "orun-alternatives enable"
quiet dpkg -r orun || fail "dpkg -r orun"
expect_runc_restored "after dpkg -r"
expect_all_removed "after dpkg -r"

step "ORUN_AS_RUNC=1 dpkg -i, then dpkg -P"
ORUN_AS_RUNC=1 quiet dpkg -i "$deb" || fail "ORUN_AS_RUNC=1 dpkg -i"
expect_runc_is_orun "after ORUN_AS_RUNC=1 dpkg -i"
quiet dpkg -P orun || fail "dpkg -P orun"
expect_runc_restored "after dpkg -P"
expect_all_removed "after dpkg -P"

if ((has_runc)); then
  step "without the runc package"
  quiet dpkg -r --force-depends runc || fail "dpkg -r runc"
  has_runc=0
  quiet dpkg -i "$deb" || fail "dpkg -i"
  quiet orun-alternatives enable || fail "enable without runc"
  expect_runc_is_orun "enabled without runc"
  quiet orun-alternatives disable || fail "disable without runc"
  expect_runc_restored "disabled without runc"
  quiet orun-alternatives enable || fail "enable without runc"
  quiet dpkg -r orun || fail "dpkg -r orun"
  expect_runc_restored "dpkg -r without runc"
  expect_all_removed "dpkg -r without runc"
fi

if ((failures > 0)); then
  echo "$failures install check(s) failed" >&2
  exit 1
fi
echo "install checks passed"
