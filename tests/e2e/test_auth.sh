#!/bin/bash
# test_auth.sh - SPF, DKIM and DMARC end to end: messages signed by
# independent signers (Mail::DKIM for RSA, dkimpy for Ed25519) go through a
# private Postfix (XCLIENT presents external clients) to relaywarden, and the
# Authentication-Results of the DELIVERED (or held) copies are checked; then
# relaywarden-check --json must agree with each header.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
# Prints every expectation and what it found, "N passed, M failed", and the
# Postfix and milter logs when anything failed.  E2E_KEEP=1 keeps the dir.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

CHECK=$top_builddir/milter/relaywarden-check
[ -x "$CHECK" ] || e2e_hard_error "$CHECK not built"
M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example

# ---- zone: every name under .example is ours; the rest is NXDOMAIN ----
# rsa.example    RSA key, SPF 192.0.2.10, DMARC p=reject
# ed.example     Ed25519 key, SPF 192.0.2.20, DMARC p=quarantine
# plain.example  no key, SPF 192.0.2.30, DMARC p=none
# weak.example   RSA key (same as rsa.example), SPF 192.0.2.10, p=none
# mx1.helo.example  a HELO name with SPF 192.0.2.40 (null sender case)
ZONE=$E2E_TMP/zone
rsa_txt=$(e2e_key_rsa rsa)
ed_txt=$(e2e_key_ed25519 ed)
cat >"$ZONE" <<EOF
\$STATIC example
rsa.example 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.rsa.example 300 IN TXT "v=DMARC1; p=reject"
sel._domainkey.rsa.example 300 IN TXT $rsa_txt
mx.rsa.example 300 IN A 192.0.2.10
mx.rsa.example 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
ed.example 300 IN TXT "v=spf1 ip4:192.0.2.20 -all"
_dmarc.ed.example 300 IN TXT "v=DMARC1; p=quarantine"
sel._domainkey.ed.example 300 IN TXT $ed_txt
mx.ed.example 300 IN A 192.0.2.20
mx.ed.example 300 IN TXT "v=spf1 ip4:192.0.2.20 -all"
plain.example 300 IN TXT "v=spf1 ip4:192.0.2.30 -all"
_dmarc.plain.example 300 IN TXT "v=DMARC1; p=none"
mx.plain.example 300 IN A 192.0.2.30
mx.plain.example 300 IN TXT "v=spf1 ip4:192.0.2.30 -all"
weak.example 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.weak.example 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.weak.example 300 IN TXT $rsa_txt
mx1.helo.example 300 IN A 192.0.2.40
mx1.helo.example 300 IN TXT "v=spf1 ip4:192.0.2.40 -all"
EOF

e2e_start_redis
# The sender state has its own test (test_state.sh): off here, so these
# expectations stay about authentication.
E2E_RW_EXTRA="internal_relays = [ \"127.0.0.0/8\" ];
state_enable = false;
${E2E_RW_EXTRA:-}"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

# ---- helpers ----

msgid_of() {
	sed -n 's/^Message-ID: <\(.*\)>$/\1/Ip' "$1" | head -n 1
}

# deliver CASE ADDR HELO MAILFROM FILE: sends FILE with swaks as client
# ADDR/HELO, expects 250, sets F to the delivered (or held) copy.
deliver() {
	local c=$1 addr=$2 helo=$3 from=$4 file=$5 code
	F=/nonexistent
	code=$(e2e_send_swaks "$addr" "$helo" "$helo" "$from" "$RCPT" "$file")
	e2e_expect_eq "$c: accepted at end of DATA" 250 "$code" || return 1
	collect "$c" "$file"
}

collect() {
	local c=$1 file=$2
	F=$(e2e_wait_msg "$(msgid_of "$file")") || {
		F=/nonexistent
		e2e_not_ok "$c: message arrives" \
		    "expected: in the maildir or the hold queue within 10 s" \
		    "found:    nothing"
		return 1
	}
	AR=$(e2e_ar "$F")
	e2e_expect_eq "$c: exactly one Authentication-Results of ours" 1 \
	    "$($E2E_TOOL ar-ids "$F" | grep -c -i -x -F "$E2E_AUTHSERV")"
	return 0
}

# expect C WORD...: a result line of our A-R holds every WORD.
expect() {
	local c=$1
	shift
	e2e_expect_line "$c: A-R has $*" "$AR" "$@"
}

# agree CASE FILE ADDR HELO MAILFROM: relaywarden-check --json on the
# message as sent gives the results the delivered header carries.
agree() {
	local c=$1 file=$2 addr=$3 helo=$4 from=$5 j=$M/$1.json rc
	"$CHECK" -c "$E2E_RW_CONF" --client-ip "$addr" --helo "$helo" \
	    --mail-from "$from" --json "$file" >"$j" 2>"$j.err"
	rc=$?
	e2e_expect_eq "$c: relaywarden-check exits 0" 0 "$rc" || {
		cat "$j.err"
		return 1
	}
	e2e_expect_eq "$c: relaywarden-check --json agrees with the header" \
	    "$($E2E_TOOL summary-ar "$F" "$E2E_AUTHSERV" | paste -s -d ' ')" \
	    "$($E2E_TOOL summary-json "$j" 2>&1 | paste -s -d ' ')"
	e2e_expect_eq "$c: its authentication_results = the delivered one" \
	    "$(e2e_ar "$F" | sort | paste -s -d '|')" \
	    "$($E2E_TOOL ar-json "$j" 2>&1 | sort | paste -s -d '|')"
}

# expect_log C WORD...: the milter's verdict line for this message (the
# queue id Postfix wrote in its Received header) holds every WORD.
expect_log() {
	local c=$1 qid
	shift
	qid=$($E2E_TOOL queue-id "$F")
	e2e_expect_line "$c: milter log line for $qid has $*" \
	    "$(grep -F " $qid: action=" "$E2E_TMP/rw/milter.log" |
	    sed 's/^.* action=/action=/')" "$@"
}

# control C EXPECTED: the independent verifier (dkimpy) on the delivered
# copy, so a DKIM failure can be told apart from a broken test message.
control() {
	e2e_expect_eq "$1: control verifier (dkimpy) on the delivered copy" \
	    "$2" "$($E2E_TOOL verify "$F" "$ZONE" 2>/dev/null | paste -s -d ' ')"
}

# ---- a) RSA-signed, from an address SPF authorises ----
c=a-rsa
e2e_msg "$M/$c.raw" alice@rsa.example "$RCPT" "invoice" "$c@e2e"
e2e_sign_rsa "$M/$c.raw" rsa.example sel rsa >"$M/$c.eml"
if deliver "$c" 192.0.2.10 mx.rsa.example alice@rsa.example "$M/$c.eml"
then
	expect $c spf=pass smtp.mailfrom=alice@rsa.example
	expect $c spf=pass smtp.helo=mx.rsa.example
	expect $c dkim=pass header.d=rsa.example header.s=sel
	expect $c dmarc=pass header.from=rsa.example
	control $c "rsa.example sel rsa-sha256 pass"
	agree $c "$M/$c.eml" 192.0.2.10 mx.rsa.example alice@rsa.example
	expect_log $c spf=pass dkim=pass:rsa.example dmarc=pass \
	    relay=192.0.2.10
	e2e_expect_match "$c: X-Relaywarden verdict header" \
	    '^action=[a-z]+; score=-?[0-9]+; reasons=' \
	    "$(e2e_header "$F" X-Relaywarden)"
fi

# ---- b) Ed25519-signed; and signed twice (Ed25519 and RSA, RFC 8463) ----
c=b-ed25519
e2e_msg "$M/$c.raw" carol@ed.example "$RCPT" "ed" "$c@e2e"
e2e_sign_ed25519 "$M/$c.raw" ed.example sel ed >"$M/$c.eml"
if deliver "$c" 192.0.2.20 mx.ed.example carol@ed.example "$M/$c.eml"
then
	expect $c dkim=pass header.d=ed.example header.a=ed25519-sha256
	expect $c spf=pass smtp.mailfrom=carol@ed.example
	expect $c dmarc=pass header.from=ed.example
	control $c "ed.example sel ed25519-sha256 pass"
	agree $c "$M/$c.eml" 192.0.2.20 mx.ed.example carol@ed.example
fi
c=b-dual
e2e_msg "$M/$c.raw" carol@ed.example "$RCPT" "dual" "$c@e2e"
e2e_sign_ed25519 "$M/$c.raw" ed.example sel ed >"$M/$c.ed"
e2e_sign_rsa "$M/$c.ed" weak.example sel rsa >"$M/$c.eml"
if deliver "$c" 192.0.2.20 mx.ed.example carol@ed.example "$M/$c.eml"
then
	expect $c dkim=pass header.d=ed.example header.a=ed25519-sha256
	expect $c dkim=pass header.d=weak.example header.a=rsa-sha256
	expect $c dmarc=pass header.from=ed.example
	agree $c "$M/$c.eml" 192.0.2.20 mx.ed.example carol@ed.example
fi

# ---- c) forged: body changed after signing, client not in SPF ----
# weak.example publishes p=none, so the message must be delivered.
c=c-forged
e2e_msg "$M/$c.raw" alice@weak.example "$RCPT" "invoice" "$c@e2e"
e2e_sign_rsa "$M/$c.raw" weak.example sel rsa |
    sed 's/^Amount: 100 EUR$/Amount: 900 EUR/' >"$M/$c.eml"
if deliver "$c" 203.0.113.66 mx.attacker.example alice@weak.example \
    "$M/$c.eml"
then
	expect $c dkim=fail header.d=weak.example
	expect $c spf=fail smtp.mailfrom=alice@weak.example
	expect $c dmarc=fail header.from=weak.example
	control $c "weak.example sel rsa-sha256 fail"
	agree $c "$M/$c.eml" 203.0.113.66 mx.attacker.example \
	    alice@weak.example
fi
# The same forgery of a p=reject domain: whatever the verdict, Postfix must
# do what relaywarden-check says the milter does.
c=c-reject
e2e_msg "$M/$c.raw" alice@rsa.example "$RCPT" "invoice" "$c@e2e"
e2e_sign_rsa "$M/$c.raw" rsa.example sel rsa |
    sed 's/^Amount: 100 EUR$/Amount: 900 EUR/' >"$M/$c.eml"
"$CHECK" -c "$E2E_RW_CONF" --client-ip 203.0.113.66 \
    --helo mx.attacker.example --mail-from alice@rsa.example --json \
    "$M/$c.eml" >"$M/$c.json" 2>"$M/$c.json.err"
action=$($E2E_PY -c 'import json, sys
print(json.load(open(sys.argv[1]))["verdict"]["action"])' "$M/$c.json" \
    2>/dev/null || echo "no verdict.action in relaywarden-check --json")
code=$(e2e_send_swaks 203.0.113.66 mx.attacker.example mx.attacker.example \
    alice@rsa.example "$RCPT" "$M/$c.eml")
case $code in
5*) outcome=reject ;;
4*) outcome=tempfail ;;
250)
	if collect $c "$M/$c.eml"; then
		expect $c dmarc=fail header.from=rsa.example
		expect $c dkim=fail header.d=rsa.example
		case $F in
		*/held-*) outcome=quarantine ;;
		*) outcome=delivered ;;
		esac
	else
		outcome=lost
	fi
	;;
*) outcome="reply $code" ;;
esac
case $action in
accept|tag) want=delivered ;;
*) want=$action ;;
esac
e2e_expect_eq "$c: Postfix did what relaywarden-check predicts ($action)" \
    "$want" "$outcome"

# ---- d) unsigned: dkim=none, DMARC passes by aligned SPF ----
c=d-unsigned
e2e_msg "$M/$c.eml" dave@plain.example "$RCPT" "plain" "$c@e2e"
if deliver "$c" 192.0.2.30 mx.plain.example dave@plain.example "$M/$c.eml"
then
	expect $c dkim=none
	e2e_expect_no_line "$c: no dkim=pass" "$AR" dkim=pass
	expect $c spf=pass smtp.mailfrom=dave@plain.example
	expect $c dmarc=pass header.from=plain.example
	agree $c "$M/$c.eml" 192.0.2.30 mx.plain.example dave@plain.example
fi

# ---- e) forged Authentication-Results claiming our authserv-id ----
c=e-forged-ar
e2e_msg "$M/$c.eml" dave@plain.example "$RCPT" "ar" "$c@e2e" \
"Authentication-Results: mx.relaywarden.example; spf=pass smtp.mailfrom=forged-1@plain.example
authentication-results: MX.RelayWarden.EXAMPLE; dkim=pass header.d=forged-2.example
Authentication-Results: (trust me) mx.relaywarden.example; dmarc=pass header.from=forged-3.example
Authentication-Results: mx.relaywarden.example 1; dkim=pass header.d=forged-4.example
Authentication-Results:
	mx.relaywarden.example;
	dkim=pass header.d=forged-5.example
Authentication-Results: mx.other.example; spf=pass smtp.mailfrom=kept-1@other.example
Authentication-Results: mx.relaywarden.example.other.example; dkim=pass header.d=kept-2.example"
if deliver "$c" 192.0.2.30 mx.plain.example dave@plain.example "$M/$c.eml"
then
	hdrs=$(e2e_header "$F" Authentication-Results)
	e2e_expect_no_line "$c: forged A-R removed (plain)" "$hdrs" \
	    "smtp.mailfrom=forged-1@plain.example"
	e2e_expect_no_line "$c: forged A-R removed (other case)" "$hdrs" \
	    "header.d=forged-2.example"
	e2e_expect_no_line "$c: forged A-R removed (leading comment)" \
	    "$hdrs" "header.from=forged-3.example"
	e2e_expect_no_line "$c: forged A-R removed (with version)" "$hdrs" \
	    "header.d=forged-4.example"
	e2e_expect_no_line "$c: forged A-R removed (folded)" "$hdrs" \
	    "header.d=forged-5.example"
	e2e_expect_line "$c: third-party A-R kept" "$hdrs" \
	    "smtp.mailfrom=kept-1@other.example"
	e2e_expect_line "$c: look-alike authserv-id kept" "$hdrs" \
	    "header.d=kept-2.example"
	expect $c spf=pass smtp.mailfrom=dave@plain.example
	expect $c dkim=none
	expect $c dmarc=pass header.from=plain.example
fi

# ---- f) three messages in one SMTP session, separate results ----
c=f-session
e2e_msg "$M/f1.raw" alice@rsa.example "$RCPT" "f1" "f1@e2e"
e2e_sign_rsa "$M/f1.raw" rsa.example sel rsa >"$M/f1.eml"
e2e_msg "$M/f2.eml" carol@ed.example "$RCPT" "f2" "f2@e2e"
e2e_msg "$M/f3.raw" carol@ed.example "$RCPT" "f3" "f3@e2e"
e2e_sign_ed25519 "$M/f3.raw" ed.example sel ed >"$M/f3.eml"
out=$(e2e_send_session 192.0.2.10 mx.rsa.example mx.rsa.example \
    alice@rsa.example "$RCPT" "$M/f1.eml" \
    carol@ed.example "$RCPT" "$M/f2.eml" \
    alice@rsa.example "$RCPT" "$M/f3.eml" 2>&1)
e2e_expect_eq "$c: three messages accepted in one session" "250 250 250" \
    "$(echo "$out" | awk '{ print $2 }' | paste -s -d ' ')"
if collect f1 "$M/f1.eml"; then
	expect f1 spf=pass smtp.mailfrom=alice@rsa.example
	expect f1 dkim=pass header.d=rsa.example
	expect f1 dmarc=pass header.from=rsa.example
	e2e_expect_no_line "f1: no Ed25519 result" "$AR" header.d=ed.example
fi
if collect f2 "$M/f2.eml"; then
	expect f2 spf=fail smtp.mailfrom=carol@ed.example
	expect f2 dkim=none
	expect f2 dmarc=fail header.from=ed.example
	e2e_expect_no_line "f2: no result of f1 carried over" "$AR" dkim=pass
fi
if collect f3 "$M/f3.eml"; then
	expect f3 spf=pass smtp.mailfrom=alice@rsa.example
	expect f3 dkim=pass header.d=ed.example header.a=ed25519-sha256
	expect f3 dmarc=pass header.from=ed.example
	e2e_expect_no_line "f3: no result of f1 carried over" "$AR" \
	    header.d=rsa.example
fi

# ---- g) null sender: SPF of the HELO name ----
c=g-null-pass
e2e_msg "$M/$c.eml" MAILER-DAEMON@mx1.helo.example "$RCPT" "bounce" "$c@e2e"
if deliver "$c" 192.0.2.40 mx1.helo.example '<>' "$M/$c.eml"; then
	expect $c spf=pass smtp.helo=mx1.helo.example
	e2e_expect_no_line "$c: no SPF fail" "$AR" spf=fail
fi
c=g-null-fail
e2e_msg "$M/$c.eml" MAILER-DAEMON@mx1.helo.example "$RCPT" "bounce" "$c@e2e"
if deliver "$c" 203.0.113.66 mx1.helo.example '<>' "$M/$c.eml"; then
	expect $c spf=fail smtp.helo=mx1.helo.example
fi

# ---- h) internal relay on loopback: SPF of the first external hop ----
# Sent from 127.0.0.1 without XCLIENT.  libspf2 says "pass" for any
# loopback client before reading the record; the milter must instead check
# the hop in the Received header below the internal relay.
for hop in 192.0.2.10:pass 203.0.113.66:fail; do
	c=h-relay-${hop#*:}
	e2e_msg "$M/$c.eml" alice@rsa.example "$RCPT" "relayed" "$c@e2e" \
"Received: from mx.rsa.example (mx.rsa.example [${hop%:*}])
	by gw.internal.example (Postfix) with ESMTP id 4QxYz1
	for <$RCPT>; $(LC_ALL=C date -R)"
	out=$(e2e_send_session - localhost localhost \
	    alice@rsa.example "$RCPT" "$M/$c.eml" 2>&1)
	e2e_expect_eq "$c: accepted from 127.0.0.1" 250 \
	    "$(echo "$out" | awk '{ print $2 }')"
	if collect $c "$M/$c.eml"; then
		expect $c "spf=${hop#*:}" smtp.mailfrom=alice@rsa.example
		expect_log $c "relay=${hop%:*}" "spf=${hop#*:}"
	fi
done

e2e_summary
