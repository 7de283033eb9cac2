#!/bin/sh
# run.sh - runs the built libFuzzer targets (configure CC=clang
# --enable-fuzzers; this script builds nothing), one after the other,
# each for a fixed time, nice'd; fails when any target crashes, hangs,
# leaks or breaks an invariant.
#
#   tests/fuzz/run.sh [-b BUILDDIR] [-t SECONDS] [-w WORKDIR] [-k] [NAME...]
#
#   -b  the build directory (default: the current directory)
#   -t  seconds per target (default $FUZZ_SECONDS, else 30)
#   -w  work directory: per target the new corpus entries, crash
#       artifacts, the log and TMPDIR (default: a new one under
#       ${TMPDIR:-/tmp}, removed afterwards unless a target failed or -k)
#   -k  keep the work directory
#   NAME  targets to run (addr authres ...); default every one built
#
# The committed seeds (tests/fuzz/corpus/NAME) are read, never written:
# libFuzzer adds what it finds to WORKDIR/NAME/corpus.  A finding is
# WORKDIR/NAME/crash-*, leak-*, timeout-* or oom-*: minimise it with
#   BUILDDIR/tests/fuzz/fuzz_NAME -minimize_crash=1 -runs=10000 FILE
# and add it to tests/fuzz/corpus/NAME/ so make check replays it.
# Environment: FUZZ_MAX_LEN (default 8192; 65536 for eml, attach and
# office), FUZZ_TIMEOUT (seconds per
# input before a hang is reported, default 20), FUZZ_NICE (default 10).

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=.
seconds=${FUZZ_SECONDS:-30}
work=
keep=0

usage() {
	echo "usage: run.sh [-b BUILDDIR] [-t SECONDS] [-w WORKDIR] [-k]" \
	    "[NAME...]" >&2
	exit 2
}

while getopts b:t:w:k opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	t) seconds=$OPTARG ;;
	w) work=$OPTARG ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case $seconds in
''|*[!0-9]*) echo "run.sh: -t wants whole seconds" >&2; exit 2 ;;
esac

if [ $# -eq 0 ]; then
	for bin in "$builddir"/tests/fuzz/fuzz_*; do
		[ -x "$bin" ] || continue
		set -- "$@" "${bin##*/fuzz_}"
	done
	if [ $# -eq 0 ]; then
		echo "run.sh: no fuzz targets in $builddir/tests/fuzz" \
		    "(configure CC=clang --enable-fuzzers, then make)" >&2
		exit 1
	fi
fi

if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/rwfuzz.XXXXXX") || exit 1
else
	mkdir -p "$work" || exit 1
	keep=1
fi

ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

failed=
for name in "$@"; do
	bin=$builddir/tests/fuzz/fuzz_$name
	seeds=$srcdir/tests/fuzz/corpus/$name
	dict=$srcdir/tests/fuzz/dict/$name.dict
	dir=$work/$name
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin: not built" >&2
		failed="$failed $name"
		continue
	fi
	mkdir -p "$dir/corpus" "$dir/tmp" || exit 1
	# whole messages and files need room; header-sized parsers do not
	case $name in
	eml|attach|office|pdfscan) maxlen=${FUZZ_MAX_LEN:-65536} ;;
	*) maxlen=${FUZZ_MAX_LEN:-8192} ;;
	esac
	set --
	[ -f "$dict" ] && set -- "-dict=$dict"
	start=$(date +%s)
	TMPDIR=$dir/tmp nice -n "${FUZZ_NICE:-10}" "$bin" \
	    -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-20}" \
	    -rss_limit_mb=2048 -max_len="$maxlen" \
	    -print_final_stats=1 -artifact_prefix="$dir/" "$@" \
	    "$dir/corpus" "$seeds" >"$dir/log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$dir/log" | tail -n 1)
	new=$(ls "$dir/corpus" | wc -l)
	if [ $rc -ne 0 ]; then
		failed="$failed $name"
		echo "FAIL $name: exit $rc after $((end - start)) s," \
		    "${execs:-?} runs; log $dir/log"
		ls "$dir" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' |
		    sed "s|^|     $dir/|"
		grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|ERROR: libFuzzer'\
'|runtime error|invariant failed' \
		    "$dir/log" | sed 's/^/     /'
	else
		echo "ok   $name: ${execs:-?} runs in $((end - start)) s," \
		    "$new new corpus entries"
	fi
done

if [ -n "$failed" ]; then
	echo "run.sh: failed:$failed (work directory $work kept)"
	exit 1
fi
if [ $keep -eq 0 ]; then
	rm -rf "$work"
else
	echo "run.sh: work directory $work"
fi
exit 0
