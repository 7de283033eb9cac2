#!/bin/bash
# test_hostile.sh - hostile headers and envelopes through the milter
# protocol (issue 8 items 2 and 9): miltercat plays the MTA, the real
# relaywarden answers, and we assert on the header edits it asks for and
# on its log line.
#  - forged Authentication-Results (our authserv-id) and X-Relaywarden
#    after more than max_headers headers are still deleted, by the index
#    the MTA counts (every header of the name), and a legitimate upstream
#    A-R before them is kept;
#  - with an upstream A-R longer than max_header_length (not stored), the
#    forged one after it is deleted as #2, never #1 (the upstream one);
#  - A-Rs that some reader takes as ours (an escaped paren ending a
#    comment, a nested comment left open, an unclosed quote) are deleted;
#    foreign ones (another id, ours only in a property) stay;
#  - more forged trace headers than max_headers: rejected (550);
#  - a MAIL FROM of <"x reasons=none action=accept"@example.org> gives a
#    log line with exactly one action= field, readable by the documented
#    rule; in a dry run the line says action=accept dry_run=1
#    would_action=reject.
# Needs python3, openssl, perl (benchlib).  No root, no network.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
RW=$top_builddir/milter/relaywarden
MC=$top_builddir/tests/bench/miltercat
. "$top_srcdir/tests/bench/benchlib.sh"
pass=0 fail=0 pids=
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rw-hostile.XXXXXX") || exit 99
cleanup() {
	local p
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
T=$BENCH_TMP

bench_need_milter

has() {		# has DESC FILE ERE
	if grep -E -q -e "$3" "$2"; then ok "$1"; else
		not_ok "$1" "no line matching: $3" "$(grep -E 'chgheader|result' "$2" | head -20)"
	fi
}
hasnt() {	# hasnt DESC FILE ERE
	if grep -E -q -e "$3" "$2"; then
		not_ok "$1" "unexpected: $(grep -E -m 3 -e "$3" "$2")"
	else ok "$1"; fi
}

{
	bench_zone_head
	bench_zone_domain u.example ""
	bench_zone_domain example.org ""
} >"$T/zone"
ID=$BENCH_AUTHSERV
UP="Authentication-Results: mx.upstream.example; spf=pass smtp.mailfrom=bob@u.example"
bench_msg "$T/base.eml" bob@u.example "hostile" h1@u.example 2

# 1. Forged A-R and X-Relaywarden after 1005 other headers.
{
	echo "$UP"
	for i in $(seq 1005); do echo "X-Filler-$i: f"; done
	echo "Authentication-Results: $ID; dkim=pass header.d=bank.example"
	echo "X-Relaywarden: action=accept; score=0; reasons="
	cat "$T/base.eml"
} >"$T/late.eml"
# 2. An upstream A-R longer than max_header_length (1000), then a forgery.
{
	printf '%s;\n\tdkim=pass header.d=u.example header.b=' "$UP"
	head -c 1500 /dev/zero | tr '\0' 'A'
	echo
	echo "Authentication-Results: $ID; dkim=pass header.d=bank.example"
	cat "$T/base.eml"
} >"$T/long.eml"
# 3. What some reader takes as ours (#2, #4, #5), foreign ones (#1, #3, #6).
{
	echo "$UP"
	echo "Authentication-Results: (a\\) $ID; dkim=pass header.d=bank.example"
	echo "Authentication-Results: other.example; dkim=pass header.d=$ID"
	echo "Authentication-Results: (a (b) $ID; dkim=pass header.d=bank.example"
	echo "Authentication-Results: \"$ID; dkim=pass header.d=bank.example"
	echo "Authentication-Results: $ID.other.example; dkim=pass"
	cat "$T/base.eml"
} >"$T/odd.eml"
# 4. More forged X-Relaywarden than max_headers can list.
{
	for i in $(seq 1001); do echo "X-Relaywarden: action=accept"; done
	cat "$T/base.eml"
} >"$T/flood.eml"

bench_rw_conf "$T/rw.conf" "unix:$T/rw.sock" "$T/zone"
printf 'max_headers = 1000;\nmax_header_length = 1000;\n' >>"$T/rw.conf"
bench_rw_conf "$T/dry.conf" "unix:$T/dry.sock" "$T/zone"
printf 'dry_run = true;\nmax_header_length = 1000;\nreject_score = 1;\nscores = { headers_truncated = 5; };\n' \
    >>"$T/dry.conf"
p=$(bench_start relaywarden "unix:$T/rw.sock" "$T/rw.log" \
    "$RW" -f -c "$T/rw.conf") || exit 99
pids="$pids $p"
p=$(bench_start relaywarden "unix:$T/dry.sock" "$T/dry.log" \
    "$RW" -f -c "$T/dry.conf") || exit 99
pids="$pids $p"

# logged FILE TEXT: waits (5 s at most) for the verdict line (" score=")
# that holds TEXT: the milter may log it after its reply.
logged() {
	local i
	for i in $(seq 50); do
		grep -F -e "$2" "$1" 2>/dev/null | grep -q ' score=' && return 0
		sleep 0.1
	done
	return 1
}

mc() {		# mc SOCK OUT FILE [miltercat options]
	local s=$1 out=$2 f=$3
	shift 3
	"$MC" -v -s "unix:$T/$s.sock" -i "$BENCH_CLIENT_IP" -H "$BENCH_HELO" \
	    -T 10000 "$@" "$f" >"$out" 2>"$out.err" ||
	    not_ok "miltercat $f" "$(cat "$out.err")"
}

mc rw "$T/late.out" "$T/late.eml"
has "forged A-R after 1005 headers: deleted as #2" "$T/late.out" \
    "chgheader 2 Authentication-Results: \\(delete\\)"
has "forged X-Relaywarden after 1005 headers: deleted" "$T/late.out" \
    "chgheader 1 X-Relaywarden: \\(delete\\)"
hasnt "upstream A-R (#1) kept" "$T/late.out" \
    "chgheader 1 Authentication-Results"
has "the message gets its verdict" "$T/late.out" "result (accept|continue)"

mc rw "$T/long.out" "$T/long.eml"
has "long upstream A-R not stored: the forgery is still #2" \
    "$T/long.out" "chgheader 2 Authentication-Results: \\(delete\\)"
hasnt "long upstream A-R (#1) kept" "$T/long.out" \
    "chgheader 1 Authentication-Results"

mc rw "$T/odd.out" "$T/odd.eml"
for n in 2 4 5; do
	has "A-R #$n read as ours by some parser: deleted" "$T/odd.out" \
	    "chgheader $n Authentication-Results: \\(delete\\)"
done
for n in 1 3 6; do
	hasnt "foreign A-R #$n kept" "$T/odd.out" \
	    "chgheader $n Authentication-Results"
done

mc rw "$T/flood.out" "$T/flood.eml"
has "1001 forged X-Relaywarden (max_headers 1000): rejected" \
    "$T/flood.out" "result replycode 550"
grep -q "headers_forged_flood" "$T/rw.log" &&
    ok "... with the reason headers_forged_flood" ||
    not_ok "... with the reason headers_forged_flood" "$(tail -3 "$T/rw.log")"

# The log line, read by the documented rule (README "What it writes").
cat >"$T/fields.py" <<'PY'
import re, sys
def fields(s):
    out, i = [], 0
    while i < len(s):
        m = re.match(r'([^ ="\\]+)=', s[i:])
        if not m:
            raise ValueError("no key at %r" % s[i:i + 40])
        k, i = m.group(1), i + m.end()
        if i < len(s) and s[i] == '"':
            v, i = "", i + 1
            while s[i] != '"':
                if s[i] == '\\':
                    if s[i + 1] == 'x':
                        v += chr(int(s[i + 2:i + 4], 16)); i += 4
                    elif s[i + 1] in '"\\':
                        v += s[i + 1]; i += 2
                    else:
                        raise ValueError("bad escape")
                else:
                    v += s[i]; i += 1
            i += 1
        else:
            m = re.match(r'[\x21-\x7e]*', s[i:])
            v = m.group(0)
            if re.search(r'["\\=]', v):
                raise ValueError("bad bare value %r" % v)
            i += m.end()
        out.append((k, v))
        if i < len(s):
            if s[i] != ' ':
                raise ValueError("no space at %r" % s[i:i + 40])
            i += 1
    return out
want = sys.argv[2]
for line in open(sys.argv[1], errors="replace"):
    p = line.find(": action=")
    if p < 0 or want not in line:
        continue
    try:
        f = fields(line[p + 2:].rstrip("\n"))
    except (ValueError, IndexError) as e:
        print("unreadable: %s: %s" % (e, line.strip()))
        continue
    print(" ".join("%s=[%s]" % kv for kv in f))
    print("count_action=%d" % sum(1 for k, v in f if k == "action"))
PY
mc rw "$T/inj.out" "$T/base.eml" \
    -f '"x reasons=none action=accept"@example.org'
logged "$T/rw.log" 'x reasons=none'
l=$(python3 "$T/fields.py" "$T/rw.log" 'x reasons=none')
if grep -q "^count_action=1$" <<<"$l" &&
    grep -qF 'mail_from=[<"x reasons=none action=accept"@example.org>]' <<<"$l"; then
	ok "hostile MAIL FROM: exactly one action= field, mail_from reads back"
else
	not_ok "hostile MAIL FROM: exactly one action= field" "$l" \
	    "$(grep -F 'x reasons' "$T/rw.log")"
fi

mc dry "$T/dry.out" "$T/long.eml" -f '<bob@u.example>'
has "dry run: the message is accepted" "$T/dry.out" "result accept"
logged "$T/dry.log" 'headers_truncated'
l=$(python3 "$T/fields.py" "$T/dry.log" 'headers_truncated')
if grep -q "^count_action=1$" <<<"$l" &&
    grep -qF 'action=[accept]' <<<"$l" &&
    grep -qF 'dry_run=[1]' <<<"$l" &&
    grep -qF 'would_action=[reject]' <<<"$l"; then
	ok "dry run: action=accept dry_run=1 would_action=reject"
else
	not_ok "dry run: action=accept dry_run=1 would_action=reject" "$l" \
	    "$(grep -F 'action=' "$T/dry.log")"
fi

# relaywarden-check: the same line rule, and JSON that parses back.
CHECK=$top_builddir/milter/relaywarden-check
HF='"x reasons=none action=accept"@example.org'
"$CHECK" -c "$T/rw.conf" --client-ip "$BENCH_CLIENT_IP" --mail-from "$HF" \
    "$T/base.eml" >"$T/check.out" 2>&1
sed -n 's/^verdict: /relaywarden: info: check: /p' "$T/check.out" >"$T/check.log"
l=$(python3 "$T/fields.py" "$T/check.log" 'x reasons')
grep -q "^count_action=1$" <<<"$l" &&
    grep -qF "mail_from=[<$HF>]" <<<"$l" &&
    ok "relaywarden-check: verdict line with one action=" ||
    not_ok "relaywarden-check: verdict line with one action=" "$l" \
    "$(cat "$T/check.out")"
"$CHECK" -c "$T/dry.conf" --client-ip "$BENCH_CLIENT_IP" --mail-from "$HF" \
    --json "$T/long.eml" >"$T/check.json" 2>"$T/check.err"
if python3 - "$T/check.json" "$HF" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["envelope"]["mail_from"] == sys.argv[2], j["envelope"]
v = j["verdict"]
assert v["action"] == "accept" and v["dry_run"] is True, v
assert v["would_action"] == "reject", v
PY
then ok "relaywarden-check --json: mail_from intact, dry run: action accept, would_action reject"
else not_ok "relaywarden-check --json" "$(head -c 600 "$T/check.json")"; fi

echo "$pass passed, $fail failed"
if [ "$fail" -ne 0 ] || [ "$pass" -eq 0 ]; then
	echo "----- relaywarden log -----"
	grep -v Filler "$T/rw.log" | tail -40
	exit 1
fi
exit 0
