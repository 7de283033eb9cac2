# clilib.sh - what the relaywarden-check attachment tests share (sourced
# by tests/cli/test_{names,pdf,xlm,tnef}.sh after set -u): the program
# under test ($CHECK), python3 ($PY), a temporary directory $t removed on
# exit, the tally (ok, not_ok; $pass, $fail), and an offline config
# $t/rw.conf (no Redis, empty local DNS data, a resolver that never
# answers) whose attachment walk runs in the sandboxed workers.
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
