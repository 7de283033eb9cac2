#!/bin/sh
# The OpenSPF RFC 7208 conformance suite (make check).  The suite is data
# kept beside the repository, not in it: $RW_SPF_SUITE, else
# $top_srcdir/../shared/testdata/spf/rfc7208-tests.yml.  A clone on its
# own has no shared/ beside it: there the suite is reported SKIP with the
# reason; with RW_REQUIRE_SHARED=1 (.ci/run sets it) missing is a failure.
: "${top_srcdir:=.}" "${top_builddir:=.}"
suite=${RW_SPF_SUITE:-$top_srcdir/../shared/testdata/spf/rfc7208-tests.yml}
if [ ! -r "$suite" ]; then
	echo "rfc7208: SPF test suite not found at $suite" >&2
	echo "rfc7208: set RW_SPF_SUITE to rfc7208-tests.yml, the OpenSPF" \
	    "project's RFC 7208 test suite (in the pyspf repository," \
	    "github.com/sdgathman/pyspf, test/rfc7208-tests.yml)" >&2
	[ "${RW_REQUIRE_SHARED:-0}" = 1 ] && exit 1
	echo "SKIP: rfc7208: no shared/ test data beside this clone" >&2
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rfc7208.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$top_srcdir/tests/spf/rfc7208_zones.py" "$suite" "$tmp" ||
	exit 1
"$top_builddir/tests/spf/spf_suite" "$tmp"
