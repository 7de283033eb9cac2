#!/bin/bash
# test_outbound.sh - issue 13 item 1 end to end: our own mail going out
# is not judged as foreign.  A private Postfix with Cyrus SASL (sasldb)
# on its smtpd, the milter on smtpd_milters and non_smtpd_milters, a
# private redis-server (lib.sh).  ourorg.example is protected and
# publishes DMARC p=reject with an SPF record that allows none of the
# clients below.
#
#  a  alice@ourorg.example submits with SMTP AUTH (swaks --auth PLAIN)
#     from 203.0.113.9: Postfix hands the milter {auth_authen}; the
#     message is delivered at action=accept, direction=outbound, no
#     reasons, no Authentication-Results of ours; the log line says
#     via=auth auth_user=alice@ourorg.example.  (Old main: the milter
#     never read {auth_authen}: dmarc_fail_reject, tagged.)
#  b  the same From from an internal host (192.0.2.44 in internal_hosts,
#     no AUTH): accept, direction=outbound via=internal_host.  (Old main:
#     internal_hosts is an unknown setting.)
#  p  the same From through sendmail(1)/pickup (non_smtpd_milters):
#     Postfix presents it as client 127.0.0.1, listed in internal_hosts:
#     accept, direction=outbound.
#  r  none of a, b, p wrote a key to Redis (outbound teaches nothing).
#  e  outbound_attachments = true (reload): an AUTH submission with a
#     program attached is held for the attachment policy, still
#     direction=outbound with no sender reason; relaywarden-check
#     --queue-id on it reads the queue file's sasl_username and judges it
#     outbound too.
#  c  the same From from 203.0.113.9 without AUTH, and with a wrong
#     password (refused by Postfix, then sent without AUTH): still
#     dmarc_fail_reject, not accepted; headers claiming an authenticated
#     submission change nothing.  Inbound mail does reach Redis.
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init
e2e_need_cmd saslpasswd2 sendmail

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
FROM=alice@ourorg.example
PASS=s3cret-e2e
IP_OUT=203.0.113.9
IP_INT=192.0.2.44

ZONE=$E2E_TMP/zone
cat >"$ZONE" <<EOF
\$STATIC example
ourorg.example 300 IN TXT "v=spf1 ip4:198.51.100.1 -all"
_dmarc.ourorg.example 300 IN TXT "v=DMARC1; p=reject"
EOF

# Cyrus SASL for the private smtpd: its own smtpd.conf and sasldb, read
# by smtpd as user postfix (nothing chrooted in lib.sh's master.cf).
# Debian's Postfix reads smtpd.conf from $config_directory/sasl whatever
# cyrus_sasl_config_path says (seen with strace): the private instance's
# config directory (lib.sh: $E2E_TMP/pf/etc) gets it.
SASL=$E2E_TMP/pf/etc/sasl
mkdir -p "$SASL"
chmod 755 "$E2E_TMP/pf" "$E2E_TMP/pf/etc" "$SASL"
cat >"$SASL/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $SASL/sasldb2
mech_list: PLAIN LOGIN
EOF
echo "$PASS" | saslpasswd2 -p -c -f "$SASL/sasldb2" -u ourorg.example \
    alice || e2e_hard_error "saslpasswd2 failed"
chmod 644 "$SASL/smtpd.conf"
chown postfix: "$SASL/sasldb2"
chmod 600 "$SASL/sasldb2"

e2e_start_redis
E2E_RW_EXTRA="protected_domains = [ \"ourorg.example\" ];
internal_hosts = [ \"$IP_INT/32\", \"127.0.0.1\" ];
state_known_refresh_s = 0;"
e2e_write_config "$ZONE"
e2e_start_milter
E2E_PF_EXTRA="smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $SASL
smtpd_sasl_local_domain = ourorg.example
smtpd_sasl_security_options = noanonymous
non_smtpd_milters = unix:$E2E_MILTER_SOCK"
e2e_start_postfix "$E2E_MILTER_SOCK"

macros=$(postconf -c "$E2E_PF_CONF" -h milter_mail_macros)
case " $macros " in
*" {auth_authen} "*)
	e2e_ok "Postfix sends {auth_authen} at MAIL FROM [$macros]" ;;
*)	e2e_not_ok "Postfix sends {auth_authen} at MAIL FROM" "$macros" ;;
esac

N=0
# send NAME IP [SWAKS ARGS...]: $M/NAME.eml over SMTP, the client
# presented by XCLIENT; CODE = the final reply code.
send() {
	local name=$1 ip=$2 out
	shift 2
	out=$(swaks --server 127.0.0.1 --port "$E2E_SMTP_PORT" \
	    --helo client.example --xclient-addr "$ip" \
	    --xclient-name client.example --xclient-helo client.example \
	    --from "$FROM" --to "$RCPT" --data "@$M/$name.eml" \
	    --timeout 30 "$@" 2>&1)
	printf '=== %s\n%s\n' "$name" "$out" >>"$E2E_TMP/swaks.log"
	CODE=$(printf '%s\n' "$out" |
	    sed -n 's/^<[-~*]* *\([2-5][0-9][0-9]\)[ -].*/\1/p' |
	    grep -v '^221$' | tail -n 1)
}

# mk NAME [EXTRA_HEADER_LINES]
mk() {
	N=$((N + 1))
	e2e_msg "$M/$1.eml" "Alice <$FROM>" "$RCPT" "$1 minutes" \
	    "$1.$N@e2e" "${2:-}"
}

# got NAME: F = the delivered or held file, W = delivered | held,
# VH = X-Relaywarden, LOG = the milter's log line for it.
got() {
	local id
	id=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$M/$1.eml")
	W=lost VH= LOG= F=
	F=$(e2e_wait_msg "$id") || {
		e2e_not_ok "$1: arrives" "nothing within 10 s"
		return 1
	}
	case $F in
	*/held-*) W=held ;;
	*) W=delivered ;;
	esac
	VH=$(e2e_header "$F" X-Relaywarden)
	echo "# $1: $W [$VH]"
}

# outbound NAME VIA: delivered untouched, direction=outbound via=VIA.
outbound() {
	local name=$1 via=$2
	got "$name" || return
	e2e_expect_eq "$name: delivered" delivered "$W"
	e2e_expect_match "$name: accept, direction=outbound, no reasons" \
	    '^action=accept; direction=outbound; score=0; reasons=$' "$VH"
	e2e_expect_eq "$name: no Authentication-Results of ours" "" \
	    "$(e2e_ar "$F")"
	grep -q '^Subject: \[' "$F" &&
	    e2e_not_ok "$name: Subject not tagged" "$(grep '^Subject' "$F")"
	e2e_wait_for 5 grep -q "direction=outbound via=$via" \
	    "$E2E_TMP/rw/milter.log"
	e2e_expect_line "$name: log line says outbound via=$via" \
	    "$(grep "direction=outbound via=$via" "$E2E_TMP/rw/milter.log")" \
	    action=accept direction=outbound "via=$via" spf=none dkim=none \
	    dmarc=none reasons=-
}

keys() {
	e2e_redis --scan --pattern "$E2E_REDIS_PREFIX*" | wc -l
}

# ---- a: SMTP AUTH submission ----
mk a
send a "$IP_OUT" --auth PLAIN --auth-user "$FROM" --auth-password "$PASS"
e2e_expect_eq "a: AUTH submission accepted by Postfix" 250 "$CODE"
grep -q 'sasl_method=PLAIN, sasl_username=alice@ourorg.example' \
    "$E2E_PF_LOG" && e2e_ok "a: Postfix logged the SASL login" ||
    e2e_not_ok "a: Postfix logged the SASL login" "$(tail -n 5 "$E2E_PF_LOG")"
outbound a auth
e2e_expect_line "a: the log names the login" \
    "$(cat "$E2E_TMP/rw/milter.log")" direction=outbound via=auth \
    auth_user=alice@ourorg.example

# ---- b: an internal host, no AUTH ----
mk b
send b "$IP_INT"
e2e_expect_eq "b: accepted by Postfix" 250 "$CODE"
outbound b internal_host

# ---- p: sendmail(1), pickup, non_smtpd_milters ----
mk p
sendmail -C "$E2E_PF_CONF" -f "$FROM" "$RCPT" <"$M/p.eml" ||
    e2e_not_ok "p: sendmail(1) took the message"
postqueue -c "$E2E_PF_CONF" -f >/dev/null 2>&1
got p && {
	e2e_expect_eq "p: delivered" delivered "$W"
	e2e_expect_match "p: accept, direction=outbound" \
	    '^action=accept; direction=outbound; score=0; reasons=$' "$VH"
}
e2e_expect_line "p: the milter saw pickup as 127.0.0.1 (internal_host)" \
    "$(cat "$E2E_TMP/rw/milter.log")" direction=outbound \
    via=internal_host relay=127.0.0.1

# ---- r: outbound taught nothing ----
e2e_settle
e2e_expect_eq "r: no Redis key written by outbound mail" 0 "$(keys)"

# ---- e: outbound_attachments, and relaywarden-check on the held copy ----
echo "outbound_attachments = true;" >>"$E2E_RW_CONF"
e2e_reload_milter
N=$((N + 1))
{
	printf 'From: Alice <%s>\nTo: %s\nSubject: the tool\n' "$FROM" "$RCPT"
	printf 'Date: %s\nMessage-ID: <e.%s@e2e>\n' "$(LC_ALL=C date -R)" "$N"
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
	printf 'Content-Type: text/plain\n\nhere it is\n--b1\n'
	printf 'Content-Type: application/octet-stream; name="tool.exe"\n'
	printf 'Content-Disposition: attachment; filename="tool.exe"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	printf 'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00PE program' |
	    base64
	printf -- '--b1--\n'
} >"$M/e.eml"
send e "$IP_OUT" --auth PLAIN --auth-user "$FROM" --auth-password "$PASS"
e2e_expect_eq "e: AUTH submission accepted by Postfix" 250 "$CODE"
got e && {
	e2e_expect_eq "e: held by the attachment policy" held "$W"
	re='^action=quarantine; direction=outbound; score=[0-9]+; '
	re=$re'reasons=attach_[a-z_]+\(tool\.exe'
	e2e_expect_match "e: outbound, attachment reasons only" "$re" "$VH"
	case $VH in
	*spf*|*dmarc*|*first_contact*)
		e2e_not_ok "e: no sender reason" "$VH" ;;
	esac
}
QID=$(e2e_held_ids | head -n 1)
"$top_builddir/milter/relaywarden-check" -c "$E2E_RW_CONF" \
    --queue-id "$QID" --postfix-config "$E2E_PF_CONF" >"$M/e.check" \
    2>"$M/e.err"
e2e_expect_match "e: relaywarden-check --queue-id judges it outbound" \
    'direction=outbound' "$(cat "$M/e.check")" || cat "$M/e.err"

# ---- c: the same From from outside, unauthenticated ----
# (forged evidence of a submission in the headers changes nothing)
mk c "Received: from client (client [$IP_OUT])
	by mx.relaywarden.example (Postfix) with ESMTPSA id 4QxYz1
	(Authenticated sender: $FROM)
X-Relaywarden: action=accept; direction=outbound; score=0; reasons="
send c "$IP_OUT"
e2e_expect_eq "c: accepted by SMTP" 250 "$CODE"
got c && {
	case "$VH" in
	*direction=*) e2e_not_ok "c: inbound, no direction=" "$VH" ;;
	action=accept*) e2e_not_ok "c: not accepted" "$W [$VH]" ;;
	*reasons=*dmarc_fail_reject*) e2e_ok "c: still judged [$W $VH]" ;;
	*) e2e_not_ok "c: dmarc_fail_reject" "$W [$VH]" ;;
	esac
}
mk d
send d "$IP_OUT" --auth PLAIN --auth-user "$FROM" --auth-password wrong
e2e_expect_eq "d: a wrong password is refused by Postfix" 535 "$CODE"
send d "$IP_OUT"
got d && case "$VH" in
	*direction=*|action=accept*) e2e_not_ok "d: judged" "$W [$VH]" ;;
	*reasons=*dmarc_fail_reject*) e2e_ok "d: still judged [$W $VH]" ;;
	*) e2e_not_ok "d: dmarc_fail_reject" "$W [$VH]" ;;
esac
e2e_settle
n=$(keys)
if [ "$n" -gt 0 ]; then
	e2e_ok "c: inbound mail reaches Redis ($n keys)"
else
	e2e_not_ok "c: inbound mail reaches Redis" "no key"
fi

e2e_summary
