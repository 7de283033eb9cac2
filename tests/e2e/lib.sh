# lib.sh - helpers for the end-to-end tests, sourced by tests/e2e/test_*.sh
# (bash).  They run real parts around the milter, all private and on
# loopback: a redis-server, a Postfix instance with its own config, queue and
# data directories (smtpd on 127.0.0.1:<free port>, XCLIENT allowed from
# 127.0.0.0/8, delivery by virtual(8) into one maildir), and relaywarden.
# Nothing here touches the system Postfix or Redis.
#
# Use:   . "$top_srcdir/tests/e2e/lib.sh"
#        e2e_init                    root check (else exit 77), prerequisites,
#                                    temp dir, trap that stops everything
#        e2e_start_redis [PORT]      sets E2E_REDIS_PORT (a free one, or
#                                    PORT again after e2e_kill_redis)
#        e2e_kill_redis              SIGKILL, as a crash (the data is gone)
#        e2e_redis ARGS              redis-cli on the private server
#        e2e_write_config ZONE       relaywarden config -> E2E_RW_CONF; the
#                                    private Redis when E2E_REDIS_PORT is
#                                    set (prefix E2E_REDIS_PREFIX, unique
#                                    per test and run), else state off
#        e2e_start_milter            relaywarden -f, waits for its socket
#        e2e_reload_milter           checks E2E_RW_CONF, SIGUSR1, waits for
#                                    "configuration reloaded"
#        e2e_start_postfix [SOCKET]  sets E2E_SMTP_PORT; "" = no milter
#        e2e_send_swaks ADDR NAME HELO FROM TO FILE   one message, prints
#                                    the final SMTP reply code
#        e2e_send_session ADDR NAME HELO FROM TO FILE [FROM TO FILE ...]
#                                    several messages in one SMTP session
#        e2e_send_reply ADDR NAME HELO FROM TO FILE   the same, prints the
#                                    whole final reply line ("451 4.7.1 ..")
#        e2e_wait_msg MSGID          path of the delivered (or held) copy
#        e2e_queue_counts            "incoming active deferred hold mailbox"
#        e2e_settle [SECONDS]        waits for incoming and active to empty
#        e2e_ok / e2e_expect* / e2e_summary   assertions and the tally
#
# Environment: top_srcdir, top_builddir (the automake harness exports them),
# E2E_KEEP=1 keeps the temp dir, E2E_RW_EXTRA adds lines to the milter's
# config, E2E_PF_EXTRA to Postfix's main.cf.  Exit codes follow automake:
# 77 skip (not root), 99 hard error (a prerequisite is missing or a server
# does not start).

E2E_PY=/usr/bin/python3
E2E_PASS=0
E2E_FAIL=0
E2E_PIDS_MILTER=
E2E_PIDS_REDIS=
E2E_PIDS_AUX=
E2E_REDIS_PORT=
E2E_PF_CONF=
E2E_PF_QUEUE=
E2E_PF_LOG=
E2E_TMP=
E2E_AUTHSERV=mx.relaywarden.example
E2E_DOMAIN=rcpt.example
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$PWD}"
E2E_SRC=$top_srcdir/tests/e2e
E2E_TOOL="$E2E_PY $E2E_SRC/e2etool.py"

e2e_log() {
	printf '%s\n' "$*"
}

# A missing prerequisite is an error, never a silent skip.
e2e_hard_error() {
	printf 'E2E HARD ERROR: %s\n' "$*" >&2
	exit 99
}

e2e_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
		    e2e_hard_error "$c not found (contrib/install-deps installs it)"
	done
}

e2e_init() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: the end-to-end tests run a private Postfix, which" \
		    "needs root (its smtpd and cleanup run as user postfix)" >&2
		exit 77
	fi
	PATH=$PATH:/usr/sbin:/sbin
	e2e_need_cmd postfix postconf postcat postqueue postsuper \
	    redis-server redis-cli swaks openssl perl
	[ -x "$E2E_PY" ] || e2e_hard_error "$E2E_PY not found (python3)"
	id postfix >/dev/null 2>&1 || e2e_hard_error "no user postfix"
	perl -MMail::DKIM::Signer -e 1 2>/dev/null ||
	    e2e_hard_error "Mail::DKIM not found (libmail-dkim-perl)"
	$E2E_PY -c 'import dkim, nacl' 2>/dev/null ||
	    e2e_hard_error "dkimpy/pynacl not found (python3-dkim python3-nacl)"
	# One Redis key prefix per test and run ("e2e.state.123:"), so a
	# test never reads another's history.
	E2E_REDIS_PREFIX=e2e.$(basename "$0" .sh | sed 's/^test_//' |
	    tr -cd 'a-z0-9_-' | cut -c 1-12).$$:
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rw-e2e.XXXXXX") ||
	    e2e_hard_error "mktemp failed"
	# smtpd, cleanup and virtual run as postfix: they must reach inside.
	chmod 755 "$E2E_TMP"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	E2E_T0=$(date +%s.%N)
}

e2e_free_port() {
	$E2E_TOOL free-port "$@"
}

# Polls a command every 0.1 s for up to $1 seconds.
e2e_wait_for() {
	local tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

e2e_start_redis() {
	local dir=$E2E_TMP/redis
	mkdir -p "$dir"
	E2E_REDIS_PORT=${1:-$(e2e_free_port)}
	redis-server --port "$E2E_REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$dir" --daemonize no \
	    --logfile "$dir/redis.log" &
	E2E_PIDS_REDIS=$!
	e2e_wait_for 10 redis-cli -p "$E2E_REDIS_PORT" ping ||
	    e2e_hard_error "redis-server did not start (see $dir/redis.log)"
	e2e_log "redis: 127.0.0.1:$E2E_REDIS_PORT pid $E2E_PIDS_REDIS"
}

# A crash: SIGKILL, no shutdown; with --save '' the data is gone.
# E2E_REDIS_PORT stays set (the milter's config still points there).
e2e_kill_redis() {
	[ -n "$E2E_PIDS_REDIS" ] || return 0
	kill -KILL "$E2E_PIDS_REDIS" 2>/dev/null
	wait "$E2E_PIDS_REDIS" 2>/dev/null
	e2e_log "redis: pid $E2E_PIDS_REDIS killed"
	E2E_PIDS_REDIS=
}

e2e_redis() {
	redis-cli -p "$E2E_REDIS_PORT" "$@"
}

# e2e_zone_fcrdns "IP NAME"...: local data lines that give each IPv4
# address a forward-confirmed name (A and PTR).
e2e_zone_fcrdns() {
	local p
	for p in "$@"; do
		set -- $p
		echo "$2 300 IN A $1"
		echo "$(echo "$1" | awk -F. '{ print $4"."$3"."$2"."$1 }')""\
.in-addr.arpa 300 IN PTR $2."
	done
}

# e2e_zone_sender IP HELO: ZONE=$E2E_TMP/zone, local DNS data for one
# sender: sender.example (SPF allows IP only, DMARC p=none) and the HELO
# name (A IP, SPF allows IP).
e2e_zone_sender() {
	ZONE=$E2E_TMP/zone
	cat >"$ZONE" <<Z
\$STATIC example
sender.example 300 IN TXT "v=spf1 ip4:$1 -all"
_dmarc.sender.example 300 IN TXT "v=DMARC1; p=none"
$2 300 IN A $1
$2 300 IN TXT "v=spf1 ip4:$1 -all"
Z
}

# e2e_write_config ZONEFILE: a relaywarden config with a unix socket that
# user postfix can write, local DNS data, and forwarders at a loopback port
# where nothing answers (no network).  The sender state uses the private
# Redis when one runs (E2E_REDIS_PORT), else it is off: the milter's
# default is 127.0.0.1:6379, and a test must never touch a system Redis.
# E2E_RW_EXTRA: more lines (it may say state_enable = false;).
e2e_write_config() {
	local dir=$E2E_TMP/rw state
	mkdir -p "$dir"
	chmod 755 "$dir"
	if [ -n "${E2E_REDIS_PORT:-}" ]; then
		state="redis_host = \"127.0.0.1\";
redis_port = $E2E_REDIS_PORT;
redis_prefix = \"$E2E_REDIS_PREFIX\";"
	else
		state="state_enable = false;"
	fi
	E2E_MILTER_SOCK=$dir/milter.sock
	E2E_RW_CONF=$dir/relaywarden.conf
	# Started as root, relaywarden refuses to stay root: it becomes
	# the user contrib/install-deps creates (or nobody).
	if id -u relaywarden >/dev/null 2>&1; then
		E2E_RW_USER=relaywarden
	else
		E2E_RW_USER=nobody
	fi
	cat >"$E2E_RW_CONF" <<EOF
# generated by tests/e2e/lib.sh
user = "$E2E_RW_USER";
socket = "unix:$E2E_MILTER_SOCK";
socket_mode = "0666";
authserv_id = "$E2E_AUTHSERV";
dns_local_data = "$1";
dns_forwarders = [ "127.0.0.1@$(e2e_free_port udp)" ];
dns_timeout_ms = 500;
$state
${E2E_RW_EXTRA:-}
EOF
}

e2e_start_milter() {
	local bin=$top_builddir/milter/relaywarden log=$E2E_TMP/rw/milter.log
	[ -x "$bin" ] || e2e_hard_error "$bin not built"
	"$bin" -n -c "$E2E_RW_CONF" >"$E2E_TMP/rw/check.out" 2>&1 || {
		cat "$E2E_TMP/rw/check.out" "$E2E_RW_CONF"
		e2e_hard_error "relaywarden -n rejects the generated config"
	}
	"$bin" -f -c "$E2E_RW_CONF" 2>"$log" &
	E2E_PIDS_MILTER=$!
	e2e_wait_for 10 test -S "$E2E_MILTER_SOCK" || {
		cat "$log"
		e2e_hard_error "relaywarden did not create $E2E_MILTER_SOCK"
	}
	kill -0 "$E2E_PIDS_MILTER" 2>/dev/null || {
		cat "$log"
		e2e_hard_error "relaywarden exited at start"
	}
	e2e_log "relaywarden: pid $E2E_PIDS_MILTER socket $E2E_MILTER_SOCK"
}

# Reloads E2E_RW_CONF (rewritten by the caller) with SIGUSR1 once
# relaywarden -n accepts it; waits up to 10 s for the log line.
e2e_reload_milter() {
	local bin=$top_builddir/milter/relaywarden log=$E2E_TMP/rw/milter.log
	local before
	"$bin" -n -c "$E2E_RW_CONF" >"$E2E_TMP/rw/check.out" 2>&1 || {
		cat "$E2E_TMP/rw/check.out" "$E2E_RW_CONF"
		e2e_hard_error "relaywarden -n rejects the new config"
	}
	before=$(grep -c 'configuration reloaded' "$log")
	kill -USR1 "$E2E_PIDS_MILTER" ||
	    e2e_hard_error "relaywarden (pid $E2E_PIDS_MILTER) is gone"
	e2e_wait_for 10 e2e_reloaded_since "$before" || {
		tail -n 20 "$log"
		e2e_hard_error "relaywarden did not log the reload"
	}
	e2e_log "relaywarden: reloaded $E2E_RW_CONF"
}

e2e_reloaded_since() {
	[ "$(grep -c 'configuration reloaded' "$E2E_TMP/rw/milter.log")" \
	    -gt "$1" ]
}

# e2e_start_postfix [MILTER_SOCKET]: a private instance in $E2E_TMP/pf.
e2e_start_postfix() {
	local pf=$E2E_TMP/pf uid gid milters=
	[ -n "${1:-}" ] && milters=unix:$1
	uid=$(id -u postfix)
	gid=$(id -g postfix)
	E2E_PF_CONF=$pf/etc
	E2E_PF_QUEUE=$pf/queue
	E2E_PF_LOG=$pf/maillog
	E2E_MAILDIR=$E2E_TMP/mail/inbox
	E2E_SMTP_PORT=$(e2e_free_port)
	mkdir -p "$E2E_PF_CONF" "$E2E_PF_QUEUE" "$pf/data" "$E2E_TMP/mail"
	chmod 755 "$pf" "$E2E_PF_CONF"
	chown postfix: "$pf/data" "$E2E_TMP/mail"
	cat >"$E2E_PF_CONF/main.cf" <<EOF
# generated by tests/e2e/lib.sh: a private instance, loopback only
compatibility_level = 3.6
queue_directory = $E2E_PF_QUEUE
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-rw-e2e
maillog_file = $E2E_PF_LOG
maillog_file_prefixes = $E2E_TMP
myhostname = mx.relaywarden.example
mydomain = relaywarden.example
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP rw-e2e
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtputf8_enable = no
biff = no
delay_warning_time = 0
virtual_mailbox_domains = $E2E_DOMAIN
virtual_mailbox_base = $E2E_TMP/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_transport = virtual
smtpd_milters = $milters
non_smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 20s
${E2E_PF_EXTRA:-}
EOF
	cat >"$E2E_PF_CONF/master.cf" <<EOF
# generated by tests/e2e/lib.sh: nothing chrooted, smtpd on loopback only
127.0.0.1:$E2E_SMTP_PORT inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
local     unix  - n n -    - local
virtual   unix  - n n -    - virtual
smtp      unix  - - n -    - smtp
relay     unix  - - n -    - smtp
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
	postfix -c "$E2E_PF_CONF" check >"$pf/check.out" 2>&1 || {
		cat "$pf/check.out"
		e2e_hard_error "postfix check failed on the private instance"
	}
	postfix -c "$E2E_PF_CONF" start >"$pf/start.out" 2>&1 || {
		cat "$pf/start.out" "$E2E_PF_LOG" 2>/dev/null
		e2e_hard_error "postfix start failed on the private instance"
	}
	e2e_wait_for 10 e2e_smtp_up || {
		cat "$pf/start.out" "$E2E_PF_LOG" 2>/dev/null
		e2e_hard_error "private Postfix does not listen on $E2E_SMTP_PORT"
	}
	e2e_log "postfix: 127.0.0.1:$E2E_SMTP_PORT config $E2E_PF_CONF" \
	    "milter ${milters:-none}"
}

e2e_smtp_up() {
	# bash's /dev/tcp: no dependency on nc.
	(exec 3<>"/dev/tcp/127.0.0.1/$E2E_SMTP_PORT") 2>/dev/null
}

# e2e_send_swaks ADDR NAME HELO FROM TO FILE: one message over one SMTP
# session, the client presented by XCLIENT.  Prints the reply code to the
# end of DATA (or to the command that failed).  FROM "<>" is the null
# sender.  The dialogue goes to $E2E_TMP/swaks.log.
e2e_send_swaks() {
	local code
	code=$(e2e_send_reply "$@" | cut -c 1-3)
	echo "${code:-000}"
}

# e2e_send_reply: as e2e_send_swaks, but prints the whole last server
# reply line before QUIT's 221, e.g. "250 2.0.0 Ok: queued as 4Qx" (swaks
# marks it "<~ " or "<** "), or "000 no reply".
e2e_send_reply() {
	local addr=$1 name=$2 helo=$3 from=$4 to=$5 file=$6 out line
	out=$(swaks --server 127.0.0.1 --port "$E2E_SMTP_PORT" \
	    --helo "$helo" --xclient-addr "$addr" --xclient-name "$name" \
	    --xclient-helo "$helo" --from "$from" --to "$to" \
	    --data "@$file" --timeout 30 2>&1)
	printf '=== %s\n%s\n' "$file" "$out" >>"$E2E_TMP/swaks.log"
	line=$(printf '%s\n' "$out" |
	    sed -n 's/^<[-~*]* *\([2-5][0-9][0-9][ -].*\)/\1/p' |
	    grep -v '^221[ -]' | tail -n 1)
	echo "${line:-000 no reply}"
}

# e2e_send_session ADDR NAME HELO FROM TO FILE [FROM TO FILE ...]: several
# messages in one SMTP session; prints "FILE CODE TEXT" per message.
e2e_send_session() {
	local addr=$1 name=$2 helo=$3
	shift 3
	$E2E_TOOL send "$E2E_SMTP_PORT" "$helo" "$addr" "$name" -- "$@"
}

# Prints the file of a delivered message with this Message-ID (without <>),
# or of a held one (copied out of the hold queue with postcat); waits up to
# ${2:-10} seconds.  Returns 1 when it does not arrive.
e2e_wait_msg() {
	local id=$1 tries=$((${2:-10} * 10)) f q
	while [ "$tries" -gt 0 ]; do
		f=$(grep -l -F -x -i "Message-ID: <$id>" \
		    "$E2E_MAILDIR"/new/* 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			echo "$f"
			return 0
		fi
		for q in "$E2E_PF_QUEUE"/hold/*; do
			[ -f "$q" ] || continue
			f=$E2E_TMP/held-${q##*/}.eml
			postcat -c "$E2E_PF_CONF" -h -b -q "${q##*/}" \
			    >"$f" 2>/dev/null || continue
			if grep -q -F -x -i "Message-ID: <$id>" "$f"; then
				echo "$f"
				return 0
			fi
		done
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# e2e_release QID MSGID: releases a held message (postsuper -H), flushes
# the queue and prints the delivered file of MSGID (without <>); waits up
# to 10 seconds for the mailbox only, never the held copy.  Returns 1
# when it is not delivered.
e2e_release() {
	local qid=$1 id=$2 tries=100 f
	postsuper -c "$E2E_PF_CONF" -H "$qid" >/dev/null 2>&1
	postqueue -c "$E2E_PF_CONF" -f
	while [ "$tries" -gt 0 ]; do
		f=$(grep -l -F -x -i "Message-ID: <$id>" \
		    "$E2E_MAILDIR"/new/* 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			echo "$f"
			return 0
		fi
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# "incoming active deferred hold mailbox": files in those queues and
# delivered messages in the maildir.
e2e_queue_counts() {
	local d out=
	for d in incoming active deferred hold; do
		out="$out$(find "$E2E_PF_QUEUE/$d" -type f 2>/dev/null |
		    wc -l) "
	done
	echo "$out$(find "$E2E_MAILDIR/new" -type f 2>/dev/null | wc -l)"
}

e2e_queues_idle() {
	local c
	c=$(e2e_queue_counts)
	case $c in
	"0 0 "*) return 0 ;;
	esac
	return 1
}

# Waits up to ${1:-10} s for the incoming and active queues to empty (each
# message delivered, held or deferred); returns 1 if they do not.
e2e_settle() {
	e2e_wait_for "${1:-10}" e2e_queues_idle
}

# Hold queue ids, one per line.
e2e_held_ids() {
	local q
	for q in "$E2E_PF_QUEUE"/hold/*; do
		[ -f "$q" ] && echo "${q##*/}"
	done
}

# ---- assertions: each prints what it expected and what it found ----

e2e_ok() {
	E2E_PASS=$((E2E_PASS + 1))
	printf 'ok   %s\n' "$1"
}

e2e_not_ok() {
	E2E_FAIL=$((E2E_FAIL + 1))
	printf 'FAIL %s\n' "$1"
	shift
	printf '     %s\n' "$@"
}

# e2e_expect_eq DESC EXPECTED FOUND
e2e_expect_eq() {
	if [ "$2" = "$3" ]; then
		e2e_ok "$1 [$2]"
	else
		e2e_not_ok "$1" "expected: $2" "found:    $3"
		return 1
	fi
}

# e2e_expect_match DESC ERE TEXT: some line of TEXT matches ERE.
e2e_expect_match() {
	local line
	line=$(printf '%s\n' "$3" | grep -E -m 1 -e "$2")
	if [ -n "$line" ]; then
		e2e_ok "$1 [$line]"
	else
		e2e_not_ok "$1" "expected a line matching: $2" "found: $3"
		return 1
	fi
}

# e2e_expect_line DESC TEXT WORD...: some line of TEXT holds every WORD
# (whole words, case-insensitive), e.g. "dkim=pass" "header.d=a.example".
e2e_expect_line() {
	local desc=$1 text=$2 line w hit
	shift 2
	while IFS= read -r line; do
		hit=1
		for w in "$@"; do
			case " ${line,,} " in
			*" ${w,,} "*) ;;
			*) hit=0; break ;;
			esac
		done
		if [ "$hit" = 1 ]; then
			e2e_ok "$desc [$line]"
			return 0
		fi
	done <<<"$text"
	e2e_not_ok "$desc" "expected a line with: $*" \
	    "found: $(printf '%s' "$text" | sed '2,$s/^/           /')"
	return 1
}

# e2e_expect_no_line DESC TEXT WORD...: no line of TEXT holds every WORD.
e2e_expect_no_line() {
	local desc=$1 text=$2 line w hit
	shift 2
	while IFS= read -r line; do
		hit=1
		for w in "$@"; do
			case " ${line,,} " in
			*" ${w,,} "*) ;;
			*) hit=0; break ;;
			esac
		done
		if [ "$hit" = 1 ] && [ -n "$line" ]; then
			e2e_not_ok "$desc" "expected no line with: $*" \
			    "found: $line"
			return 1
		fi
	done <<<"$text"
	e2e_ok "$desc [no line with: $*]"
}

# Our Authentication-Results of a message file, one result per line.
e2e_ar() {
	$E2E_TOOL ar "$1" "$E2E_AUTHSERV"
}

e2e_header() {
	$E2E_TOOL header "$1" "$2"
}

e2e_dump_logs() {
	echo "----- Postfix log ($E2E_PF_LOG) -----"
	cat "$E2E_PF_LOG" 2>/dev/null
	echo "----- relaywarden log -----"
	cat "$E2E_TMP/rw/milter.log" 2>/dev/null
	echo "----- swaks dialogues -----"
	cat "$E2E_TMP/swaks.log" 2>/dev/null
	echo "----- end of logs -----"
}

# Prints the tally; returns 1 (after the logs) if anything failed.
e2e_summary() {
	local t1
	t1=$(date +%s.%N)
	printf '%d passed, %d failed (%s s)\n' "$E2E_PASS" "$E2E_FAIL" \
	    "$(awk -v a="$E2E_T0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	if [ "$E2E_FAIL" -ne 0 ] || [ "$E2E_PASS" -eq 0 ]; then
		e2e_dump_logs
		return 1
	fi
	return 0
}

# Waits up to $2 seconds for pid $1 to exit, then kills it.
e2e_stop_pid() {
	local pid=$1 tries=$(($2 * 10))
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

e2e_stop_postfix() {
	local pidf=${E2E_PF_QUEUE:-/nonexistent}/pid/master.pid pid tries=100
	[ -n "${E2E_PF_CONF:-}" ] && [ -f "$pidf" ] || return 0
	pid=$(tr -dc 0-9 <"$pidf")
	postfix -c "$E2E_PF_CONF" stop >/dev/null 2>&1
	while [ "$tries" -gt 0 ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
	do
		sleep 0.1
		tries=$((tries - 1))
	done
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		postfix -c "$E2E_PF_CONF" abort >/dev/null 2>&1
	fi
	E2E_PF_CONF=
}

e2e_cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	# Whatever state the script was in, stop everything.
	set +eu
	# libmilter takes ~3 s to exit after SIGTERM: start that first.
	[ -n "$E2E_PIDS_MILTER" ] && kill -TERM "$E2E_PIDS_MILTER" 2>/dev/null
	e2e_stop_postfix
	e2e_stop_pid "$E2E_PIDS_REDIS" 5
	e2e_stop_pid "$E2E_PIDS_MILTER" 6
	for pid in $E2E_PIDS_AUX; do
		e2e_stop_pid "$pid" 2
	done
	E2E_PIDS_MILTER=
	E2E_PIDS_REDIS=
	E2E_PIDS_AUX=
	if [ -n "${E2E_TMP:-}" ] && [ -d "$E2E_TMP" ]; then
		if [ "${E2E_KEEP:-0}" = 1 ]; then
			echo "kept $E2E_TMP" >&2
		else
			rm -rf "$E2E_TMP"
		fi
	fi
	exit "$rc"
}

# ---- keys: generated by openssl, published as zone-file TXT rdata ----

# Splits a TXT value into quoted strings of at most 200 bytes.
e2e_txt_strings() {
	printf '%s' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ' |
	    sed 's/ $//'
}

# e2e_key_rsa NAME: writes $E2E_TMP/keys/NAME.pem, prints the TXT rdata.
e2e_key_rsa() {
	local k=$E2E_TMP/keys/$1.pem p
	mkdir -p "$E2E_TMP/keys"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$k" 2>/dev/null || e2e_hard_error "openssl RSA keygen"
	p=$(openssl pkey -in "$k" -pubout -outform DER | base64 -w 0)
	e2e_txt_strings "v=DKIM1; k=rsa; p=$p"
}

# e2e_key_ed25519 NAME: writes the base64 seed (RFC 8463 private key) to
# $E2E_TMP/keys/NAME.seed, prints the TXT rdata.  The DER forms end with
# the 32-byte seed and the 32-byte public key.
e2e_key_ed25519() {
	local k=$E2E_TMP/keys/$1.pem p
	mkdir -p "$E2E_TMP/keys"
	openssl genpkey -algorithm ED25519 -out "$k" 2>/dev/null ||
	    e2e_hard_error "openssl Ed25519 keygen"
	openssl pkey -in "$k" -outform DER | tail -c 32 | base64 -w 0 \
	    >"$E2E_TMP/keys/$1.seed"
	p=$(openssl pkey -in "$k" -pubout -outform DER | tail -c 32 |
	    base64 -w 0)
	e2e_txt_strings "v=DKIM1; k=ed25519; p=$p"
}

# e2e_sign_rsa FILE DOMAIN SELECTOR KEYNAME > signed
e2e_sign_rsa() {
	perl "$E2E_SRC/dkimsign.pl" "$1" "$2" "$3" "$E2E_TMP/keys/$4.pem"
}

# e2e_sign_ed25519 FILE DOMAIN SELECTOR KEYNAME > signed
e2e_sign_ed25519() {
	$E2E_TOOL sign-ed25519 "$1" "$2" "$3" \
	    "$(cat "$E2E_TMP/keys/$4.seed")"
}

# e2e_msg FILE FROM TO SUBJECT MSGID [EXTRA_HEADER_LINES]: a plain message
# with LF line ends; its body has a line "Amount: 100 EUR" for tampering.
e2e_msg() {
	{
		[ -n "${6:-}" ] && printf '%s\n' "$6"
		printf 'From: %s\nTo: %s\nSubject: %s\n' "$2" "$3" "$4"
		printf 'Date: %s\nMessage-ID: <%s>\n' \
		    "$(LC_ALL=C date -R)" "$5"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\n'
		printf 'Hello,\n\nplease pay the invoice.\nAmount: 100 EUR\n'
		printf '\n-- \nrelaywarden e2e\n'
	} >"$1"
}

# ---- scenarios: one message at a time through Postfix and the milter ----
# For scripts that send prepared messages $M/NAME.eml to $RCPT and judge
# each (test_fool_history.sh, test_links.sh): they set M and RCPT.

# e2e_scn_send NAME IP HELO MAILFROM: sends $M/NAME.eml; VH = its
# X-Relaywarden, W = delivered | held | lost.
e2e_scn_send() {
	local code id f
	code=$(e2e_send_swaks "$2" "$3" "$3" "$4" "$RCPT" "$M/$1.eml")
	[ "$code" = 250 ] || e2e_not_ok "$1: accepted by SMTP" "got $code"
	id=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$M/$1.eml" | head -n 1)
	VH= W=lost
	f=$(e2e_wait_msg "$id") || {
		e2e_not_ok "$1: arrives" "nothing within 10 s"
		return 1
	}
	case $f in
	*/held-*) W=held ;;
	*) W=delivered ;;
	esac
	VH=$(e2e_header "$f" X-Relaywarden)
	echo "# $1: $W [$VH]"
}

# e2e_scn_has RULE: the last message's X-Relaywarden names RULE (with or
# without its detail).
e2e_scn_has() {
	printf '%s\n' "$VH" | grep -E -q "reasons=([^;]*[, ])?$1([(,;]|$)"
}

# e2e_scn_learn NAME ...: a teaching message must be delivered (accept or tag).
e2e_scn_learn() {
	e2e_scn_send "$@" || return
	case $VH in
	action=accept*|action=tag*) e2e_ok "$1: history message delivered" ;;
	*) e2e_not_ok "$1: history message delivered" "$VH" ;;
	esac
}

# e2e_scn_attack NAME RULE ...: held (quarantine) and names RULE.
e2e_scn_attack() {
	local name=$1 rule=$2
	shift 2
	e2e_scn_send "$name" "$@" || return
	if [ "$W" = held ] && e2e_scn_has "$rule"; then
		e2e_ok "$name: attack held ($rule) [$VH]"
		echo "attack held: $name"
	else
		e2e_not_ok "$name: attack held with $rule" "got $W [$VH]"
	fi
}

# e2e_scn_benign NAME ...: delivered at accept or tag.
e2e_scn_benign() {
	e2e_scn_send "$@" || return
	case "$W $VH" in
	"delivered action=accept"*|"delivered action=tag"*)
		e2e_ok "$1: benign left alone [$VH]"
		echo "benign left alone: $1"
		;;
	*) e2e_not_ok "$1: benign left alone" "got $W [$VH]" ;;
	esac
}
