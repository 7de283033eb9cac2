#!/bin/bash
# test_report.sh - relaywarden-state report --postfix-config (issue 14
# item 3) against the private Postfix, milter and Redis:
#
#  1  a message with an executable dressed as a PDF is held by the milter
#     (quarantine), a plain one is delivered;
#  2  report --json --postfix-config DIR lists exactly the held one (its
#     queue id, sender, recipient), not the delivered one; the sender
#     first seen by the milter is in new_senders;
#  3  the text report lists it under "Held messages still waiting: 1";
#  4  without --postfix-config, and with a directory that is no Postfix
#     configuration, the report says the held messages were not read
#     (and why), and still exits 0.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

ST=$top_builddir/milter/relaywarden-state
[ -x "$ST" ] || e2e_hard_error "$ST not built"
M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.62
HELO=mx.sender.example
FROM=carol@sender.example
e2e_zone_sender "$IP" "$HELO"

/usr/bin/python3 - "$M" <<'P'
import base64, sys
exe = base64.encodebytes(b"MZ" + bytes(62)).decode().replace("\n", "\r\n")
held = "\r\n".join(["From: Carol <carol@sender.example>",
    "To: bob@rcpt.example", "Subject: invoice",
    "Message-ID: <report-held@e2e>",
    "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b"',
    "", "--b", "Content-Type: text/plain", "", "see attached",
    "--b", 'Content-Type: application/pdf; name="invoice.pdf"',
    "Content-Transfer-Encoding: base64", "", exe + "--b--", ""])
plain = "\r\n".join(["From: Carol <carol@sender.example>",
    "To: bob@rcpt.example", "Subject: hello",
    "Message-ID: <report-plain@e2e>", "", "hello", ""])
open(sys.argv[1] + "/held.eml", "w", newline="").write(held)
open(sys.argv[1] + "/plain.eml", "w", newline="").write(plain)
P

e2e_start_redis
E2E_RW_EXTRA="stats_flush_s = 1;"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/plain.eml")
e2e_expect_eq "1: plain accepted" 250 "$code"
code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/held.eml")
e2e_expect_eq "1: held one accepted" 250 "$code"
e2e_settle 20
QID=$(e2e_held_ids)
[ "$(printf '%s\n' "$QID" | grep -c .)" = 1 ] &&
	e2e_ok "1: one message held" ||
	e2e_not_ok "1: one message held" "hold queue: $QID"
grep -q -l -F -x -i "Message-ID: <report-plain@e2e>" "$E2E_MAILDIR"/new/* &&
	e2e_ok "1: the plain one delivered" ||
	e2e_not_ok "1: the plain one delivered"

"$ST" -c "$E2E_RW_CONF" --json report --postfix-config "$E2E_PF_CONF" \
    >"$M/out2" 2>"$M/err2"
e2e_expect_eq "2: report exits 0" 0 "$?"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(" ".join(h["queue_id"]+"/"+h["sender"]+"/"+h["first_recipient"]+"/"+str(h["recipients"]) for h in d["held"]), d["held_more"])' "$M/out2" 2>&1)
e2e_expect_eq "2: exactly the held message" "$QID/$FROM/$RCPT/1 0" "$got"
# the daemon added its counters (stats_flush_s = 1): one accepted (or
# tagged), one quarantined, and the reason that held it
sleep 2
"$ST" -c "$E2E_RW_CONF" --json report >"$M/out2c" 2>"$M/err2c"
got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["counts"]
a = d["action"]
print(a.get("accept", 0) + a.get("tag", 0), a.get("quarantine", 0),
      d["reason"].get("attach_type_mismatch", 0) > 0)' "$M/out2c" 2>&1)
e2e_expect_eq "2: the daily counters count both verdicts" "1 1 True" "$got"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(",".join(s["sender"] for s in d["new_senders"]))' "$M/out2" 2>&1)
e2e_expect_eq "2: the sender is new in the window" "sender.example" "$got"

"$ST" -c "$E2E_RW_CONF" report --postfix-config "$E2E_PF_CONF" \
    >"$M/out3" 2>"$M/err3"
e2e_expect_eq "3: text report exits 0" 0 "$?"
e2e_expect_match "3: held counted" '^Held messages still waiting: 1$' \
    "$(cat "$M/out3")"
e2e_expect_match "3: held listed" "^  [0-9TZ:-]* $QID from <$FROM> to $RCPT\$" \
    "$(cat "$M/out3")"

"$ST" -c "$E2E_RW_CONF" --json report >"$M/out4" 2>"$M/err4"
e2e_expect_eq "4: without --postfix-config: exit 0" 0 "$?"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["held"], d["held_note"])' "$M/out4" 2>&1)
e2e_expect_match "4: says the held messages were not read" \
    '^None not read: give --postfix-config' "$got"
mkdir -p "$M/nopf"
"$ST" -c "$E2E_RW_CONF" report --postfix-config "$M/nopf" \
    >"$M/out5" 2>"$M/err5"
e2e_expect_eq "4: a directory without Postfix: exit 0" 0 "$?"
e2e_expect_match "4: says why" '^  not read: postqueue exited with status' \
    "$(cat "$M/out5")"

e2e_summary
