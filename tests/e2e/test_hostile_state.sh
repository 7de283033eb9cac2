#!/bin/bash
# test_hostile_state.sh - issue 8 item 7 ("send twice") end to end: a
# private Postfix with a private redis-server (tests/e2e/lib.sh).
#
#  1  a first-contact sender (macro-first.example, aligned DKIM and SPF
#     pass: authenticated) sends a Word .docm with a VBA project:
#     attach_office_macro 6 + first_contact 1 + attach_new_sender 3 = 10,
#     held.  The same message sent again a second later is held again:
#     the held copy taught the history nothing (no k, no a, no relay, no
#     signer, no known-index entry), so the domain is still a first
#     contact.
#  2  the same document from a forger's relay (SPF fail, no signature):
#     held, and it teaches nothing either.
#  3  the benign case: a plain authenticated message from the same sender
#     is accepted and teaches; the next one is no longer first_contact.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
D=macro-first.example
FROM=mo@$D
IP=192.0.2.40
HELO=mx.$D
IP_FORGER=203.0.113.77
HELO_FORGER=mx.forger.example

ZONE=$E2E_TMP/zone
key_txt=$(e2e_key_rsa macro)
cat >"$ZONE" <<EOF
\$STATIC example
\$STATIC in-addr.arpa
$D 300 IN TXT "v=spf1 ip4:$IP -all"
_dmarc.$D 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.$D 300 IN TXT $key_txt
$HELO 300 IN A $IP
$HELO_FORGER 300 IN A $IP_FORGER
EOF

E2E_RW_EXTRA="state_known_refresh_s = 0;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;"
e2e_start_redis
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"
KEY="${E2E_REDIS_PREFIX}{$D}"

/usr/bin/python3 "$top_srcdir/tests/attach/mkole.py" --vba \
    "$M/vbaProject.bin" || e2e_hard_error "mkole.py failed"
$E2E_TOOL mkdocm "$M/order.docm" "$M/vbaProject.bin" ||
    e2e_hard_error "mkdocm failed"

# macro_msg NAME [SIGN]: the .docm from mo@macro-first.example in
# $M/NAME.eml, signed by its own domain when SIGN is 1.
macro_msg() {
	$E2E_TOOL mkatt "$M/$1.raw" "$FROM" "$RCPT" "order" "$1@e2e" \
	    "$M/order.docm" order.docm \
	    application/vnd.ms-word.document.macroEnabled.12
	if [ "${2:-1}" = 1 ]; then
		e2e_sign_rsa "$M/$1.raw" "$D" sel macro >"$M/$1.eml"
	else
		cp "$M/$1.raw" "$M/$1.eml"
	fi
}

plain_msg() {
	e2e_msg "$M/$1.raw" "$FROM" "$RCPT" "hello $1" "$1@e2e"
	e2e_sign_rsa "$M/$1.raw" "$D" sel macro >"$M/$1.eml"
}

# send C IP HELO: sends $M/C.eml; F = the delivered or held copy, VH =
# its X-Relaywarden value, W = delivered | held | missing.
send() {
	local code
	VH=
	W=missing
	code=$(e2e_send_swaks "$2" "$3" "$3" "$FROM" "$RCPT" "$M/$1.eml")
	e2e_expect_eq "$1: accepted by SMTP" 250 "$code"
	F=$(e2e_wait_msg "$1@e2e") || {
		e2e_not_ok "$1: message arrives" "nothing within 10 s"
		return 1
	}
	case $F in
	*/held-*) W=held ;;
	"$E2E_MAILDIR"/*) W=delivered ;;
	esac
	VH=$(e2e_header "$F" X-Relaywarden)
	return 0
}

# nothing_taught C: the history has no authenticated trace of $D.
nothing_taught() {
	e2e_expect_eq "$1: no authenticated history (k)" "" \
	    "$(e2e_redis hget "$KEY" k)"
	e2e_expect_eq "$1: no authenticated message counted (a)" "" \
	    "$(e2e_redis hget "$KEY" a)"
	e2e_expect_eq "$1: no relay or signer learned" "" \
	    "$(e2e_redis hkeys "$KEY" | grep -E '^[rs]')"
	e2e_expect_eq "$1: not in the known index" "" \
	    "$(e2e_redis zscore "${E2E_REDIS_PREFIX}known" $D)"
}

# details (issue 13 item 3): the macro's part, the new domain; the list
# folds after the first comma (the unfolded value has ", ")
HELD="action=quarantine; score=10; reasons=attach_office_macro(order.docm/word/vbaProject.bin), first_contact($D),attach_new_sender($D)"

# ---- 1) the held first contact, twice ----
for c in t1 t2; do
	macro_msg $c
	if send $c $IP $HELO; then
		e2e_expect_eq "$c: held" held "$W"
		e2e_expect_eq "$c: first contact with a macro: quarantine" \
		    "$HELD" "$VH"
		e2e_expect_line "$c: authenticated (DKIM aligned pass)" \
		    "$(e2e_ar "$F")" dkim=pass header.d=$D
	fi
	nothing_taught $c
	sleep 1
done
e2e_expect_eq "both copies counted as traffic (m)" 2 \
    "$(e2e_redis hget "$KEY" m)"

# ---- 2) the forger's copy: unauthenticated, held, teaches nothing ----
c=t3
macro_msg $c 0
if send $c $IP_FORGER $HELO_FORGER; then
	e2e_expect_eq "$c: held" held "$W"
	e2e_expect_match "$c: still a first contact" \
	    '^action=quarantine; .*reasons=([^;]*[, ])?first_contact([(,;]|$)' "$VH"
fi
nothing_taught $c

# ---- 3) the benign case: an accepted authenticated message teaches ----
c=t4
plain_msg $c
if send $c $IP $HELO; then
	e2e_expect_eq "$c: delivered" delivered "$W"
	e2e_expect_eq "$c: accepted, first contact" \
	    "action=accept; score=1; reasons=first_contact($D)" "$VH"
fi
e2e_expect_match "$c: taught (k set)" '^[0-9]+$' \
    "$(e2e_redis hget "$KEY" k)"
c=t5
plain_msg $c
if send $c $IP $HELO; then
	e2e_expect_eq "$c: delivered" delivered "$W"
	e2e_expect_eq "$c: known now: no first contact" \
	    "action=accept; score=0; reasons=" "$VH"
fi
e2e_log "history $KEY: $(e2e_redis hgetall "$KEY" | paste -s -d ' ')"

e2e_summary
