#!/bin/bash
# test_cli.sh - the command-line contracts admins and scripts rely on:
# relaywarden -n (config check, FILE:LINE errors), relaywarden-check exit
# codes and JSON keys, SIGUSR1 reload that keeps the old config when the new
# one is bad, and a clean stop on SIGTERM.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
RW=$top_builddir/milter/relaywarden
CHECK=$top_builddir/milter/relaywarden-check
PY=/usr/bin/python3
pass=0 fail=0
t=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }

# expect NAME WANT_RC CMD... : runs CMD, checks its exit code.
expect() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$t/out" 2>"$t/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"
	else not_ok "$name" "exit $rc, wanted $want" "$(cat "$t/err")"; fi
}

expect "shipped example config is valid" 0 \
	"$RW" -n -c "$top_srcdir/contrib/relaywarden.conf"
grep -q "configuration OK" "$t/out" && ok "-n says configuration OK" ||
	not_ok "-n says configuration OK" "$(cat "$t/out")"

printf 'authserv_id = "mx.example";\n\nno_such_setting = 1;\n' >"$t/bad.conf"
expect "unknown setting is an error" 1 "$RW" -n -c "$t/bad.conf"
grep -q "bad.conf:3:" "$t/err" && ok "error names FILE:LINE" ||
	not_ok "error names FILE:LINE" "$(cat "$t/err")"

printf 'authserv_id = "mx.example";\ndns_timeout_ms = 5;\n' >"$t/range.conf"
expect "out of range value is an error" 1 "$RW" -n -c "$t/range.conf"
grep -q "range.conf:2: dns_timeout_ms" "$t/err" &&
	ok "range error names the setting" ||
	not_ok "range error names the setting" "$(cat "$t/err")"

printf 'authserv_id = "mx.example";\ndns_local_data = "zone";\n' \
	>"$t/zone.conf"
printf 'example. 300 IN TXT "ok"\nthis is not a record\n' >"$t/zone"
expect "bad local DNS data fails -n" 1 "$RW" -n -c "$t/zone.conf"
grep -q "zone:2" "$t/err" && ok "local data error names FILE:LINE" ||
	not_ok "local data error names FILE:LINE" "$(cat "$t/err")"

# relaywarden-check: exit codes
expect "check without a message is a usage error" 2 "$CHECK"
expect "check with a missing message" 2 "$CHECK" "$t/nonexistent.eml"
expect "check with a bad config" 2 "$CHECK" -c "$t/bad.conf" /dev/null

# relaywarden-check: a message evaluated offline against local data.
cat >"$t/zone" <<'Z'
$STATIC example
sender.example. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.sender.example. 300 IN TXT "v=DMARC1; p=reject"
Z
cat >"$t/ok.conf" <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
C
printf 'From: Alice <alice@sender.example>\nTo: bob@dest.example\nSubject: hi\nAuthentication-Results: mx.relaywarden.example; spf=pass\n\nhello\n' >"$t/m.eml"
expect "check evaluates a message" 0 "$CHECK" -c "$t/ok.conf" \
	--client-ip 198.51.100.7 --helo mail.sender.example \
	--mail-from alice@sender.example --rcpt bob@dest.example --json "$t/m.eml"
if $PY - "$t/out" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("spf", "helo_spf", "dkim", "dmarc", "verdict"):
    assert k in r, k
assert r["spf"]["result"] == "fail", r["spf"]
assert r["dkim"] == [], r["dkim"]
assert r["dmarc"]["result"] == "fail", r["dmarc"]
assert r["dmarc"]["policy"] == "reject", r["dmarc"]
assert r["dmarc"]["from_domain"] == "sender.example", r["dmarc"]
assert r["verdict"]["action"] in ("accept", "tag", "quarantine", "reject")
assert "spf=fail" in r["authentication_results"], r["authentication_results"]
P
then ok "JSON carries the results"; else not_ok "JSON carries the results" "$(cat "$t/out")"; fi
expect "check human output" 0 "$CHECK" -c "$t/ok.conf" \
	--client-ip 192.0.2.9 --mail-from alice@sender.example "$t/m.eml"
grep -q "^Authentication-Results: mx.relaywarden.example;" "$t/out" &&
	grep -q "spf=pass" "$t/out" && grep -q "would remove" "$t/out" &&
	ok "human output shows the header and the forged one" ||
	not_ok "human output shows the header and the forged one" "$(cat "$t/out")"

# The message's DNS budget: every name of this message goes to a server
# that never answers (1 s per query); SPF, HELO, DMARC and the DKIM key
# together still take about the budget, not a second each.
$PY -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(30)' >"$t/silent.port" &
silentpid=$!
for i in $(seq 50); do [ -s "$t/silent.port" ] && break; sleep 0.1; done
cat >"$t/budget.conf" <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_forwarders = ["127.0.0.1@$(cat "$t/silent.port")"];
dns_timeout_ms = 1000;
dns_message_budget_ms = 400;
C
printf 'DKIM-Signature: v=1; a=rsa-sha256; d=hang-test.net; s=s; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA
From: a@hang-test.net

x
' >"$t/hang.eml"
start=$(date +%s%N)
expect "check under a DNS budget" 0 "$CHECK" -c "$t/budget.conf" \
	--client-ip 198.51.100.7 --helo mail.hang-test.net \
	--mail-from a@hang-test.net "$t/hang.eml"
ms=$((($(date +%s%N) - start) / 1000000))
kill "$silentpid" 2>/dev/null
if [ "$ms" -lt 1800 ] && grep -q "DNS budget of 400 ms" "$t/err" &&
    grep -q "spf=temperror" "$t/out"; then
	ok "a message's lookups stop at its DNS budget (${ms} ms)"
else
	not_ok "a message's lookups stop at its DNS budget" "${ms} ms" \
	    "$(cat "$t/err" "$t/out")"
fi

# The daemon: reload on SIGUSR1, keep the old config when the new is bad.
# As root it must run as someone else (it refuses to stay root), who then
# reads the config and the zone on reload.
duser=
if [ "$(id -u)" = 0 ]; then
	duser=nobody
	chmod 755 "$t"
	chmod 644 "$t/zone"
fi
cat >"$t/d.conf" <<C
user = "$duser";
socket = "unix:$t/sock";
socket_mode = "0600";
authserv_id = "one.example";
state_enable = false;
dns_local_data = "$t/zone";
log_level = "debug";
C
"$RW" -f -c "$t/d.conf" 2>"$t/daemon.log" &
pid=$!
for i in $(seq 50); do [ -S "$t/sock" ] && break; sleep 0.1; done
[ -S "$t/sock" ] && ok "daemon listens on its unix socket" ||
	not_ok "daemon listens on its unix socket" "$(cat "$t/daemon.log")"
[ "$(stat -c %a "$t/sock" 2>/dev/null)" = 600 ] &&
	ok "socket has the configured mode" ||
	not_ok "socket has the configured mode" "$(stat -c %a "$t/sock")"
sed -i 's/one.example/two.example/' "$t/d.conf"
kill -USR1 "$pid"
for i in $(seq 50); do grep -q "reloaded" "$t/daemon.log" && break; sleep 0.1; done
grep -q "configuration reloaded" "$t/daemon.log" && ok "SIGUSR1 reloads" ||
	not_ok "SIGUSR1 reloads" "$(cat "$t/daemon.log")"
echo 'bogus = ;' >>"$t/d.conf"
kill -USR1 "$pid"
for i in $(seq 50); do grep -q "keeping the running" "$t/daemon.log" && break; sleep 0.1; done
grep -q "keeping the running configuration" "$t/daemon.log" &&
	kill -0 "$pid" 2>/dev/null && ok "bad reload keeps the old config" ||
	not_ok "bad reload keeps the old config" "$(cat "$t/daemon.log")"
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	not_ok "SIGTERM stops the daemon within 10 s"
else
	wait "$pid"; rc=$?
	[ $rc = 0 ] && ok "SIGTERM stops the daemon cleanly" ||
		not_ok "SIGTERM stops the daemon cleanly" "exit $rc" "$(cat "$t/daemon.log")"
	pid=
fi

# Daemon mode: detaches, writes its pid file, drops to the configured
# user (as root), listens over TCP, stops on SIGTERM.
port=$(( 20000 + RANDOM % 20000 ))
user=
[ "$(id -u)" = 0 ] && user=nobody
cat >"$t/bg.conf" <<C
socket = "inet:$port@127.0.0.1";
pidfile = "$t/rw.pid";
user = "$user";
authserv_id = "bg.example";
state_enable = false;
dns_local_data = "$t/zone";
C
[ -n "$user" ] && chmod 755 "$t" && chmod 644 "$t/zone" "$t/bg.conf"
expect "daemon mode returns at once" 0 "$RW" -c "$t/bg.conf"
for i in $(seq 50); do [ -s "$t/rw.pid" ] && break; sleep 0.1; done
bgpid=$(cat "$t/rw.pid" 2>/dev/null)
if [ -n "$bgpid" ] && kill -0 "$bgpid" 2>/dev/null; then
	ok "daemon writes its pid file and runs"
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		ok "daemon accepts TCP connections"
	else
		not_ok "daemon accepts TCP connections"
	fi
	if [ -n "$user" ]; then
		[ "$(ps -o user= -p "$bgpid" | tr -d ' ')" = nobody ] &&
			ok "daemon runs as the configured user" ||
			not_ok "daemon runs as the configured user" \
			"$(ps -o user= -p "$bgpid")"
	else
		echo "# not root: the user switch is not tested here"
	fi
	kill -TERM "$bgpid"
	for i in $(seq 100); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$bgpid" 2>/dev/null && { not_ok "daemon stops on SIGTERM"; kill -9 "$bgpid"; } ||
		ok "daemon stops on SIGTERM"
else
	not_ok "daemon writes its pid file and runs"
fi

# Issue 8 item 1: a From of 50,000 nested groups in a message/news,
# message/global or message/rfc822 part crashed GMime's address parser
# (exit 139); item 4: an executable in a base64 message/rfc822 part or an
# attached .eml was not seen.
$PY - "$t" <<'P'
import base64, sys
d = sys.argv[1]
exe = base64.encodebytes(b"MZ" + bytes(62)).decode()
def inner(frm):
    return (frm + "\nTo: d@example.net\nSubject: in\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=in\n\n--in\n"
            "Content-Type: application/pdf; name=invoice.pdf\n"
            "Content-Transfer-Encoding: base64\n\n" + exe + "--in--\n")
def outer(head, body):
    return ("From: Alice <alice@sender.example>\nTo: bob@dest.example\n"
            "Subject: fwd\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=out\n\n--out\n"
            "Content-Type: text/plain\n\nsee\n--out\n" + head +
            "\n\n" + body + "\n--out--\n")
groups = inner("From: " + "g:" * 50000 + "x@example.net;")
for t in ("news", "global", "rfc822"):
    open(d + "/groups-" + t + ".eml", "w").write(
        outer("Content-Type: message/" + t, groups))
plain = inner("From: c@example.net")
b64 = base64.encodebytes(plain.encode()).decode()
open(d + "/fwd-b64.eml", "w").write(outer("Content-Type: message/rfc822\n"
    "Content-Transfer-Encoding: base64", b64))
open(d + "/fwd-eml.eml", "w").write(outer("Content-Type: "
    "application/octet-stream; name=fwd.eml\n"
    "Content-Transfer-Encoding: base64", b64))
P
for m in groups-news groups-global groups-rfc822; do
	expect "check survives nested groups in $m" 0 "$CHECK" -c "$t/ok.conf" \
		--client-ip 198.51.100.7 "$t/$m.eml"
	grep -q "^reason: attach_truncated .*detail=header_length" "$t/out" &&
		ok "$m: the cut header is a reason" ||
		not_ok "$m: the cut header is a reason" "$(cat "$t/out")"
done
for m in fwd-b64 fwd-eml; do
	expect "check opens $m" 0 "$CHECK" -c "$t/ok.conf" \
		--client-ip 198.51.100.7 "$t/$m.eml"
	grep -q "^verdict: action=quarantine .*attach_executable" "$t/out" &&
		ok "$m: the executable inside is found" ||
		not_ok "$m: the executable inside is found" "$(cat "$t/out")"
done

# The README is the admins' list of reasons: every rule of policy/rules/rules.c
# is in it, and each sender rule with its default score.
missing=
while read -r name score; do
	grep -q -w -- "$name" "$top_srcdir/README" || missing="$missing $name"
	case $name in
	first_contact|new_*|known_*|partner_*|lookalike_*|display_*|reply_to|attach_new_sender)
		grep -q -E "^ +$name +$score " "$top_srcdir/README" ||
			missing="$missing $name=$score"
	esac
done < <(sed -n -E 's/^\t\[RULE_[A-Z0-9_]+\] = \{ "([a-z0-9_]+)",[ ]*(-?[0-9]+)?.*/\1 \2/p' \
    "$top_srcdir/policy/rules/rules.c")
n=$(grep -c -E '^\s\[RULE_' "$top_srcdir/policy/rules/rules.c")
if [ -z "$missing" ] && [ "$n" -gt 40 ]; then
	ok "README lists all $n rules, sender rules with their scores"
else
	not_ok "README lists every rule" "missing or wrong:$missing (rules: $n)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
