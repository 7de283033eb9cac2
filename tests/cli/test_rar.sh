#!/bin/bash
# test_rar.sh - RAR 4 and RAR 5 archives (issue 12) through
# relaywarden-check --json and the sandboxed workers, the messages of
# tests/unit/test_rar.c: real archives written by WinRAR/rar
# (tests/attach/rar, libarchive's test data, see its README) and stored
# hostile ones written here by tests/attach/mkrar.py.  A valid archive
# is walked to its end (every member listed, no attach_truncated or
# attach_malformed); encrypted data or headers raise
# attach_encrypted_archive; an MZ named invoice.pdf.exe raises
# attach_executable and attach_banned_member, at the top of the RAR and
# in a zip stored in it; ../../etc/cron.d/x raises attach_hostile_name.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
echo 'attach_sandbox = true;' >>"$t/rw.conf"
mk=$top_srcdir/tests/attach/mkrar.py
hostile="invoice.pdf.exe=:mz notes.txt=:text inner.zip=:zip
../../etc/cron.d/x=:text -e secret.exe=:mz"

# shellcheck disable=SC2086
if ! $PY "$mk" 4 "$t/h4.rar" $hostile || ! $PY "$mk" 5 "$t/h5.rar" $hostile
then
	echo "not ok - mkrar.py wrote the hostile archives"
	exit 1
fi
for f in "$top_srcdir"/tests/attach/rar/*.rar "$t/h4.rar" "$t/h5.rar"; do
	b=$(basename "$f" .rar)
	$PY "$mk" eml "$f" "$t/$b.eml" "$b.rar" || exit 1
done

# check NAME ACTION ENCRYPTED PATH[=RULE,RULE] ...: the verdict's action,
# attach_encrypted_archive raised or not (1/0), each PATH an item, with
# those rules (none when no "=": a plain member raises nothing).
check() {
	local name=$1 msg
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/$name.eml" >"$t/out.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	if msg=$($PY - "$t/out.json" "$@" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
name, action, enc = sys.argv[2:5]
items = {a["path"] or a["filename"]: [x["rule"] for x in a["reasons"]]
         for a in r["attachments"]}
rules = [x["rule"] for a in r["attachments"] for x in a["reasons"]]
bad = []
if r["verdict"]["action"] != action:
    bad.append("action %s" % r["verdict"]["action"])
if ("attach_encrypted_archive" in rules) != (enc == "1"):
    bad.append("attach_encrypted_archive %s" %
               ("missing" if enc == "1" else "raised"))
for x in ("attach_truncated", "attach_malformed", "attach_scan_failed"):
    if x in rules:
        bad.append("%s: not walked to its end" % x)
if r.get("attachments_truncated"):
    bad.append("attachments_truncated %s" % r["attachments_truncated"])
for want in sys.argv[5:]:
    path, _, rs = want.partition("=")
    if path not in items:
        bad.append("no item %s (have %s)" % (path, sorted(items)))
        continue
    need = rs.split(",") if rs else []
    if not need and items[path]:
        bad.append("%s raised %s" % (path, items[path]))
    for n in need:
        if n not in items[path]:
            bad.append("%s: want %s, got %s" % (path, n, items[path]))
print("; ".join(bad))
sys.exit(1 if bad else 0)
P
	); then
		ok "$name: $2"
	else
		not_ok "$name: $2" "$msg"
	fi
}

check rar quarantine 0 rar.rar rar.rar/test.txt rar.rar/testdir/test.txt \
    rar.rar/testlink=attach_special_member
check rar5_compressed accept 0 rar5_compressed.rar/test.bin
check rar5_multiple_files_solid accept 0 \
    rar5_multiple_files_solid.rar/test1.bin \
    rar5_multiple_files_solid.rar/test4.bin
check rar4_encrypted tag 1 rar4_encrypted.rar/a.txt \
    rar4_encrypted.rar/b.txt rar4_encrypted.rar/c.txt \
    rar4_encrypted.rar/d.txt
check rar5_encrypted tag 1 rar5_encrypted.rar/a.txt \
    rar5_encrypted.rar/b.txt rar5_encrypted.rar/c.txt \
    rar5_encrypted.rar/d.txt
check rar_encryption_header tag 1 \
    rar_encryption_header.rar=attach_encrypted_archive
check rar5_encrypted_filenames tag 1 \
    rar5_encrypted_filenames.rar=attach_encrypted_archive
check rar5_zip_in_rar accept 0 rar5_zip_in_rar.rar/payload/real_after.txt \
    rar5_zip_in_rar.rar/payload/inner.zip/THIS_IS_INSIDE_THE_ZIP.txt
for v in 4 5; do
	check h$v quarantine 1 \
	    h$v.rar/invoice.pdf.exe=attach_executable,attach_banned_member \
	    h$v.rar/inner.zip/invoice.pdf.exe=attach_executable,attach_banned_member \
	    h$v.rar/../../etc/cron.d/x=attach_hostile_name \
	    h$v.rar/secret.exe=attach_banned_member h$v.rar/notes.txt
done

echo "# pass $pass fail $fail"
[ "$fail" -eq 0 ]
