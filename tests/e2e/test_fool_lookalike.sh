#!/bin/bash
# test_fool_lookalike.sh - issue 11 items 4 and 6 end to end: lookalikes
# of learned correspondents and partners, and display names that borrow
# an organisation's name, through the real milter, a private Postfix and
# a private Redis (tests/e2e/lib.sh), in ONE milter run.
#
# The history learns two correspondents first, from authenticated mail:
# northwind-audit.example, then northwind.example (its sibling, itself
# known).  The partners fabrikam.example and name-audit.example are
# declared; ourorg.example is protected and Jane Doe a listed person.
# Every attacker domain publishes SPF, DKIM and DMARC and signs: a
# lookalike authenticates perfectly, because the attacker owns it.
#
# Attacks, each must be held (quarantine, Postfix hold queue):
#   a1 homoglyph (Cyrillic o) of the learned northwind.example
#   a2 vv for w of it               a3 northwind-billing (a word added)
#   a4 northwind.org (TLD swap)     a5 name-audit-invoices (partner)
#   a6 fabrikarn.example: a fully authenticated lookalike of a partner
#   a7 "Fabrikam Finance" from a new freemail address
#   a8 "Name Audit - Accounts" from it (the partner's name in words)
#   a9 "OurOrg Payroll" from a first-contact domain
#   a10 "Jane Doe" from a freemail address with a Reply-To elsewhere
# Benign, each must stay at accept or tag:
#   b1 a list rewriting From to its own address, DKIM-signed by the list
#   b2 a SaaS sending as Jane Doe "via" the service, signing for
#      ourorg.example (aligned)
#   b3 northwind-audit.example, the known sibling of a known one
#   b4 northwind-eu.example, a new sibling signed by northwind.example
#   b5 northwind.example itself, and a clean first contact
# Prints "attack held: ..." / "benign left alone: ..." per scenario.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
NW=northwind.example
NWA=northwind-audit.example
CYR=xn--nrthwind-nbh.example		# n + Cyrillic o + rthwind

# ---- zone: one relay address per sender domain, SPF, DMARC, DKIM ----
ZONE=$E2E_TMP/zone
nw_txt=$(e2e_key_rsa nw)
att_txt=$(e2e_key_rsa att)
lst_txt=$(e2e_key_rsa lst)
our_txt=$(e2e_key_rsa our)
{
	printf '$STATIC example\n$STATIC org\n$STATIC in-addr.arpa\n'
} >"$ZONE"
N=10
declare -A IP
# sender DOMAIN [KEYTXT]: SPF for a relay of its own, DMARC p=none.
sender() {
	N=$((N + 1))
	IP[$1]=192.0.2.$N
	cat >>"$ZONE" <<EOF
$1 300 IN TXT "v=spf1 ip4:192.0.2.$N -all"
_dmarc.$1 300 IN TXT "v=DMARC1; p=none"
mx.$1 300 IN A 192.0.2.$N
EOF
	[ -n "${2:-}" ] && echo "sel._domainkey.$1 300 IN TXT $2" >>"$ZONE"
}
sender $NW "$nw_txt"
sender $NWA "$nw_txt"
sender northwind-eu.example
sender $CYR "$att_txt"
sender northvvind.example "$att_txt"
sender northwind-billing.example "$att_txt"
sender northwind.org "$att_txt"
sender name-audit-invoices.example "$att_txt"
sender fabrikarn.example "$att_txt"
sender freemail.example
sender newco.example
sender lists.example "$lst_txt"
sender ourorg.example "$our_txt"
sender plain.example

RW_BASE="protected_domains = [ \"ourorg.example\" ];
partners = ( { domain = \"fabrikam.example\"; },
    { domain = \"name-audit.example\"; } );
people = ( { name = \"Jane Doe\";
    addresses = [ \"jane.doe@ourorg.example\" ]; } );
state_known_refresh_s = 1;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;"
e2e_start_redis
E2E_RW_EXTRA=$RW_BASE
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

# ---- helpers ----
msgid_of() {
	sed -n 's/^Message-ID: <\(.*\)>$/\1/Ip' "$1" | head -n 1
}

# mk NAME FROM_HEADER [SIGN_DOMAIN KEY [EXTRA_HEADERS]]: $M/NAME.eml
mk() {
	e2e_msg "$M/$1.raw" "$2" "$RCPT" "invoice $1" "$1@fool" "${5:-}"
	if [ -n "${3:-}" ]; then
		e2e_sign_rsa "$M/$1.raw" "$3" sel "$4" >"$M/$1.eml"
	else
		cp "$M/$1.raw" "$M/$1.eml"
	fi
}

# send NAME DOMAIN ENVFROM: from DOMAIN's own relay; sets F (delivered
# or held copy) and VH (its X-Relaywarden), 1 when it did not arrive.
send() {
	local code ip=${IP[$2]}
	code=$(e2e_send_swaks "$ip" "mx.$2" "mx.$2" "$3" "$RCPT" \
	    "$M/$1.eml")
	e2e_expect_eq "$1: accepted by SMTP" 250 "$code"
	VH=
	F=$(e2e_wait_msg "$(msgid_of "$M/$1.eml")") || {
		F=/nonexistent
		e2e_not_ok "$1: message arrives" "nothing within 10 s"
		return 1
	}
	VH=$(e2e_header "$F" X-Relaywarden)
	e2e_log "$1: $VH"
	return 0
}

ATTACKS=0 HELD=0 BENIGN=0 LEFT=0
# attack NAME WHAT: the message must be held
attack() {
	ATTACKS=$((ATTACKS + 1))
	case $F in
	*/held-*)
		HELD=$((HELD + 1))
		e2e_ok "attack held: $1 ($2) [$VH]" ;;
	*)
		e2e_not_ok "attack held: $1 ($2)" "found: $VH" ;;
	esac
}

# benign NAME WHAT: delivered, at accept or tag
benign() {
	BENIGN=$((BENIGN + 1))
	case $F:$VH in
	"$E2E_MAILDIR"/*:action=accept\;* | "$E2E_MAILDIR"/*:action=tag\;*)
		LEFT=$((LEFT + 1))
		e2e_ok "benign left alone: $1 ($2) [$VH]" ;;
	*)
		e2e_not_ok "benign left alone: $1 ($2)" "found: $F $VH" ;;
	esac
}

has_reason() {
	e2e_expect_match "$1: reasons name $2" \
	    "reasons=([^;]*[, ])?$2([(,;]|$)" "$VH"
}

# ======== the history learns two correspondents ========
mk t1 "Audit <a@$NWA>" $NWA nw
send t1 $NWA "a@$NWA" && e2e_expect_eq "t1: first contact, accepted" \
    "action=accept; score=1; reasons=first_contact($NWA)" "$VH"
mk t2 "Alice <alice@$NW>" $NW nw
send t2 $NW "alice@$NW" && e2e_expect_eq "t2: first contact, accepted" \
    "action=accept; score=1; reasons=first_contact($NW)" "$VH"
mk t3 "Alice <alice@$NW>" $NW nw
send t3 $NW "alice@$NW" && e2e_expect_eq "t3: known now" \
    "action=accept; score=0; reasons=" "$VH"
# the refresher reads the known correspondents every second
sleep 3

# ======== attacks ========
mk a1 "Alice <alice@$CYR>" $CYR att
send a1 $CYR "alice@$CYR" && has_reason a1 lookalike_known
attack a1 "homoglyph of a learned correspondent"

mk a2 "Alice <alice@northvvind.example>" northvvind.example att
send a2 northvvind.example alice@northvvind.example &&
    has_reason a2 lookalike_known
attack a2 "vv for w in a learned correspondent"

mk a3 "Billing <billing@northwind-billing.example>" \
    northwind-billing.example att
send a3 northwind-billing.example billing@northwind-billing.example &&
    has_reason a3 lookalike_known
attack a3 "a word added to a learned correspondent"

mk a4 "Alice <alice@northwind.org>" northwind.org att
send a4 northwind.org alice@northwind.org && has_reason a4 lookalike_known
attack a4 "a learned correspondent under another TLD"

mk a5 "Accounts <acc@name-audit-invoices.example>" \
    name-audit-invoices.example att
send a5 name-audit-invoices.example acc@name-audit-invoices.example &&
    has_reason a5 lookalike_protected
attack a5 "a word added to a hyphenated partner"

mk a6 "Accounts <pay@fabrikarn.example>" fabrikarn.example att
send a6 fabrikarn.example pay@fabrikarn.example &&
    has_reason a6 lookalike_protected
e2e_expect_line "a6: DMARC pass (the lookalike authenticates)" \
    "$(e2e_ar "$F")" dmarc=pass
attack a6 "a fully authenticated lookalike of a partner"

mk a7 "Fabrikam Finance <fabrikam.finance@freemail.example>"
send a7 freemail.example fabrikam.finance@freemail.example &&
    has_reason a7 display_brand
attack a7 "a partner's name from freemail"

mk a8 "Name Audit - Accounts <nameaudit@freemail.example>"
send a8 freemail.example nameaudit@freemail.example &&
    has_reason a8 display_brand
attack a8 "a hyphenated partner's name in words"

mk a9 "OurOrg Payroll <payroll@newco.example>"
send a9 newco.example payroll@newco.example && has_reason a9 display_brand
attack a9 "our own name from a first contact"

mk a10 "Jane Doe <jane.doe.ceo@freemail.example>" "" "" \
    "Reply-To: jane.doe@plain.example"
send a10 freemail.example jane.doe.ceo@freemail.example &&
    has_reason a10 display_person
attack a10 "a listed person from freemail, Reply-To elsewhere"

# ======== benign ========
mk b1 "\"'alice@$NW' via Forum\" <forum@lists.example>" lists.example lst \
    "List-Id: Forum <forum.lists.example>
List-Post: <mailto:forum@lists.example>
Reply-To: alice@$NW"
send b1 lists.example forum-bounces@lists.example
benign b1 "a list rewriting From, signed by the list"

mk b2 "Jane Doe via HRTool <hr-noreply@ourorg.example>" ourorg.example our
send b2 ourorg.example bounces@ourorg.example
benign b2 "a SaaS sending as a listed person, signing for our domain"

mk b3 "Audit <a@$NWA>" $NWA nw
send b3 $NWA "a@$NWA"
benign b3 "a known correspondent's known sibling"

mk b4 "EU office <eu@northwind-eu.example>" $NW nw
send b4 northwind-eu.example eu@northwind-eu.example
benign b4 "a new sibling signed by the correspondent itself"

mk b5 "Alice <alice@$NW>" $NW nw
send b5 $NW "alice@$NW" && e2e_expect_eq "b5: the correspondent, clean" \
    "action=accept; score=0; reasons=" "$VH"
benign b5 "the learned correspondent itself"

mk b6 "Carl <carl@plain.example>"
send b6 plain.example carl@plain.example
benign b6 "a clean first contact"

e2e_log "attacks held: $HELD of $ATTACKS; benign left alone: $LEFT of $BENIGN"
e2e_summary
