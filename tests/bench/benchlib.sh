# benchlib.sh - helpers shared by tests/bench/test_*.sh and
# tests/bench/run-bench (bash, sourced): DKIM keys made by openssl and
# published in a zone file for relaywarden's dns_local_data, messages
# signed by an independent signer (Perl Mail::DKIM, not the libopendkim
# relaywarden verifies with), relaywarden configs, and starting/stopping
# milters on private sockets.  No network: every name the milters look up
# is under a "$STATIC example" zone.
#
# Environment: BENCH_TMP (a private directory the caller made and
# removes).  Every client address is in 192.0.2.0/24 (documentation
# range: libspf2 would pass loopback without reading SPF, FIELD-NOTES).

BENCH_AUTHSERV=mx.bench.example
BENCH_CLIENT_IP=192.0.2.25
BENCH_HELO=mail.sender.example
BENCH_SELECTOR=bench

# TAP lines for the test scripts: they count in the caller's pass and
# fail.
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	printf '    %s\n' "$@"
}

bench_die() {
	printf 'BENCH HARD ERROR: %s\n' "$*" >&2
	exit 99
}

bench_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
		    bench_die "$c not found (contrib/install-deps installs it)"
	done
}

# bench_need_tools: what every caller needs.
bench_need_tools() {
	bench_need openssl perl python3 base64 fold
	perl -MMail::DKIM::Signer -e 1 2>/dev/null ||
	    bench_die "Mail::DKIM not found (Debian: libmail-dkim-perl)"
}

# The tools, relaywarden ($RW) and miltercat ($MC) built: or exit 99.
bench_need_milter() {
	bench_need_tools
	[ -x "$RW" ] || bench_die "$RW not built"
	[ -x "$MC" ] || bench_die "$MC not built"
}

# bench_key NAME: writes $BENCH_TMP/keys/NAME.pem (RSA-2048), prints the
# base64 public key (the p= of the DKIM record).
bench_key() {
	local k=$BENCH_TMP/keys/$1.pem
	mkdir -p "$BENCH_TMP/keys"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$k" 2>/dev/null || bench_die "openssl RSA keygen"
	openssl pkey -in "$k" -pubout -outform DER | base64 -w 0
}

# A TXT value as quoted strings of at most 200 bytes (RFC 1035: 255 max).
bench_txt() {
	printf '%s' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ' |
	    sed 's/ $//'
}

# bench_zone_domain DOMAIN PUBKEY: the records of one sender domain, zone
# file syntax: SPF for the benchmark's client range, DMARC p=none, and the
# DKIM key (when PUBKEY is not empty).
bench_zone_domain() {
	printf '%s. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' "$1"
	printf '_dmarc.%s. 300 IN TXT "v=DMARC1; p=none"\n' "$1"
	[ -n "$2" ] && printf '%s._domainkey.%s. 300 IN TXT %s\n' \
	    "$BENCH_SELECTOR" "$1" "$(bench_txt "v=DKIM1; k=rsa; p=$2")"
	return 0
}

# bench_zone_head: the start of a zone file: nothing under example. goes
# to a resolver; the HELO name has its SPF record.
bench_zone_head() {
	printf '$STATIC example\n'
	printf '%s. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' \
	    "$BENCH_HELO"
}

# bench_sign KEYNAME DOMAIN IN OUT [IN OUT]...: rsa-sha256,
# relaxed/relaxed, by Mail::DKIM in one process for all pairs.  The files
# have LF line ends (converted to CRLF for signing, back after).
bench_sign() {
	perl - "$BENCH_TMP/keys/$1.pem" "$2" "$BENCH_SELECTOR" "${@:3}" \
	    <<'PERL' || bench_die "Mail::DKIM signing failed"
use strict;
use warnings;
use Mail::DKIM::Signer;
my ($key, $domain, $sel, @files) = @ARGV;
while (my ($in, $out) = splice(@files, 0, 2)) {
	open(my $fh, '<', $in) or die "$in: $!\n";
	binmode $fh;
	my $msg = do { local $/; <$fh> };
	close $fh;
	$msg =~ s/\r?\n/\n/g;
	(my $wire = $msg) =~ s/\n/\015\012/g;
	my $s = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256',
	    Method => 'relaxed', Domain => $domain, Selector => $sel,
	    KeyFile => $key, Headers =>
	    'from:to:subject:date:message-id:mime-version:content-type');
	$s->PRINT($wire);
	$s->CLOSE;
	(my $sig = $s->signature->as_string) =~ s/\015\012/\n/g;
	open(my $oh, '>', $out) or die "$out: $!\n";
	binmode $oh;
	print $oh $sig, "\n", $msg;
	close $oh or die "$out: $!\n";
}
PERL
}

# bench_msg FILE FROM SUBJECT MSGID BODY_KB [EXTRA_HEADER_LINES]: a message
# with the headers a real one carries (trace, MIME, list) and about
# BODY_KB KB of text; above 16 KB half of it is a base64 attachment.
bench_msg() {
	local f=$1 from=$2 subj=$3 id=$4 kb=$5 extra=${6:-} i n
	{
		[ -n "$extra" ] && printf '%s\n' "$extra"
		printf 'Received: from mail.%s (mail.%s [%s])\n' \
		    "${from#*@}" "${from#*@}" "$BENCH_CLIENT_IP"
		printf '\tby relay.%s with ESMTPS id 4Bx9Zq1; %s\n' \
		    "${from#*@}" "Mon, 3 Jun 2024 10:00:00 +0000"
		printf 'Received: from client.%s ([198.51.100.7])\n' \
		    "${from#*@}"
		printf '\tby mail.%s with ESMTPSA; %s\n' "${from#*@}" \
		    "Mon, 3 Jun 2024 09:59:58 +0000"
		printf 'From: Sender <%s>\nTo: Bench <bench@rcpt.example>\n' \
		    "$from"
		printf 'Subject: %s\nDate: Mon, 3 Jun 2024 09:59:57 +0000\n' \
		    "$subj"
		printf 'Message-ID: <%s>\nMIME-Version: 1.0\n' "$id"
		printf 'X-Mailer: benchlib 1.0\nList-Id: <news.%s>\n' \
		    "${from#*@}"
		if [ "$kb" -gt 16 ]; then
			printf 'Content-Type: multipart/mixed; boundary="b1"\n'
			printf '\n--b1\nContent-Type: text/plain\n\n'
		else
			printf 'Content-Type: text/plain; charset=utf-8\n\n'
		fi
		printf 'Hello,\n\nplease pay the invoice.\nAmount: 100 EUR\n\n'
		n=$((kb > 16 ? kb * 8 : kb * 16))
		for ((i = 0; i < n; i++)); do
			printf 'Line %05d of the benchmark text, long' "$i"
			printf ' enough to look like prose (%s).\n' "$subj"
		done
		if [ "$kb" -gt 16 ]; then
			printf '\n--b1\nContent-Type: application/pdf; '
			printf 'name="report.pdf"\nContent-Transfer-Encoding: '
			printf 'base64\n\n'
			head -c $((kb * 384)) /dev/urandom | base64 -w 76
			printf '\n--b1--\n'
		fi
	} >"$f"
}

# bench_rw_conf FILE SOCKET ZONE: a relaywarden config for the benchmark:
# local DNS data only, forwarders at a port where nothing answers.  The
# sender state uses the Redis at BENCH_REDIS_PORT when set, else it is
# off (never a system Redis).
bench_rw_conf() {
	local user=
	# As root, relaywarden must become another user (the one
	# contrib/install-deps creates, or nobody), who reads these files.
	if [ "$(id -u)" = 0 ]; then
		user=nobody
		id -u relaywarden >/dev/null 2>&1 && user=relaywarden
		chmod 755 "$(dirname "$1")"
	fi
	cat >"$1" <<EOF
# generated by tests/bench/benchlib.sh
user = "$user";
socket = "$2";
socket_mode = "0600";
authserv_id = "$BENCH_AUTHSERV";
dns_local_data = "$3";
dns_forwarders = [ "127.0.0.1@9" ];
dns_timeout_ms = 500;
log_level = "${BENCH_LOG_LEVEL:-info}";
EOF
	if [ -n "${BENCH_REDIS_PORT:-}" ]; then
		printf 'redis_host = "127.0.0.1";\nredis_port = %s;\n' \
		    "$BENCH_REDIS_PORT" >>"$1"
		printf 'redis_prefix = "bench:";\n' >>"$1"
	else
		printf 'state_enable = false;\n' >>"$1"
	fi
}

# bench_free_port: a TCP port on 127.0.0.1 nothing listens on now.
bench_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# bench_sock_up SOCKET: the milter socket accepts connections.
bench_sock_up() {
	case $1 in
	unix:*) [ -S "${1#unix:}" ] ;;
	inet:*) local p=${1#inet:}
		(exec 3<>"/dev/tcp/127.0.0.1/${p%@*}") 2>/dev/null ;;
	*) return 1 ;;
	esac
}

# bench_start NAME SOCKET LOG CMD...: starts a milter in the background,
# waits up to 10 s for its socket; prints its pid.  Fails (1) if it does
# not come up (its log is shown).
bench_start() {
	local name=$1 sock=$2 log=$3 pid tries=100
	shift 3
	# A socket file left by a killed milter would look up at once.
	case $sock in unix:*) rm -f "${sock#unix:}" ;; esac
	"$@" >"$log" 2>&1 &
	pid=$!
	while [ "$tries" -gt 0 ] && ! bench_sock_up "$sock"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tries=0
			break
		fi
		sleep 0.1
		tries=$((tries - 1))
	done
	if [ "$tries" -eq 0 ]; then
		printf '%s did not come up on %s:\n' "$name" "$sock" >&2
		cat "$log" >&2
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
	echo "$pid"
}

# bench_stop PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default
# 5; libmilter milters take about 3 s to stop).
bench_stop() {
	local pid=$1 tries=$((${2:-5} * 10))
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# ---- a process and its descendants: CPU time and PSS (run-bench and
# the curves: relaywarden's fork server and workers count with it) ----

BENCH_TCK=$(getconf CLK_TCK)

# bench_proc_ticks PID: utime + stime, and of its reaped children.
bench_proc_ticks() {
	local line rest
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || { echo 0; return; }
	rest=${line##*) }
	set -- $rest
	echo $((${12} + ${13} + ${14} + ${15}))
}

# bench_tree PID: the process and all its descendants, one pid a line
# (one ps for the whole tree).
bench_tree() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
	    { kids[$2] = kids[$2] " " $1 }
	    END { n = 1; q[1] = root
		for (i = 1; i <= n; i++) {
			print q[i]
			m = split(kids[q[i]], k, " ")
			for (j = 1; j <= m; j++) q[++n] = k[j]
		} }'
}

# bench_cpu_ticks PID: CPU ticks of the process and its descendants
# (relaywarden's fork server and workers; a worker that retired is in
# the server's reaped-children time).
bench_cpu_ticks() {
	local t=0 p
	for p in $(bench_tree "$1"); do
		t=$((t + $(bench_proc_ticks "$p")))
	done
	echo "$t"
}

# bench_pss_kb PID: PSS (kB) summed over the process and its descendants
# (/proc/PID/smaps_rollup; a process gone meanwhile counts 0).
bench_pss_kb() {
	local p
	for p in $(bench_tree "$1"); do
		awk '/^Pss:/ { print $2; exit }' "/proc/$p/smaps_rollup" \
		    2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}
