#!/bin/bash
# test_statexfer.sh - relaywarden-state export / import (issue 14 item 6)
# against a private redis-server: the whole history (sender hashes with
# relays, signers, links, a digest key with raw bytes, the known index
# past one page, a hash past one HSCAN page, a shared-infra HyperLogLog,
# TTLs) round-trips through export, FLUSHDB, import, export; keys outside
# the prefix stay out; malformed input is refused with its line number
# and writes nothing; existing keys are left alone without --replace.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/state/statelib.sh"

# The canonical form of an export: records of one key merged, elements
# as a sorted set of pairs, expiry to the 10 s.
canon() {
	python3 - "$1" <<'EOF'
import json, sys
keys = {}
last = None
for line in open(sys.argv[1], encoding="latin-1"):
    r = json.loads(line)
    k = r["key"]
    if r["append"]:
        assert k == last, "append of another key"
    else:
        assert k not in keys, "key twice: " + k
        keys[k] = [r["type"], round(r["expire_at_ms"] / 10000), set()]
    el = r["elements"]
    keys[k][2].update(zip(el[0::2], el[1::2]) if r["type"] != "string" else [(el[0],)])
    last = k
for k in sorted(keys):
    t, e, s = keys[k]
    print(repr(k), t, e, sorted(s))
EOF
}

# --- the history ---------------------------------------------------------
now=$(date +%s)
R HSET 'rw:{partner.example}' m 12 a 10 f $((now - 86400)) l $now \
    k $((now - 86400)) nr 2 ns 1 \
    rorg:partner.example "9:$now" 'rnet:192.0.2.0/24' "1:$((now - 3600))" \
    'Rnet:198.51.100.0/24' $((now - 60)) \
    spartner.example "10:$now" lm 7 nw 2 wpartnerhub.example "6:$now" \
    wcdn.example "2:$((now - 60))" pn 4 pl $((now - 7200)) \
    x 0000000000000000000000000000a001 >/dev/null
R EXPIRE 'rw:{partner.example}' $((400 * 86400)) >/dev/null
R HSET 'rw:{old.example}' m 1 f $((now - 30 * 86400)) l $((now - 30 * 86400)) >/dev/null
# a digest key whose name field holds raw bytes, quotes and a backslash
printf 'b\xe4d"na\\me\x01.example\n' >"$t/dname"
R -x HSET 'rw:{#0123456789abcdef0123456789abcdef}' d <"$t/dname" >/dev/null
R HSET 'rw:{#0123456789abcdef0123456789abcdef}' m 3 f $now >/dev/null
# a hash past one HSCAN page (hashtable encoding)
R EVAL "for i=1,1500 do redis.call('HSET', KEYS[1], 'rorg:r'..i..'.example', '1:'..ARGV[1]) end return 1" 1 'rw:{big.example}' $now >/dev/null
# the known index past one page, scores are times
R EVAL "for i=1,2500 do redis.call('ZADD', KEYS[1], ARGV[1] - i, 'k'..i..'.example') end return 1" 1 rw:known $now >/dev/null
R ZADD rw:known $((now - 86400)) partner.example >/dev/null
R EXPIRE rw:known $((400 * 86400)) >/dev/null
# a shared-infra HyperLogLog
R PFADD 'rw:infra:org:bigmail.example' a.example b.example c.example d.example >/dev/null
R EXPIRE 'rw:infra:org:bigmail.example' 86400 >/dev/null
# not ours: outside the prefix, and a list under it
R SET 'other:key' x >/dev/null
R RPUSH 'rw:alist' x >/dev/null
dval=$(R --no-raw HGET 'rw:{#0123456789abcdef0123456789abcdef}' d)
hll=$(R PFCOUNT 'rw:infra:org:bigmail.example')

expect "export" 0 "$ST" -c "$t/rw.conf" export
cp "$t/out" "$t/dump1"
has "export says how many and what was left out" err "records, 1 keys of other types not exported"
[ "$(grep -c '"key":"rw:known"' "$t/dump1")" -ge 3 ] &&
	ok "the known index comes in pages" ||
	not_ok "the known index comes in pages" "$(grep -c '"key":"rw:known"' "$t/dump1")"
grep -q '"key":"other:key"\|"key":"rw:alist"' "$t/dump1" &&
	not_ok "keys outside the prefix or of other types are not exported" ||
	ok "keys outside the prefix or of other types are not exported"
grep -q '"b\\u00e4d\\"na\\\\me\\u0001.example\\u000a' "$t/dump1" &&
	ok "raw bytes are written as \\u00XX" ||
	not_ok "raw bytes are written as \\u00XX" "$(grep '#0123' "$t/dump1")"
canon "$t/dump1" >"$t/c1" 2>"$t/cerr" && [ -s "$t/c1" ] &&
	ok "the export is JSON lines" || not_ok "the export is JSON lines" "$(cat "$t/cerr")"

R FLUSHDB >/dev/null
"$ST" -c "$t/rw.conf" import <"$t/dump1" >"$t/out" 2>"$t/err"
rc=$?
[ "$rc" = 0 ] && ok "import into an empty Redis" || not_ok "import into an empty Redis" "exit $rc" "$(cat "$t/err")"
has "import says how many" err "import: [0-9]* keys written, 0 existed"
[ "$(R PFCOUNT 'rw:infra:org:bigmail.example')" = "$hll" ] &&
	ok "the HyperLogLog counts the same" || not_ok "the HyperLogLog counts the same"
ttl=$(R TTL 'rw:infra:org:bigmail.example')
[ "$ttl" -gt 86000 ] && [ "$ttl" -le 86400 ] && ok "a TTL is kept" ||
	not_ok "a TTL is kept" "$ttl"
[ "$(R TTL 'rw:{old.example}')" = -1 ] && ok "no TTL stays no TTL" ||
	not_ok "no TTL stays no TTL"
[ "$(R ZCARD rw:known)" = 2501 ] && ok "the whole known index" || not_ok "the whole known index" "$(R ZCARD rw:known)"
[ "$(R HLEN 'rw:{big.example}')" = 1500 ] && ok "the whole big hash" || not_ok "the whole big hash"
[ "$(R --no-raw HGET 'rw:{#0123456789abcdef0123456789abcdef}' d)" = "$dval" ] &&
	ok "raw bytes come back" || not_ok "raw bytes come back"
expect "export again" 0 "$ST" -c "$t/rw.conf" export
cp "$t/out" "$t/dump2"
canon "$t/dump2" >"$t/c2"
cmp -s "$t/c1" "$t/c2" && ok "the second export equals the first" ||
	not_ok "the second export equals the first" "$(diff "$t/c1" "$t/c2" | head -c 1500)"
expect "show reads the imported sender" 0 "$ST" -c "$t/rw.conf" show partner.example
has "with its relays" out "^relay org:partner.example count=9"
has "and its links" out "^link partnerhub.example count=6"

# --- merge semantics ------------------------------------------------------
R HSET 'rw:{partner.example}' m 99 >/dev/null
R DEL 'rw:{old.example}' >/dev/null
"$ST" -c "$t/rw.conf" import <"$t/dump1" >"$t/out" 2>"$t/err"
rc=$?
[ "$rc" = 1 ] && ok "import over existing keys exits 1" || not_ok "import over existing keys exits 1" "exit $rc" "$(cat "$t/err")"
has "and says so" err "1 keys written, [0-9]* existed and were left alone (--replace"
[ "$(R HGET 'rw:{partner.example}' m)" = 99 ] && ok "an existing key is left alone" || not_ok "an existing key is left alone"
[ "$(R HGET 'rw:{old.example}' m)" = 1 ] && ok "a missing key is filled in" || not_ok "a missing key is filled in"
[ "$(R ZCARD rw:known)" = 2501 ] && ok "pages of a kept key are skipped too" || not_ok "pages of a kept key are skipped too"
R HSET 'rw:{partner.example}' extra 1 >/dev/null
R ZADD rw:known 1 stray.example >/dev/null
expect "--replace" 0 "$ST" -c "$t/rw.conf" --replace import <"$t/dump1"
[ "$(R HGET 'rw:{partner.example}' m)" = 12 ] && [ "$(R HEXISTS 'rw:{partner.example}' extra)" = 0 ] &&
	ok "--replace writes the key anew" || not_ok "--replace writes the key anew"
[ "$(R ZCARD rw:known)" = 2501 ] && ok "--replace replaces the paged index whole" || not_ok "--replace replaces the paged index whole" "$(R ZCARD rw:known)"

# --- malformed input: refused, line numbered, nothing written --------------
good=$(grep -m1 '"key":"rw:{old.example}"' "$t/dump1")
bad_case() {	# bad_case NAME PATTERN LINE
	R FLUSHDB >/dev/null
	printf '%s\n%s\n' "$good" "$3" >"$t/bad"
	expect "refuses $1" 2 "$ST" -c "$t/rw.conf" import <"$t/bad"
	has "$1: line 2 named" err "line 2: .*$2"
	[ "$(R DBSIZE)" = 0 ] && ok "$1: nothing written" || not_ok "$1: nothing written"
}
bad_case "not JSON" "an object expected" 'hello'
bad_case "an unknown member" "an unknown member" '{"key":"rw:{a.example}","type":"hash","expire_at_ms":0,"elements":["m","1"],"evil":1}'
bad_case "a member twice" "a member given twice" '{"key":"rw:{a.example}","key":"rw:x","type":"hash","expire_at_ms":0,"elements":["m","1"]}'
bad_case "a missing member" "key, type, expire_at_ms and elements" '{"key":"rw:{a.example}","type":"hash","elements":["m","1"]}'
bad_case "odd elements" "pairs" '{"key":"rw:{a.example}","type":"hash","expire_at_ms":0,"elements":["m"]}'
bad_case "a bad score" "a score that is not a number" '{"key":"rw:known","type":"zset","expire_at_ms":0,"elements":["a.example","nan"]}'
bad_case "an unknown type" "type is not hash" '{"key":"rw:x","type":"list","expire_at_ms":0,"elements":["a"]}'
bad_case "a wide \\u" "above 00ff" '{"key":"rw:{a.example}","type":"hash","expire_at_ms":0,"elements":["m","\u0100"]}'
bad_case "a raw control byte" "a control byte" "$(printf '{"key":"rw:{a.example}","type":"hash","expire_at_ms":0,"elements":["m","\x01"]}')"
bad_case "an unterminated string" "unterminated" '{"key":"rw:{a.example}","type":"hash","expire_at_ms":0,"elements":["m","1'
bad_case "text after the object" "text after" '{"key":"rw:{a.example}","type":"hash","expire_at_ms":0,"elements":["m","1"]} x'
bad_case "a key outside the prefix" "not under the prefix" '{"key":"other:{a.example}","type":"hash","expire_at_ms":0,"elements":["m","1"]}'
bad_case "an orphan append" "append of a key not on the line before" '{"key":"rw:known","type":"zset","expire_at_ms":0,"append":true,"elements":["a.example","1"]}'
bad_case "a negative expiry" "expire_at_ms" '{"key":"rw:{a.example}","type":"hash","expire_at_ms":-5,"elements":["m","1"]}'
R FLUSHDB >/dev/null
{ echo "$good"; head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'a'; echo; echo "$good"; } >"$t/bad"
expect "refuses a line past 4 MiB" 2 "$ST" -c "$t/rw.conf" import <"$t/bad"
has "long line: line 2 named" err "line 2: longer than"
[ "$(R DBSIZE)" = 0 ] && ok "long line: nothing written" || not_ok "long line: nothing written"
expect "export takes no argument" 2 "$ST" -c "$t/rw.conf" export extra

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
