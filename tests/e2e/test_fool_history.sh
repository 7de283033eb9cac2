#!/bin/bash
# test_fool_history.sh - issue 11 items 2, 3 and 7 end to end: an
# attacker who read the README against the learned history, through a
# private Postfix, the milter and a private redis-server (lib.sh).  One
# sequence per class; each attack must be held (or, for item 7, be a
# first contact), each benign counterpart left at accept or tag.
#
#  P  the learned sending profile (item 2): corr.example always signs
#     with its aligned DKIM key.  Attacks: SPF pass only through a
#     platform its SPF record includes (old main: new_relay 2, accepted),
#     and through its own usual relay (old main: 0).  Benign: the same
#     correspondent moving to a new ESP that signs with its aligned key.
#  S  a never-seen subdomain (item 2): corp2.example sends SPF-only from
#     its own relay; hr.corp2.example arrives from the platform its SPF
#     includes (old main: new_relay 2).  Benign: a new subdomain from
#     its usual relay.
#  I  shared infrastructure (item 3): vic.example mails through
#     bulkesp.example (signed by the ESP and by itself); three other
#     customers make the ESP shared; a message From vic.example proved
#     only by the ESP (its envelope, its signature) is a new relay (old
#     main: the relay and the ESP's signer were known: dmarc_fail 2).
#     Benign: an ESP newsletter signed only by the ESP's domain; the
#     victim's own signed mail through the shared ESP.
#  M  shared mailbox providers (item 7): mailbox.example is listed; a
#     known correspondent there wrote before; a new account with our
#     director's display name is a first contact (old main: the domain
#     was known, no first_contact).  Benign: another new account with
#     clean text; the known correspondent again; a first contact of a
#     new domain with clean text.
# Prints "attack held" / "benign left alone" per scenario.
# RW_FOOL_BASELINE=1 leaves out the settings old builds do not know, to
# run this script against an old build (it must fail there).
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP_CORR=192.0.2.10;	N_CORR=mx.corr.example
IP_CORP2=192.0.2.20;	N_CORP2=mx.corp2.example
IP_PLAT=198.51.100.30;	N_PLAT=smtp.platform.example
IP_NEWESP=198.51.100.40; N_NEWESP=out.newesp.example
IP_ESP=203.0.113.50;	N_ESP=mta.bulkesp.example
IP_MBOX=198.51.100.60;	N_MBOX=smtp.mailbox.example
IP_NEW=192.0.2.70;	N_NEW=mx.newcorp.example

ZONE=$E2E_TMP/zone
k_corr=$(e2e_key_rsa corr)
k_esp=$(e2e_key_rsa esp)
k_vic=$(e2e_key_rsa vic)
k_mbox=$(e2e_key_rsa mbox)
{
	cat <<EOF
\$STATIC example
\$STATIC in-addr.arpa
corr.example 300 IN TXT "v=spf1 ip4:$IP_CORR ip4:$IP_PLAT ip4:$IP_NEWESP -all"
_dmarc.corr.example 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.corr.example 300 IN TXT $k_corr
corp2.example 300 IN TXT "v=spf1 ip4:$IP_CORP2 ip4:$IP_PLAT -all"
_dmarc.corp2.example 300 IN TXT "v=DMARC1; p=none"
bulkesp.example 300 IN TXT "v=spf1 ip4:$IP_ESP -all"
sel._domainkey.bulkesp.example 300 IN TXT $k_esp
vic.example 300 IN TXT "v=spf1 ip4:$IP_ESP -all"
_dmarc.vic.example 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.vic.example 300 IN TXT $k_vic
shop.example 300 IN TXT "v=spf1 ip4:$IP_ESP -all"
_dmarc.shop.example 300 IN TXT "v=DMARC1; p=none"
mailbox.example 300 IN TXT "v=spf1 ip4:$IP_MBOX -all"
_dmarc.mailbox.example 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.mailbox.example 300 IN TXT $k_mbox
newcorp.example 300 IN TXT "v=spf1 ip4:$IP_NEW -all"
_dmarc.newcorp.example 300 IN TXT "v=DMARC1; p=none"
EOF
	for c in 1 2 3; do
		echo "c$c.example 300 IN TXT \"v=spf1 ip4:$IP_ESP -all\""
		echo "_dmarc.c$c.example 300 IN TXT \"v=DMARC1; p=none\""
	done
	# forward-confirmed names: each relay is its organisation
	e2e_zone_fcrdns "$IP_CORR $N_CORR" "$IP_CORP2 $N_CORP2" \
	    "$IP_PLAT $N_PLAT" "$IP_NEWESP $N_NEWESP" "$IP_ESP $N_ESP" \
	    "$IP_MBOX $N_MBOX" "$IP_NEW $N_NEW"
} >"$ZONE"

RW_BASE="protected_domains = [ \"ourorg.example\" ];
people = ( { name = \"Dana Director\"; addresses = [ \"dana@ourorg.example\" ]; } );
state_known_refresh_s = 0;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;"
if [ "${RW_FOOL_BASELINE:-0}" != 1 ]; then
	# Small evidence thresholds so a short test can reach them.
	RW_BASE="$RW_BASE
profile_min_messages = 3;
profile_min_days = 0;
shared_infra_domains = 3;
shared_mailbox_domains = [ \"mailbox.example\" ];"
fi
e2e_start_redis
E2E_RW_EXTRA=$RW_BASE
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

# ---- helpers ----

N=0
# mk NAME FROM SUBJECT [SIGNER:KEY ...]: $M/NAME.eml, signed in order.
mk() {
	local name=$1 from=$2 subj=$3 f s
	shift 3
	N=$((N + 1))
	e2e_msg "$M/$name.0" "$from" "$RCPT" "$subj" "$name.$N@e2e"
	f=$M/$name.0
	for s in "$@"; do
		e2e_sign_rsa "$f" "${s%%:*}" sel "${s##*:}" >"$f.s"
		mv "$f.s" "$M/$name.1"
		f=$M/$name.1
	done
	cp "$f" "$M/$name.eml"
}

# Scenario steps (lib.sh): send, has, learn, attack, benign.
send() { e2e_scn_send "$@"; }
has() { e2e_scn_has "$@"; }
learn() { e2e_scn_learn "$@"; }
attack() { e2e_scn_attack "$@"; }
benign() { e2e_scn_benign "$@"; }

# ======== P: the always-signed correspondent ========
for i in 1 2 3; do
	mk p$i alice@corr.example "order $i" corr.example:corr
	learn p$i $IP_CORR $N_CORR alice@corr.example
done
mk p_plat alice@corr.example "new bank details"
attack p_plat profile_unsigned $IP_PLAT $N_PLAT alice@corr.example
mk p_own alice@corr.example "new bank details (2)"
attack p_own profile_unsigned $IP_CORR $N_CORR alice@corr.example
mk p_esp alice@corr.example "our new mail provider" corr.example:corr
benign p_esp $IP_NEWESP $N_NEWESP alice@corr.example
has profile_unsigned && e2e_not_ok "p_esp: no profile_unsigned" "$VH"

# ======== S: a never-seen subdomain by a new relay ========
for i in 1 2 3; do
	mk s$i pay@corp2.example "statement $i"
	learn s$i $IP_CORP2 $N_CORP2 pay@corp2.example
done
mk s_sub payroll@hr.corp2.example "payroll change"
attack s_sub profile_new_subdomain $IP_PLAT $N_PLAT notice@corp2.example
mk s_own news@news.corp2.example "our newsletter"
benign s_own $IP_CORP2 $N_CORP2 news@corp2.example
has profile_new_subdomain &&
    e2e_not_ok "s_own: no profile_new_subdomain" "$VH"

# ======== I: a shared ESP ========
for i in 1 2; do
	mk i$i news@vic.example "vic news $i" bulkesp.example:esp \
	    vic.example:vic
	learn i$i $IP_ESP $N_ESP bounce@vic.example
done
for c in 1 2 3; do
	mk ic$c info@c$c.example "c$c news"
	learn ic$c $IP_ESP $N_ESP info@c$c.example
done
mk i_att billing@vic.example "invoice: new account" bulkesp.example:esp
attack i_att new_relay_unauthenticated $IP_ESP $N_ESP bounce@bulkesp.example
mk i_shop news@shop.example "spring sale" bulkesp.example:esp
benign i_shop $IP_ESP $N_ESP bounce@bulkesp.example
mk i_vic news@vic.example "vic news 3" bulkesp.example:esp vic.example:vic
benign i_vic $IP_ESP $N_ESP bounce@vic.example

# ======== M: a shared mailbox provider ========
for i in 1 2; do
	mk m$i pal@mailbox.example "hello $i" mailbox.example:mbox
	learn m$i $IP_MBOX $N_MBOX pal@mailbox.example
done
mk m_att '"Dana Director" <dana.director.office@mailbox.example>' \
    "urgent transfer" mailbox.example:mbox
send m_att $IP_MBOX $N_MBOX dana.director.office@mailbox.example
case "$VH" in
action=tag*|action=quarantine*|action=reject*) ok=1 ;;
*) ok=0 ;;
esac
if has first_contact && has display_person && [ $ok = 1 ]; then
	e2e_ok "m_att: a new account is a first contact [$VH]"
	echo "attack flagged: m_att (first_contact + display_person)"
else
	e2e_not_ok "m_att: a new account is a first contact, tagged or held" \
	    "got $W [$VH]"
fi
mk m_new newbie@mailbox.example "hello from a new address" \
    mailbox.example:mbox
benign m_new $IP_MBOX $N_MBOX newbie@mailbox.example
has first_contact || e2e_not_ok "m_new: first_contact" "$VH"
mk m3 pal@mailbox.example "hello again" mailbox.example:mbox
benign m3 $IP_MBOX $N_MBOX pal@mailbox.example
has first_contact && e2e_not_ok "m3: the known address is known" "$VH"
mk n1 someone@newcorp.example "nice to meet you"
benign n1 $IP_NEW $N_NEW someone@newcorp.example

# ---- one round trip per message ----
calls=$(e2e_redis info commandstats | tr -d '\r' |
    sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p')
e2e_expect_eq "one EVALSHA per message" "$N" "${calls:-0}"

e2e_summary
