#!/bin/bash
# test_sevenz.sh - a 7z whose header unpacks to a huge file list (issue
# 12) through relaywarden-check --json and the sandboxed workers: refused
# before libarchive unpacks it, as an incomplete check (attach_truncated,
# quarantine).  The bomb is made here by 7z (p7zip-full): 3000 empty
# files with 200-character names, an LZMA header of a few KB that
# unpacks to over 1 MB; the crafted one declares 50 MB.  An ordinary 7z
# (the corpus's b-7z) still walks and raises nothing.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"
echo 'attach_sandbox = true;' >>"$t/rw.conf"
seeds=$top_srcdir/tests/fuzz/corpus/attach

mkdir "$t/many"
n=$(printf '%0190d' 0)
i=0
while [ $i -lt 3000 ]; do
	: >"$t/many/$n$i"
	i=$((i + 1))
done
if ! (cd "$t/many" && 7z a -bd -bso0 ../many.7z . >/dev/null); then
	echo "not ok - 7z made the file-list bomb"
	exit 1
fi
$PY - "$seeds/mkcorpus-b-7z" "$t/many.7z" "$t/bomb.eml" <<'P'
import base64, sys
head = open(sys.argv[1]).read().split("N3q8")[0]
data = base64.encodebytes(open(sys.argv[2], "rb").read()).decode()
open(sys.argv[3], "w").write(head + data + "\n--=_b1--\n")
P

# check FILE ACTION RULE: the verdict's action and notes.7z's reason,
# refused for its header ("-": notes.7z raises nothing).
check() {
	local f=$1 action=$2 rule=$3 msg
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json "$f" \
	    >"$t/out.json" 2>"$t/err"; then
		not_ok "$f: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	if msg=$($PY - "$t/out.json" "$action" "$rule" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
it = [a for a in r["attachments"] if a["filename"] == "notes.7z"]
bad = []
if r["verdict"]["action"] != sys.argv[2]:
    bad.append("action %s" % r["verdict"]["action"])
if not it:
    bad.append("no notes.7z")
elif sys.argv[3] == "-":
    if it[0]["reasons"]:
        bad.append("raised %s" % it[0]["reasons"])
elif not any(x["rule"] == sys.argv[3] and
             "7z header unpacks to" in (x["detail"] or "")
             for x in it[0]["reasons"]):
    bad.append("want %s (7z header), got %s" % (sys.argv[3],
                                                 it[0]["reasons"]))
print("; ".join(bad))
sys.exit(1 if bad else 0)
P
	); then
		ok "$(basename "$f"): $action $rule"
	else
		not_ok "$(basename "$f"): $action $rule" "$msg"
	fi
}

check "$t/bomb.eml" quarantine attach_truncated
check "$seeds/sevenz-hdr-bomb" quarantine attach_truncated
check "$seeds/sevenz-hdr-huge" quarantine attach_truncated
check "$seeds/mkcorpus-b-7z" accept -

echo "# pass $pass fail $fail"
[ "$fail" -eq 0 ]
