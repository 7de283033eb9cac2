#!/bin/bash
# test_memory.sh - the daemon's memory habits (issue 15, memory), over the
# milter protocol with miltercat as the MTA:
# - malloc arenas: with 12 connections at once (a libmilter thread each)
#   the daemon holds at most 2 per CPU, at least 4 (glibc's own limit is
#   8 per CPU, each arena keeping what its threads' messages freed);
# - every verdict still comes (no error, no tempfail);
# - without metrics_listen the daemon maps neither libmicrohttpd nor
#   gnutls (dlopen'd for the endpoint alone: gnutls initialises p11-kit,
#   nettle and libtasn1 in every process that loads it); with it, the
#   daemon loads them and /metrics answers, its workers still do not.
# What the workers share with their fork server is test_scanshare; the
# public suffix list loaded once, test_orgshare.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
RW=$top_builddir/milter/relaywarden
MC=$top_builddir/tests/bench/miltercat
. "$top_srcdir/tests/bench/benchlib.sh"
[ -x "$RW" ] || { echo "$RW not built"; exit 99; }
[ -x "$MC" ] || { echo "$MC not built"; exit 99; }
T=$(mktemp -d "${TMPDIR:-/tmp}/rw-memory.XXXXXX") || exit 99
chmod 755 "$T"
pass=0 fail=0 pid=
cleanup() {
	bench_stop "$pid" 6
	rm -rf "$T"
}
trap cleanup EXIT

bench_zone_head >"$T/zone"
bench_zone_domain a.example "" >>"$T/zone"
bench_rw_conf "$T/rw.conf" "unix:$T/rw.sock" "$T/zone"
bench_msg "$T/m.eml" news@a.example "memory" m1@a.example 40
pid=$(bench_start relaywarden "unix:$T/rw.sock" "$T/rw.log" \
    "$RW" -f -c "$T/rw.conf") || { echo "relaywarden did not start"; exit 99; }

# arenas PID: the malloc arenas besides the main one: glibc maps each as
# a heap of 64 MB aligned to 64 MB, its unused end PROT_NONE (a thread
# stack's guard page comes before it, not after).
arenas() {
	awk '
	function hex(s,   i, v, c) { v = 0
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			v = v * 16 + c }
		return v }
	{ split($1, r, "-"); a = hex(r[1]); b = hex(r[2])
	  anon = NF < 6
	  if (pa != "" && panon && pperm == "rw-p" && anon && $2 == "---p" &&
	      pb == a && pa % 67108864 == 0 && b - pa == 67108864) n++
	  pa = a; pb = b; pperm = $2; panon = anon }
	END { print n + 0 }' "/proc/$1/maps"
}

out=$("$MC" -s "unix:$T/rw.sock" -i "$BENCH_CLIENT_IP" -H "$BENCH_HELO" \
    -r bench@rcpt.example -c 12 -m 1 -t 3 -T 10000 "$T/m.eml" 2>&1 |
    tail -n 1)
case $out in
*" errors=0 "*" tempfail=0 "*) ok "12 connections: every verdict came" ;;
*) not_ok "12 connections: every verdict came" "$out" ;;
esac
n=$(arenas "$pid")
cpus=$(nproc)
cap=$((2 * cpus < 4 ? 4 : 2 * cpus))
threads=$(ls "/proc/$pid/task" | wc -l)
if ldd "$RW" 2>/dev/null | grep -q libasan; then
	# --enable-sanitizers: AddressSanitizer's allocator, not glibc's
	ok "arenas: not glibc's malloc (AddressSanitizer) # SKIP"
elif [ "$n" -ge 1 ] && [ "$n" -lt "$cap" ]; then
	ok "arenas: $n besides the main one, at most $cap in all ($cpus CPUs)"
else
	not_ok "arenas: $n besides the main one, at most $cap in all" \
	    "($cpus CPUs, $threads threads now)"
fi

# maps_has PID ERE: one of PID's mappings names a file matching ERE.
maps_has() { grep -E -q -e "$2" "/proc/$1/maps"; }
if maps_has "$pid" 'libmicrohttpd|libgnutls'; then
	not_ok "no metrics_listen: libmicrohttpd and gnutls not loaded" \
	    "$(grep -E -o '[^/]*(libmicrohttpd|libgnutls)[^ ]*' \
	    "/proc/$pid/maps" | sort -u | tr '\n' ' ')"
else
	ok "no metrics_listen: libmicrohttpd and gnutls not loaded"
fi
bench_stop "$pid" 6
pid=
port=$(bench_free_port)
printf 'metrics_listen = "%s";\n' "$port" >>"$T/rw.conf"
pid=$(bench_start relaywarden "unix:$T/rw.sock" "$T/rw.log" \
    "$RW" -f -c "$T/rw.conf") || { echo "relaywarden did not start"; exit 99; }
"$MC" -s "unix:$T/rw.sock" -i "$BENCH_CLIENT_IP" -H "$BENCH_HELO" \
    -r bench@rcpt.example -c 1 -n 1 -T 10000 "$T/m.eml" >/dev/null 2>&1
body=$(exec 3<>"/dev/tcp/127.0.0.1/$port" &&
    printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && timeout 5 cat <&3)
case $body in
*"HTTP/1."*" 200 "*relaywarden_*) ok "metrics_listen: /metrics answers" ;;
*) not_ok "metrics_listen: /metrics answers" "${body:0:300}" ;;
esac
if maps_has "$pid" libmicrohttpd; then
	ok "metrics_listen: the daemon loaded libmicrohttpd"
else
	not_ok "metrics_listen: the daemon loaded libmicrohttpd"
fi
w=0
for p in $(bench_tree "$pid"); do
	[ "$p" = "$pid" ] && continue
	maps_has "$p" 'libmicrohttpd|libgnutls' && w=$((w + 1))
done
if [ "$w" = 0 ]; then
	ok "metrics_listen: fork server and workers do not map it"
else
	not_ok "metrics_listen: fork server and workers do not map it" \
	    "$w processes do"
fi

echo "# pass $pass fail $fail"
[ "$fail" = 0 ]
