#!/bin/bash
# test_admin.sh - what an admin sees when starting the daemon (issue 13
# item 6): in the foreground (-f) every line starts with its time and the
# "listening on" line carries the version; a socket that cannot be bound
# says why (the errno text, "Address already in use", and how to choose
# another).  Runs relaywarden as the current user (allow_root for root).
# A header RFC 5322 allows once, twice in a forwarded message, is
# reported by name ("duplicate Message-ID"), not as detail=header.
# contrib/quickstart run on a taken port names a free one and --port.
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

# contrib/quickstart run (contrib/run-private) on a taken port: stops
# before starting anything and says how to choose another
: "${top_srcdir:?}"
"$top_srcdir/contrib/run-private" --port "$port" "$top_builddir" \
    >"$t/out" 2>"$t/err"
rc=$?
[ "$rc" = 1 ] && ok "run-private on a taken port: exit 1" ||
    not_ok "run-private on a taken port: exit 1" "exit $rc" "$(cat "$t/err")"
has "run-private: says the port is in use" "$t/err" \
    "127\.0\.0\.1:$port is already in use"
has "run-private: how to choose another" "$t/err" \
    'contrib/quickstart run --port [0-9]+$'
has "run-private: what Postfix then needs" "$t/err" \
    'smtpd_milters = inet:127\.0\.0\.1:[0-9]+$'
free=$(sed -n 's/.*contrib\/quickstart run --port \([0-9]*\)$/\1/p' \
    "$t/err")
if [ -n "$free" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$free") 2>/dev/null
then
	ok "run-private: the port it names is free ($free)"
else
	not_ok "run-private: the port it names is free" "${free:-none}"
fi
if grep -q 'Redis on' "$t/out"; then
	not_ok "run-private: nothing started" "$(cat "$t/out")"
else
	ok "run-private: nothing started"
fi
"$top_srcdir/contrib/quickstart" run --port 8x >"$t/out" 2>"$t/err"
rc=$?
[ "$rc" = 2 ] && ok "quickstart run --port 8x: usage, before any build" ||
    not_ok "quickstart run --port 8x: usage" "exit $rc"
has "quickstart usage names --port" "$t/err" 'run \[--port N\]'

# a forwarded message with two different Message-IDs: said as what it is
CHECK=$top_builddir/milter/relaywarden-check
cat >"$t/off.conf" <<C
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
C
python3 - "$t" <<'P'
import sys
def msg(h1, h2):
    inner = "\r\n".join(["From: c@x.example", "To: d@y.example",
        "Subject: inner", h1, h2, "", "hello", ""])
    return "\r\n".join(["From: a@sender.example", "To: b@rcpt.example",
        "Subject: fwd", "Message-ID: <outer@x>", "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"', "", "--b",
        "Content-Type: text/plain", "", "see", "--b",
        "Content-Type: message/rfc822", "", inner, "--b--", ""])
d = sys.argv[1]
open(d + "/dupid.eml", "w", newline="").write(
    msg("Message-ID: <one@x>", "Message-ID: <two@x>"))
open(d + "/dupdate.eml", "w", newline="").write(
    msg("Date: Mon, 7 Dec 2026 10:00:00 +0000",
        "Date: Tue, 8 Dec 2026 10:00:00 +0000"))
open(d + "/sameid.eml", "w", newline="").write(
    msg("Message-ID: <one@x>", "Message-ID: <one@x>"))
P
"$CHECK" -c "$t/off.conf" "$t/dupid.eml" >"$t/out" 2>"$t/err"
has "two Message-IDs: attach_malformed says duplicate Message-ID" \
    "$t/out" '^reason: attach_malformed .*detail="duplicate Message-ID"$'
if grep -q 'detail=header' "$t/out"; then
	not_ok "two Message-IDs: not the vague detail=header" \
	    "$(grep '^reason' "$t/out")"
else
	ok "two Message-IDs: not the vague detail=header"
fi
"$CHECK" -c "$t/off.conf" "$t/dupdate.eml" >"$t/out" 2>"$t/err"
has "two Dates: duplicate Date" "$t/out" \
    '^reason: attach_malformed .*detail="duplicate Date"$'
"$CHECK" -c "$t/off.conf" "$t/sameid.eml" >"$t/out" 2>"$t/err"
if grep -q '^reason: attach_malformed' "$t/out"; then
	not_ok "the same Message-ID twice is no reason" \
	    "$(grep '^reason' "$t/out")"
else
	ok "the same Message-ID twice is no reason"
fi

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
