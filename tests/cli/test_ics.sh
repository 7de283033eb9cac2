#!/bin/bash
# test_ics.sh - calendar invitations (issue 12) through relaywarden-check
# --json, whose attachment walk runs in the sandboxed workers (ics.c must
# open nothing there: no zoneinfo, no iconv).  relaywarden-check does not
# print links yet, so what the workers show is the reader's cap: an
# invitation whose DESCRIPTION goes past ICS_LINE_MAX, as a body part, an
# .ics attachment or an .ics in a zip, is an incomplete scan
# (attach_truncated "links", quarantine); a meeting invitation with a
# video-call link, an HTML description and a room raises nothing.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
echo 'attach_sandbox = true;' >>"$t/rw.conf"	# the workers, said aloud

if ! $PY - "$t" <<'P'
import base64, io, sys, zipfile
d = sys.argv[1]
head = ("From: a@sender.example\r\nTo: b@rcpt.example\r\n"
        "Subject: Meeting\r\nMessage-ID: <%s@sender.example>\r\n"
        "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        "Content-Type: text/plain\r\n\r\nSee the invitation.\r\n")
def ics(desc):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
            "BEGIN:VEVENT\r\nUID:1@sender.example\r\nSUMMARY:Sync\r\n"
            "LOCATION:Room 4\r\nDESCRIPTION:" + desc + "\r\n"
            "X-ALT-DESC;FMTTYPE=text/html:<html><body><a href=\"https://"
            "teams.microsoft.com/l/meetup-join/19\">Join</a></body></html>"
            "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))
def write(name, part):
    open("%s/%s.eml" % (d, name), "w").write(head % name + "--B\r\n" +
                                            part + "\r\n--B--\r\n")
teams = ("Join on your computer:\\nhttps://teams.microsoft.com/l/meetup-"
         "join/19%3ameeting_x%40thread.v2/0\\, or call in.")
huge = "https://first.example/ " + "A" * 300000 + " https://hidden.example/"
write("b-body", "Content-Type: text/calendar; method=REQUEST\r\n\r\n" +
      ics(teams))
write("b-room", "Content-Type: text/calendar; method=REQUEST\r\n\r\n" +
      ics("Budget review\\, room 4"))
write("m-body", "Content-Type: text/calendar; method=REQUEST\r\n\r\n" +
      ics(huge))
write("m-file", "Content-Type: application/octet-stream; name=invite.ics\r\n"
      "Content-Disposition: attachment; filename=invite.ics\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      b64(ics(huge).encode()))
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
    f.writestr("meeting/invite.ics", ics(huge))
write("m-zip", "Content-Type: application/zip; name=invites.zip\r\n"
      "Content-Disposition: attachment; filename=invites.zip\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" + b64(z.getvalue()))
P
then
	echo "not ok - invitations written"
	exit 1
fi

# check NAME ACTION TRUNCATED: the verdict's action and the limits hit
# ("-": none).
check() {
	local name=$1 action=$2 trunc=$3 got
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/$name.eml" >"$t/$name.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	got=$($PY -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(r["verdict"]["action"], r["attachments_truncated"] or "-")' \
	    "$t/$name.json")
	if [ "$got" = "$action $trunc" ]; then
		ok "$name: $action, truncated $trunc"
	else
		not_ok "$name: $action, truncated $trunc" "got $got"
	fi
}

check b-body accept -
check b-room accept -
check m-body quarantine links
check m-file quarantine links
check m-zip quarantine links

echo "# pass $pass fail $fail"
[ "$fail" -eq 0 ]
