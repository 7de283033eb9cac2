#!/bin/bash
# test_fool_from.sh - issue 11 item 1, the From header, end to end through
# a private Postfix, the milter and a private redis-server (lib.sh).
#
# Attacks (each must be held):
#  a1  two From headers: a known correspondent's and the attacker's own,
#      SPF-authenticated domain (old main: DMARC permerror, score 0);
#  a2  the same two addresses in one From;
#  a3  a raw UTF-8 (RFC 6532) From at a Cyrillic homoglyph of a known
#      correspondent, the correspondent's address as display name: held
#      as its xn-- form is (a3x, the control);
#  a4  a raw UTF-8 From at an IDN correspondent that is also protected
#      (bücher.example, DMARC p=reject), from a new relay, not
#      authenticated (old main: score 0);
#  a5  two From headers, the first an unknown domain nobody signs for,
#      the SECOND the known correspondent, from a new relay: both
#      domains' histories are read in the one EVALSHA, so both novelty
#      reasons count (first_contact for the first, and
#      new_relay_unauthenticated for the second; the old main read only
#      the first's history).
# Benign counterparts (accept or tag):
#  b1  that IDN correspondent from its own relay, SPF aligned, raw UTF-8
#      From (first contact), then b2 the A-label From and b3 raw UTF-8
#      again: the same verdict, one history key (the A-label);
#  b4  a known correspondent with a display name full of commas and
#      quotes.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
P=partner.example
IP_P=192.0.2.10
HELO_P=mx1.partner.example
UB=bücher.example			# the IDN correspondent, as written
AB=xn--bcher-kva.example		# its A-label
IP_B=192.0.2.20
HELO_B=mx.$AB
E=evil.example				# the attacker's own domain
IP_E=203.0.113.66
HELO_E=mx.$E
LOOK_U=pаrtner.example			# Cyrillic a (U+0430)
LOOK_A=$(python3 -c 'import sys; print(sys.argv[1].encode("idna").decode())' "$LOOK_U" 2>/dev/null)
[ -n "$LOOK_A" ] || LOOK_A=xn--prtner-2nf.example

ZONE=$E2E_TMP/zone
partner_txt=$(e2e_key_rsa partner)
cat >"$ZONE" <<EOF
\$STATIC example
\$STATIC in-addr.arpa
$P 300 IN TXT "v=spf1 ip4:$IP_P -all"
_dmarc.$P 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.$P 300 IN TXT $partner_txt
$HELO_P 300 IN A $IP_P
10.2.0.192.in-addr.arpa 300 IN PTR $HELO_P.
$AB 300 IN TXT "v=spf1 ip4:$IP_B -all"
_dmarc.$AB 300 IN TXT "v=DMARC1; p=reject"
$HELO_B 300 IN A $IP_B
20.2.0.192.in-addr.arpa 300 IN PTR $HELO_B.
$E 300 IN TXT "v=spf1 ip4:$IP_E -all"
_dmarc.$E 300 IN TXT "v=DMARC1; p=none"
$HELO_E 300 IN A $IP_E
66.113.0.203.in-addr.arpa 300 IN PTR $HELO_E.
$LOOK_A 300 IN TXT "v=spf1 ip4:$IP_E -all"
EOF

# The protected IDN domain is configured in U-labels: the config's
# conversion and the From's must meet at the same A-label.
e2e_start_redis
E2E_RW_EXTRA="protected_domains = [ \"ourorg.example\", \"$UB\" ];
state_known_refresh_s = 1;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

HELD=0 BENIGN=0 NATT=0 NBEN=0

msgid_of() {
	sed -n 's/^Message-ID: <\(.*\)>$/\1/Ip' "$1" | head -n 1
}

# mk NAME "FROM LINE(S)" [SIGN-DOMAIN KEY]: $M/NAME.eml; the From lines
# are given whole ("From: ..." per line).
mk() {
	{
		printf '%s\n' "$2"
		printf 'To: %s\nSubject: order %s\n' "$RCPT" "$1"
		printf 'Date: %s\nMessage-ID: <%s@e2e>\n' \
		    "$(LC_ALL=C date -R)" "$1"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; '
		printf 'charset=utf-8\n\nHello,\n\nplease pay the invoice.\n'
	} >"$M/$1.raw"
	if [ -n "${3:-}" ]; then
		e2e_sign_rsa "$M/$1.raw" "$3" sel "$4" >"$M/$1.eml"
	else
		cp "$M/$1.raw" "$M/$1.eml"
	fi
}

# send NAME IP HELO MAILFROM: VH = the X-Relaywarden value, W = held or
# delivered, F = the copy.
send() {
	local code
	VH= W=none F=/nonexistent
	code=$(e2e_send_swaks "$2" "$3" "$3" "$4" "$RCPT" "$M/$1.eml")
	e2e_expect_eq "$1: accepted by SMTP" 250 "$code"
	F=$(e2e_wait_msg "$(msgid_of "$M/$1.eml")") || {
		F=/nonexistent
		e2e_not_ok "$1: message arrives" "found: nothing"
		return 1
	}
	case $F in
	*/held-*) W=held ;;
	*) W=delivered ;;
	esac
	VH=$(e2e_header "$F" X-Relaywarden)
	e2e_log "$1: $W [$VH]"
}

attack() {
	NATT=$((NATT + 1))
	if [ "$W" = held ]; then
		HELD=$((HELD + 1))
		e2e_ok "$1: attack held [$VH]"
	else
		e2e_not_ok "$1: attack held" "found: $W [$VH]"
	fi
}

benign() {
	NBEN=$((NBEN + 1))
	if [ "$W" = delivered ] &&
	    printf '%s' "$VH" | grep -q -E '^action=(accept|tag);'; then
		BENIGN=$((BENIGN + 1))
		e2e_ok "$1: benign left alone [$VH]"
	else
		e2e_not_ok "$1: benign left alone" "found: $W [$VH]"
	fi
}

has_reason() {
	e2e_expect_match "$1: reasons name $2" \
	    "reasons=([^;]*[, ])?$2([(,;]|$)" "$VH"
}

no_reason() {
	if printf '%s\n' "$VH" | grep -E -q "reasons=([^;]*[, ])?$2([(,;]|$)"
	then
		e2e_not_ok "$1: reasons do not name $2" "found: $VH"
	else
		e2e_ok "$1: reasons do not name $2"
	fi
}

reasons_of() {
	# names only: details in parentheses and folding spaces dropped
	printf '%s' "$1" | sed -n 's/.*reasons=\([^;]*\).*/\1/p' |
	    sed 's/([^)]*)//g; s/ //g'
}

# ---- the known correspondent learns its road (aligned DKIM) ----
mk t1 "From: Alice <alice@$P>" $P partner
send t1 $IP_P $HELO_P "alice@$P"
mk t2 "From: Alice <alice@$P>" $P partner
send t2 $IP_P $HELO_P "alice@$P"
e2e_expect_eq "t2: the correspondent is known" \
    "action=accept; score=0; reasons=" "$VH"

# ---- b1-b3: an IDN correspondent, UTF-8 and A-label From ----
mk b1 "From: Jörg <joerg@$UB>"
send b1 $IP_B $HELO_B "joerg@$AB" && benign b1
has_reason b1 first_contact
e2e_expect_match "b1: DMARC pass at the A-label" \
    "dmarc=pass.*header.from=$AB" "$(e2e_ar "$F")"
mk b2 "From: Jörg <joerg@$AB>"
send b2 $IP_B $HELO_B "joerg@$AB" && benign b2
V2=$VH
mk b3 "From: Jörg <joerg@$UB>"
send b3 $IP_B $HELO_B "joerg@$AB" && benign b3
e2e_expect_eq "b3: raw UTF-8 From, the same verdict as the A-label" \
    "$V2" "$VH"
# The sender's history keys (an infrastructure's counter, rw:infra:,
# may be named after the same domain when it is the relay's).
keys=$(e2e_redis --scan --pattern "*$AB*" | grep -v ':infra:' | grep -c .)
e2e_expect_eq "b1-b3: one history key, at the A-label" 1 "$keys"
ukeys=$(e2e_redis --scan --pattern '*' | LC_ALL=C grep -c -P '[\x80-\xff]')
e2e_expect_eq "b1-b3: no history key in UTF-8" 0 "$ukeys"

# ---- b4: display name with commas and quotes ----
mk b4 "From: \"Doe, Alice \\\"Accounts\\\", Finance\" <alice@$P>" $P partner
send b4 $IP_P $HELO_P "alice@$P" && benign b4
no_reason b4 from_ambiguous

# The lookalike index reads the history (state_known_refresh_s = 1).
sleep 3

# ---- a1: two From headers ----
mk a1 "From: Alice <alice@$P>
From: Billing <billing@$E>"
send a1 $IP_E $HELO_E "billing@$E" && attack a1
has_reason a1 from_ambiguous

# ---- a2: two addresses in one From ----
mk a2 "From: Alice <alice@$P>, Billing <billing@$E>"
send a2 $IP_E $HELO_E "billing@$E" && attack a2
has_reason a2 from_ambiguous

# ---- a3: raw UTF-8 homoglyph of the known correspondent ----
mk a3x "From: \"alice@$P\" <alice@$LOOK_A>"
send a3x $IP_E $HELO_E "alice@$LOOK_A"
VX=$VH WX=$W
mk a3 "From: \"alice@$P\" <alice@$LOOK_U>"
send a3 $IP_E $HELO_E "alice@$LOOK_A" && attack a3
e2e_expect_eq "a3: the same reasons as its xn-- form ($WX)" \
    "$(reasons_of "$VX")" "$(reasons_of "$VH")"

# ---- a4: raw UTF-8 From of the protected IDN correspondent, new relay ----
mk a4 "From: Jörg <joerg@$UB>"
send a4 $IP_E $HELO_E "billing@$E" && attack a4
e2e_expect_match "a4: DMARC evaluated at the A-label" \
    "dmarc=fail.*header.from=$AB" "$(e2e_ar "$F")"

# ---- a5: the known correspondent as the SECOND From, new relay ----
evals0=$(e2e_redis info commandstats | sed -n \
    's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p')
mk a5 "From: Billing <billing@nobody.example>
From: Alice <alice@$P>"
send a5 $IP_E $HELO_E "billing@$E" && attack a5
has_reason a5 from_ambiguous
has_reason a5 first_contact
has_reason a5 new_relay_unauthenticated
evals1=$(e2e_redis info commandstats | sed -n \
    's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p')
e2e_expect_eq "a5: one EVALSHA for both author domains" 1 \
    "$(( ${evals1:-0} - ${evals0:-0} ))"
keys=$(e2e_redis --scan --pattern '*nobody.example*' | grep -c .)
e2e_expect_eq "a5: the first author domain is not written" 0 "$keys"

echo "# From header: attacks held $HELD/$NATT, benign left alone $BENIGN/$NBEN"
e2e_summary
