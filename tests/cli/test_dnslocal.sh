#!/bin/bash
# test_dnslocal.sh - dns_local_data takes opendkim-genkey's TXT output as
# it is printed (issue 13 item 6): "sel._domainkey IN TXT ( "v=DKIM1;
# ..." "p=..." "..." ) ; ----- DKIM key ...", several quoted strings over
# several lines in parentheses, the owner relative to the zone.  A key made
# here by opendkim-genkey, pasted after "$ORIGIN example.com.", verifies a
# message signed with its private half (Mail::DKIM, tests/e2e/dkimsign.pl):
# dkim=pass.  Without $ORIGIN the relative name is refused with a hint;
# an unclosed '(' names its line.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
CHECK=$top_builddir/milter/relaywarden-check
RW=$top_builddir/milter/relaywarden
SIGN=$top_srcdir/tests/e2e/dkimsign.pl
pass=0 fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }
has() {	# has NAME FILE ERE
	grep -E -q -- "$3" "$2" && ok "$1" || not_ok "$1" "wanted /$3/" \
	    "$(head -n 20 "$2")"
}
for c in opendkim-genkey perl; do
	command -v "$c" >/dev/null || {
		echo "$c is needed (Debian: opendkim-tools, perl)" >&2
		exit 99
	}
done
perl -MMail::DKIM::Signer -e 1 2>/dev/null || {
	echo "Mail::DKIM is needed (Debian: libmail-dkim-perl)" >&2
	exit 99
}

(cd "$t" && opendkim-genkey -b 2048 -s sel -d example.com) ||
    { echo "opendkim-genkey failed" >&2; exit 99; }
[ "$(grep -c '"' "$t/sel.txt")" -ge 2 ] &&
    ok "opendkim-genkey printed a multi-line, multi-string record" ||
    not_ok "opendkim-genkey output as expected" "$(cat "$t/sel.txt")"
{
	printf '$STATIC example.com\n$ORIGIN example.com.\n'
	cat "$t/sel.txt"
	printf '@ IN TXT "v=spf1 -all"\n'
} >"$t/zone"
conf() {
	cat >"$t/$1.conf" <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_local_data = "$t/$2";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
C
}
conf rw zone
"$RW" -n -c "$t/rw.conf" >"$t/out" 2>&1
has "relaywarden -n accepts the pasted record" "$t/out" "configuration OK"
printf 'From: a@example.com\nTo: b@rcpt.example\nSubject: key\nDate: Mon, 7 Dec 2026 10:00:00 +0000\nMessage-ID: <k@example.com>\n\nsigned\n' >"$t/m.eml"
perl "$SIGN" "$t/m.eml" example.com sel "$t/sel.private" >"$t/signed.eml"
"$CHECK" -c "$t/rw.conf" --client-ip 192.0.2.1 \
    --mail-from a@example.com "$t/signed.eml" >"$t/out" 2>&1
has "the key verifies the signature: dkim=pass" "$t/out" \
    'dkim=pass .*header\.d=example\.com'
has "@ is the origin" "$t/out" 'spf=fail .*smtp\.mailfrom=a@example\.com'

# without $ORIGIN: refused, with the hint
{ printf '$STATIC example.com\n'; cat "$t/sel.txt"; } >"$t/noorigin"
conf no noorigin
"$RW" -n -c "$t/no.conf" >"$t/out" 2>&1
[ $? != 0 ] && ok "without \$ORIGIN: refused" || not_ok "without \$ORIGIN: refused"
has "without \$ORIGIN: says what to add" "$t/out" \
    'noorigin:2: sel\._domainkey is relative .*\$ORIGIN example\.com\.'
# '(' never closed, ')' alone
{ printf 'x.example. IN TXT ( "a"\n "b"\n'; } >"$t/open"
conf open open
"$RW" -n -c "$t/open.conf" >"$t/out" 2>&1
has "an unclosed ( names its first line" "$t/out" "open:1: '\\(' not closed"
printf 'x.example. IN TXT "a" )\n' >"$t/close"
conf close close
"$RW" -n -c "$t/close.conf" >"$t/out" 2>&1
has "a ) alone is an error" "$t/out" "close:1: '\\)' without '\\('"
# a quoted ( or ) is data
printf 'x.example. IN TXT ( "(a)" ; c\n "b)" )\n' >"$t/quoted"
conf quoted quoted
"$RW" -n -c "$t/quoted.conf" >"$t/out" 2>&1
has "parentheses inside quotes are data" "$t/out" "configuration OK"

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
