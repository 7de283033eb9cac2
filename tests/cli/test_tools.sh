#!/bin/bash
# test_tools.sh - the tools agree with the daemon (issue 13 item 4):
#  - relaywarden-check and relaywarden-state without -c read the daemon's
#    default file (the path "relaywarden -h" names) and say which file,
#    or that it does not exist and the built-in defaults are used; with
#    -c a missing file is an error;
#  - relaywarden-check on postcat's output of a held message (a canned
#    copy of what tests/e2e/test_recheck.sh gets from the private Postfix)
#    takes the envelope from the queue file, reads the message up to the
#    marker of its own queue file (not a body line imitating one), and
#    --recorded shows the milter's verdict next to today's;
#  - a dump cut short, and a queue id that is not one: exit 2, reason.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
CHECK=$top_builddir/milter/relaywarden-check
ST=$top_builddir/milter/relaywarden-state
RW=$top_builddir/milter/relaywarden
DUMP=$top_srcdir/tests/cli/postcat-held.txt
pass=0 fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }
has() {	# has NAME FILE ERE
	grep -E -q -- "$3" "$2" && ok "$1" || not_ok "$1" "wanted /$3/" \
	    "$(head -n 20 "$2")"
}
hasnt() {
	grep -E -q -- "$3" "$2" && not_ok "$1" "unwanted /$3/" \
	    "$(grep -E -- "$3" "$2")" || ok "$1"
}
rc_is() {	# rc_is NAME WANT GOT
	[ "$2" = "$3" ] && ok "$1" || not_ok "$1" "exit $3, wanted $2"
}

cat >"$t/zone" <<'Z'
$STATIC example
sender.example. 300 IN TXT "v=spf1 ip4:192.0.2.61 -all"
_dmarc.sender.example. 300 IN TXT "v=DMARC1; p=none"
mx.sender.example. 300 IN A 192.0.2.61
mx.sender.example. 300 IN TXT "v=spf1 ip4:192.0.2.61 -all"
Z
cat >"$t/rw.conf" <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
C

# ---- the default configuration file: the daemon's ----
"$RW" -h 2>"$t/usage"
def=$(sed -n 's/.*configuration (default \(.*\))$/\1/p' "$t/usage")
[ -n "$def" ] && ok "the daemon names its default ($def)" ||
    not_ok "the daemon names its default" "$(cat "$t/usage")"
printf 'From: a@b.example\nSubject: x\n\nhi\n' >"$t/plain.eml"
if [ -e "$def" ]; then
	want="using $def"
else
	want="$def does not exist: using the built-in defaults"
fi
"$CHECK" "$t/plain.eml" >"$t/out" 2>"$t/err"
has "relaywarden-check without -c says which file" "$t/err" \
    "^relaywarden-check: $want\$"
"$ST" first-contacts >"$t/out" 2>"$t/err"
has "relaywarden-state without -c says which file" "$t/err" \
    "^relaywarden-state: $want\$"
"$CHECK" -c "$t/rw.conf" "$t/plain.eml" >"$t/out" 2>"$t/err"
has "with -c it names that file" "$t/err" "^relaywarden-check: using $t/rw.conf\$"
"$CHECK" -c "$t/nosuch.conf" "$t/plain.eml" >"$t/out" 2>"$t/err"
rc_is "with -c a missing file is an error" 2 $?
"$ST" -c "$t/nosuch.conf" show example.com >"$t/out" 2>"$t/err"
rc_is "relaywarden-state: with -c a missing file is an error" 2 $?
for p in "$RW" "$CHECK" "$ST"; do
	"$p" -V >"$t/out" 2>&1
	rc_is "${p##*/} -V exits 0" 0 $?
	has "${p##*/} -V prints the version" "$t/out" \
	    "^${p##*/} [0-9]+\.[0-9]+\.[0-9]+\$"
done

# ---- postcat's output of a held message ----
"$CHECK" -c "$t/rw.conf" --recorded - <"$DUMP" >"$t/out" 2>"$t/err"
rc_is "postcat dump: exit 0" 0 $?
has "the client address and MAIL FROM come from the envelope" "$t/out" \
    '^verdict: .*relay=192\.0\.2\.61 .*mail_from=<carol@sender\.example>'
has "SPF of the envelope sender passes" "$t/out" \
    'spf=pass .*smtp\.mailfrom=carol@sender\.example'
has "the HELO comes from the envelope" "$t/out" \
    'smtp\.helo=mx\.sender\.example'
has "the message is read past a body line imitating a marker" "$t/out" \
    '^reason: attach_executable '
has "--recorded: the verdict recorded at delivery" "$t/out" \
    '^recorded: action=quarantine; score=18;.*attach_executable'
has "--recorded: next to today's" "$t/out" \
    '^recorded action: quarantine, today: quarantine$'
hasnt "the trailer is not part of the message" "$t/out" 'MESSAGE FILE END'
"$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 - <"$DUMP" >"$t/out" \
    2>"$t/err"
has "an option given wins over the envelope" "$t/out" \
    '^verdict: .*relay=198\.51\.100\.7 '
sed '/^\*\*\* HEADER EXTRACTED hold\/23F0CA840EE/,$d' "$DUMP" >"$t/cut"
"$CHECK" -c "$t/rw.conf" - <"$t/cut" >"$t/out" 2>"$t/err"
rc_is "a dump cut short: exit 2" 2 $?
has "a dump cut short: says so" "$t/err" 'cut short'
"$CHECK" -c "$t/rw.conf" --recorded "$t/plain.eml" >"$t/out" 2>"$t/err"
has "--recorded on a message that never passed the milter" "$t/out" \
    '^recorded: none'
"$CHECK" -c "$t/rw.conf" --queue-id '../x' >"$t/out" 2>"$t/err"
rc_is "--queue-id with a path: exit 2" 2 $?
has "--queue-id with a path: says why" "$t/err" 'not a Postfix queue id'
"$CHECK" -c "$t/rw.conf" --json --recorded - <"$DUMP" >"$t/out" 2>"$t/err"
rc_is "--recorded with --json: a usage error" 2 $?

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
