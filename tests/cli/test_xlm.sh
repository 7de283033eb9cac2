#!/bin/bash
# test_xlm.sh - Excel 4.0 (XLM) macro sheets (issue 12) through
# relaywarden-check --json, whose attachment walk runs in the sandboxed
# workers: OLE2 workbooks from tests/attach/mkole.py (a very hidden macro
# sheet in a regular stream, a hidden one in the mini stream, an
# encrypted workbook) and spreadsheets from tests/attach/mkxlsx.py (a
# macro sheet under xl/macrosheets/, and one named like a worksheet);
# their macro-free counterparts (.xls in both streams, .xlsx) raise
# nothing.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"

mk=$top_srcdir/tests/attach
"$PY" "$mk/mkole.py" --xls "$t/clean.xls" &&
"$PY" "$mk/mkole.py" --xls --mini "$t/clean-mini.xls" &&
"$PY" "$mk/mkole.py" --xls --xlm 2 "$t/xlm.xls" &&
"$PY" "$mk/mkole.py" --xls --xlm 1 --mini "$t/xlm-mini.xls" &&
"$PY" "$mk/mkole.py" --xls --filepass "$t/enc.xls" &&
"$PY" "$mk/mkxlsx.py" "$t" || { echo "not ok - files built"; exit 1; }

# judge FILE NAME RULE DETAIL: FILE sent as attachment NAME raises RULE
# with DETAIL on NAME (RULE "-": NAME raises nothing at all).
judge() {
	"$PY" - "$t/$1" "$2" >"$t/m.eml" <<'P'
import base64, sys
data = base64.encodebytes(open(sys.argv[1], "rb").read()).decode()
sys.stdout.write(
    "From: Alice <alice@sender.example>\r\nTo: bob@dest.example\r\n"
    "Subject: figures\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
    "Content-Type: text/plain\r\n\r\nQ3 figures attached.\r\n--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"%s\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n%s--b1--\r\n" %
    (sys.argv[2], data.replace("\n", "\r\n")))
P
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/m.eml" >"$t/out.json" 2>"$t/err"; then
		not_ok "$2 ($1) checked" "$(cat "$t/err")"
		return
	fi
	if msg=$($PY - "$t/out.json" "$2" "$3" "$4" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
name, rule, detail = sys.argv[2:5]
got = []
def walk(o):
    if isinstance(o, dict):
        if o.get("rule", "").startswith("attach_"):
            got.append((o["rule"], o.get("detail") or ""))
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(r)
if rule == "-":
    if got:
        sys.exit("want nothing, got %r" % got)
elif (rule, "%s: %s" % (name, detail)) not in got:
    sys.exit("want %s %r, got %r" % (rule, detail, got))
P
	); then
		ok "$2 ($1): ${3} ${4}"
	else
		not_ok "$2 ($1)" "$msg"
	fi
}

judge xlm.xls q3.xls attach_office_macro \
    "Excel 4.0 (XLM) macro sheet (very hidden)"
judge xlm-mini.xls q3.xls attach_office_macro \
    "Excel 4.0 (XLM) macro sheet (hidden)"
judge xlm.xls q3.xlsx attach_office_macro \
    "Excel 4.0 (XLM) macro sheet (very hidden)"
judge enc.xls q3.xls attach_encrypted_archive \
    "encrypted workbook: its sheets are not seen"
judge xlm.xlsm q3.xlsm attach_office_macro \
    "Excel 4.0 (XLM) macro sheet part type"
judge xlm-renamed.xlsx q3.xlsx attach_office_macro \
    "Excel 4.0 (XLM) macro sheet part type"
judge clean.xls q3.xls - ""
judge clean-mini.xls q3.xls - ""
judge clean.xlsx q3.xlsx - ""

echo "1..$((pass + fail))"
[ "$fail" -eq 0 ]
