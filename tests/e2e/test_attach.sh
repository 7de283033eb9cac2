#!/bin/bash
# test_attach.sh - the attachment policy end to end through a private
# Postfix: a message carrying a Windows executable is quarantined (Postfix
# hold queue, with our reasons), and released with `postsuper -H` it is
# delivered with the attachment intact; a benign attachment is delivered
# and marked accept; relaywarden-check lists the same attachment and
# reasons as the milter acted on.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

CHECK=$top_builddir/milter/relaywarden-check
[ -x "$CHECK" ] || e2e_hard_error "$CHECK not built"
M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.50
HELO=mx.sender.example
FROM=carol@sender.example

e2e_zone_sender "$IP" "$HELO"

# A tiny well-formed PE (libmagic: "PE32 executable") and a text file.
/usr/bin/python3 "$top_srcdir/tests/attach/mkpe.py" "$M/setup.bin" ||
	e2e_hard_error "mkpe.py failed"
printf 'Minutes of the meeting.\n' >"$M/notes.txt"

# mkatt OUT MSGID FILE NAME TYPE: a multipart message with one attachment.
mkatt() {
	/usr/bin/python3 - "$@" <<'P'
import base64, sys
out, msgid, path, name, ctype = sys.argv[1:6]
data = open(path, "rb").read()
b = base64.b64encode(data).decode()
b = "\r\n".join(b[i:i + 76] for i in range(0, len(b), 76))
msg = "\r\n".join([
    "From: Carol <carol@sender.example>",
    "To: bob@rcpt.example",
    "Subject: documents",
    "Message-ID: <%s>" % msgid,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain",
    "",
    "Please see the attachment.",
    "--b1",
    'Content-Type: %s; name="%s"' % (ctype, name),
    'Content-Disposition: attachment; filename="%s"' % name,
    "Content-Transfer-Encoding: base64",
    "",
    b,
    "--b1--",
    ""])
open(out, "w", newline="").write(msg)
P
}

# The attachment's bytes, decoded from a delivered message.
attachment_sha() {
	/usr/bin/python3 - "$1" <<'P'
import email, hashlib, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_filename():
        print(hashlib.sha256(p.get_payload(decode=True)).hexdigest())
        break
P
}

e2e_start_redis
# The sender state has its own test (test_state.sh): off here.
E2E_RW_EXTRA="state_enable = false;
${E2E_RW_EXTRA:-}"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

# ---- an executable named as a PDF: quarantined ----
c=exe
mkatt "$M/$c.eml" "$c@e2e" "$M/setup.bin" "invoice.pdf" application/pdf
code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/$c.eml")
e2e_expect_eq "$c: accepted by SMTP (held, not bounced)" 250 "$code"
held=
for i in $(seq 100); do
	held=$(e2e_held_ids | head -n 1)
	[ -n "$held" ] && break
	sleep 0.1
done
if [ -n "$held" ]; then
	e2e_ok "$c: in the hold queue as $held"
	e2e_expect_match "$c: postqueue -p marks it held (!)" "^$held!" \
	    "$(postqueue -c "$E2E_PF_CONF" -p | grep "^$held")"
	F=$(e2e_wait_msg "$c@e2e")
	vh=$(e2e_header "$F" X-Relaywarden)
	e2e_expect_match "$c: X-Relaywarden says quarantine" \
	    'action=quarantine;' "$vh"
	e2e_expect_match "$c: reasons name the executable" \
	    'attach_executable' "$vh"
	e2e_expect_match "$c: reasons name the type mismatch" \
	    'attach_type_mismatch' "$vh"
	# Postfix logs the hold but not the milter's reason text; our own
	# log line carries the reasons.
	e2e_expect_match "$c: Postfix logged the milter hold" \
	    'milter-hold: END-OF-MESSAGE' \
	    "$(grep -F "$held: milter-hold" "$E2E_PF_LOG" | tail -n 1)"
	e2e_expect_match "$c: our log line has the action and reasons" \
	    'action=quarantine .*reasons=.*attach_executable' \
	    "$(grep -F "$held:" "$E2E_TMP/rw/milter.log" | tail -n 1)"
	"$CHECK" -c "$E2E_RW_CONF" --client-ip "$IP" --helo "$HELO" \
	    --mail-from "$FROM" --json "$M/$c.eml" >"$M/$c.json"
	e2e_expect_eq "$c: relaywarden-check agrees (file, type, reasons)" \
	    "invoice.pdf application/vnd.microsoft.portable-executable True True quarantine" \
	    "$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = r["attachments"][0]
rules = [x["rule"] for x in a["reasons"]]
print(a["filename"], a["detected_type"], "attach_executable" in rules,
      "attach_type_mismatch" in rules, r["verdict"]["action"])' "$M/$c.json")"
	# Release: delivered, attachment byte for byte.
	D=$(e2e_release "$held" "$c@e2e")
	if [ -n "$D" ]; then
		e2e_ok "$c: released with postsuper -H and delivered"
		e2e_expect_eq "$c: attachment intact after release" \
		    "$(sha256sum <"$M/setup.bin" | cut -d' ' -f1)" \
		    "$(attachment_sha "$D")"
	else
		e2e_not_ok "$c: released with postsuper -H and delivered" \
		    "not in the maildir after 10 s"
	fi
else
	e2e_not_ok "$c: in the hold queue" "hold queue empty" \
	    "$(postqueue -c "$E2E_PF_CONF" -p)"
fi

# ---- a plain text attachment: delivered, accept ----
c=benign
mkatt "$M/$c.eml" "$c@e2e" "$M/notes.txt" "notes.txt" text/plain
code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/$c.eml")
e2e_expect_eq "$c: accepted" 250 "$code"
if F=$(e2e_wait_msg "$c@e2e"); then
	case $F in
	"$E2E_MAILDIR"/*) e2e_ok "$c: delivered, not held" ;;
	*) e2e_not_ok "$c: delivered, not held" "found in the hold queue" ;;
	esac
	e2e_expect_match "$c: X-Relaywarden says accept, no reasons" \
	    '^action=accept; score=0; reasons=$' \
	    "$(e2e_header "$F" X-Relaywarden)"
	e2e_expect_eq "$c: attachment intact" \
	    "$(sha256sum <"$M/notes.txt" | cut -d' ' -f1)" \
	    "$(attachment_sha "$F")"
else
	e2e_not_ok "$c: delivered" "not delivered within 10 s"
fi

e2e_summary
