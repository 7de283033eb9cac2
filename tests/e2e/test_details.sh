#!/bin/bash
# test_details.sh - issue 13 item 3: the verdict says why, through a
# private Postfix.  A message with two executables, the first named
# with every character that could end a detail, add a reason or a field
# (space , ; ( ) = quotes %), is held; its X-Relaywarden names the first
# file, percent-encoded, and "+1" for the other; the log line keeps
# reasons= names only and adds details= with the same words, one field.
# A name with CR LF and UTF-8 in it (RFC 2231) never makes a header line
# or a second field: every word of both lists fits the README grammar;
# a 300-byte name is cut to 64 bytes and marked "*".
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.50
HELO=mx.sender.example
FROM=carol@sender.example
# README "What it writes": word = rule-name [ "(" detail ")" ]
WORD='[a-z_]+(\([A-Za-z0-9._:/@-]*(%[0-9A-F]{2}[A-Za-z0-9._:/@-]*)*\*?(\+[0-9]+)?\))?'

e2e_zone_sender "$IP" "$HELO"
/usr/bin/python3 "$top_srcdir/tests/attach/mkpe.py" "$M/setup.bin" ||
	e2e_hard_error "mkpe.py failed"

# mk OUT MSGID PARAM1 PARAM2: two PE attachments, each named by the
# Content-Disposition parameter given as is (filename="..." or the RFC
# 2231 filename*=...).
mk() {
	/usr/bin/python3 - "$M/setup.bin" "$@" <<'P'
import base64, sys
pe, out, msgid, n1, n2 = sys.argv[1:6]
b = base64.b64encode(open(pe, "rb").read()).decode()
b = "\r\n".join(b[i:i + 76] for i in range(0, len(b), 76))
parts = []
for n in (n1, n2):
    parts += ["--b1", "Content-Type: application/octet-stream",
              "Content-Disposition: attachment; " + n,
              "Content-Transfer-Encoding: base64", "", b]
msg = "\r\n".join([
    "From: Carol <carol@sender.example>", "To: bob@rcpt.example",
    "Subject: documents", "Message-ID: <%s>" % msgid, "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"', "",
    "--b1", "Content-Type: text/plain", "", "See the attachments."] +
    parts + ["--b1--", ""])
open(out, "w", newline="").write(msg)
P
}

# fields LINE: the log line split into key=value fields as README says
# (bare, or "..." with \" \\ \xHH), one per line.
fields() {
	/usr/bin/python3 - "$1" <<'P'
import re, sys
for k, v in re.findall(r'(?:^|\s)([a-z_]+)=("(?:[^"\\]|\\.)*"|\S*)',
                       sys.argv[1]):
    print("%s=%s" % (k, v))
P
}

# words LIST: 1 when every comma-separated word fits the grammar.
words_ok() {
	local w
	[ -n "$1" ] || return 1
	for w in $(printf '%s' "$1" | tr -d ' ' | tr ',' ' '); do
		printf '%s\n' "$w" | grep -E -q -x "$WORD" || return 1
	done
	return 0
}

e2e_start_redis
E2E_RW_EXTRA="state_enable = false;
${E2E_RW_EXTRA:-}"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

# send C PARAM1 PARAM2: sets F (the held copy), Q (its queue id), VH,
# LOG (our log line).
send() {
	local c=$1 code
	F= Q= VH= LOG=
	mk "$M/$c.eml" "$c@e2e" "$2" "$3"
	code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
	    "$M/$c.eml")
	e2e_expect_eq "$c: accepted by SMTP" 250 "$code"
	if ! F=$(e2e_wait_msg "$c@e2e"); then
		e2e_not_ok "$c: arrived" "nowhere after 10 s"
		return 1
	fi
	case $F in
	*/held-*) Q=${F##*/held-}; Q=${Q%.eml} ;;
	*) e2e_not_ok "$c: held" "delivered: $F"; return 1 ;;
	esac
	e2e_ok "$c: held as $Q"
	VH=$(e2e_header "$F" X-Relaywarden)
	LOG=$(grep -F "$Q: action=" "$E2E_TMP/rw/milter.log" | tail -n 1)
	return 0
}

# ---- d1: ASCII specials in a name: exact encoding, "+1" ----
if send d1 'filename="in voice,(1)=;\"x\"%.exe"' 'filename="second.exe"'
then
	D1='attach_executable(in%20voice%2C%281%29%3D%3B%22x%22%25.exe+1)'
	e2e_expect_match "d1: X-Relaywarden names the first file, encoded, +1" \
	    "reasons=([^;]*[, ])?$(printf '%s' "$D1" |
	    sed 's/[()+.%]/\\&/g')([,;]|$)" "$VH"
	e2e_expect_eq "d1: one X-Relaywarden, fields action score reasons" \
	    "action score reasons" "$(printf '%s\n' "$VH" | tr ';' '\n' |
	    sed -n 's/^ *\([a-z_]*\)=.*/\1/p' | paste -s -d ' ')"
	e2e_expect_eq "d1: the held copy has one X-Relaywarden" 1 \
	    "$(grep -c -i '^X-Relaywarden:' "$F")"
	f=$(fields "$LOG")
	e2e_expect_match "d1: log reasons= is names only" \
	    '^reasons=([a-z_]+,)*attach_executable(,[a-z_]+)*$' \
	    "$(printf '%s\n' "$f" | grep '^reasons=')"
	e2e_expect_match "d1: log details= carries the same word" \
	    "^details=([^ ]*,)?$(printf '%s' "$D1" |
	    sed 's/[()+.%]/\\&/g')(,|$)" "$(printf '%s\n' "$f" |
	    grep '^details=')"
	e2e_expect_eq "d1: one action= and one details= in the log line" \
	    "1 1" "$(printf '%s\n' "$f" | grep -c '^action=') $(printf \
	    '%s\n' "$f" | grep -c '^details=')"
	e2e_expect_eq "d1: the detail decodes to the name" \
	    'in voice,(1)=;"x"%.exe' "$(/usr/bin/python3 -c '
import sys, urllib.parse
print(urllib.parse.unquote(sys.argv[1]))' "in%20voice%2C%281%29%3D%3B%22x%22%25.exe")"
fi

# ---- d2: CR LF, UTF-8 and a 300-byte name (RFC 2231) ----
long=$(printf 'n%.0s' $(seq 300))
if send d2 "filename*=utf-8''r%C3%A9sum%C3%A9%0D%0AX-Relaywarden:%20action=accept%3B%20reasons=%2C.exe" \
    "filename=\"$long.exe\""; then
	e2e_expect_eq "d2: the held copy has one X-Relaywarden" 1 \
	    "$(grep -c -i '^X-Relaywarden:' "$F")"
	e2e_expect_eq "d2: fields action score reasons, nothing injected" \
	    "action score reasons" "$(printf '%s\n' "$VH" | tr ';' '\n' |
	    sed -n 's/^ *\([a-z_]*\)=.*/\1/p' | paste -s -d ' ')"
	r=$(printf '%s\n' "$VH" | sed -n 's/.*reasons=\([^;]*\).*/\1/p')
	if words_ok "$r"; then
		e2e_ok "d2: every word of reasons= fits the grammar"
	else
		e2e_not_ok "d2: every word of reasons= fits the grammar" "$r"
	fi
	# names are shown as fname_escape writes them (<U+00E9>), then
	# percent-encoded; the hostile name keeps its CR LF as <U+000D>...
	e2e_expect_match "d2: the UTF-8 name is shown escaped, encoded" \
	    'attach_executable\(r%3CU%2B00E9%3Esum%3CU%2B00E9%3EX-Relaywarden:%20action%3Daccept%3B%20reasons%3D%2C\.exe\+1\)' \
	    "$VH"
	e2e_expect_match "d2: the CR LF of the hostile name, encoded" \
	    'attach_hostile_name\(r[^)]*%3CU%2B000D%3E%3CU%2B000A%3EX-Relaywarden:%20action%3Daccept\*\)' \
	    "$VH"
	d=$(fields "$LOG" | sed -n 's/^details=//p')
	if words_ok "$d"; then
		e2e_ok "d2: every word of the log's details= fits the grammar"
	else
		e2e_not_ok "d2: every word of the log's details= fits the grammar" "$d"
	fi
	e2e_expect_eq "d2: one action= in the log line" 1 \
	    "$(fields "$LOG" | grep -c '^action=')"
fi
# The long name as first file: cut to 64 bytes with "*".
if send d3 "filename=\"$long.exe\"" 'filename="b.exe"'; then
	e2e_expect_match "d3: a 300-byte name is cut to 64 bytes, marked *" \
	    "attach_executable\\(n{64}\\*\\+1\\)" "$VH"
	e2e_expect_match "d3: the log's details= too" \
	    "details=([^ ]*,)?attach_executable\\(n{64}\\*\\+1\\)" "$LOG"
	n=$(grep -i -A20 '^X-Relaywarden:' "$F" | awk 'length > 998' | wc -l)
	e2e_expect_eq "d3: no header line past 998 bytes" 0 "$n"
fi

e2e_summary
