#!/bin/sh
# The OpenSPF RFC 7208 conformance suite (make check).  The suite is data
# kept beside the repository, not in it: $RW_SPF_SUITE, else
# $top_srcdir/../shared/testdata/spf/rfc7208-tests.yml.  Missing is a
# failure, never a skip.
: "${top_srcdir:=.}" "${top_builddir:=.}"
suite=${RW_SPF_SUITE:-$top_srcdir/../shared/testdata/spf/rfc7208-tests.yml}
if [ ! -r "$suite" ]; then
	echo "rfc7208: SPF test suite not found at $suite" >&2
	echo "rfc7208: set RW_SPF_SUITE to rfc7208-tests.yml" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rfc7208.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$top_srcdir/tests/spf/rfc7208_zones.py" "$suite" "$tmp" ||
	exit 1
"$top_builddir/tests/spf/spf_suite" "$tmp"
