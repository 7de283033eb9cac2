#!/bin/bash
# test_manconf.sh - relaywarden.conf(5) against the settings table
# (issue 14 item 4), so the two cannot drift apart:
#  a) every setting the program knows (tests/layout/confdefaults prints
#     config_dump of the built-in defaults, the program's own words) has
#     an entry ".It Cm NAME No = Li DEFAULT" in man/relaywarden.conf.5,
#     exactly once, and its DEFAULT is the dump's value;
#  b) no entry names a setting the program does not know;
#  c) the page lists every rule's built-in score (".It Li RULE Ta N"
#     under scores), each as the dump has it, and no unknown rule.
# authserv_id is the one default taken from the machine (the host name):
# the page must show "" and say so.
set -u
LC_ALL=C
export LC_ALL
src=${top_srcdir:-$(dirname "$0")/../..}
bld=${top_builddir:-.}
page=$src/man/relaywarden.conf.5
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	shift
	printf '     %s\n' "$@"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rw-manconf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! "$bld/tests/layout/confdefaults" >"$tmp/dump"; then
	echo "FAIL tests/layout/confdefaults did not run" >&2
	exit 1
fi
[ -r "$page" ] || { echo "FAIL no $page" >&2; exit 1; }

# The dump: "name<TAB>value" per setting; scores' rules apart.
awk '
	/^#/ { next }
	/^\t/ { sub(/^\t/, ""); sub(/;$/, "");
		split($0, kv, " = "); print kv[1] "\t" kv[2] >"'"$tmp"'/rules.dump"
		next }
	/^};$/ { next }
	{ i = index($0, " = "); name = substr($0, 1, i - 1)
	  val = substr($0, i + 3); sub(/;$/, "", val)
	  if (val == "{") val = "{ ... }"
	  print name "\t" val }
' "$tmp/dump" | sort >"$tmp/settings.dump"

# The page: the same two lists from its source, mdoc escapes undone.
unesc() { sed -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\e/\\/g'; }
sed -n 's/^\.It Cm \([a-z0-9_]*\) No = Li \(.*\)$/\1\t\2/p' "$page" |
    unesc | sort >"$tmp/settings.page"
sed -n 's/^\.It Li \([a-z0-9_]*\) Ta \(-\{0,1\}[0-9]*\)$/\1\t\2/p' "$page" |
    sort >"$tmp/rules.page"
sort -o "$tmp/rules.dump" "$tmp/rules.dump"

n=$(wc -l <"$tmp/settings.dump")
[ "$n" -gt 100 ] && ok "the program knows $n settings" ||
    not_ok "the program's settings" "only $n in the dump"

dups=$(cut -f1 "$tmp/settings.page" | uniq -d)
[ -z "$dups" ] && ok "each setting has one entry in the page" ||
    not_ok "settings listed twice in the page" $dups

missing=$(join -t "$(printf '\t')" -v1 <(cut -f1 "$tmp/settings.dump") \
    <(cut -f1 "$tmp/settings.page" | sort -u))
[ -z "$missing" ] && ok "every setting is in relaywarden.conf(5)" ||
    not_ok "settings missing from relaywarden.conf(5)" $missing

unknown=$(join -t "$(printf '\t')" -v2 <(cut -f1 "$tmp/settings.dump") \
    <(cut -f1 "$tmp/settings.page" | sort -u))
[ -z "$unknown" ] && ok "the page names no unknown setting" ||
    not_ok "the page names settings the program does not know" $unknown

# Defaults: the page's value must be the dump's, verbatim.
bad=
while IFS=$(printf '\t') read -r name dval; do
	pval=$(awk -F '\t' -v n="$name" '$1 == n { print $2; exit }' \
	    "$tmp/settings.page")
	[ -n "$pval" ] || continue	# reported as missing above
	if [ "$name" = authserv_id ]; then
		# config_default fills in the host name.
		if [ "$pval" = '""' ] &&
		    grep -q 'system host name is used' "$page"; then
			continue
		fi
	fi
	[ "$pval" = "$dval" ] ||
	    bad="$bad $name: page says [$pval], the program [$dval];"
done <"$tmp/settings.dump"
[ -z "$bad" ] && ok "every default in the page is the program's" ||
    not_ok "defaults that differ" "$bad"

nr=$(wc -l <"$tmp/rules.dump")
if [ "$nr" -gt 0 ] && diff -u "$tmp/rules.dump" "$tmp/rules.page" \
    >"$tmp/rules.diff"; then
	ok "the page lists the $nr rules' built-in scores"
else
	not_ok "rule scores: dump (-) against the page (+)" \
	    "$(cat "$tmp/rules.diff")"
fi
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
