#!/bin/sh
# check-includes.sh - the layered layout of policy/ (README, Layout).
#
# Each sub-folder policy/F/ has a RULE file whose line "may include: A B"
# names the folders F's files may include besides F itself; policy/ itself
# (the pipeline, offline-evaluation glue, reports) may include anything,
# and nothing below it may include policy/'s own headers.  Checks every
# `#include "..."` of every .c/.h under policy/, and that:
#  - the rules only point down: the "may include" graph has no loop;
#  - a header of another folder is named folder-qualified ("util/arena.h");
#  - no relative ("../") include, no folder below a sub-folder;
#  - no libmilter header in the library (milter/ is the only user);
#  - no file of policy/ or milter/ over 700 lines (split it by job).
# Prints FILE:LINE and the rule for each violation; exit 1 when any.
#
# Usage: check-includes.sh [SRCDIR]   (default: $top_srcdir, else ../..)
LC_ALL=C
export LC_ALL
src=${1:-${top_srcdir:-$(dirname "$0")/../..}}
pol=$src/policy
[ -f "$pol/policy.h" ] || { echo "check-includes: no $pol/policy.h" >&2; exit 2; }

bad=0
tmp=${TMPDIR:-/tmp}/check-includes.$$
trap 'rm -f "$tmp".*' EXIT INT TERM

# Folders and their rules.
: > "$tmp.rules"
for d in "$pol"/*/; do
	f=$(basename "$d")
	[ -n "$(ls "$d" 2>/dev/null)" ] || continue
	if [ ! -f "$d/RULE" ]; then
		echo "policy/$f/: no RULE file (a line \"may include: ...\")"
		bad=1
		continue
	fi
	line=$(grep -m1 '^may include:' "$d/RULE")
	if [ -z "$line" ]; then
		echo "policy/$f/RULE:1: no \"may include:\" line"
		bad=1
		continue
	fi
	echo "$f ${line#may include:}" >> "$tmp.rules"
	for sub in "$d"*/; do
		[ -d "$sub" ] || continue
		echo "policy/$f/$(basename "$sub")/: folders go one level deep"
		bad=1
	done
done

# Every allowed folder exists; the allowed graph is a partial order.
: > "$tmp.pairs"
while read -r f allowed; do
	echo "$f $f" >> "$tmp.pairs"
	for a in $allowed; do
		if ! grep -q "^$a " "$tmp.rules"; then
			echo "policy/$f/RULE: may include \"$a\", not a folder of policy/"
			bad=1
		fi
		echo "$a $f" >> "$tmp.pairs"
	done
done < "$tmp.rules"
if ! tsort "$tmp.pairs" > /dev/null 2> "$tmp.loop"; then
	echo "policy/*/RULE: the rules do not point down, a loop:"
	sed 's/^/  /' "$tmp.loop"
	bad=1
fi

# Every include of every file of the library.
find "$pol" -name '*.[ch]' | sort > "$tmp.files"
nfiles=$(wc -l < "$tmp.files")
xargs awk -v pol="$pol" -v rules="$tmp.rules" '
	BEGIN {
		while ((getline l < rules) > 0) {
			n = split(l, w, " ")
			allow[w[1]] = " "
			for (i = 2; i <= n; i++)
				allow[w[1]] = allow[w[1]] w[i] " "
			folder[w[1]] = 1
		}
	}
	function exists(p) { return (getline junk < p) >= 0 ? close(p) + 1 : 0 }
	function say(msg) { printf "%s:%d: %s\n", rel, FNR, msg; bad = 1 }
	FNR == 1 {
		rel = substr(FILENAME, length(pol) - 5)	# "policy/..."
		k = split(substr(FILENAME, length(pol) + 2), part, "/")
		from = k == 1 ? "" : part[1]
		dir = k == 1 ? pol : pol "/" from
	}
	/^[ \t]*#[ \t]*include[ \t]*</ {
		if ($0 ~ /<libmilter\//)
			say("includes libmilter: the library has no libmilter " \
			    "in it, milter/ carries its decisions out")
		next
	}
	!/^[ \t]*#[ \t]*include[ \t]*"/ { next }
	{
		inc = $0
		sub(/^[^"]*"/, "", inc)
		sub(/".*/, "", inc)
		nincs++
		if (inc ~ /\.\./) {
			say("includes \"" inc "\": a relative path; name policy " \
			    "headers from policy/ (\"util/arena.h\")")
			next
		}
		if (index(inc, "/") > 0) {
			to = substr(inc, 1, index(inc, "/") - 1)
			if (!(to in folder) || !exists(pol "/" inc)) {
				say("includes \"" inc "\": no such header in policy/")
				next
			}
		} else if (exists(dir "/" inc)) {
			to = from
		} else if (exists(pol "/" inc)) {
			to = ""			# policy/ itself
		} else {
			next			# generated (autoconf.h) or system
		}
		if (from == "" || to == from)
			next
		if (to == "") {
			say("includes \"" inc "\" of policy/ (the pipeline): " \
			    from "/ may include only:" allow[from] \
			    "(policy/" from "/RULE)")
			next
		}
		if (index(allow[from], " " to " ") == 0)
			say("includes \"" inc "\": " from "/ may include only:" \
			    (allow[from] == " " ? " nothing but system headers " : \
			    allow[from]) "(policy/" from "/RULE)")
	}
	END {
		printf "layout: %d includes checked\n", nincs
		exit bad
	}
' < "$tmp.files" || bad=1

# Files a screen of functions long, not an opendkim.c.
for f in $(find "$pol" "$src/milter" -name '*.[ch]' | sort); do
	n=$(wc -l < "$f")
	if [ "$n" -gt 700 ]; then
		echo "${f#"$src"/}:$n: over 700 lines: split it by responsibility"
		bad=1
	fi
done

if [ $bad = 0 ]; then
	echo "layout: $nfiles files in $(wc -l < "$tmp.rules") folders" \
	    "and policy/ follow their RULE"
fi
exit $bad
