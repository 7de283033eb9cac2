#!/bin/bash
# test_ics.sh - calendar invitations (issue 12) through relaywarden-check
# --json, whose attachment walk runs in the sandboxed workers (ics.c must
# open nothing there: no zoneinfo, no iconv).  The links the workers
# found come back as kind "calendar" (with the host an HTML anchor's text
# shows); from a first-contact sender (state disabled here: every sender
# is one) a link is calendar_link_first_contact, a room alone is nothing.
# An invitation whose DESCRIPTION goes past ICS_LINE_MAX, as a body part,
# an .ics attachment or an .ics in a zip, is an incomplete scan
# (attach_truncated "links", quarantine), its links before the cut kept.
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
TEAMS = ('<a href="https://teams.microsoft.com/l/meetup-join/19">'
         'Join</a>')
def ics(desc, html=TEAMS):
    alt = ("X-ALT-DESC;FMTTYPE=text/html:<html><body>" + html +
           "</body></html>\r\n") if html else ""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
            "BEGIN:VEVENT\r\nUID:1@sender.example\r\nSUMMARY:Sync\r\n"
            "LOCATION:Room 4\r\nDESCRIPTION:" + desc + "\r\n" + alt +
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
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
      ics("Budget review\\, room 4", html=None))
write("r-html", "Content-Type: text/calendar; method=REQUEST\r\n\r\n" +
      ics("Agenda attached", html="<p>Sign in: <a href=\"https://evil."
          "example/x\">https://www.bank.example/</a></p>"))
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

# check NAME ACTION TRUNCATED REASONS LINKS: the verdict's action, the
# limits hit, its reasons ("rule,rule") and the links ("host" or
# "host>shown", kind calendar, sorted, space separated); "-": none.
check() {
	local name=$1 action=$2 trunc=$3 reasons=$4 links=$5 got want
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/$name.eml" >"$t/$name.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	got=$($PY -c 'import json, sys
r = json.load(open(sys.argv[1]))
links = sorted(l["host"] + (">" + l["shown"] if l["shown"] else "")
               for l in r["links"] if l["kind"] == "calendar")
others = [l for l in r["links"] if l["kind"] != "calendar"]
print(r["verdict"]["action"], r["attachments_truncated"] or "-",
      ",".join(sorted(x["rule"] for x in r["verdict"]["reasons"])) or "-",
      " ".join(links) or "-", "others=%d" % len(others))' \
	    "$t/$name.json")
	want="$action $trunc $reasons $links others=0"
	if [ "$got" = "$want" ]; then
		ok "$name: $want"
	else
		not_ok "$name: $want" "got $got"
	fi
}

check b-body accept - calendar_link_first_contact teams.microsoft.com
check b-room accept - - -
check r-html accept - calendar_link_first_contact \
    'evil.example>www.bank.example www.bank.example'
check m-body quarantine links attach_truncated,calendar_link_first_contact \
    'first.example teams.microsoft.com'
check m-file quarantine links attach_truncated,calendar_link_first_contact \
    'first.example teams.microsoft.com'
check m-zip quarantine links attach_truncated,calendar_link_first_contact \
    'first.example teams.microsoft.com'


echo "# pass $pass fail $fail"
[ "$fail" -eq 0 ]
