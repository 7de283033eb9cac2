#!/bin/bash
# test_metrics.sh - issue 14 item 2: the Prometheus endpoint of a running,
# confined relaywarden behind a private Postfix and Redis.  It is scraped
# with curl before, while and after N plain messages (accepted) and M
# messages with an executable (held) flow; the counters moved by exactly
# what was sent: messages by action, the attach_executable reason, SPF,
# DKIM and DMARC results, the whole-message histogram's _count (and its
# +Inf bucket), DNS and Redis histograms moved; in flight back to 0.
# An idle worker killed: a restart (cause died) and a start.  A sender
# domain whose DNS times out: DNS errors and SPF temperror.  Then Redis
# is killed: Redis errors count and the breaker gauge opens.
# Every path but /metrics is 404, another method 405; the thread that
# serves it carries the daemon's seccomp filter.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init
e2e_need_cmd curl

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.60
HELO=mx.sender.example
FROM=carol@sender.example
N=4		# plain messages: accepted
H=3		# with an executable: held

e2e_zone_sender "$IP" "$HELO"
/usr/bin/python3 "$top_srcdir/tests/attach/mkpe.py" "$M/setup.bin" ||
	e2e_hard_error "mkpe.py failed"

MPORT=$(e2e_free_port)
URL=http://127.0.0.1:$MPORT
e2e_start_redis
E2E_RW_EXTRA="metrics_listen = \"$MPORT\";
redis_breaker_failures = 1;
redis_breaker_cooldown_ms = 600000;
${E2E_RW_EXTRA:-}"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

# scrape FILE: the exposition into FILE; 1 unless HTTP 200.
scrape() {
	[ "$(curl -s -m 5 -o "$1" -w '%{http_code}' "$URL/metrics")" = 200 ]
}

# val FILE SAMPLE: the value of the sample line (name and labels as
# written), or "missing".
val() {
	awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "missing" }' "$1"
}

# delta NAME A B: B's value minus A's.
delta() {
	local a b
	a=$(val "$2" "$1") b=$(val "$3" "$1")
	case "$a$b" in
	*missing*) echo "missing" ;;
	*) echo $((b - a)) ;;
	esac
}

# plain C / exe C: one message into $M/C.eml
plain() {
	e2e_msg "$M/$1.eml" "Carol <$FROM>" "$RCPT" "note $1" "$1@e2e"
}
exe() {
	/usr/bin/python3 - "$M/setup.bin" "$M/$1.eml" "$1@e2e" <<'P'
import base64, sys
pe, out, msgid = sys.argv[1:4]
b = base64.b64encode(open(pe, "rb").read()).decode()
b = "\r\n".join(b[i:i + 76] for i in range(0, len(b), 76))
msg = "\r\n".join([
    "From: Carol <carol@sender.example>", "To: bob@rcpt.example",
    "Subject: tool", "Message-ID: <%s>" % msgid, "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"', "",
    "--b1", "Content-Type: text/plain", "", "The tool.",
    "--b1", "Content-Type: application/octet-stream",
    'Content-Disposition: attachment; filename="setup.exe"',
    "Content-Transfer-Encoding: base64", "", b, "--b1--", ""])
open(out, "w", newline="").write(msg)
P
}

# ---- the endpoint ----
e2e_expect_match "milter log: metrics listening" "metrics on http://127.0.0.1:$MPORT/metrics" \
    "$(grep -F 'metrics on' "$E2E_TMP/rw/milter.log")"
e2e_expect_match "milter log: confined" "sandbox: seccomp filter on" \
    "$(grep -F 'sandbox:' "$E2E_TMP/rw/milter.log")"
scrape "$M/before" || e2e_not_ok "scrape before" "no 200"
e2e_expect_eq "Content-Type is the text format 0.0.4" \
    "text/plain; version=0.0.4; charset=utf-8" \
    "$(curl -s -m 5 -o /dev/null -w '%{content_type}' "$URL/metrics")"
for p in / /metrics/ /metricsx /metrics/../x /other '/metrics?x=1#'; do
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --path-as-is \
	    "$URL$p")
	case $p in
	'/metrics?x=1#') want=200 ;;	# the query is not the path
	*) want=404 ;;
	esac
	e2e_expect_eq "GET $p answers $want" "$want" "$code"
done
e2e_expect_eq "POST /metrics answers 405" 405 \
    "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -d x=1 "$URL/metrics")"
e2e_expect_eq "every line HELP, TYPE or a relaywarden_ sample" "" \
    "$(grep -v -E '^(# (HELP|TYPE) relaywarden_[a-z_]+ .+|relaywarden_[a-z_]+(\{[a-z]+="[^"]*"\})? -?[0-9.e+]+)$' "$M/before")"
e2e_expect_eq "every counter ends _total" "" \
    "$(awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" && $3 !~ /_total$/' "$M/before")"

# Every thread of the daemon, the metrics one included, is in seccomp
# filter mode (2): the thread started after the confinement.
tasks=$(ls /proc/"$E2E_PIDS_MILTER"/task | wc -l)
unconfined=$(grep -L -x -P 'Seccomp:\t2' /proc/"$E2E_PIDS_MILTER"/task/*/status | wc -l)
e2e_expect_eq "all $tasks threads under the seccomp filter" 0 "$unconfined"
e2e_expect_match "libmicrohttpd's thread is one of them" "MHD" \
    "$(cat /proc/"$E2E_PIDS_MILTER"/task/*/comm | paste -s -d ' ')"

# ---- messages flow, scraped meanwhile ----
for i in $(seq 1 "$N"); do plain "p$i"; done
for i in $(seq 1 "$H"); do exe "x$i"; done
(
	for i in $(seq 1 "$N"); do
		e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
		    "$M/p$i.eml" >>"$M/codes"
	done
) &
sender1=$!
(
	for i in $(seq 1 "$H"); do
		e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
		    "$M/x$i.eml" >>"$M/codes"
	done
) &
sender2=$!
during=0 failed=0
while kill -0 "$sender1" 2>/dev/null || kill -0 "$sender2" 2>/dev/null; do
	if scrape "$M/during"; then
		during=$((during + 1))
		v=$(val "$M/during" relaywarden_messages_in_flight)
		case $v in
		[0-9]*) ;;
		*) failed=$((failed + 1)) ;;
		esac
	else
		failed=$((failed + 1))
	fi
	sleep 0.05
done
wait "$sender1" "$sender2"
e2e_expect_eq "scrapes while mail flowed all answered" 0 "$failed"
e2e_expect_match "scraped while mail flowed" '^[1-9]' "$during"
e2e_expect_eq "all $((N + H)) accepted by SMTP" "$((N + H))" \
    "$(grep -c '^250$' "$M/codes")"
for i in $(seq 1 "$N"); do
	f=$(e2e_wait_msg "p$i@e2e") || f=lost
	case $f in */held-*|lost) e2e_not_ok "p$i delivered" "$f" ;; esac
done
for i in $(seq 1 "$H"); do
	f=$(e2e_wait_msg "x$i@e2e") || f=lost
	case $f in */held-*) ;; *) e2e_not_ok "x$i held" "$f" ;; esac
done
e2e_settle 10 || e2e_not_ok "queues settle" "$(e2e_queue_counts)"
scrape "$M/after" || e2e_not_ok "scrape after" "no 200"

e2e_expect_eq "messages{action=accept} +$N" "$N" \
    "$(delta 'relaywarden_messages_total{action="accept"}' "$M/before" "$M/after")"
e2e_expect_eq "messages{action=quarantine} +$H" "$H" \
    "$(delta 'relaywarden_messages_total{action="quarantine"}' "$M/before" "$M/after")"
for a in tag reject tempfail; do
	e2e_expect_eq "messages{action=$a} +0" 0 \
	    "$(delta "relaywarden_messages_total{action=\"$a\"}" "$M/before" "$M/after")"
done
e2e_expect_eq "reasons{reason=attach_executable} +$H" "$H" \
    "$(delta 'relaywarden_reasons_total{reason="attach_executable"}' "$M/before" "$M/after")"
e2e_expect_eq "spf_results{result=pass} +$((N + H))" "$((N + H))" \
    "$(delta 'relaywarden_spf_results_total{result="pass"}' "$M/before" "$M/after")"
e2e_expect_eq "dkim_results{result=none} +$((N + H)) (unsigned)" "$((N + H))" \
    "$(delta 'relaywarden_dkim_results_total{result="none"}' "$M/before" "$M/after")"
e2e_expect_eq "dmarc_results{result=pass} +$((N + H)) (SPF aligned)" \
    "$((N + H))" \
    "$(delta 'relaywarden_dmarc_results_total{result="pass"}' "$M/before" "$M/after")"
e2e_expect_eq "message_duration_seconds_count +$((N + H))" "$((N + H))" \
    "$(delta relaywarden_message_duration_seconds_count "$M/before" "$M/after")"
e2e_expect_eq "message histogram: +Inf bucket equals _count" \
    "$(val "$M/after" relaywarden_message_duration_seconds_count)" \
    "$(val "$M/after" 'relaywarden_message_duration_seconds_bucket{le="+Inf"}')"
e2e_expect_match "dns_lookup_duration_seconds_count moved" '^[1-9]' \
    "$(delta relaywarden_dns_lookup_duration_seconds_count "$M/before" "$M/after")"
e2e_expect_match "redis_call_duration_seconds_count moved" '^[1-9]' \
    "$(delta relaywarden_redis_call_duration_seconds_count "$M/before" "$M/after")"
e2e_expect_eq "redis_errors +0 while Redis answers" 0 \
    "$(delta relaywarden_redis_errors_total "$M/before" "$M/after")"
e2e_expect_eq "breaker closed" 0 "$(val "$M/after" relaywarden_redis_breaker_state)"
e2e_expect_match "attachment workers started" '^[1-9]' \
    "$(val "$M/after" relaywarden_attach_worker_starts_total)"
e2e_expect_eq "in flight back to 0" 0 \
    "$(val "$M/after" relaywarden_messages_in_flight)"

# ---- an attachment worker dies while idle: replaced and counted ----
HOST=$(pgrep -P "$E2E_PIDS_MILTER" -x rw-scanhost)
for w in $(pgrep -P "$HOST" -x rw-worker); do
	kill -KILL "$w"
done
exe w1
e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/w1.eml" >/dev/null
f=$(e2e_wait_msg "w1@e2e") || f=lost
case $f in */held-*) ;; *) e2e_not_ok "w1 held" "$f" ;; esac
e2e_settle 10 || true
scrape "$M/workers" || e2e_not_ok "scrape after the worker died" "no 200"
e2e_expect_eq "attach_worker_restarts{cause=died} +1" 1 \
    "$(delta 'relaywarden_attach_worker_restarts_total{cause="died"}' "$M/after" "$M/workers")"
e2e_expect_eq "attach_worker_starts +1 (its replacement)" 1 \
    "$(delta relaywarden_attach_worker_starts_total "$M/after" "$M/workers")"
e2e_expect_eq "messages{action=quarantine} +1 more" 1 \
    "$(delta 'relaywarden_messages_total{action="quarantine"}' "$M/after" "$M/workers")"
cp "$M/workers" "$M/after"

# ---- DNS that does not answer: a sender domain outside the local data
# goes to the forwarder, where nothing listens: lookups time out ----
e2e_msg "$M/d1.eml" "Dave <dave@nowhere-dns.net>" "$RCPT" "dns" "d1@e2e"
e2e_send_swaks "$IP" "$HELO" "$HELO" dave@nowhere-dns.net "$RCPT" \
    "$M/d1.eml" >/dev/null
e2e_settle 10 || true
scrape "$M/dns" || e2e_not_ok "scrape after the DNS timeouts" "no 200"
e2e_expect_match "dns_errors moved (timeouts)" '^[1-9]' \
    "$(delta relaywarden_dns_errors_total "$M/after" "$M/dns")"
e2e_expect_eq "spf_results{result=temperror} +1" 1 \
    "$(delta 'relaywarden_spf_results_total{result="temperror"}' "$M/after" "$M/dns")"
e2e_expect_eq "that message counted once" 1 \
    "$(delta relaywarden_message_duration_seconds_count "$M/after" "$M/dns")"
cp "$M/dns" "$M/after"

# ---- Redis goes away: errors count, the breaker opens ----
e2e_kill_redis
plain r1
e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/r1.eml" >/dev/null
e2e_settle 10 || true
scrape "$M/down" || e2e_not_ok "scrape with Redis down" "no 200"
e2e_expect_match "redis_errors moved with Redis down" '^[1-9]' \
    "$(delta relaywarden_redis_errors_total "$M/after" "$M/down")"
e2e_expect_eq "breaker open (1)" 1 "$(val "$M/down" relaywarden_redis_breaker_state)"
e2e_expect_eq "one more message counted" 1 \
    "$(delta relaywarden_message_duration_seconds_count "$M/after" "$M/down")"
e2e_expect_eq "in flight still 0" 0 "$(val "$M/down" relaywarden_messages_in_flight)"

# ---- a connection flood on the endpoint: bounded, mail unaffected ----
threads0=$(ls /proc/"$E2E_PIDS_MILTER"/task | wc -l)
/usr/bin/python3 - "$MPORT" "$M/flood.ready" <<'P' &
import socket, sys, time
held = []
for i in range(40):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
        s.send(b"GET /metrics HTTP/1.1\r\n")  # never finished
        held.append(s)
    except OSError:
        pass
open(sys.argv[2], "w").write("%d\n" % len(held))
time.sleep(4)
P
flood=$!
e2e_wait_for 10 test -s "$M/flood.ready"
plain f1
e2e_expect_eq "mail accepted during the flood" 250 \
    "$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/f1.eml")"
e2e_expect_eq "no thread per connection" "$threads0" \
    "$(ls /proc/"$E2E_PIDS_MILTER"/task | wc -l)"
wait "$flood"
e2e_wait_for 15 scrape "$M/flooded" ||
    e2e_not_ok "scrape after the flood" "no 200 within 15 s"
e2e_expect_eq "the message of the flood counted" 1 \
    "$(delta relaywarden_message_duration_seconds_count "$M/down" "$M/flooded")"

# ---- a second daemon on the same metrics port: a clear error, exit 1 ----
sed -e "s|^socket = .*|socket = \"unix:$E2E_TMP/rw/second.sock\";|" \
    "$E2E_RW_CONF" >"$E2E_TMP/rw/second.conf"
timeout 20 "$top_builddir/milter/relaywarden" -f -c "$E2E_TMP/rw/second.conf" \
    >/dev/null 2>"$M/second.err"
e2e_expect_eq "second daemon on a taken metrics port exits 1" 1 "$?"
e2e_expect_match "and says why" \
    "metrics_listen 127.0.0.1:$MPORT: cannot listen" "$(cat "$M/second.err")"

e2e_summary
