#!/bin/bash
# test_links.sh - the link reasons that need no history (issue 12)
# through relaywarden-check --json, whose attachment walk (and so the
# link gathering: libxml2, the text scanner) runs in the sandboxed
# workers; the links travel back in the worker's reply.  No Redis: every
# sender is a first contact whose state is off.  Each attack names its
# reason; each benign counterpart does not.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
echo 'attach_sandbox = true;' >>"$t/rw.conf"
echo 'protected_domains = ["ourbank.com"];' >>"$t/rw.conf"
cp "$t/rw.conf" "$t/redir.conf"
echo 'link_redirector_domains = ["esp-track.com"];' >>"$t/redir.conf"

# msg NAME CONTENT-TYPE BODY: $t/NAME.eml, one part.
msg() {
	{
		printf 'From: Partner <alice@partner-corp.com>\n'
		printf 'To: bob@ourbank.com\nSubject: %s\n' "$1"
		printf 'Message-ID: <%s@t>\nMIME-Version: 1.0\n' "$1"
		printf 'Content-Type: %s\n\n' "$2"
		printf '%b\n' "$3"
	} >"$t/$1.eml"
}

H='text/html; charset=utf-8'
# ---- attacks ----
msg ip_int "$H" '<a href="http://3221225985/login">statement</a>'
link_check ip_int "$t/rw.conf" +link_ip
msg ip_hex text/plain 'Open http://0xC0.0xA8.0x01.0x01/x today'
link_check ip_hex "$t/rw.conf" +link_ip
msg userinfo "$H" '<a href="https://ourbank.com&#64;evil-collect.net/">your bank</a>'
link_check userinfo "$t/rw.conf" +link_userinfo
msg mis_url "$H" '<a href="https://evil-collect.net/x">https://www.ourbank.com/login</a>'
link_check mis_url "$t/rw.conf" +link_text_mismatch
msg mis_bare "$H" '<a href="https://evil-collect.net/x"><b>ourbank.com</b></a>'
link_check mis_bare "$t/rw.conf" +link_text_mismatch
msg mis_after_end "$H" '<html><body>hi</body></html><a href="https://evil-collect.net/">www.ourbank.com</a>'
link_check mis_after_end "$t/rw.conf" +link_text_mismatch
msg mis_nul "$H" '<p>\0\0\xff</p><a href="https://evil-collect.net/">www.ourbank.com</a>'
link_check mis_nul "$t/rw.conf" +link_text_mismatch
msg lookalike "$H" '<a href="https://0urbank.com/login">sign in</a>'
link_check lookalike "$t/rw.conf" +link_lookalike_protected
msg form_attach 'multipart/mixed; boundary="b"' '--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: text/html; name="doc.html"\nContent-Disposition: attachment; filename="doc.html"\n\n<form action="https://collect.example.net/p"><input type=password></form>\n--b--'
link_check form_attach "$t/rw.conf" +link_form_password
msg form_script 'multipart/mixed; boundary="b"' '--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: image/svg+xml; name="scan.svg"\nContent-Disposition: attachment; filename="scan.svg"\n\n<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><input type="password"/></foreignObject></svg>\n--b--'
link_check form_script "$t/rw.conf" +link_form_password
# a phishing page inside a zip
mkdir -p "$t/z"
printf '<form action="https://collect.example.net/p"><input type="password"></form>' >"$t/z/invoice.html"
(cd "$t/z" && zip -q inv.zip invoice.html)
msg form_zip 'multipart/mixed; boundary="b"' "--b\nContent-Type: text/plain\n\nInvoice attached.\n--b\nContent-Type: application/zip; name=\"inv.zip\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"inv.zip\"\n\n$(base64 -w 76 "$t/z/inv.zip")\n--b--"
link_check form_zip "$t/rw.conf" +link_form_password
# more distinct link hosts than the cap: the scan is incomplete
body=
for i in $(seq 1 300); do body="$body<a href=\"https://h$i.example/\">x</a>"; done
msg many "$H" "$body"
link_check many "$t/rw.conf" +attach_truncated trunc "links>=256"

# ---- benign counterparts ----
msg plain_links text/plain 'Agenda: https://www.partner-corp.com/agenda and www.conference.org/2027 (slides).'
link_check plain_links "$t/rw.conf" -link_ip -link_userinfo -link_text_mismatch "links>=2"
msg same_org "$H" '<a href="https://shop.partner-corp.com/offer">www.partner-corp.com</a>'
link_check same_org "$t/rw.conf" -link_text_mismatch
msg filename "$H" '<a href="https://files.partner-corp.com/d/1">report.pdf</a> <a href="https://x.example/">Click here</a>'
link_check filename "$t/rw.conf" -link_text_mismatch
msg esp "$H" '<a href="https://click.esp-track.com/ls/click?u=1">www.shop-corp.com</a><img src="https://img.esp-track.com/p.gif">'
cp "$t/esp.eml" "$t/esp_unconfigured.eml"
link_check esp_unconfigured "$t/rw.conf" +link_text_mismatch
link_check esp "$t/redir.conf" -link_text_mismatch
msg newsletter_form "$H" '<form action="https://www.partner-corp.com/subscribe"><input type="email"></form><a href="mailto:x@partner-corp.com">write</a><a href="#top">top</a>'
link_check newsletter_form "$t/rw.conf" -link_form_password
msg ipv6_doc text/plain 'The address 2001:db8::1 is documentation; see RFC 3849.'
link_check ipv6_doc "$t/rw.conf" -link_ip

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
