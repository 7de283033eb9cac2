#!/bin/bash
# test_miltercat.sh - relaywarden end to end over the milter protocol, with
# no MTA: miltercat (tests/bench) plays the MTA over a unix socket and over
# TCP, several messages per connection, and we assert on the actions
# relaywarden sent back: our Authentication-Results inserted at the top
# with the right dkim= for a signed, a tampered and an unsigned message, a
# forged Authentication-Results (our authserv-id) deleted by its index
# while a foreign one stays, X-Relaywarden added, every message accepted.
# Then miltercat itself against a dead socket and hostile milters: each
# must be a clear error (exit 1), never a crash or a hang.
# Needs openssl, perl Mail::DKIM, python3 (missing: exit 99).  No root, no
# network.  Runs in about 4 s.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
RW=$top_builddir/milter/relaywarden
MC=$top_builddir/tests/bench/miltercat
. "$top_srcdir/tests/bench/benchlib.sh"
pass=0 fail=0 pids=
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rw-mcat.XXXXXX") || exit 99
cleanup() {
	local p i alive
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	# Shutdown is test_cli.sh's business: no more than 2 s here.
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		alive=
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -n "$alive" ] || break
		sleep 0.1
	done
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
T=$BENCH_TMP

bench_need_milter

# ---- data: one signing domain, one without a key ----
pub=$(bench_key a)
{
	bench_zone_head
	bench_zone_domain a.example "$pub"
	bench_zone_domain u.example ""
} >"$T/zone"
bench_msg "$T/signed.in" alice@a.example "signed" s1@a.example 2
bench_msg "$T/big.in" alice@a.example "signed big" s2@a.example 150
bench_msg "$T/tamper.in" alice@a.example "tampered" s3@a.example 2
bench_sign a a.example "$T/signed.in" "$T/signed.eml" "$T/big.in" \
    "$T/big.eml" "$T/tamper.in" "$T/tamper.eml"
sed -i 's/^Amount: 100 EUR$/Amount: 900 EUR/' "$T/tamper.eml"
bench_msg "$T/unsigned.eml" bob@u.example "unsigned" u1@u.example 3
# A foreign A-R (stays), then one forging ours (goes): index 2 of its name.
bench_msg "$T/forged.eml" bob@u.example "forged" u2@u.example 2 \
    "Authentication-Results: mx.other.example; dkim=pass header.d=x.example
Authentication-Results: $BENCH_AUTHSERV; dkim=pass header.d=bank.example"
FILES=(signed big tamper unsigned forged)

port=$(bench_free_port)
bench_rw_conf "$T/unix.conf" "unix:$T/rw.sock" "$T/zone"
bench_rw_conf "$T/tcp.conf" "inet:$port@127.0.0.1" "$T/zone"
p=$(bench_start relaywarden "unix:$T/rw.sock" "$T/unix.log" \
    "$RW" -f -c "$T/unix.conf") || exit 99
pids="$pids $p" rwpids=$p
p=$(bench_start relaywarden "inet:$port" "$T/tcp.log" \
    "$RW" -f -c "$T/tcp.conf") || exit 99
pids="$pids $p" rwpids="$rwpids $p"

# lines_of OUT FILE: miltercat -v lines of the messages sent from FILE.
lines_of() {
	awk -v want="$T/$2.eml" '$1 == "msg" && $3 == "file" { f[$2] = $4 }
	    $1 == "msg" && f[$2] == want { $1 = ""; $2 = ""; print }' "$1"
}

# expect_line DESC TEXT ERE...: one line of TEXT matches every ERE.
expect_line() {
	local desc=$1 text=$2 line re hit
	shift 2
	while IFS= read -r line; do
		hit=1
		for re in "$@"; do
			[[ $line =~ $re ]] || { hit=0; break; }
		done
		[ "$hit" = 1 ] && { ok "$desc"; return 0; }
	done <<<"$text"
	not_ok "$desc" "no line matching: $*" "in: $text"
}

expect_no_line() {
	local desc=$1 text=$2 re=$3
	if grep -E -q -e "$re" <<<"$text"; then
		not_ok "$desc" "unexpected line matching: $re" "in: $text"
	else
		ok "$desc"
	fi
}

AR="^ *insheader 0 Authentication-Results: ?$BENCH_AUTHSERV;"
check_run() {
	local tr=$1 out=$T/$1.out l
	expect_line "$tr: every message accepted, no error" \
	    "$(tail -n 1 "$out")" "messages=10 errors=0 accept=10 "
	l=$(lines_of "$out" signed)
	expect_line "$tr: signed: A-R inserted at the top, dkim=pass" "$l" \
	    "$AR" "dkim=pass" "header\.d=a\.example" "header\.s=bench"
	expect_line "$tr: signed: spf and dmarc pass" "$l" "$AR" \
	    "spf=pass [^;]*smtp\.mailfrom=alice@a\.example" \
	    "dmarc=pass .*header\.from=a\.example"
	expect_line "$tr: signed: X-Relaywarden added" "$l" \
	    "^ *addheader X-Relaywarden: ?action=accept"
	expect_line "$tr: signed: accepted" "$l" "^ *result accept$"
	expect_no_line "$tr: signed: nothing deleted" "$l" "chgheader"
	l=$(lines_of "$out" big)
	expect_line "$tr: 150 KB signed (3 body chunks): dkim=pass" "$l" \
	    "$AR" "dkim=pass" "header\.d=a\.example"
	l=$(lines_of "$out" tamper)
	expect_line "$tr: tampered body: dkim=fail" "$l" "$AR" \
	    "dkim=fail" "header\.d=a\.example"
	l=$(lines_of "$out" unsigned)
	expect_line "$tr: unsigned: dkim=none" "$l" "$AR" "dkim=none"
	expect_no_line "$tr: unsigned: no dkim=pass" "$l" "dkim=pass"
	l=$(lines_of "$out" forged)
	expect_line "$tr: forged A-R (our authserv-id, 2nd) deleted" "$l" \
	    "^ *chgheader 2 Authentication-Results: \(delete\)$"
	expect_no_line "$tr: foreign A-R (1st) kept" "$l" "chgheader 1 "
	expect_line "$tr: forged: our own A-R, dkim=none" "$l" "$AR" \
	    "dkim=none"
}

# Unix: 10 messages, 2 connections of 5 (several messages per
# connection); TCP: 2 connections, one message each, then 8 more.
MSGS=()
for f in "${FILES[@]}"; do MSGS+=("$T/$f.eml"); done
"$MC" -v -s "unix:$T/rw.sock" -c 2 -n 10 -m 5 -i "$BENCH_CLIENT_IP" \
    -H "$BENCH_HELO" -T 5000 "${MSGS[@]}" >"$T/unix.out" 2>"$T/unix.err"
rc=$?
[ "$rc" = 0 ] && ok "unix: miltercat exit 0" ||
    not_ok "unix: miltercat exit 0" "exit $rc" "$(cat "$T/unix.err")"
check_run unix
"$MC" -v -s "inet:$port@127.0.0.1" -c 2 -n 10 -m 1 -i "$BENCH_CLIENT_IP" \
    -H "$BENCH_HELO" -T 5000 "${MSGS[@]}" >"$T/tcp.out" 2>"$T/tcp.err"
rc=$?
[ "$rc" = 0 ] && ok "tcp: miltercat exit 0" ||
    not_ok "tcp: miltercat exit 0" "exit $rc" "$(cat "$T/tcp.err")"
check_run tcp
expect_line "relaywarden negotiates v6 with every NR step" \
    "$(grep -m 1 negotiated "$T/unix.out")" \
    "version 6 actions 0x31 protocol 0x[0-9a-f]*"
nr=$(grep -m 1 -o 'protocol 0x[0-9a-f]*' "$T/unix.out" | cut -c 12-)
[ -n "$nr" ] && [ $((0x$nr & 0xcf000)) = $((0xcf000)) ] &&
    [ $((0x$nr & 0x80)) = $((0x80)) ] &&
    ok "no reply asked for connect..body (NR_CONN..NR_BODY, NR_HDR)" ||
    not_ok "no reply asked for connect..body" "protocol 0x$nr"

# Messages aborted after their body (the client went away), between
# complete ones on the same connections: the next message on each
# connection must start clean, and nothing may leak (the sanitizer build
# reports leaks when the daemon stops, checked at the end).
"$MC" -v -s "unix:$T/rw.sock" -c 1 -n 12 -m 12 -A 2 -i "$BENCH_CLIENT_IP" \
    -H "$BENCH_HELO" -T 5000 "${MSGS[@]}" >"$T/abort.out" 2>"$T/abort.err"
rc=$?
[ "$rc" = 0 ] && ok "abort: miltercat exit 0" ||
    not_ok "abort: miltercat exit 0" "exit $rc" "$(cat "$T/abort.err")"
expect_line "abort: every other message aborted, the rest accepted" \
    "$(tail -n 1 "$T/abort.out")" "messages=12 errors=0 accept=6 continue=6 "
expect_line "abort: a message after an abort gets its own verdict" \
    "$(lines_of "$T/abort.out" unsigned)" "$AR" "dkim=none"

# The tag action with a Subject prefix (dkim_fail scored up to the tag
# threshold), and the same rule as a what-if: listed, not counted.
bench_rw_conf "$T/tag.conf" "unix:$T/tag.sock" "$T/zone"
printf 'scores = { dkim_fail = 6; };\ntag_subject = "[SUSPICIOUS] ";\n' \
    >>"$T/tag.conf"
bench_rw_conf "$T/whatif.conf" "unix:$T/whatif.sock" "$T/zone"
printf 'scores = { dkim_fail = 6; };\ntag_subject = "[SUSPICIOUS] ";\n' \
    >>"$T/whatif.conf"
printf 'dry_run_rules = [ "dkim_fail" ];\n' >>"$T/whatif.conf"
p=$(bench_start relaywarden "unix:$T/tag.sock" "$T/tag.log" \
    "$RW" -f -c "$T/tag.conf") || exit 99
pids="$pids $p" rwpids="$rwpids $p"
bench_rw_conf "$T/tagu.conf" "unix:$T/tagu.sock" "$T/zone"
printf 'scores = { dkim_fail = 6; };\ntag_subject = "[VERD\xc3\x84CHTIG] ";\n' \
    >>"$T/tagu.conf"
p=$(bench_start relaywarden "unix:$T/whatif.sock" "$T/whatif.log" \
    "$RW" -f -c "$T/whatif.conf") || exit 99
pids="$pids $p" rwpids="$rwpids $p"
p=$(bench_start relaywarden "unix:$T/tagu.sock" "$T/tagu.log" \
    "$RW" -f -c "$T/tagu.conf") || exit 99
pids="$pids $p" rwpids="$rwpids $p"
for k in tag whatif tagu; do
	"$MC" -v -s "unix:$T/$k.sock" -c 1 -n 2 -i "$BENCH_CLIENT_IP" \
	    -H "$BENCH_HELO" -T 5000 "$T/tamper.eml" "$T/signed.eml" \
	    >"$T/$k.out" 2>"$T/$k.err" ||
	    not_ok "$k: miltercat exit 0" "$(cat "$T/$k.err")"
done
l=$(lines_of "$T/tag.out" tamper)
expect_line "tag: X-Relaywarden says tag" "$l" \
    "^ *addheader X-Relaywarden: ?action=tag; score=6; reasons=dkim_fail\\(a\\.example\\)$"
expect_line "tag: Subject prefixed" "$l" \
    "^ *chgheader 1 Subject: ?\\[SUSPICIOUS\\] tampered$"
expect_no_line "tag: a clean message keeps its Subject" \
    "$(lines_of "$T/tag.out" signed)" "Subject"
expect_line "tag: a UTF-8 tag goes in as an RFC 2047 encoded-word" \
    "$(lines_of "$T/tagu.out" tamper)" \
    "^ *chgheader 1 Subject: ?=\\?UTF-8\\?B\\?W1ZFUkTDhENIVElHXQ==\\?= tampered$"
l=$(lines_of "$T/whatif.out" tamper)
expect_line "what-if rule: listed apart, no score, no tag" "$l" \
    "^ *addheader X-Relaywarden: ?action=accept; score=0; reasons=; whatif=dkim_fail\\(a\\.example\\)$"
expect_no_line "what-if rule: Subject untouched" "$l" "Subject"

# libmilter takes ~3 s to stop: let that overlap what follows.
for p in $rwpids; do kill -TERM "$p" 2>/dev/null; done

# ---- miltercat against what it must survive ----
# expect_fail DESC ERE CMD...: exit 1 within the timeout, stderr matches.
expect_fail() {
	local desc=$1 re=$2 rc
	shift 2
	timeout 10 "$@" >"$T/f.out" 2>"$T/f.err"
	rc=$?
	if [ "$rc" = 1 ] && grep -E -q -e "$re" "$T/f.err"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc (wanted 1), stderr:" \
		    "$(head -c 600 "$T/f.err")"
	fi
}
expect_fail "dead socket: a connect error" "connect .*no such socket" \
    "$MC" -E 1 -s "unix:$T/none.sock" "$T/signed.eml"
"$MC" >/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && ok "no arguments: usage, exit 2" ||
    not_ok "no arguments: usage, exit 2" "exit $rc"

# A fake milter.  "nr": asks for no reply to any step, then misbehaves at
# end of message as the envelope sender says.  "plain": asks for replies
# to every step (answers "continue"), then at end of message sends
# progress, a header, a quarantine and a reply code.
cat >"$T/fake.py" <<'PY'
import socket, struct, sys, time
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[1])
srv.listen(8)
plain = sys.argv[2] == "plain"
NR = 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x80 | 0x40000 | 0x80000 | 0x200
if plain:
    NR = 0x200
def pkt(code, data=b""):
    return struct.pack(">I", len(data) + 1) + code + data
while True:
    c, _ = srv.accept()
    buf = b""
    mode = None
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            buf += d
            while len(buf) >= 5:
                n = struct.unpack(">I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                cmd, data = buf[4:5], buf[5:4 + n]
                buf = buf[4 + n:]
                if cmd == b"O":
                    c.sendall(pkt(b"O", struct.pack(">III", 6,
                                  0x21 if plain else 0x1, NR)))
                    continue
                if cmd == b"M":
                    mode = data.split(b"\0")[0]
                if plain and cmd == b"R" and data.startswith(b"<bad@"):
                    c.sendall(pkt(b"r"))
                elif plain and cmd in b"CHMRLNB":
                    c.sendall(pkt(b"c"))
                elif plain and cmd == b"E":
                    c.sendall(pkt(b"p") + pkt(b"h", b"X-Fake\0 seen\0") +
                              pkt(b"q", b"held for review\0") +
                              pkt(b"y", b"550 5.7.1 go away\0"))
                elif cmd == b"E":
                    if mode == b"<huge@x.example>":
                        c.sendall(b"\xff\xff\xff\xf0a")
                    elif mode == b"<silent@x.example>":
                        time.sleep(1.5)
                    elif mode == b"<chg@x.example>":
                        c.sendall(pkt(b"m", b"\0\0\0\1X\0\0"))
                    elif mode == b"<trunc@x.example>":
                        c.sendall(pkt(b"i", b"\0\0"))
                    elif mode == b"<close@x.example>":
                        c.close()
                        raise EOFError
                    elif mode == b"<unknown@x.example>":
                        c.sendall(pkt(b"Z"))
                    elif mode == b"<slow@x.example>":
                        time.sleep(0.1)
                        c.sendall(pkt(b"a"))
    except (EOFError, OSError):
        pass
    c.close()
PY
python3 "$T/fake.py" "$T/fake.sock" nr >"$T/fake.log" 2>&1 &
pids="$pids $!"
python3 "$T/fake.py" "$T/plain.sock" plain >"$T/plain.log" 2>&1 &
pids="$pids $!"
for s in fake plain; do
	for i in 1 2 3 4 5 6 7 8 9 10; do
		bench_sock_up "unix:$T/$s.sock" && break
		sleep 0.1
	done
done
"$MC" -v -T 2000 -m 0 -n 2 -s "unix:$T/plain.sock" -i "$BENCH_CLIENT_IP" \
    "$T/signed.eml" >"$T/plain.out" 2>"$T/plain.err"
rc=$?
l=$(cat "$T/plain.out")
[ "$rc" = 0 ] && ok "reply to every step: miltercat exit 0" ||
    not_ok "reply to every step: miltercat exit 0" "exit $rc" \
    "$(cat "$T/plain.err")"
expect_line "reply to every step: 2 messages on one connection" "$l" \
    "messages=2 errors=0 .*replycode=2 "
expect_line "addheader after progress" "$l" \
    "^msg 1 addheader X-Fake: seen$"
expect_line "quarantine with its reason" "$l" \
    "^msg 1 quarantine held for review$"
expect_line "reply code is the verdict" "$l" \
    "^msg 1 result replycode 550 5.7.1 go away$"
"$MC" -v -T 2000 -m 0 -n 2 -s "unix:$T/plain.sock" -r bad@rcpt.example \
    -r good@rcpt.example "$T/signed.eml" >"$T/plain.out" 2>&1
l=$(cat "$T/plain.out")
expect_line "one refused recipient of two: the message goes on" "$l" \
    "^msg 1 rcpt reject$"
expect_line "... to its end" "$l" "^msg 1 result replycode 550"
"$MC" -v -T 2000 -m 0 -n 2 -s "unix:$T/plain.sock" -r bad@rcpt.example \
    "$T/signed.eml" >"$T/plain.out" 2>&1
rc=$?
l=$(cat "$T/plain.out")
expect_line "the only recipient refused: message rejected, then aborted" \
    "$l" "messages=2 errors=0 .*reject=2 "
[ "$rc" = 0 ] && expect_no_line "... and no end of message sent" "$l" \
    "quarantine|replycode 550" || not_ok "refused recipient: exit 0" "$l"
FAKE=("$MC" -E 1 -T 1000 -s "unix:$T/fake.sock")

# -R: open-loop pacing.  20 messages due 40 a second: the run lasts the
# schedule (message 19 is due at 0.475 s), not as long as a fast milter
# takes.  Then a milter taking 0.1 s per message, messages due every
# 20 ms on one connection: message k waits behind the ones before it, and
# its latency counts from its due time (k=2: due 40 ms, answered about
# 300 ms; k=4: due 80, answered 500), not from when it was sent (100 ms
# each): the queueing a closed-loop client would hide.
kv_of() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
out=$("$MC" -R 40 -n 20 -c 1 -m 0 -T 2000 -s "unix:$T/plain.sock" \
    "$T/signed.eml" 2>&1)
rc=$?
secs=$(kv_of seconds "$out")
if [ "$rc" = 0 ] && [[ $out == *"messages=20 errors=0"* ]] &&
    awk -v s="${secs:-0}" 'BEGIN { exit !(s >= 0.47 && s < 0.9) }'; then
	ok "-R 40 -n 20: the run takes the schedule (${secs} s)"
else
	not_ok "-R 40 -n 20: the run takes the schedule (0.475 s)" \
	    "exit $rc" "$out"
fi
out=$("$MC" -R 50 -n 5 -c 1 -m 0 -T 2000 -f slow@x.example \
    -s "unix:$T/fake.sock" "$T/signed.eml" 2>&1)
rc=$?
if [ "$rc" = 0 ] && [[ $out == *"messages=5 errors=0"* ]] &&
    awk -v p50="$(kv_of p50_ms "$out")" -v max="$(kv_of max_ms "$out")" \
    -v lag="$(kv_of lag_max_ms "$out")" 'BEGIN {
	exit !(p50 >= 220 && max >= 380 && lag >= 250) }'; then
	ok "-R: latency counts from the due time (queueing included)"
else
	not_ok "-R: latency counts from the due time (queueing included)" \
	    "exit $rc; wanted p50_ms >= 220, max_ms >= 380," \
	    "lag_max_ms >= 250" "$out"
fi
expect_fail "a 4 GB reply length is refused" "packet of 4294967280 bytes" \
    "${FAKE[@]}" -f huge@x.example "$T/signed.eml"
expect_fail "an action not negotiated is an error" \
    "action 'm' it did not negotiate" \
    "${FAKE[@]}" -f chg@x.example "$T/signed.eml"
expect_fail "a truncated insheader is an error" "malformed 'i' action" \
    "${FAKE[@]}" -f trunc@x.example "$T/signed.eml"
expect_fail "a milter that hangs up is an error" \
    "milter closed the connection" \
    "${FAKE[@]}" -f close@x.example "$T/signed.eml"
expect_fail "an unknown reply code is an error" "unknown reply 'Z'" \
    "${FAKE[@]}" -f unknown@x.example "$T/signed.eml"
# Last: the fake milter serves one connection at a time.
expect_fail "a milter that never answers times out" "timeout" \
    "${FAKE[@]}" -f silent@x.example "$T/signed.eml"

# The daemons have stopped by now (or stop within the timeout): a
# sanitizer build writes any leak or memory error into their logs.
for p in $rwpids; do
	for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done
grep -q 'info: stopped' "$T/unix.log" && grep -q 'info: stopped' "$T/tcp.log" &&
	ok "relaywarden stopped cleanly (its exit checks ran)" ||
	not_ok "relaywarden stopped cleanly (its exit checks ran)" \
	"$(tail -n 3 "$T/unix.log" "$T/tcp.log")"
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error' \
    "$T/unix.log" "$T/tcp.log" >/dev/null 2>&1; then
	not_ok "no sanitizer report from relaywarden" \
	    "$(grep -h -A5 -E 'Sanitizer|runtime error' "$T/unix.log" "$T/tcp.log")"
else
	ok "no sanitizer report from relaywarden"
fi

echo "$pass passed, $fail failed"
if [ "$fail" -ne 0 ] || [ "$pass" -eq 0 ]; then
	echo "----- relaywarden logs -----"
	cat "$T/unix.log" "$T/tcp.log"
	exit 1
fi
exit 0
