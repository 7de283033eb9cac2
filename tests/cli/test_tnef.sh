#!/bin/bash
# test_tnef.sh - attachments inside TNEF (winmail.dat, issue 12) through
# relaywarden-check --json, which walks attachments in the sandboxed
# workers (no file opens there: libytnef must parse from memory).  The
# streams are written here by tests/attach/mktnef.py from the payloads
# of tests/attach/mkcorpus (tests/attach/mktnefmsgs).  A program in a
# winmail.dat, in a zip in it or in an attached message's TNEF is found
# by its path; damaged streams quarantine as incomplete; Outlook's
# everyday winmail.dat raises nothing.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
echo 'attach_sandbox = true;' >>"$t/rw.conf"	# the workers, said aloud
if ! sh "$top_srcdir/tests/attach/mkcorpus" "$t/c" >/dev/null ||
    ! sh "$top_srcdir/tests/attach/mktnefmsgs" "$t/c"; then
	echo "not ok - corpus and TNEF streams written"
	exit 1
fi

# check NAME ACTION [PATH RULE]... : the verdict's action, and each PATH
# with RULE among its reasons ("-": no reason at all).
check() {
	local name=$1 action=$2 msg
	shift 2
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/c/msg/$name.eml" >"$t/$name.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	if msg=$($PY - "$t/$name.json" "$action" "$@" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
items = {(a["path"] or a["filename"]): a for a in r["attachments"]}
bad = []
if r["verdict"]["action"] != sys.argv[2]:
    bad.append("action %s" % r["verdict"]["action"])
args = sys.argv[3:]
for path, rule in zip(args[::2], args[1::2]):
    it = items.get(path)
    if it is None:
        bad.append("no item %r" % path)
    elif rule == "-":
        if it["reasons"]:
            bad.append("%r raised %s" % (path, it["reasons"]))
    elif not any(x["rule"] == rule for x in it["reasons"]):
        bad.append("%r: want %s, got %s" % (path, rule, it["reasons"]))
if sys.argv[2] == "accept" and r["verdict"]["reasons"]:
    bad.append("reasons %s" % r["verdict"]["reasons"])
print("; ".join(bad))
sys.exit(1 if bad else 0)
P
	); then
		ok "$name: $action $*"
	else
		not_ok "$name: $action $*" "$msg"
	fi
}

check r-tnef-exe quarantine winmail.dat/invoice.exe attach_executable \
    winmail.dat/invoice.exe attach_banned_member winmail.dat/report.pdf -
check r-tnef-longname quarantine winmail.dat/invoice.pdf attach_executable \
    winmail.dat/invoice.pdf attach_type_mismatch
check r-tnef-zip quarantine winmail.dat/files.zip/invoice.exe \
    attach_banned_member
check r-tnef-nested quarantine winmail.dat/forwarded.msg/invoice.exe \
    attach_executable
check r-tnef-head quarantine winmail.dat/attachment-1 attach_executable
check m-tnef-cut quarantine winmail.dat attach_truncated \
    winmail.dat/report.pdf -
check m-tnef-badsum quarantine winmail.dat attach_truncated
check m-tnef-twodata quarantine winmail.dat attach_truncated \
    winmail.dat/invoice.pdf attach_executable
check b-tnef-rtf accept winmail.dat - winmail.dat/report.docx -
check b-tnef-rtfonly accept winmail.dat -

echo "# pass $pass fail $fail"
[ "$fail" -eq 0 ]
