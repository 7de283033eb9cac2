#!/bin/bash
# test_pdf.sh - PDF attachments (issue 12) through relaywarden-check
# --json, which scans in the sandboxed attachment workers: the PDFs and
# messages of tests/attach/mkpdf.py (written object by object, some
# rewritten by qpdf into compressed object streams or given an
# attachment by qpdf) each raise exactly their attach_pdf_* reasons; the
# benign ones (a form, a qpdf-compressed form, a signed-looking PDF, an
# image whose bytes hold "/JS") raise no attachment reason at all; a
# program embedded in a PDF is attach_executable (quarantined).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
mkdir -p "$t/files" "$t/msg"
if ! $PY "$top_srcdir/tests/attach/mkpe.py" "$t/files/pe.bin" ||
    ! $PY "$top_srcdir/tests/attach/mkpdf.py" "$t/files" "$t/msg"; then
	echo "not ok - mkpdf.py made the PDFs (needs qpdf)"
	exit 1
fi

# name: the attach_* reasons of the verdict, space-separated, sorted
while read -r name want; do
	want=${want//,/ }
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/msg/$name.eml" >"$t/$name.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		continue
	fi
	got=$($PY - "$t/$name.json" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(sorted(x["rule"] for x in r["verdict"]["reasons"]
                      if x["rule"].startswith("attach_"))))
P
	)
	if [ "$got" = "$want" ]; then
		ok "$name: ${want:-no attachment reason}"
	else
		not_ok "$name: want '$want'" "got '$got'"
	fi
done <<'L'
r-pdf-js attach_pdf_javascript
r-pdf-launch attach_pdf_launch
r-pdf-escaped attach_pdf_javascript
r-pdf-embedded attach_pdf_embedded
r-pdf-objstm attach_pdf_javascript
r-pdf-qembedded attach_pdf_embedded
r-pdf-zip attach_pdf_launch
r-pdf-noname attach_pdf_javascript
r-pdf-qexe attach_executable attach_pdf_embedded
r-pdf-exe attach_executable attach_pdf_embedded
b-pdf-form
b-pdf-qform
b-pdf-signed
b-pdf-image
L

# The escaped spelling says so in the detail.
if grep -q 'escaped names' "$t/r-pdf-escaped.json"; then
	ok "r-pdf-escaped: the detail names the escaped spelling"
else
	not_ok "r-pdf-escaped: the detail names the escaped spelling" \
	    "$(cat "$t/r-pdf-escaped.json")"
fi

echo "1..$((pass + fail))"
[ "$fail" -eq 0 ]
