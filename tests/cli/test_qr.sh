#!/bin/bash
# test_qr.sh - QR codes in images (issue 12) through relaywarden-check
# --json, whose attachment walk (libpng, libjpeg-turbo, zbar and its
# iconv converters) runs in the sandboxed workers; the links and QR
# counters travel back in the worker's reply.  No Redis: the sender is
# a first contact.  Images are made here by qrencode.  A QR code to a
# sign-in page, attached or inline, also in a zip, is a LINK_QR link
# and raises qr_link; a ticket's code is no link; an image over the
# pixel cap is counted as not searched.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
echo 'attach_sandbox = true;' >>"$t/rw.conf"
cp "$t/rw.conf" "$t/small.conf"
echo 'attach_qr_max_pixels = 1024;' >>"$t/small.conf"

if ! (cd "$t" &&
    qrencode -o login.png 'https://secure-bank.example/signin?u=7' &&
    qrencode -o ticket.png 'TICKET 4711-0815 SEAT 12A' &&
    qrencode -s 27 -o big.png 'https://secure-bank.example/signin?u=7' &&
    zip -q codes.zip login.png); then
	echo "not ok - qrencode and zip made the images"
	exit 1
fi

# msg NAME FILE TYPE DISPOSITION: $t/NAME.eml, an HTML body and FILE.
msg() {
	{
		printf 'From: Stranger <a@first-contact.example>\n'
		printf 'To: bob@rcpt.example\nSubject: %s\n' "$1"
		printf 'Message-ID: <%s@t>\nMIME-Version: 1.0\n' "$1"
		printf 'Content-Type: multipart/related; boundary=BB\n\n'
		printf -- '--BB\nContent-Type: text/html\n\n<p>Scan me</p>\n'
		printf -- '--BB\nContent-Type: %s; name="%s"\n' "$3" "$2"
		printf 'Content-Disposition: %s; filename="%s"\n' "$4" "$2"
		printf 'Content-Transfer-Encoding: base64\n\n'
		base64 "$t/$2"
		printf -- '--BB--\n'
	} >"$t/$1.eml"
}

msg attached login.png image/png attachment
link_check attached "$t/rw.conf" +qr_link qr=secure-bank.example@login.png \
    qr_images=1 qr_codes=1 qr_skipped=0
msg inline login.png image/png inline
link_check inline "$t/rw.conf" +qr_link qr=secure-bank.example@login.png
msg zipped codes.zip application/zip attachment
link_check zipped "$t/rw.conf" +qr_link qr=secure-bank.example@codes.zip/login.png
# Benign: a ticket's code is read, and is no link.
msg ticket ticket.png image/png attachment
link_check ticket "$t/rw.conf" -qr_link nolinks qr_images=1 qr_codes=1
# Over the pixel cap (999 x 999 at most 1024: still 15625 an eighth per
# side): not decoded, counted, and from a first contact as severe as a
# code to a new domain.
msg big big.png image/png attachment
link_check big "$t/small.conf" +qr_link nolinks qr_images=0 qr_skipped=1
# Shrunk (at most 300000: read at half size per side): decoded.
sed 's/attach_qr_max_pixels = 1024;/attach_qr_max_pixels = 300000;/' \
    "$t/small.conf" >"$t/mid.conf"
link_check big "$t/mid.conf" +qr_link qr=secure-bank.example@big.png \
    qr_images=1 qr_codes=1 qr_skipped=0

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
