#!/bin/bash
# test_debuglog.sh - log_level = "debug" writes what each check found (issue
# 9 item 6: log_debug was never called, so the setting did nothing), and
# nothing at "info".  Through relaywarden-check, which logs to stderr at the
# configured level.
set -u
: "${top_builddir:?}"
CHECK=$top_builddir/milter/relaywarden-check
pass=0 fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }

cat >"$t/zone" <<'Z'
$STATIC example
sender.example. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.sender.example. 300 IN TXT "v=DMARC1; p=reject"
Z
conf() {	# conf LEVEL
	cat >"$t/$1.conf" <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
log_level = "$1";
C
}
conf debug
conf info
printf 'From: Alice <alice@sender.example>\nTo: bob@dest.example\nSubject: hi\n\nhello\n' \
    >"$t/m.eml"
run() {		# run LEVEL MAIL_FROM: stderr in $t/LEVEL.err
	"$CHECK" -c "$t/$1.conf" --client-ip 198.51.100.7 \
	    --helo mail.sender.example --mail-from "$2" \
	    --rcpt bob@dest.example "$t/m.eml" >/dev/null 2>"$t/$1.err"
}

run debug alice@sender.example || not_ok "relaywarden-check ran" \
    "$(cat "$t/debug.err")"
for want in \
    'check=relay ip=198.51.100.7 helo=mail.sender.example ' \
    'check=spf result=fail identity=alice@sender.example ' \
    'check=helo_spf result=none ' \
    'check=dkim signatures=0 ' \
    'check=dmarc result=fail from=sender.example org=sender.example record=sender.example policy=reject spf_aligned=0 dkim_aligned=0 ' \
    'check=attachments parts=1 items=0 ' \
    'check=sender domain=sender.example ' \
    'reason=spf_fail score=3 ' \
    'reason=dmarc_fail_reject score=8 ' \
    'verdict action=quarantine score=11'; do
	if grep -q -F -e ": debug: check: $want" "$t/debug.err"; then
		ok "debug: $want"
	else
		not_ok "debug: $want" "$(cat "$t/debug.err")"
	fi
done

# A value from the envelope stays one quoted field.
run debug '"x check=spf result=pass"@sender.example'
if grep -q -F -e 'check=spf result=fail identity="\"x check=spf result=pass\"@sender.example" ' \
    "$t/debug.err"; then
	ok "debug: an envelope value is one quoted field"
else
	not_ok "debug: an envelope value is one quoted field" \
	    "$(grep 'check=spf' "$t/debug.err")"
fi

run info alice@sender.example
if grep -q "debug:" "$t/info.err"; then
	not_ok "info: no debug lines" "$(cat "$t/info.err")"
else
	ok "info: no debug lines"
fi

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
