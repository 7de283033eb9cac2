#!/bin/bash
# test_hostile_mime.sh - hostile MIME through a private Postfix (issue 8
# items 1 and 4).  A From of 50,000 nested groups inside a message/news,
# message/global or message/rfc822 part sent GMime's address parser into
# unbounded recursion and killed the milter: that message must get a
# verdict (the executable next to it quarantines it), and the message
# after it must still be filtered (our X-Relaywarden and
# Authentication-Results).  The header is one line of 100 KB, as the
# issue had it: Postfix cuts a long header of the message itself (~60 KB
# seen), but this one is a body line to it and passes whole.  Then an
# executable inside a base64 message/rfc822 part is held too.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.60
HELO=mx.sender.example
FROM=carol@sender.example

e2e_zone_sender "$IP" "$HELO"

# mkmsg OUT MSGID KIND: KIND is groups-TYPE (the nested From in a
# message/TYPE part), fwd-b64 (a base64 message/rfc822 part) or plain.
mkmsg() {
	/usr/bin/python3 - "$@" <<'P'
import base64, sys
out, msgid, kind = sys.argv[1:4]
exe = base64.encodebytes(b"MZ" + bytes(62)).decode().replace("\n", "\r\n")
def inner(frm):
    return "\r\n".join([frm, "To: d@example.net", "Subject: inner",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="in"', "",
        "--in", "Content-Type: text/plain", "", "see attached",
        "--in", 'Content-Type: application/pdf; name="invoice.pdf"',
        "Content-Transfer-Encoding: base64", "", exe + "--in--", ""])
head = ["From: Carol <carol@sender.example>", "To: bob@rcpt.example",
        "Subject: %s" % kind, "Message-ID: <%s>" % msgid,
        "MIME-Version: 1.0"]
if kind == "plain":
    msg = "\r\n".join(head + ["", "Just text.", ""])
else:
    if kind.startswith("groups-"):
        part = ["Content-Type: message/" + kind[7:], "",
                inner("From: " + "g:" * 50000 + "x@example.net;")]
    else:
        b = base64.encodebytes(inner("From: c@example.net").encode())
        part = ["Content-Type: message/rfc822",
                "Content-Transfer-Encoding: base64", "",
                b.decode().replace("\n", "\r\n")]
    msg = "\r\n".join(head + ['Content-Type: multipart/mixed; '
        'boundary="out"', "", "--out", "Content-Type: text/plain", "",
        "Forwarded.", "--out"] + part + ["--out--", ""])
open(out, "w", newline="").write(msg)
P
}

# held_with ID CASE: waits for the held copy of message ID and checks
# that our header quarantines it for the executable.
held_with() {
	local id=$1 c=$2 held= i F
	for i in $(seq 100); do
		held=$(e2e_held_ids | while read -r q; do
			postcat -c "$E2E_PF_CONF" -hq "$q" 2>/dev/null |
			    grep -q -i -F "Message-ID: <$id>" && echo "$q"
		done | head -n 1)
		[ -n "$held" ] && break
		sleep 0.1
	done
	if [ -z "$held" ]; then
		e2e_not_ok "$c: held" "not in the hold queue" \
		    "$(tail -n 5 "$E2E_PF_LOG")"
		return
	fi
	e2e_ok "$c: held as $held"
	F=$(e2e_wait_msg "$id")
	e2e_expect_match "$c: X-Relaywarden quarantines for the executable" \
	    'action=quarantine;.*attach_executable' \
	    "$(e2e_header "$F" X-Relaywarden)"
}

e2e_start_redis
E2E_RW_EXTRA="state_enable = false;
${E2E_RW_EXTRA:-}"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

for t in news global rfc822; do
	c=groups-$t
	mkmsg "$M/$c.eml" "$c@e2e" "$c"
	code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
	    "$M/$c.eml")
	e2e_expect_eq "$c: accepted by SMTP (a verdict, no tempfail)" 250 \
	    "$code"
	held_with "$c@e2e" "$c"
	e2e_expect_match "$c: the cut header is a reason" \
	    'attach_truncated' \
	    "$(grep -F "reasons=" "$E2E_TMP/rw/milter.log" | tail -n 1)"
	# The next message is still filtered by a live milter.
	c=after-$t
	mkmsg "$M/$c.eml" "$c@e2e" plain
	code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
	    "$M/$c.eml")
	e2e_expect_eq "$c: accepted" 250 "$code"
	if F=$(e2e_wait_msg "$c@e2e"); then
		e2e_expect_match "$c: filtered (X-Relaywarden)" '^action=' \
		    "$(e2e_header "$F" X-Relaywarden)"
		e2e_expect_match "$c: filtered (our Authentication-Results)" \
		    "^$E2E_AUTHSERV;" \
		    "$(e2e_header "$F" Authentication-Results)"
	else
		e2e_not_ok "$c: delivered" "not delivered within 10 s"
	fi
done

c=fwd-b64
mkmsg "$M/$c.eml" "$c@e2e" "$c"
code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/$c.eml")
e2e_expect_eq "$c: accepted by SMTP" 250 "$code"
held_with "$c@e2e" "$c"

e2e_summary
