# benchcurves.sh - helpers shared by tests/bench/bench-senders,
# bench-sizes and bench-conns (bash, sourced after benchlib.sh): a
# private redis-server, relaywarden started on a private unix socket,
# messages
# of an exact size, DKIM signing of many files with many domains in one
# Perl process, and one measurement with miltercat.
#
# Environment: BENCH_TMP (the caller's private directory), RW, MC (the
# relaywarden and miltercat binaries), CURVE_PIDS (an array the caller's
# cleanup stops).

# curve_nprocs PID: how many processes the tree has.
curve_nprocs() { bench_tree "$1" | wc -l; }

# curve_redis_start: a private redis-server on a free port, no
# persistence; sets CURVE_REDIS_PORT.
curve_redis_start() {
	local i
	command -v redis-server >/dev/null ||
	    bench_die "redis-server not installed (Debian package redis-server)"
	CURVE_REDIS_PORT=$(bench_free_port)
	mkdir -p "$BENCH_TMP/redis"
	redis-server --port "$CURVE_REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$BENCH_TMP/redis" \
	    --logfile "$BENCH_TMP/redis/log" &
	CURVE_PIDS+=($!)
	CURVE_REDIS_PID=$!
	for i in $(seq 50); do
		redis-cli -p "$CURVE_REDIS_PORT" ping >/dev/null 2>&1 &&
		    return 0
		sleep 0.1
	done
	bench_die "redis-server did not start (see $BENCH_TMP/redis/log)"
}

# curve_rw_start CONF NAME: relaywarden -f -c CONF (its socket is in the
# config); sets CURVE_RW_PID.  The log is $BENCH_TMP/NAME.log.
curve_rw_start() {
	local sock
	sock=$(sed -n 's/^socket = "\(.*\)";$/\1/p' "$1")
	"$RW" -n -c "$1" >/dev/null 2>&1 || bench_die "relaywarden rejects $1"
	CURVE_RW_PID=$(bench_start relaywarden "$sock" "$BENCH_TMP/$2.log" \
	    "$RW" -f -c "$1") || bench_die "relaywarden did not start"
	CURVE_PIDS+=("$CURVE_RW_PID")
}

# curve_rw_stop: stops the relaywarden curve_rw_start started.
curve_rw_stop() {
	bench_stop "$CURVE_RW_PID" 6
	CURVE_RW_PID=
}

# curve_sign_list KEYNAME < LIST: DKIM-signs (rsa-sha256,
# relaxed/relaxed, Mail::DKIM, as bench_sign) every "DOMAIN IN OUT" line
# of LIST with the key KEYNAME published under each DOMAIN, in one Perl
# process.
curve_sign_list() {
	perl -e '
use strict;
use warnings;
use Mail::DKIM::Signer;
my ($key, $sel) = @ARGV;
while (my $line = <STDIN>) {
	my ($domain, $in, $out) = split(" ", $line);
	open(my $fh, "<", $in) or die "$in: $!\n";
	binmode $fh;
	my $msg = do { local $/; <$fh> };
	close $fh;
	$msg =~ s/\r?\n/\n/g;
	(my $wire = $msg) =~ s/\n/\015\012/g;
	my $s = Mail::DKIM::Signer->new(Algorithm => "rsa-sha256",
	    Method => "relaxed", Domain => $domain, Selector => $sel,
	    KeyFile => $key, Headers =>
	    "from:to:subject:date:message-id:mime-version:content-type");
	$s->PRINT($wire);
	$s->CLOSE;
	(my $sig = $s->signature->as_string) =~ s/\015\012/\n/g;
	open(my $oh, ">", $out) or die "$out: $!\n";
	binmode $oh;
	print $oh $sig, "\n", $msg;
	close $oh or die "$out: $!\n";
}' "$BENCH_TMP/keys/$1.pem" "$BENCH_SELECTOR" ||
	    bench_die "Mail::DKIM signing failed"
}

# curve_sized_msg FILE FROM KIND BYTES: a message of about BYTES bytes
# (LF line ends) from FROM: KIND "text" is a plain-text body of prose
# lines, "attach" a short text part and a base64 application/pdf
# attachment of random bytes making up the rest.
curve_sized_msg() {
	python3 - "$@" "$BENCH_CLIENT_IP" <<'PY' || bench_die "message $1"
import os, sys
f, frm, kind, size, ip = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4]), sys.argv[5]
dom = frm.split("@", 1)[1]
h = ["Received: from mail.%s (mail.%s [%s])" % (dom, dom, ip),
    "\tby relay.%s with ESMTPS id 4Bx9Zq1; Mon, 3 Jun 2024 10:00:00 +0000"
    % dom,
    "From: Sender <%s>" % frm, "To: Bench <bench@rcpt.example>",
    "Subject: %s message of %d bytes" % (kind, size),
    "Date: Mon, 3 Jun 2024 09:59:57 +0000",
    "Message-ID: <%s.%d@%s>" % (kind, size, dom), "MIME-Version: 1.0"]
words = ("the invoice for june is attached please find the figures of "
    "our quarterly report and the minutes of the meeting below").split()
def prose(n):
    out, i, ln = [], 0, 0
    while ln < n:
        line = " ".join(words[(i + k) % len(words)] for k in range(11))
        line = "%05d %s" % (i, line)
        out.append(line)
        ln += len(line) + 1
        i += 1
    return "\n".join(out) + "\n"
if kind == "text":
    h.append("Content-Type: text/plain; charset=utf-8")
    head = "\n".join(h) + "\n\n"
    body = prose(max(size - len(head), 1))
else:
    h.append('Content-Type: multipart/mixed; boundary="b1"')
    head = "\n".join(h) + "\n\n"
    t = "--b1\nContent-Type: text/plain\n\nThe report is attached.\n\n" \
        "--b1\nContent-Type: application/pdf; name=\"report.pdf\"\n" \
        "Content-Disposition: attachment; filename=\"report.pdf\"\n" \
        "Content-Transfer-Encoding: base64\n\n"
    left = max(size - len(head) - len(t) - 8, 77)
    raw = os.urandom(left * 57 // 77)
    import base64
    b = base64.b64encode(raw).decode()
    b = "\n".join(b[i:i + 76] for i in range(0, len(b), 76))
    body = t + b + "\n--b1--\n"
with open(f, "w", newline="") as fh:
    fh.write(head + body)
PY
}

# curve_measure SOCKET PID MCARGS... -- FILES...: one miltercat run
# against the milter PID; prints "n rate p50 p99 cpu_ms_per_msg errors
# seconds" (the milter's CPU over its process tree).
curve_measure() {
	local sock=$1 pid=$2 c0 c1 out
	shift 2
	c0=$(bench_cpu_ticks "$pid")
	out=$("$MC" -s "$sock" -i "$BENCH_CLIENT_IP" -H "$BENCH_HELO" \
	    -r bench@rcpt.example "$@" 2>"$BENCH_TMP/mc.err" | tail -n 1)
	c1=$(bench_cpu_ticks "$pid")
	kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$out"; }
	awk -v n="$(kv messages)" -v rate="$(kv msgs_per_s)" \
	    -v p50="$(kv p50_ms)" -v p99="$(kv p99_ms)" \
	    -v dc="$((c1 - c0))" -v tck="$BENCH_TCK" -v err="$(kv errors)" \
	    -v secs="$(kv seconds)" 'BEGIN {
		if (n == "") { n = 0; err = "fail" }
		printf "%d %.1f %.3f %.3f %.4f %s %s\n", n, rate, p50, p99,
		    dc / tck * 1000 / (n > 0 ? n : 1), err, secs }'
}

# curve_settle PID [MAX_S]: waits until the process tree is idle (at
# most 1 CPU tick in 0.5 s, twice running; at most MAX_S seconds,
# default 300): the daemon's refresher thread reads the known
# correspondents from Redis into the lookalike index after the start
# (a million senders: seconds of CPU), which is not per-message cost.
# Prints the seconds waited.
curve_settle() {
	local pid=$1 max=$((${2:-300} * 2)) t0 t1 quiet=0 n=0
	t0=$(bench_cpu_ticks "$pid")
	while [ "$n" -lt "$max" ] && [ "$quiet" -lt 2 ]; do
		sleep 0.5
		n=$((n + 1))
		t1=$(bench_cpu_ticks "$pid")
		if [ $((t1 - t0)) -le 1 ]; then
			quiet=$((quiet + 1))
		else
			quiet=0
		fi
		t0=$t1
	done
	awk -v n="$n" 'BEGIN { printf "%.1f\n", n / 2 }'
}

# curve_pss_each PID: "COMM PID PSS_KB PSS_ANON_KB" per process of the
# tree (bash reads only: the sampler runs it every 0.2 s).  PSS counts
# mapped file pages too (a worker maps the message it scans); Pss_Anon
# is the process's own memory.
curve_pss_each() {
	local p c x v k an
	for p in $(bench_tree "$1"); do
		{ read -r c <"/proc/$p/comm"; } 2>/dev/null || continue
		k=0 an=0
		{ while read -r x v _; do
			case $x in
			Pss:) k=$v ;;
			Pss_Anon:) an=$v; break ;;
			esac
		done <"/proc/$p/smaps_rollup"; } 2>/dev/null
		printf '%s %s %s %s\n' "$c" "$p" "$k" "$an"
	done
}
