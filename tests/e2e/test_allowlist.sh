#!/bin/bash
# test_allowlist.sh - issue 13 item 2 end to end: allow-list entries
# through a private Postfix, the milter and a private redis-server
# (lib.sh).  quarantine_score = 1 holds every first contact, so an entry
# that applies shows as a delivered message whose X-Relaywarden says
# allowed="..." with first_contact among the what-if rules; one that must
# not apply leaves the message held, without allowed=.
#  A  sender address alerts@addr.example (authenticated): exempt; another
#     address of the same domain: not.
#  D  sender domain .dom.example: a subdomain's authenticated mail is
#     exempt; the same From from a relay its SPF does not name (DMARC
#     fails: anyone can write that From) is not.
#  N  network 198.51.100.0/24 (the SMTP client): exempt; the same sender
#     from 203.0.113.9: not.
#  R  recipient abuse@rcpt.example: exempt; the same message to abuse@
#     and bob@ together: not (every recipient must be listed).
#  S  recipient domain @sec.rcpt.example: exempt.
#  H  a program attached to abuse@ (entry "*"): still held; to samples@
#     (an entry naming attach_executable and attach_banned_extension):
#     delivered.
#  E  an expired entry: relaywarden -n and the start warn, not applied.
#  L  a reload adds an entry: held before, exempt after.
# Also the log line and relaywarden-check's JSON carry allowed=.
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@$E2E_DOMAIN
IP=192.0.2.10
IP_NET=198.51.100.7
IP_OUT=203.0.113.9
IP_BAD=192.0.2.99

ZONE=$E2E_TMP/zone
{
	echo '$STATIC example'
	for d in addr.example sub.dom.example ipnet.example rcptaddr.example \
	    rcptdom.example expired.example reload.example; do
		echo "$d 300 IN TXT \"v=spf1 ip4:$IP ip4:$IP_NET ip4:$IP_OUT -all\""
		echo "_dmarc.$d 300 IN TXT \"v=DMARC1; p=none\""
	done
	echo "samples.example 300 IN TXT \"v=spf1 ip4:$IP -all\""
	echo "_dmarc.samples.example 300 IN TXT \"v=DMARC1; p=none\""
	echo "_dmarc.dom.example 300 IN TXT \"v=DMARC1; p=none\""
} >"$ZONE"

RW_BASE="tag_score = 0;
quarantine_score = 1;
state_known_refresh_s = 0;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;"
ALLOW="allowlist = (
 { senders = [ \"alerts@addr.example\" ]; rules = [ \"*\" ];
   expires = \"2099-12-31\"; comment = \"address entry\"; },
 { senders = [ \".dom.example\" ]; rules = [ \"first_contact\" ];
   expires = \"2099-12-31\"; comment = \"domain entry\"; },
 { senders = [ \"198.51.100.0/24\" ]; rules = [ \"first_contact\" ];
   expires = \"2099-12-31\"; comment = \"network entry\"; },
 { recipients = [ \"abuse@$E2E_DOMAIN\" ]; rules = [ \"*\" ];
   expires = \"2099-12-31\"; comment = \"abuse mailbox\"; },
 { recipients = [ \"@sec.$E2E_DOMAIN\" ]; rules = [ \"*\" ];
   expires = \"2099-12-31\"; comment = \"security team\"; },
 { senders = [ \"expired.example\" ]; rules = [ \"*\" ];
   expires = \"2020-01-01\"; comment = \"old entry\"; },
 { recipients = [ \"samples@$E2E_DOMAIN\" ];
   rules = [ \"first_contact\", \"attach_executable\",
     \"attach_banned_extension\", \"attach_new_sender\" ];
   expires = \"2099-12-31\"; comment = \"malware samples\"; }"
e2e_start_redis
E2E_RW_EXTRA="$RW_BASE
$ALLOW
);"
e2e_write_config "$ZONE"
e2e_start_milter
E2E_PF_EXTRA="virtual_mailbox_domains = $E2E_DOMAIN, sec.$E2E_DOMAIN"
e2e_start_postfix "$E2E_MILTER_SOCK"

e2e_expect_match "relaywarden -n warns of the expired entry" \
    'warning: allowlist entry 6 \("old entry"\): expired on 2020-01-01: not applied' \
    "$(cat "$E2E_TMP/rw/check.out")"
e2e_expect_match "the start logs the expired entry" \
    'allowlist entry 6 \("old entry"\): expired on 2020-01-01' \
    "$(cat "$E2E_TMP/rw/milter.log")"

N=0
# send NAME FROM IP MAILFROM TO...: VH = its X-Relaywarden, W = delivered
# | held | lost.
send() {
	local name=$1 from=$2 ip=$3 mf=$4 code id f
	shift 4
	N=$((N + 1))
	id=$name.$N@e2e
	e2e_msg "$M/$name.eml" "$from" "$1" "test $name" "$id"
	code=$(e2e_send_swaks "$ip" "mx.$name.example" "mx.$name.example" \
	    "$mf" "$(IFS=,; echo "$*")" "$M/$name.eml")
	[ "$code" = 250 ] || e2e_not_ok "$name: accepted by SMTP" "got $code"
	VH= W=lost
	f=$(e2e_wait_msg "$id") || {
		e2e_not_ok "$name: arrives" "nothing within 10 s"
		return 1
	}
	case $f in
	*/held-*) W=held ;;
	*) W=delivered ;;
	esac
	VH=$(e2e_header "$f" X-Relaywarden)
	echo "# $name: $W [$VH]"
}

# allowed NAME COMMENT ...: delivered, allowed="COMMENT", first_contact
# listed as what-if.
allowed() {
	local name=$1 comment=$2
	shift 2
	send "$name" "$@" || return
	case "$W $VH" in
	"delivered action=accept"*"whatif=first_contact"*"allowed=\"$comment\""*)
		e2e_ok "$name: exempt by \"$comment\" [$VH]" ;;
	*) e2e_not_ok "$name: exempt by \"$comment\"" "got $W [$VH]" ;;
	esac
}

# notallowed NAME ...: held, first_contact scored, no allowed=.
notallowed() {
	local name=$1
	shift
	send "$name" "$@" || return
	case "$W $VH" in
	*allowed=*) e2e_not_ok "$name: not exempt" "got $W [$VH]" ;;
	"held action=quarantine"*"reasons="*first_contact*)
		e2e_ok "$name: not exempt, held [$VH]" ;;
	*) e2e_not_ok "$name: not exempt, held" "got $W [$VH]" ;;
	esac
}

# A: sender address
allowed a_ok "address entry" alerts@addr.example $IP alerts@addr.example \
    $RCPT
notallowed a_other other@addr.example $IP other@addr.example $RCPT
# D: sender domain, authenticated or not
allowed d_ok "domain entry" pay@sub.dom.example $IP pay@sub.dom.example \
    $RCPT
notallowed d_forged pay@sub.dom.example $IP_BAD pay@sub.dom.example $RCPT
# N: the client's network
allowed n_ok "network entry" info@ipnet.example $IP_NET info@ipnet.example \
    $RCPT
notallowed n_out info@ipnet.example $IP_OUT info@ipnet.example $RCPT
# R: a recipient address, alone and with another recipient
allowed r_ok "abuse mailbox" x@rcptaddr.example $IP x@rcptaddr.example \
    abuse@$E2E_DOMAIN
notallowed r_two y@rcptaddr.example $IP y@rcptaddr.example \
    abuse@$E2E_DOMAIN $RCPT
# S: a recipient domain
allowed s_ok "security team" z@rcptdom.example $IP z@rcptdom.example \
    ir@sec.$E2E_DOMAIN
# E: expired
notallowed e_old news@expired.example $IP news@expired.example $RCPT

e2e_expect_match "the log line says allowed=" \
    'action=accept .*whatif=first_contact .*allowed="?network entry"?' \
    "$(cat "$E2E_TMP/rw/milter.log")"

# H: a program attached.  "*" leaves the hard quarantine in place (the
# score is 0, allowed= says why it was looked at); an entry naming the
# attachment rules one by one lets it through.
/usr/bin/python3 "$top_srcdir/tests/attach/mkpe.py" "$M/setup.bin" ||
	e2e_hard_error "mkpe.py failed"
hsend() {
	local name=$1 to=$2 code f
	N=$((N + 1))
	$E2E_TOOL mkatt "$M/$name.eml" mal@samples.example "$to" "sample" \
	    "$name.$N@e2e" "$M/setup.bin" setup.exe application/octet-stream
	code=$(e2e_send_swaks $IP mx.samples.example mx.samples.example \
	    mal@samples.example "$to" "$M/$name.eml")
	[ "$code" = 250 ] || e2e_not_ok "$name: accepted by SMTP" "got $code"
	VH= W=lost
	f=$(e2e_wait_msg "$name.$N@e2e") || {
		e2e_not_ok "$name: arrives" "nothing within 10 s"
		return 1
	}
	case $f in
	*/held-*) W=held ;;
	*) W=delivered ;;
	esac
	VH=$(e2e_header "$f" X-Relaywarden)
	echo "# $name: $W [$VH]"
}
hsend h_star abuse@$E2E_DOMAIN
case "$W $VH" in
"held action=quarantine; score=0;"*attach_executable*'allowed="abuse mailbox"'*)
	e2e_ok "h_star: \"*\" keeps the program held [$VH]" ;;
*) e2e_not_ok "h_star: \"*\" keeps the program held" "got $W [$VH]" ;;
esac
hsend h_named samples@$E2E_DOMAIN
case "$W $VH" in
"delivered action=accept; score=0;"*attach_executable*'allowed="malware samples"'*)
	e2e_ok "h_named: named rules let the program through [$VH]" ;;
*) e2e_not_ok "h_named: named rules let the program through" \
    "got $W [$VH]" ;;
esac

# relaywarden-check reads the same entries: the JSON verdict says allowed
j=$("$top_builddir/milter/relaywarden-check" -c "$E2E_RW_CONF" --json \
    --client-ip $IP --helo mx.c.example --mail-from x@rcptaddr.example \
    --rcpt abuse@$E2E_DOMAIN "$M/r_ok.eml" 2>&1)
e2e_expect_match "relaywarden-check --json: allowed" \
    '"allowed": "abuse mailbox"' "$j"

# L: a reload adds an entry
notallowed l_before hi@reload.example $IP hi@reload.example $RCPT
E2E_RW_EXTRA="$RW_BASE
$ALLOW,
 { senders = [ \"reload.example\" ]; rules = [ \"first_contact\" ];
   expires = \"2099-12-31\"; comment = \"added by reload\"; }
);"
e2e_write_config "$ZONE"
e2e_reload_milter
allowed l_after "added by reload" hi@reload.example $IP hi@reload.example \
    $RCPT

e2e_summary
