#!/bin/bash
# test_statecli.sh - relaywarden-state against a private redis-server on a
# free loopback port (no persistence, own directory, killed on exit
# whatever happens): show, trust/untrust, forget, first-contacts, --json,
# exit codes 0 / 1 / 2 and their messages.  History is written as the
# lookup script writes it (layout in policy/state/state.h).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/state/statelib.sh"

now=$(date +%s)
R HSET 'rw:{partner.example}' m 12 a 10 f $((now - 86400)) l $now \
    k $((now - 86400)) nr 2 ns 1 \
    rorg:partner.example "9:$now" 'rnet:192.0.2.0/24' "1:$((now - 3600))" \
    spartner.example "10:$now" lm 7 nw 2 wpartnerhub.example "6:$now" \
    wcdn.example "2:$((now - 60))" >/dev/null
R HSET 'rw:{old.example}' m 1 f $((now - 30 * 86400)) l $((now - 30 * 86400)) >/dev/null

expect "show a known sender" 0 "$ST" -c "$t/rw.conf" show Partner.Example.
has "show names the domain and counts" out "^messages 12 authenticated 10"
has "show lists relays, most recent first" out "^relay org:partner.example count=9"
has "show lists signers" out "^signer partner.example count=10"
has "show counts the teaching messages with links" out "^link_messages 7"
has "show lists link organisations, most recent first" out \
    "^link partnerhub.example count=6"
has "show lists every link organisation" out "^link cdn.example count=2"
expect "show an unknown sender" 1 "$ST" -c "$t/rw.conf" show nobody.example
has "unknown sender says so" err "nobody.example: no history"

expect "--json show" 0 "$ST" -c "$t/rw.conf" --json show partner.example
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["messages"]==12 and d["relays"][0]["name"]=="org:partner.example" and d["known_since"]' "$t/out" &&
	ok "--json show parses" || not_ok "--json show parses" "$(cat "$t/out")"

expect "trust a relay network" 0 "$ST" -c "$t/rw.conf" trust-relay partner.example net:198.51.100.9/24
[ "$(R HEXISTS 'rw:{partner.example}' 'Rnet:198.51.100.0/24')" = 1 ] &&
	ok "network stored in canonical form" || not_ok "network stored in canonical form"
expect "trust a signer" 0 "$ST" -c "$t/rw.conf" trust-signer partner.example esp.example
expect "show marks trusted entries" 0 "$ST" -c "$t/rw.conf" show partner.example
has "trusted relay shown" out "^relay net:198.51.100.0/24 trusted="
has "trusted signer shown" out "^signer esp.example trusted="
expect "untrust the signer" 0 "$ST" -c "$t/rw.conf" untrust-signer partner.example esp.example
expect "untrust it again: nothing to undo" 1 "$ST" -c "$t/rw.conf" untrust-signer partner.example esp.example
expect "--json untrust" 1 "$ST" -c "$t/rw.conf" --json untrust-relay partner.example org:x.example
has "--json untrust result" out '"result":"was not trusted"'

expect "first contacts of the last 2 days" 0 "$ST" -c "$t/rw.conf" first-contacts --since 2d
has "recent sender listed" out " partner.example messages=12"
grep -q old.example "$t/out" && not_ok "older sender not listed" "$(cat "$t/out")" ||
	ok "older sender not listed"
expect "first contacts of 60 days, JSON" 0 "$ST" -c "$t/rw.conf" --json first-contacts --since 60d --limit 5
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [c["domain"] for c in d["contacts"]]==["partner.example","old.example"]' "$t/out" &&
	ok "first contacts newest first" || not_ok "first contacts newest first" "$(cat "$t/out")"

expect "forget a sender" 0 "$ST" -c "$t/rw.conf" forget partner.example
[ "$(R EXISTS 'rw:{partner.example}')" = 0 ] && ok "history deleted" || not_ok "history deleted"
expect "forget it again" 1 "$ST" -c "$t/rw.conf" forget partner.example

# usage, config and Redis errors: 2 with one line
expect "no command" 2 "$ST" -c "$t/rw.conf"
expect "unknown command" 2 "$ST" -c "$t/rw.conf" frobnicate a b
expect "missing argument" 2 "$ST" -c "$t/rw.conf" trust-relay partner.example
expect "bad duration" 2 "$ST" -c "$t/rw.conf" first-contacts --since 7x
expect "bad limit" 2 "$ST" -c "$t/rw.conf" first-contacts --limit 0
printf 'redis_port = 0;\n' >"$t/bad.conf"
expect "bad config" 2 "$ST" -c "$t/bad.conf" show partner.example
has "config error names FILE:LINE" err "bad.conf:1: redis_port"
printf 'redis_port = %s;\n' "$(free_port)" >"$t/down.conf"
expect "Redis down" 2 "$ST" -c "$t/down.conf" show partner.example
has "Redis error is one clear line" err "Connection refused"
expect "empty domain" 2 "$ST" -c "$t/rw.conf" show ""

# trust-relay with what the lookup never gives (issue 13 item 4): refused
# with exit 2 and a reason, nothing written.  Prefixes: the config's.
printf 'redis_port = %s;\ninfra_v4_prefix = 22;\n' "$port" >"$t/p22.conf"
before=$(R HGETALL 'rw:{partner.example}' | md5sum)
for bad in 'garbage!!' 'partner-mail.example' 'org:' 'org:bad..example' \
    'org:mail.partner-mail.example' 'org:co.uk' 'net:192.0.2.0' \
    'net:192.0.2.0/16' 'net:2001:db8::/64' 'net:not-an-ip/24' \
    'org:xn--bcher-kva.example!'; do
	expect "trust-relay refuses $bad" 2 "$ST" -c "$t/rw.conf" \
	    trust-relay partner.example "$bad"
	has "trust-relay $bad: says why" err "$(printf '%s' "$bad" |
	    sed 's/[].[*]/\\&/g'): "
done
expect "trust-relay refuses the default /24 under infra_v4_prefix 22" 2 \
    "$ST" -c "$t/p22.conf" trust-relay partner.example net:198.51.100.0/24
has "names the configured prefix" err "/22 network (infra_v4_prefix)"
expect "the organisation form is named" 2 "$ST" -c "$t/rw.conf" \
    trust-relay partner.example org:mx1.partner-mail.example
has "suggests the organisational domain" err "use org:partner-mail.example"
[ "$(R HGETALL 'rw:{partner.example}' | md5sum)" = "$before" ] &&
    ok "refused trust-relay wrote nothing" ||
    not_ok "refused trust-relay wrote nothing"
expect "a /22 network under infra_v4_prefix 22" 0 "$ST" -c "$t/p22.conf" \
    trust-relay partner.example net:198.51.100.0/22
expect "an IPv6 /48" 0 "$ST" -c "$t/rw.conf" trust-relay partner.example \
    net:2001:db8:1::/48
expect "untrust-relay still removes anything" 1 "$ST" -c "$t/rw.conf" \
    untrust-relay partner.example 'garbage!!'
expect "-V" 0 "$ST" -V
has "-V prints the version" out "^relaywarden-state [0-9][0-9.]*$"

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
