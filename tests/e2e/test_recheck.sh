#!/bin/bash
# test_recheck.sh - relaywarden-check on a message held in the private
# Postfix (issue 13 item 4): the envelope comes from the queue file, so
# the offline check agrees with the daemon.
#
#  1  a message with an executable dressed as a PDF and a forged
#     X-Relaywarden ("action=accept") from outside is held (quarantine).
#  2  "postcat -q ID | relaywarden-check -": the client address, HELO,
#     MAIL FROM and recipient of the queue file are used: the
#     Authentication-Results equals the one the milter wrote; without the
#     envelope (the message alone) it does not (spf is not pass).
#  3  --queue-id ID --postfix-config DIR runs postcat itself: the same
#     output as 2.
#  4  --recorded shows the verdict the milter recorded (quarantine, ours,
#     not the forged one) next to today's; under a config that no longer
#     quarantines executables today's action differs, and both are shown.
#  5  a queue id that is not one, or that is not in the queue: exit 2
#     with a reason, nothing printed on stdout.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

CHECK=$top_builddir/milter/relaywarden-check
[ -x "$CHECK" ] || e2e_hard_error "$CHECK not built"
M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.61
HELO=mx.sender.example
FROM=carol@sender.example
e2e_zone_sender "$IP" "$HELO"

/usr/bin/python3 - "$M/held.eml" <<'P'
import base64, sys
exe = base64.encodebytes(b"MZ" + bytes(62)).decode().replace("\n", "\r\n")
msg = "\r\n".join(["From: Carol <carol@sender.example>",
    "To: bob@rcpt.example", "Subject: invoice",
    "Message-ID: <recheck-held@e2e>",
    "X-Relaywarden: action=accept; score=0; reasons=",
    "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b"',
    "", "--b", "Content-Type: text/plain", "",
    "*** HEADER EXTRACTED hold/FAKE ***", "see attached",
    "--b", 'Content-Type: application/pdf; name="invoice.pdf"',
    "Content-Transfer-Encoding: base64", "", exe + "--b--", ""])
open(sys.argv[1], "w", newline="").write(msg)
P

e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/held.eml")
e2e_expect_eq "1: accepted by SMTP" 250 "$code"
e2e_settle 20
QID=$(e2e_held_ids | head -n 1)
[ -n "$QID" ] || {
	e2e_not_ok "1: held" "nothing in the hold queue" \
	    "$(tail -n 5 "$E2E_PF_LOG")"
	e2e_summary
}
e2e_ok "1: held as $QID"
F=$(e2e_wait_msg recheck-held@e2e)
AR=$(e2e_header "$F" Authentication-Results)
e2e_expect_match "1: the milter's A-R has spf=pass" 'spf=pass' "$AR"

# 2: postcat's output on stdin
postcat -c "$E2E_PF_CONF" -q "$QID" >"$M/dump" 2>"$M/dump.err"
e2e_expect_match "2: postcat prints the envelope records" \
    '^\*\*\* ENVELOPE RECORDS' "$(head -n 1 "$M/dump")"
"$CHECK" -c "$E2E_RW_CONF" --recorded - <"$M/dump" >"$M/out2" 2>"$M/err2"
e2e_expect_eq "2: exit 0" 0 "$?"
# a header printed folded, as one line
field() {
	awk -v n="$1:" '$1 == n { v = $0; on = 1; next }
	    on && /^[ \t]/ { v = v $0; next } { on = 0 } END { print v }' "$2" |
	    tr -s '\t ' '  '
}
e2e_expect_eq "2: the A-R agrees with the daemon's" \
    "$(printf 'Authentication-Results: %s' "$AR" | tr -s '\t ' '  ')" \
    "$(field Authentication-Results "$M/out2")"
e2e_expect_match "2: the message was read past a line imitating a marker" \
    'attach_executable' "$(field X-Relaywarden "$M/out2")"
"$CHECK" -c "$E2E_RW_CONF" "$F" >"$M/bare" 2>&1
if field Authentication-Results "$M/bare" | grep -q 'spf=pass'; then
	e2e_not_ok "2: the message alone has no envelope (no spf=pass)" \
	    "$(field Authentication-Results "$M/bare")"
else
	e2e_ok "2: the message alone has no envelope (no spf=pass)"
fi

# 3: --queue-id runs postcat itself
"$CHECK" -c "$E2E_RW_CONF" --recorded --queue-id "$QID" \
    --postfix-config "$E2E_PF_CONF" >"$M/out3" 2>"$M/err3"
e2e_expect_eq "3: --queue-id exit 0" 0 "$?" || cat "$M/err3"
if cmp -s "$M/out2" "$M/out3"; then
	e2e_ok "3: --queue-id prints what the pipe printed"
else
	e2e_not_ok "3: --queue-id prints what the pipe printed" \
	    "$(diff "$M/out2" "$M/out3" | head -n 10)"
fi

# 4: the verdict recorded at delivery next to today's
e2e_expect_match "4: recorded is the milter's quarantine" \
    '^recorded: action=quarantine;.*attach_executable' \
    "$(grep '^recorded:' "$M/out2" | head -n 1)"
e2e_expect_eq "4: same action today" \
    "recorded action: quarantine, today: quarantine" \
    "$(grep '^recorded action:' "$M/out2")"
sed 's/^state_enable = false;$/&\nquarantine_score = 1000;\nattach_executable_quarantine = false;/' \
    "$E2E_RW_CONF" >"$M/today.conf"
"$CHECK" -c "$M/today.conf" --recorded --queue-id "$QID" \
    --postfix-config "$E2E_PF_CONF" >"$M/out4" 2>"$M/err4"
e2e_expect_match "4: under today's config both verdicts are shown" \
    '^recorded action: quarantine, today: (accept|tag)$' \
    "$(grep '^recorded action:' "$M/out4")"

# 5: bad queue ids
"$CHECK" -c "$E2E_RW_CONF" --queue-id=-x >"$M/out5" 2>"$M/err5"
e2e_expect_eq "5: a queue id that is an option: exit 2" 2 "$?"
e2e_expect_match "5: says why" 'not a Postfix queue id' "$(cat "$M/err5")"
"$CHECK" -c "$E2E_RW_CONF" --queue-id NOSUCHID0 \
    --postfix-config "$E2E_PF_CONF" >"$M/out5" 2>"$M/err5"
e2e_expect_eq "5: a queue id not in the queue: exit 2" 2 "$?"
e2e_expect_match "5: postcat's failure is reported" 'postcat exited' \
    "$(cat "$M/err5")"
e2e_expect_eq "5: nothing on stdout" "" "$(cat "$M/out5")"
cp "$M/dump" "$E2E_TMP/postcat-held.txt"
[ -n "${RECHECK_KEEP_DUMP:-}" ] && cp "$M/dump" "$RECHECK_KEEP_DUMP"

e2e_summary
