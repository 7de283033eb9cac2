#!/bin/bash
# test_rulevocab.sh - the rule vocabulary and the decisions of policy/
# through relaywarden-check (issue 9): a dry-run attachment rule neither
# scores nor quarantines, and the check prints the header edits and the
# action the milter would carry out.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
CHECK=$top_builddir/milter/relaywarden-check
pass=0 fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '    %s\n' "$@"; }

# check NAME CONF MESSAGE: relaywarden-check's human output in $t/out,
# folded header lines unfolded.
check() {
	if "$CHECK" -c "$2" --client-ip 198.51.100.7 --mail-from \
	    a@sender.example --rcpt b@dest.example "$3" >"$t/raw" \
	    2>"$t/err"; then
		sed -e ':a' -e '$!N' -e 's/\n\t/ /' -e 'ta' -e 'P' -e 'D' \
		    "$t/raw" >"$t/out"
		return 0
	fi
	not_ok "$1: relaywarden-check ran" "$(cat "$t/err")"
	return 1
}

# has NAME PATTERN: $t/out has a line matching the extended regex.
has() {
	grep -q -E -- "$2" "$t/out" && ok "$1" || not_ok "$1" "$(cat "$t/out")"
}
hasnt() {
	grep -q -E -- "$2" "$t/out" && not_ok "$1" "$(cat "$t/out")" || ok "$1"
}

printf '$STATIC example\n' >"$t/zone"
base() {
	cat <<C
authserv_id = "mx.relaywarden.example";
state_enable = false;
dns_local_data = "$t/zone";
dns_forwarders = ["127.0.0.1@9"];
dns_timeout_ms = 500;
C
}
base >"$t/plain.conf"
{ base; echo 'dry_run_rules = ["attach_banned_extension"];'; } >"$t/dry.conf"

# A script attachment: banned by its extension only (no program inside).
cat >"$t/js.eml" <<'M'
From: Alice <a@sender.example>
To: b@dest.example
Subject: the script
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

see attached
--b
Content-Type: application/javascript; name=run.js
Content-Disposition: attachment; filename=run.js

var x = 1;
--b--
M

if check "banned extension" "$t/plain.conf" "$t/js.eml"; then
	has "attach_banned_extension scores and quarantines" \
	    '^X-Relaywarden: action=quarantine; .*reasons=.*attach_banned_extension'
fi
if check "dry run" "$t/dry.conf" "$t/js.eml"; then
	hasnt "dry-run attach_banned_extension does not quarantine" \
	    '^X-Relaywarden: action=quarantine'
	has "dry-run attach_banned_extension shows as whatif" \
	    '^X-Relaywarden: .*whatif=attach_banned_extension'
	has "dry-run attach_banned_extension scores nothing" \
	    '^reason: attach_banned_extension \(what-if\)'
	hasnt "nothing is held" '^action: quarantine'
fi

# The plan: what the milter would do, printed by the check.
{ base; echo 'tag_subject = "[SUSPICIOUS] ";'
  echo 'attach_executable_quarantine = false;'
  echo 'quarantine_score = 0;'; } >"$t/tag.conf"
{ printf 'Authentication-Results: mx.relaywarden.example; dkim=pass\n'
  printf 'X-Relaywarden: action=accept\n'; cat "$t/js.eml"; } >"$t/forged.eml"
if check "tag" "$t/tag.conf" "$t/forged.eml"; then
	has "the forged headers go, the highest first" \
	    '^would remove: X-Relaywarden: action=accept'
	grep -n "^would" "$t/out" | head -2 | tail -1 |
	    grep -q "would remove: Authentication-Results" &&
	    ok "then the forged Authentication-Results" ||
	    not_ok "then the forged Authentication-Results" "$(cat "$t/out")"
	has "ours goes on top" '^would insert at the top: Authentication-Results'
	has "the Subject is tagged" \
	    '^would change: Subject #1: \[SUSPICIOUS\] the script$'
	has "the action is tag" '^action: tag$'
fi
if check "quarantine" "$t/plain.conf" "$t/forged.eml"; then
	has "quarantine with its hold reason" \
	    '^action: quarantine \(relaywarden score=10 reasons=auth_temperror,attach_banned_extension\)$|^action: quarantine \(relaywarden score=10 reasons=attach_banned_extension\)$'
	hasnt "no Subject tag on quarantine" '^would change: Subject'
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
