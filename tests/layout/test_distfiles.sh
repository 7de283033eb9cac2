#!/bin/bash
# test_distfiles.sh - the release tarball holds every file of the
# repository (issue 14 item 5), so `make distcheck`'s make check - and a
# user's - never misses a test script, a corpus file or a fixture that a
# clone has: `make distdir` into a scratch directory against
# `git ls-files`.  Files the tarball leaves out on purpose are listed
# below.  Needs the git checkout: in an unpacked tarball (distcheck) there
# is nothing to compare with, and it says SKIP (exit 77).
set -u
LC_ALL=C
export LC_ALL
src=${top_srcdir:-$(dirname "$0")/../..}
bld=${top_builddir:-.}
# Not shipped: git and editor settings.
not_shipped='^(\.gitignore|\.gitattributes|\.clang-format|.*/\.gitignore)$'
# The source tree must be the checkout's top, not a tarball unpacked
# inside one (make distcheck in a build directory of a clone).
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)
if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$(cd "$src" && pwd -P)" ]
then
	echo "SKIP $src is not a git checkout (an unpacked tarball)" >&2
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rw-dist.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
if ! ${MAKE:-make} -s -C "$bld" distdir distdir="$tmp/d" \
    >"$tmp/log" 2>&1; then
	echo "FAIL make distdir:" >&2
	tail -n 20 "$tmp/log" >&2
	exit 1
fi
git -C "$src" ls-files | grep -Ev "$not_shipped" | sort >"$tmp/git"
(cd "$tmp/d" && find . -type f | sed 's|^\./||') | sort >"$tmp/dist"
missing=$(comm -23 "$tmp/git" "$tmp/dist")
n=$(wc -l <"$tmp/git")
if [ -z "$missing" ] && [ "$n" -gt 0 ]; then
	echo "ok   all $n files of the checkout are in the tarball"
	exit 0
fi
echo "FAIL files of the checkout missing from the tarball (EXTRA_DIST):"
printf '     %s\n' $missing
exit 1
