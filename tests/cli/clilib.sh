# clilib.sh - what the relaywarden-check attachment tests share (sourced
# by tests/cli/test_{names,pdf,xlm,tnef,links,qr,...}.sh after set -u):
# the program under test ($CHECK), python3 ($PY), a temporary directory
# $t removed on exit, the tally (ok, not_ok; $pass, $fail), and an
# offline config $t/rw.conf (no Redis, empty local DNS data, a resolver
# that never answers) whose attachment walk runs in the sandboxed
# workers; link_check runs one message and checks its reasons and links
# (issue 12).
CHECK=$top_builddir/milter/relaywarden-check
PY=/usr/bin/python3
pass=0 fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }

printf '$STATIC example\n' >"$t/zone"
cat >"$t/rw.conf" <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
C

# link_check NAME CONF WANT... : relaywarden-check --json on $t/NAME.eml
# under CONF, then each WANT: "+rule" raised, "-rule" not raised,
# "KIND=HOST@WHERE" a link of that kind ("qr=a.example@x.png"),
# "nolinks", "links>=N" at least N link records, "trunc" the scan hit
# the link cap, "K=N" the JSON counter K is N (qr_images=1).
link_check() {
	local name=$1 conf=$2 m
	shift 2
	if ! "$CHECK" -c "$conf" --client-ip 198.51.100.7 --json \
	    "$t/$name.eml" >"$t/$name.json" 2>"$t/err"; then
		not_ok "$name: relaywarden-check ran" "$(cat "$t/err")"
		return
	fi
	if m=$($PY - "$t/$name.json" "$@" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
rules = {x["rule"] for x in r["verdict"]["reasons"]}
links = [(l["kind"], l["host"], l["where"]) for l in r["links"]]
kinds = {l[0] for l in links}
bad = []
for w in sys.argv[2:]:
    k, eq, v = w.partition("=")
    if w.startswith("+") and w[1:] not in rules:
        bad.append("no %s" % w[1:])
    elif w.startswith("-") and w[1:] in rules:
        bad.append("%s raised" % w[1:])
    elif w == "nolinks" and links:
        bad.append("links")
    elif w.startswith("links>="):
        if len(links) < int(w[7:]):
            bad.append("links %d" % len(links))
    elif w == "trunc":
        if "links" not in (r["attachments_truncated"] or ""):
            bad.append("truncated %s" % r["attachments_truncated"])
    elif eq and "@" in v:
        host, where = v.split("@", 1)
        if (k, host, where) not in links:
            bad.append("no %s link %s in %s" % (k, host, where))
    elif eq and w[0] not in "+-":
        if r.get(k) != int(v):
            bad.append("%s %s" % (k, r.get(k)))
if bad:
    bad.append("reasons %s links %s" % (sorted(rules), links))
print("; ".join(bad))
sys.exit(1 if bad else 0)
P
	); then
		ok "$name"
	else
		not_ok "$name" "$m"
	fi
}
