#!/bin/bash
# test_unit.sh - contrib/relaywarden.service against what `make install`
# installs and against systemd's own scoring (issue 10 item 4):
#  a) contrib/ names the --prefix=/usr --sysconfdir=/etc paths, the same
#     in ExecStartPre and ExecStart;
#  b) `make install DESTDIR=...` installs the unit where systemd looks
#     (PREFIX/lib/systemd/system for /usr, /usr/local or /), and every
#     command it runs is the installed relaywarden, reading the config
#     file that binary itself defaults to (its -h says which);
#  c) the socket directory the unit may write is the one the README and
#     contrib/relaywarden.conf tell Postfix users to use;
#  d) systemd-analyze security --offline=true scores it at most 2.0.
set -u
src=${top_srcdir:-$(dirname "$0")/../..}
bld=${top_builddir:-.}
unit=$src/contrib/relaywarden.service
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	shift
	printf '     %s\n' "$@"
}
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1 [$2]"; else not_ok "$1" \
	    "expected: $2" "found:    $3"; fi
}

# exec_lines FILE: "BINARY CONFIG" for each ExecStart=/ExecStartPre=.
exec_lines() {
	sed -n 's/^ExecStart\(Pre\)\?=//p' "$1" | while read -r bin rest; do
		printf '%s %s\n' "$bin" \
		    "$(printf '%s\n' "$rest" | sed -n 's/.*-c \([^ ]*\).*/\1/p')"
	done
}

# ---- a) the source unit ----
expect_eq "contrib unit: both commands, /usr and /etc paths" \
    "/usr/sbin/relaywarden /etc/relaywarden.conf
/usr/sbin/relaywarden /etc/relaywarden.conf" "$(exec_lines "$unit")"

# ---- b) what make install installs ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rw-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ${MAKE:-make} -s -C "$bld" install-sbinPROGRAMS install-systemdunitDATA \
    DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=... (relaywarden and the unit)"
else
	not_ok "make install DESTDIR=..." "$(cat "$tmp/install.log")"
fi
units=$(cd "$tmp/root" && find . -name relaywarden.service | sed 's/^\.//')
# A prefix systemd does not read (make distcheck's): PREFIX/lib/systemd/
# system, as configure defaults, is all that can be asked.
prefix=$(${MAKE:-make} -s -C "$bld" rw-print-install 2>/dev/null |
    sed -n 's/^prefix=//p')
case "$prefix" in
/usr | /usr/local | / | "") own= ;;
*)	own=$prefix/lib/systemd/system/relaywarden.service ;;
esac
case "$units" in
/usr/lib/systemd/system/relaywarden.service | \
/usr/local/lib/systemd/system/relaywarden.service | \
/lib/systemd/system/relaywarden.service)
	ok "installed where systemd reads units [$units]" ;;
"$own")	ok "installed in PREFIX/lib/systemd/system [$units]" ;;
*)	not_ok "installed where systemd reads units" "found: ${units:-none}" ;;
esac
n=0
while read -r bin conf; do
	[ -n "$bin" ] || continue
	n=$((n + 1))
	if [ -x "$tmp/root$bin" ]; then
		ok "installed unit runs $bin: installed there"
		def=$("$tmp/root$bin" -h 2>&1 |
		    sed -n 's/.*configuration (default \(.*\))$/\1/p')
		expect_eq "its -c is the binary's own default config" \
		    "$def" "$conf"
	else
		not_ok "installed unit runs $bin: installed there" \
		    "$(cd "$tmp/root" && find . -type f | head -n 5)"
	fi
done <<<"$(exec_lines "$tmp/root$units" 2>/dev/null)"
[ "$n" -eq 2 ] && ok "installed unit: ExecStartPre and ExecStart checked" ||
    not_ok "installed unit: two commands" "found $n"

# ---- c) the socket directory ----
sockdir=$(sed -n 's/^ReadWritePaths=-\?//p' "$unit")
expect_eq "unit may write the Postfix-chroot socket directory" \
    /var/spool/postfix/relaywarden "$sockdir"
grep -q "unix:$sockdir/sock" "$src/README" &&
    ok "README's socket is in $sockdir" ||
    not_ok "README's socket is in $sockdir"
grep -q "unix:$sockdir/sock" "$src/contrib/relaywarden.conf" &&
    ok "contrib/relaywarden.conf's unix socket example is in $sockdir" ||
    not_ok "contrib/relaywarden.conf's socket example is in $sockdir"

# ---- d) systemd's score ----
if command -v systemd-analyze >/dev/null 2>&1; then
	line=$(systemd-analyze security --offline=true "$unit" 2>&1 |
	    grep 'Overall exposure level')
	score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
	then
		ok "systemd-analyze security: exposure $score <= 2.0"
	else
		not_ok "systemd-analyze security: exposure <= 2.0" "$line"
	fi
else
	# Said loudly: the rest of the file was checked.
	echo "NOTE systemd-analyze not installed: exposure not scored" >&2
fi
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
