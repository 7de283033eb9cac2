#!/bin/bash
# test_manlint.sh - the five manual pages exist and mandoc -Tlint says
# nothing about them (issue 14 item 4): no error, warning or style
# message.  The one message let through is "referenced manual not found"
# for a cross-reference to one of these five pages, which are not
# installed where mandoc looks while the tests run.
# Skips (77) only when mandoc is not installed: contrib/install-deps
# installs it, so CI never skips.
set -u
LC_ALL=C
export LC_ALL
src=${top_srcdir:-$(dirname "$0")/../..}
pages="relaywarden.8 relaywarden.conf.5 relaywarden-check.1
relaywarden-state.1 relaywarden-quarantine.1"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP mandoc not installed (Debian package mandoc," \
	    "contrib/install-deps installs it)" >&2
	exit 77
fi
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	shift
	printf '     %s\n' "$@"
}
own='referenced manual not found: Xr relaywarden(|\.conf|-check|-state|-quarantine) [158]( \([0-9]+ times\))?$'
for p in $pages; do
	f=$src/man/$p
	if [ ! -r "$f" ]; then
		not_ok "man/$p exists"
		continue
	fi
	out=$(mandoc -Tlint "$f" 2>&1 | grep -Ev "$own")
	[ -z "$out" ] && ok "mandoc -Tlint man/$p: clean" ||
	    not_ok "mandoc -Tlint man/$p" "$out"
	# The page renders, and names itself.
	name=${p%.*}
	if mandoc -Tascii "$f" 2>/dev/null | sed "s/.\x08//g" | grep -q "^NAME"; then
		ok "man/$p renders"
	else
		not_ok "man/$p renders"
	fi
	grep -q "^\.Nm $name\$" "$f" && ok "man/$p: .Nm $name" ||
	    not_ok "man/$p names $name in .Nm"
done
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
