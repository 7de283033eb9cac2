#!/bin/bash
# test_state.sh - the sender history (Redis) end to end: the issue's
# acceptance scenario in ONE milter run, through a private Postfix with a
# private redis-server (tests/e2e/lib.sh).
#
#  1  a correspondent (partner.example) writes from its usual relay (FCrDNS
#     mx1.partner-mail.example) with aligned DKIM: first_contact once, then
#     clean; Redis learns the relay infrastructure and the signer.  Redis
#     commands per message through the milter are counted (MONITOR and
#     INFO commandstats): one EVALSHA each.
#  2  the same From from a new relay, unauthenticated: held in Postfix's
#     hold queue (new_relay_unauthenticated), released intact, and it
#     taught the history nothing; from another new relay but signed:
#     delivered, new_relay only, and that relay is learned.
#  3  a lookalike of a protected domain with a macro document: held with
#     lookalike_protected.
#  5  relaywarden-check --json on the delivered copy of 2: a "sender"
#     section and the verdict of the header; no Redis write without
#     --learn, one with it.
#  4  Redis killed: every message gets a final action (nothing stuck or
#     lost) with state=unavailable; with state_unavailable_tempfail the
#     client gets 451 4.7.1 and Postfix keeps nothing; Redis back: the
#     history is read (and rebuilt) again.
# (5 runs before 4: it needs the history.)
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

CHECK=$top_builddir/milter/relaywarden-check
[ -x "$CHECK" ] || e2e_hard_error "$CHECK not built"
M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
P=partner.example
PFROM=alice@$P
# the partner's usual relay, a signed new relay, an unauthenticated one
IP_USUAL=192.0.2.10
HELO_USUAL=mx1.partner-mail.example
IP_ESP=198.51.100.20
HELO_ESP=mx2.esp-other.example
IP_NEW=203.0.113.66
HELO_NEW=mx.relay.example
# the lookalike of ourorg.example (digit zero) and an unknown sender
LOOK=0urorg.example
IP_LOOK=198.51.100.66
HELO_LOOK=mail.$LOOK
IP_PLAIN=192.0.2.30
HELO_PLAIN=mx.plain.example

# ---- zone: names under .example and in-addr.arpa are ours ----
ZONE=$E2E_TMP/zone
partner_txt=$(e2e_key_rsa partner)
look_txt=$(e2e_key_rsa look)
cat >"$ZONE" <<EOF
\$STATIC example
\$STATIC in-addr.arpa
$P 300 IN TXT "v=spf1 ip4:$IP_USUAL ip4:$IP_ESP -all"
_dmarc.$P 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.$P 300 IN TXT $partner_txt
$HELO_USUAL 300 IN A $IP_USUAL
10.2.0.192.in-addr.arpa 300 IN PTR $HELO_USUAL.
$HELO_ESP 300 IN A $IP_ESP
20.100.51.198.in-addr.arpa 300 IN PTR $HELO_ESP.
$LOOK 300 IN TXT "v=spf1 ip4:$IP_LOOK -all"
_dmarc.$LOOK 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.$LOOK 300 IN TXT $look_txt
$HELO_LOOK 300 IN A $IP_LOOK
plain.example 300 IN TXT "v=spf1 ip4:$IP_PLAIN -all"
_dmarc.plain.example 300 IN TXT "v=DMARC1; p=none"
$HELO_PLAIN 300 IN A $IP_PLAIN
EOF

# Redis slower than usual on a loaded machine must not open the breaker;
# the refresher reads the known index only at start (clean counts).
RW_BASE="protected_domains = [ \"ourorg.example\" ];
state_known_refresh_s = 0;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;
redis_breaker_cooldown_ms = 500;"
e2e_start_redis
E2E_RW_EXTRA=$RW_BASE
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"
KEY="${E2E_REDIS_PREFIX}{$P}"

# ---- helpers ----

msgid_of() {
	sed -n 's/^Message-ID: <\(.*\)>$/\1/Ip' "$1" | head -n 1
}

# partner_msg NAME: a message from alice@partner.example signed by
# partner.example (aligned), in $M/NAME.eml.
partner_msg() {
	e2e_msg "$M/$1.raw" "$PFROM" "$RCPT" "order $1" "$1@e2e"
	e2e_sign_rsa "$M/$1.raw" "$P" sel partner >"$M/$1.eml"
}

# lookalike_msg NAME: billing@0urorg.example with a macro .docm, signed by
# its own (aligned) domain: a registered lookalike authenticates fine.
lookalike_msg() {
	$E2E_TOOL mkatt "$M/$1.raw" "billing@$LOOK" "$RCPT" "invoice $1" \
	    "$1@e2e" "$M/invoice.docm" invoice.docm \
	    application/vnd.ms-word.document.macroEnabled.12
	e2e_sign_rsa "$M/$1.raw" "$LOOK" sel look >"$M/$1.eml"
}

# arrive C NAME: F = the delivered or held copy of $M/NAME.eml, VH = its
# X-Relaywarden value; 1 when it does not arrive.
arrive() {
	VH=
	F=$(e2e_wait_msg "$(msgid_of "$M/$2.eml")") || {
		F=/nonexistent
		e2e_not_ok "$1: message arrives" \
		    "expected: in the maildir or the hold queue within 10 s" \
		    "found:    nothing"
		return 1
	}
	VH=$(e2e_header "$F" X-Relaywarden)
	return 0
}

# where C EXPECTED: delivered or held, as F says.
where() {
	local w
	case $F in
	*/held-*) w=held ;;
	"$E2E_MAILDIR"/*) w=delivered ;;
	*) w=$F ;;
	esac
	e2e_expect_eq "$1: $2" "$2" "$w"
}

# has_reason C RULE: the X-Relaywarden reasons list names RULE.
has_reason() {
	e2e_expect_match "$1: reasons name $2" "reasons=([^;]*[, ])?$2([(,;]|$)" \
	    "$VH"
}

no_reason() {
	if printf '%s\n' "$VH" | grep -E -q "reasons=([^;]*[, ])?$2([(,;]|$)"
	then
		e2e_not_ok "$1: reasons do not name $2" "found: $VH"
	else
		e2e_ok "$1: reasons do not name $2 [$VH]"
	fi
}

# logline QID: the milter's verdict line for that queue id.
logline() {
	grep -F " $1: action=" "$E2E_TMP/rw/milter.log" | tail -n 1
}

held_qid() {
	local b=${F##*/held-}
	echo "${b%.eml}"
}

# The body's SHA-256 without trailing empty lines (swaks adds one).
body_sha() {
	sed '1,/^$/d' "$1" | awk '{ l[NR] = $0 } END { n = NR
	    while (n > 0 && l[n] == "") n--
	    for (i = 1; i <= n; i++) print l[i] }' | sha256sum | cut -d' ' -f1
}

hget() {
	e2e_redis hget "$KEY" "$1"
}

# count_of FIELD: the COUNT of a "COUNT:LAST" history field, or "absent".
count_of() {
	local v
	v=$(hget "$1")
	[ -n "$v" ] && echo "${v%%:*}" || echo absent
}

redis_stats() {
	e2e_redis info commandstats >"$1" ||
	    e2e_hard_error "redis-cli info commandstats failed"
}

# ======== 1 and 2 inside one Redis command count ========
redis-cli -p "$E2E_REDIS_PORT" monitor >"$E2E_TMP/monitor.out" 2>&1 &
MONITOR_PID=$!
E2E_PIDS_AUX="$E2E_PIDS_AUX $MONITOR_PID"
# Conditions, not sleeps: MONITOR says OK once it listens, and shows a
# command only after Redis ran it.
monitor_infos() {
	[ "$(grep -c '"info" "commandstats"' "$E2E_TMP/monitor.out")" \
	    -ge "$1" ]
}
e2e_wait_for 10 grep -q '^OK' "$E2E_TMP/monitor.out" ||
    e2e_hard_error "redis-cli monitor did not start"
# The refresher's read at start is over before the count begins.
redis_stats "$E2E_TMP/stats.0"
NMSG=0

# ---- 1) the usual road: first contact, then clean ----
c=s1
partner_msg $c
code=$(e2e_send_swaks $IP_USUAL $HELO_USUAL $HELO_USUAL "$PFROM" "$RCPT" \
    "$M/$c.eml")
NMSG=$((NMSG + 1))
e2e_expect_eq "$c: accepted" 250 "$code"
if arrive $c $c; then
	where $c delivered
	e2e_expect_eq "$c: first contact, accepted" \
	    "action=accept; score=1; reasons=first_contact($P)" "$VH"
fi
partner_msg s2
partner_msg s3
out=$(e2e_send_session $IP_USUAL $HELO_USUAL $HELO_USUAL \
    "$PFROM" "$RCPT" "$M/s2.eml" "$PFROM" "$RCPT" "$M/s3.eml" 2>&1)
NMSG=$((NMSG + 2))
e2e_expect_eq "s2 s3: accepted in one session" "250 250" \
    "$(echo "$out" | awk '{ print $2 }' | paste -s -d ' ')"
for c in s2 s3; do
	if arrive $c $c; then
		where $c delivered
		e2e_expect_eq "$c: known sender, usual road: clean" \
		    "action=accept; score=0; reasons=" "$VH"
		e2e_expect_line "$c: DKIM aligned pass (control)" \
		    "$(e2e_ar "$F")" dkim=pass header.d=$P
	fi
done

# ---- 2) the same From from a new relay, unauthenticated: held ----
c=s4
e2e_msg "$M/$c.eml" "$PFROM" "$RCPT" "urgent: new bank details" "$c@e2e"
code=$(e2e_send_swaks $IP_NEW $HELO_NEW $HELO_NEW "$PFROM" "$RCPT" \
    "$M/$c.eml")
NMSG=$((NMSG + 1))
e2e_expect_eq "$c: accepted by SMTP (held, not bounced)" 250 "$code"
D4=/nonexistent
if arrive $c $c; then
	where $c held
	qid=$(held_qid)
	e2e_expect_match "$c: postqueue -p marks it held (!)" "^$qid!" \
	    "$(postqueue -c "$E2E_PF_CONF" -p | grep "^$qid")"
	e2e_expect_match "$c: held copy says quarantine" \
	    '^action=quarantine; ' "$VH"
	has_reason $c new_relay_unauthenticated
	e2e_expect_match "$c: milter log line has new_relay_unauthenticated" \
	    'action=quarantine .*reasons=([a-z_,]*,)?new_relay_unauthenticated' \
	    "$(logline "$qid")"
	D4=$(e2e_release "$qid" "$c@e2e")
	if [ -n "$D4" ]; then
		e2e_ok "$c: released with postsuper -H and delivered"
		VH=$(e2e_header "$D4" X-Relaywarden)
		e2e_expect_match "$c: delivered copy says quarantine" \
		    '^action=quarantine; ' "$VH"
		has_reason "$c delivered" new_relay_unauthenticated
		e2e_expect_eq "$c: body intact after release" \
		    "$(body_sha "$M/$c.eml")" "$(body_sha "$D4")"
		e2e_expect_eq "$c: subject intact after release" \
		    "urgent: new bank details" "$(e2e_header "$D4" Subject)"
	else
		D4=/nonexistent
		e2e_not_ok "$c: released with postsuper -H and delivered" \
		    "not in the maildir after 10 s"
	fi
fi

# ---- 2b) another new relay, but signed: a note, not a hold ----
c=s5
partner_msg $c
code=$(e2e_send_swaks $IP_ESP $HELO_ESP $HELO_ESP "$PFROM" "$RCPT" \
    "$M/$c.eml")
NMSG=$((NMSG + 1))
e2e_expect_eq "$c: accepted" 250 "$code"
if arrive $c $c; then
	where $c delivered
	e2e_expect_match "$c: accepted" '^action=accept; ' "$VH"
	has_reason $c new_relay
	no_reason $c new_relay_unauthenticated
fi

# ---- the count: Redis commands per message through the milter ----
e2e_settle 10 || e2e_not_ok "queues settle" "$(e2e_queue_counts)"
redis_stats "$E2E_TMP/stats.1"
# Both INFO calls in the monitor: all that came before them is there.
e2e_wait_for 10 monitor_infos 2 ||
    e2e_not_ok "the monitor saw both INFO calls" "$(tail -3 "$E2E_TMP/monitor.out")"
e2e_stop_pid "$MONITOR_PID" 2
stats=$($E2E_TOOL cmdstats "$E2E_TMP/stats.0" "$E2E_TMP/stats.1")
mon=$($E2E_TOOL monitor "$E2E_TMP/monitor.out")
calls() {
	printf '%s\n' "$2" | awk -v c="$1" '$1 == c { n = $2 } END { print n + 0 }'
}
evalsha=$(calls evalsha "$stats")
sload=$(calls 'script|load' "$stats")
conns=$(calls connections "$mon")
zr=$(($(calls zrangebyscore "$mon") + $(calls zrange "$mon")))
top=$(printf '%s\n' "$mon" | awk '$1 != "connections" { n += $2 }
    END { print n + 0 }')
inner=$(printf '%s\n' "$stats" | awk '$1 != "info" { n += $2 }
    END { print n + 0 }')
inner=$((inner - top))
other=$(printf '%s\n' "$mon" | awk '$1 != "connections" &&
    $1 != "evalsha" && $1 != "script|load" && $1 != "zrangebyscore" &&
    $1 != "zrange" { print }' | paste -s -d ' ')
e2e_log "redis commands through the milter for $NMSG messages:" \
    "$(printf '%s\n' "$mon" | paste -s -d ' ' | sed 's/ \([a-z]\)/, \1/g')"
e2e_log "redis commands per message: $(awk -v a="$top" -v b="$zr" \
    -v n="$NMSG" 'BEGIN { printf "%.2f", (a - b) / n }') sent by the" \
    "milter (EVALSHA $(awk -v a="$evalsha" -v n="$NMSG" \
    'BEGIN { printf "%.2f", a / n }'), SCRIPT LOAD $sload on $conns" \
    "connection(s), known-index reads $zr), $(awk -v a="$inner" \
    -v n="$NMSG" 'BEGIN { printf "%.1f", a / n }') run by the script"
e2e_expect_eq "one EVALSHA per message (INFO commandstats)" "$NMSG" \
    "$evalsha"
e2e_expect_eq "one EVALSHA per message (MONITOR)" "$NMSG" \
    "$(calls evalsha "$mon")"
e2e_expect_eq "no EVAL (the script stayed cached)" 0 "$(calls eval "$stats")"
e2e_expect_eq "at most one SCRIPT LOAD per new connection" yes \
    "$([ "$sload" -le "$conns" ] && echo yes || echo "no: $sload on $conns")"
e2e_expect_eq "no other command sent by the milter" "" "$other"

# ---- 1 and 2 in the history ----
e2e_log "history $KEY: $(e2e_redis hgetall "$KEY" | paste -s -d ' ')"
e2e_expect_eq "history: messages counted (5)" 5 "$(hget m)"
e2e_expect_eq "history: authenticated messages (4: not s4)" 4 "$(hget a)"
e2e_expect_eq "history learned the usual relay's organisation (3)" 3 \
    "$(count_of rorg:partner-mail.example)"
e2e_expect_eq "history learned the signer partner.example (4)" 4 \
    "$(count_of s$P)"
e2e_expect_eq "history learned the signed new relay (1)" 1 \
    "$(count_of rorg:esp-other.example)"
e2e_expect_eq "history: the unauthenticated relay taught nothing" "" \
    "$(e2e_redis hkeys "$KEY" | grep -i '203\.0\.113')"
e2e_expect_match "known index holds $P" '^[0-9]+$' \
    "$(e2e_redis zscore "${E2E_REDIS_PREFIX}known" $P)"

# ======== 3) a lookalike of a protected domain, with macros: held ========
/usr/bin/python3 "$top_srcdir/tests/attach/mkole.py" --vba \
    "$M/vbaProject.bin" || e2e_hard_error "mkole.py failed"
$E2E_TOOL mkdocm "$M/invoice.docm" "$M/vbaProject.bin"
c=s6
lookalike_msg $c
code=$(e2e_send_swaks $IP_LOOK $HELO_LOOK $HELO_LOOK "billing@$LOOK" \
    "$RCPT" "$M/$c.eml")
e2e_expect_eq "$c: accepted by SMTP (held, not bounced)" 250 "$code"
if arrive $c $c; then
	where $c held
	e2e_expect_match "$c: quarantine" '^action=quarantine; ' "$VH"
	has_reason $c lookalike_protected
	has_reason $c attach_office_macro
	e2e_expect_match "$c: milter log line has lookalike_protected" \
	    'action=quarantine .*lookalike_protected' "$(logline "$(held_qid)")"
fi

# Held for what it is: counted, but it teaches nothing (else one held
# lookalike would be a known correspondent from then on).
e2e_expect_eq "$c: the held lookalike taught no relay or signer" "" \
    "$(e2e_redis hget "${E2E_REDIS_PREFIX}{$LOOK}" a)"
e2e_expect_eq "$c: the held lookalike is no known correspondent" "" \
    "$(e2e_redis zscore "${E2E_REDIS_PREFIX}known" $LOOK)"
e2e_log "history ${E2E_REDIS_PREFIX}{$LOOK}:" \
    "$(e2e_redis hgetall "${E2E_REDIS_PREFIX}{$LOOK}" | paste -s -d ' ')"' '\
    "known index: $(e2e_redis zscore "${E2E_REDIS_PREFIX}known" $LOOK)"

# ======== 5) relaywarden-check on the delivered copy of s4 ========
c=check
if [ -f "$D4" ]; then
	redis_stats "$E2E_TMP/stats.2"
	m0=$(hget m)
	"$CHECK" -c "$E2E_RW_CONF" --client-ip $IP_NEW --helo $HELO_NEW \
	    --mail-from "$PFROM" --json "$D4" >"$M/$c.json" 2>"$M/$c.err"
	rc=$?
	e2e_expect_eq "$c: relaywarden-check exits 0" 0 "$rc" ||
	    cat "$M/$c.err"
	j=$($E2E_TOOL verdict-json "$M/$c.json" 2>&1)
	e2e_expect_eq "$c: the JSON has a sender section" sender \
	    "$(printf '%s\n' "$j" | sed -n 3p)"
	e2e_expect_eq "$c: its verdict (action score reasons) = the header's" \
	    "$($E2E_TOOL verdict-header "$D4")" \
	    "$(printf '%s\n' "$j" | sed -n 1p)"
	e2e_expect_eq "$c: its verdict_header = the delivered X-Relaywarden" \
	    "$(e2e_header "$D4" X-Relaywarden)" \
	    "$(printf '%s\n' "$j" | sed -n 2p)"
	redis_stats "$E2E_TMP/stats.3"
	e2e_expect_eq "$c: no Redis write without --learn (m)" "$m0" \
	    "$(hget m)"
	e2e_expect_eq "$c: no write command ran without --learn" "" \
	    "$($E2E_TOOL cmdstats "$E2E_TMP/stats.2" "$E2E_TMP/stats.3" |
	    grep -E '^(hset|hincrby|hdel|zadd|zremrangebyrank|expire|del|set)\b' |
	    paste -s -d ' ')"
	e2e_expect_eq "$c: it did read the history (EVALSHA or EVAL)" yes \
	    "$($E2E_TOOL cmdstats "$E2E_TMP/stats.2" "$E2E_TMP/stats.3" |
	    grep -q -E '^eval(sha)? ' && echo yes || echo no)"
	"$CHECK" -c "$E2E_RW_CONF" --client-ip $IP_NEW --helo $HELO_NEW \
	    --mail-from "$PFROM" --learn --json "$D4" >"$M/$c-learn.json" \
	    2>"$M/$c-learn.err"
	rc=$?
	e2e_expect_eq "$c: relaywarden-check --learn exits 0" 0 "$rc" ||
	    cat "$M/$c-learn.err"
	e2e_expect_eq "$c: --learn counts the message (m + 1)" \
	    "$((m0 + 1))" "$(hget m)"
else
	e2e_not_ok "$c: a delivered copy of s4 to check" "none"
fi

# ======== 4) Redis dies: fail-open, nothing stuck or lost ========
e2e_kill_redis
e2e_settle 10 || e2e_not_ok "queues settle before 4" "$(e2e_queue_counts)"
read -r _ _ def0 hold0 mbox0 <<<"$(e2e_queue_counts)"
partner_msg u1
e2e_msg "$M/u2.eml" "$PFROM" "$RCPT" "urgent u2" "u2@e2e"
e2e_msg "$M/u3.eml" dave@plain.example "$RCPT" "hello u3" "u3@e2e"
lookalike_msg u4
sent=0
for x in "u1 $IP_USUAL $HELO_USUAL $PFROM" "u2 $IP_NEW $HELO_NEW $PFROM" \
    "u3 $IP_PLAIN $HELO_PLAIN dave@plain.example" \
    "u4 $IP_LOOK $HELO_LOOK billing@$LOOK"; do
	set -- $x
	code=$(e2e_send_swaks "$2" "$3" "$3" "$4" "$RCPT" "$M/$1.eml")
	sent=$((sent + 1))
	e2e_expect_eq "$1 (Redis down): accepted" 250 "$code"
done
e2e_settle 15 || e2e_not_ok "queues settle (Redis down)" \
    "$(e2e_queue_counts)"
read -r inc1 act1 def1 hold1 mbox1 <<<"$(e2e_queue_counts)"
e2e_expect_eq "Redis down: nothing left in incoming, active, deferred" \
    "0 0 $def0" "$inc1 $act1 $def1"
e2e_expect_eq "Redis down: every message delivered or held ($sent)" \
    "$sent" "$((hold1 - hold0 + mbox1 - mbox0))"
for c in u1 u2 u3 u4; do
	arrive "$c" "$c" || continue
	e2e_expect_match "$c: X-Relaywarden says state=unavailable" \
	    '; state=unavailable$' "$VH"
	case $F in
	*/held-*) qid=$(held_qid) ;;
	*) qid=$($E2E_TOOL queue-id "$F") ;;
	esac
	e2e_expect_match "$c: milter log line says state=unavailable" \
	    ' state=unavailable ' "$(logline "$qid")"
done
if arrive u1 u1; then
	where u1 delivered
	e2e_expect_match "u1: accepted" '^action=accept; ' "$VH"
fi
if arrive u4 u4; then
	where u4 held
	has_reason u4 lookalike_protected
fi
# relaywarden-check with Redis down: an answer, and it says so.
"$CHECK" -c "$E2E_RW_CONF" --client-ip $IP_PLAIN --helo $HELO_PLAIN \
    --mail-from dave@plain.example --json "$M/u3.eml" >"$M/u3.json" \
    2>"$M/u3.err"
rc=$?
e2e_expect_eq "u3: relaywarden-check (Redis down) exits 0" 0 "$rc" ||
    cat "$M/u3.err"
e2e_expect_match "u3: relaywarden-check says state=unavailable" \
    '; state=unavailable$' \
    "$($E2E_TOOL verdict-json "$M/u3.json" 2>&1 | sed -n 2p)"

# ---- 4b) state_unavailable_tempfail: 451 and nothing kept ----
E2E_RW_EXTRA="$RW_BASE
state_unavailable_tempfail = true;"
e2e_write_config "$ZONE"
e2e_reload_milter
before=$(e2e_queue_counts)
partner_msg t1
e2e_msg "$M/t2.eml" dave@plain.example "$RCPT" "hello t2" "t2@e2e"
reply=$(e2e_send_reply $IP_USUAL $HELO_USUAL $HELO_USUAL "$PFROM" "$RCPT" \
    "$M/t1.eml")
e2e_expect_match "t1 (tempfail): swaks sees 451 4.7.1" '^451[ -]4\.7\.1' \
    "$reply"
out=$(e2e_send_session $IP_PLAIN $HELO_PLAIN $HELO_PLAIN \
    dave@plain.example "$RCPT" "$M/t2.eml" 2>&1)
e2e_expect_match "t2 (tempfail): 451 4.7.1 at the end of DATA" \
    ' 451 4\.7\.1' "$out"
e2e_settle 10 || e2e_not_ok "queues settle after t2" "$(e2e_queue_counts)"
e2e_expect_eq "tempfail: Postfix kept nothing (queues and mailbox)" \
    "$before" "$(e2e_queue_counts)"

# ---- 4c) Redis back (empty): the history is read and written again ----
e2e_start_redis "$E2E_REDIS_PORT"
# Not a synchronisation: the breaker's cool-down (500 ms) must pass
# before the next message may probe; waiting longer is always fine.
sleep 1
c=r1
partner_msg $c
code=$(e2e_send_swaks $IP_USUAL $HELO_USUAL $HELO_USUAL "$PFROM" "$RCPT" \
    "$M/$c.eml")
e2e_expect_eq "$c (Redis back): accepted" 250 "$code"
if arrive $c $c; then
	where $c delivered
	e2e_expect_eq "$c: the history again (an empty one: first contact)" \
	    "action=accept; score=1; reasons=first_contact($P)" "$VH"
	e2e_expect_eq "$c: counted in the new Redis" 1 "$(hget m)"
fi

e2e_summary
