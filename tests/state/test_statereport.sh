#!/bin/bash
# test_statereport.sh - relaywarden-state report (issue 14 item 3) against a
# private redis-server: a history seeded with times inside and outside
# the window; the report lists exactly the new senders, the known
# senders on a new relay / signer / link or trusted in the window, the
# lookalikes among the new senders, in text and JSON, and says that the
# daily counters of the UTC days the window touches are summed (an older
# day's are not), and that the held messages are not read.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/state/statelib.sh"
# jq_is NAME PYTHON-EXPRESSION-ON-d WANT
py_is() {
	local got
	got=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$t/out" 2>&1 | tail -1)
	[ "$got" = "$3" ] && ok "$1" || not_ok "$1" "got:  $got" "want: $3"
}

now=$(date +%s)
day=86400
# new in the window: authenticated (now known), and not
# the daily counters the daemon adds (statestats.h): today, yesterday,
# and a day outside a 24 h window
R HSET "rw:stats:$(date -u -d @$now +%Y%m%d)" action:accept 5 \
    action:quarantine 2 reason:first_contact 3 >/dev/null
R HSET "rw:stats:$(date -u -d @$((now - day)) +%Y%m%d)" action:accept 2 \
    reason:first_contact 1 reason:new_relay 1 >/dev/null
R HSET "rw:stats:$(date -u -d @$((now - 3 * day)) +%Y%m%d)" \
    action:accept 100 >/dev/null
R HSET 'rw:{new.example}' m 2 a 2 f $((now - 3600)) l $((now - 60)) \
    k $((now - 3000)) rorg:new.example "2:$((now - 60))" >/dev/null
R HSET 'rw:{unauth.example}' m 1 f $((now - 600)) l $((now - 600)) >/dev/null
# first seen before the window
R HSET 'rw:{outside.example}' m 1 f $((now - 3 * day)) l $((now - 60)) >/dev/null
# a known sender: what changed in the window, and what did not
R HSET 'rw:{old.example}' m 80 a 80 f $((now - 30 * day)) l $now \
    k $((now - 30 * day)) \
    rorg:old.example "50:$now" 'rnet:203.0.113.0/24' "1:$((now - 100))" \
    rorg:stale.example "1:$((now - 3 * day))" \
    rorg:four.example "4:$((now - 200))" \
    snewsign.example "2:$((now - 50))" sold.example "40:$now" \
    wlinkorg.example "1:$((now - 10))" wcdn.example "30:$now" \
    Rorg:trusted.example $((now - 20)) Sorg:oldtrust.example $((now - 5 * day)) \
    lm 30 >/dev/null
# known since inside the window: a new sender, its relays are not "new roads"
R HSET 'rw:{fresh.example}' m 3 a 3 f $((now - 2 * day)) l $now \
    k $((now - 7200)) rorg:fresh.example "1:$now" >/dev/null
# a known correspondent, and a new sender that looks like it
R HSET 'rw:{examplebank.com}' m 40 a 40 f $((now - 90 * day)) l $now \
    k $((now - 90 * day)) rorg:examplebank.com "40:$now" >/dev/null
R ZADD rw:known $((now - 90 * day)) examplebank.com $((now - 30 * day)) old.example >/dev/null
R HSET 'rw:{examp1ebank.com}' m 1 f $((now - 900)) l $((now - 900)) >/dev/null
# a digest key whose name has a control byte
printf 'evil\001.example' >"$t/dname"
R -x HSET 'rw:{#00112233445566778899aabbccddeeff}' d <"$t/dname" >/dev/null
R HSET 'rw:{#00112233445566778899aabbccddeeff}' m 1 f $((now - 100)) >/dev/null
# not senders
R PFADD 'rw:infra:org:bigmail.example' a.example >/dev/null

expect "report --json" 0 "$ST" -c "$t/rw.conf" --json report --since 24h
py_is "exactly the new senders" \
    '",".join(sorted(s["sender"] for s in d["new_senders"]))' \
    "evil?.example,examp1ebank.com,new.example,unauth.example"
py_is "authenticated or not" \
    '",".join(sorted(s["sender"] for s in d["new_senders"] if s["authenticated"]))' \
    "new.example"
py_is "exactly the new roads" \
    '",".join(sorted(r["sender"]+"/"+r["what"]+"/"+r["name"] for r in d["new_roads"]))' \
    "old.example/link/linkorg.example,old.example/relay/net:203.0.113.0/24,old.example/signer/newsign.example,old.example/trusted_relay/org:trusted.example"
py_is "a new relay's count" \
    '[r["count"] for r in d["new_roads"] if r["name"]=="net:203.0.113.0/24"][0]' "1"
py_is "exactly the lookalikes" \
    '",".join(s["sender"]+"~"+s["resembles"]+":"+s["kind"] for s in d["lookalikes"])' \
    "examp1ebank.com~examplebank.com:confusable"
py_is "counts by action: today's and yesterday's summed" \
    'd["counts"]["action"]["accept"], d["counts"]["action"]["quarantine"]' \
    "7 2"
py_is "counts by reason" \
    'd["counts"]["reason"]["first_contact"], d["counts"]["reason"]["new_relay"]' \
    "4 1"
expect "report --since 25h" 0 "$ST" -c "$t/rw.conf" --json report --since 25h
# 25 h: a step of 24 h from the start lands on today (after 01:00 UTC),
# and the end is today too: today's counters are summed once.
py_is "a window a little over a day sums today once" \
    'd["counts"]["action"]["accept"], d["counts"]["action"]["quarantine"]' \
    "7 2"
expect "report --json" 0 "$ST" -c "$t/rw.conf" --json report --since 24h
py_is "held messages are said to be unread" \
    'd["held"] is None and "not read" in d["held_note"]' "True"
py_is "senders scanned" 'd["senders_scanned"]' "8"

expect "report --new-count 4" 0 "$ST" -c "$t/rw.conf" --json report --since 24h --new-count 4
py_is "--new-count 4 adds the relay seen 4 times" \
    '",".join(sorted(r["name"] for r in d["new_roads"] if r["what"]=="relay"))' \
    "net:203.0.113.0/24,org:four.example"
expect "report --since 4d" 0 "$ST" -c "$t/rw.conf" --json report --since 4d
py_is "a wider window takes the older ones" \
    '",".join(sorted(s["sender"] for s in d["new_senders"]))' \
    "evil?.example,examp1ebank.com,fresh.example,new.example,outside.example,unauth.example"
py_is "and the older roads" \
    '",".join(sorted(r["name"] for r in d["new_roads"]))' \
    "linkorg.example,net:203.0.113.0/24,newsign.example,org:stale.example,org:trusted.example"
expect "report --limit 1" 0 "$ST" -c "$t/rw.conf" --json report --limit 1
py_is "--limit keeps the newest and counts the rest" \
    'd["new_senders"][0]["sender"], d["new_senders_more"]' "evil?.example 3"

expect "report as text" 0 "$ST" -c "$t/rw.conf" report
has "text: the window" out "^relaywarden: what changed since "
has "text: new senders counted" out "^New senders (first seen in the window): 4"
has "text: a new sender" out "^  [0-9TZ:-]* unauth.example messages=1 not authenticated"
has "text: new roads counted" out "^Known senders on a new relay, signer or link: 4"
has "text: a new relay" out "old.example new relay net:203.0.113.0/24 count=1 (known since"
has "text: a trust" out "old.example trusted_relay org:trusted.example by an admin"
has "text: a lookalike" out "examp1ebank.com confusable of examplebank.com"
has "text: counts by action" out "^  action: accept 7, quarantine 2$"
has "text: held said" out "^  not read: give --postfix-config DIR"
hasnt "text: no control byte" out "$(printf '\001')"
hasnt "text: an old relay is not new" out "org:old.example"
expect "report takes no argument" 2 "$ST" -c "$t/rw.conf" report extra
expect "--new-count 0 refused" 2 "$ST" -c "$t/rw.conf" report --new-count 0

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
