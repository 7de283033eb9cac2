#!/bin/bash
# test_admin.sh - what an admin sees when starting the daemon (issue 13
# item 6): in the foreground (-f) every line starts with its time and the
# "listening on" line carries the version; a socket that cannot be bound
# says why (the errno text, "Address already in use", and how to choose
# another).  Runs relaywarden as the current user (allow_root for root).
set -u
: "${top_builddir:?}"
RW=$top_builddir/milter/relaywarden
pass=0 fail=0
t=$(mktemp -d)
pid= lpid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }
has() {	# has NAME FILE ERE
	grep -E -q -- "$3" "$2" && ok "$1" || not_ok "$1" "wanted /$3/" \
	    "$(head -n 20 "$2")"
}

printf '$STATIC example\n' >"$t/zone"
cat >"$t/rw.conf" <<C
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
allow_root = true;
C
version=$("$RW" -V | sed -n 's/^relaywarden //p')
[ -n "$version" ] && ok "relaywarden -V: $version" || not_ok "relaywarden -V"

"$RW" -f -c "$t/rw.conf" -p "unix:$t/sock" 2>"$t/log" &
pid=$!
for i in $(seq 100); do
	grep -q 'listening on' "$t/log" && break
	sleep 0.1
done
has "the startup line names the version" "$t/log" \
    "relaywarden: info: relaywarden $version listening on unix:$t/sock"
ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z '
has "-f lines start with a time" "$t/log" "${ts}relaywarden: info: "
if grep -E -v -q "$ts" "$t/log"; then
	not_ok "every -f line has its time" "$(grep -E -v "$ts" "$t/log")"
else
	ok "every -f line has its time"
fi
kill "$pid"
wait "$pid" 2>/dev/null
pid=

# a port already taken by someone else
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$t/port" &
lpid=$!
for i in $(seq 50); do
	[ -s "$t/port" ] && break
	sleep 0.1
done
port=$(cat "$t/port")
"$RW" -f -c "$t/rw.conf" -p "inet:$port@127.0.0.1" >"$t/out" 2>"$t/err"
rc=$?
[ "$rc" != 0 ] && ok "a taken port: exit $rc" ||
    not_ok "a taken port: exit non-zero" "exit $rc"
has "a taken port: the errno text" "$t/err" \
    "inet:$port@127\.0\.0\.1: cannot listen: Address already in use"
has "a taken port: how to choose another" "$t/err" "choose another with -p"

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
