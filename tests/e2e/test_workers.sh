#!/bin/bash
# test_workers.sh - the attachment workers through a private Postfix
# (issue 10 item 1).  The milter runs as it ships (workers on), started as
# root with a configured user.  In one run, with the daemon's pid checked
# after every step:
#   - a plain message before anything else is filtered;
#   - the crash message of the hostile-messages issue (50,000 nested
#     groups in a From inside message/rfc822 next to a program) is held
#     for the program;
#   - a tar.gz that unpacks to 4 GB of zeros, with the walk's own budget
#     raised to ten minutes and attach_worker_cpu_s = 1: the kernel stops
#     the worker (SIGXCPU), the message is held with attach_scan_failed;
#   - the same after a reload with no CPU limit, its worker killed with
#     SIGKILL mid-message: held with attach_scan_failed;
#   - a worker (uid, Seccomp: 2, NoNewPrivs: 1) asked through gdb to open
#     a socket is killed by its filter;
#   - a plain message after all that is filtered, the daemon and its fork
#     server never changed pid.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init
command -v gdb >/dev/null 2>&1 ||
    e2e_hard_error "gdb not found (contrib/install-deps installs it)"

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
IP=192.0.2.61
HELO=mx.sender.example
FROM=carol@sender.example
e2e_zone_sender "$IP" "$HELO"

# mkmsg OUT MSGID KIND: plain, groups (the issue-8 crash message) or
# bomb (tar.gz: one member of 4000 MB of zeros, concatenated gzip members).
mkmsg() {
	/usr/bin/python3 - "$@" <<'P'
import base64, gzip, sys, tarfile
out, msgid, kind = sys.argv[1:4]
def b64(data):
    return base64.encodebytes(data).decode().replace("\n", "\r\n")
head = ["From: Carol <carol@sender.example>", "To: bob@rcpt.example",
        "Subject: %s" % kind, "Message-ID: <%s>" % msgid,
        "MIME-Version: 1.0"]
if kind == "plain":
    body = ["", "Just text.", ""]
elif kind == "groups":
    inner = "\r\n".join(["From: " + "g:" * 50000 + "x@example.net;",
        "To: d@example.net", "Subject: inner", "", "hello", ""])
    body = ['Content-Type: multipart/mixed; boundary="out"', "",
        "--out", "Content-Type: text/plain", "", "Forwarded.",
        "--out", "Content-Type: message/rfc822", "", inner,
        "--out", 'Content-Type: application/pdf; name="invoice.pdf"',
        "Content-Transfer-Encoding: base64", "",
        b64(b"MZ" + bytes(600)) + "--out--", ""]
else:
    mb = 4000
    ti = tarfile.TarInfo("zeros.bin")
    ti.size = mb << 20
    one = gzip.compress(bytes(1 << 20))
    data = (gzip.compress(ti.tobuf(format=tarfile.USTAR_FORMAT)) +
        one * mb + gzip.compress(bytes(1024)))
    body = ['Content-Type: multipart/mixed; boundary="out"', "",
        "--out", "Content-Type: text/plain", "", "Backup attached.",
        "--out", 'Content-Type: application/gzip; name="backup.tar.gz"',
        "Content-Transfer-Encoding: base64", "", b64(data) + "--out--", ""]
open(out, "w", newline="").write("\r\n".join(head + body))
P
}

send() {
	local c=$1 kind=$2 code
	mkmsg "$M/$c.eml" "$c@e2e" "$kind"
	code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
	    "$M/$c.eml")
	e2e_expect_eq "$c: accepted by SMTP (a verdict, no tempfail)" 250 \
	    "$code"
}

# filtered CASE: delivered with our headers.
filtered() {
	local c=$1 F
	if F=$(e2e_wait_msg "$c@e2e"); then
		e2e_expect_match "$c: filtered (X-Relaywarden)" '^action=' \
		    "$(e2e_header "$F" X-Relaywarden)"
		e2e_expect_match "$c: our Authentication-Results" \
		    "^$E2E_AUTHSERV;" "$(e2e_header "$F" Authentication-Results)"
	else
		e2e_not_ok "$c: delivered" "not delivered within 10 s"
	fi
}

# held CASE PATTERN: in the hold queue, X-Relaywarden matching PATTERN.
held() {
	local c=$1 pat=$2 q found= i F
	for i in $(seq 300); do
		for q in $(e2e_held_ids); do
			postcat -c "$E2E_PF_CONF" -hq "$q" 2>/dev/null |
			    grep -q -i -F "Message-ID: <$c@e2e>" && found=$q
		done
		[ -n "$found" ] && break
		sleep 0.1
	done
	if [ -z "$found" ]; then
		e2e_not_ok "$c: held" "not in the hold queue"
		return
	fi
	e2e_ok "$c: held as $found"
	F=$(e2e_wait_msg "$c@e2e")
	e2e_expect_match "$c: X-Relaywarden" "$pat" \
	    "$(e2e_header "$F" X-Relaywarden)"
}

same_pids() {
	e2e_expect_eq "$1: the daemon kept its pid" "$MILTER" \
	    "$(kill -0 "$E2E_PIDS_MILTER" 2>/dev/null && echo "$E2E_PIDS_MILTER")"
	e2e_expect_eq "$1: the fork server kept its pid" "$HOST" \
	    "$(pgrep -P "$E2E_PIDS_MILTER" -x rw-scanhost)"
}

workers() {
	pgrep -P "$HOST" -x rw-worker
}

nworkers() {
	[ "$(workers | wc -l)" "$1" "$2" ]
}

LIMITS="attach_max_cpu_ms = 600000;
attach_max_time_ms = 600000;
attach_archive_max_bytes = 2147483647;
attach_archive_max_ratio = 1000000;
attach_workers = 2;"
E2E_PF_EXTRA="message_size_limit = 20480000"
E2E_RW_EXTRA="$LIMITS
attach_worker_cpu_s = 1;"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"
MILTER=$E2E_PIDS_MILTER
e2e_wait_for 10 pgrep -P "$MILTER" -x rw-scanhost >/dev/null ||
    e2e_hard_error "no fork server under the milter"
HOST=$(pgrep -P "$MILTER" -x rw-scanhost)
e2e_wait_for 10 nworkers -eq 2 ||
    e2e_hard_error "the workers did not start"
LOG=$E2E_TMP/rw/milter.log

send before plain
filtered before
send groups groups
held groups 'action=quarantine;.*attach_executable'
same_pids groups

send cpu bomb
held cpu 'action=quarantine;.*attach_scan_failed'
e2e_expect_line "cpu: the reason is logged" "$(cat "$LOG")" \
    attachment scan failed: worker_died
# The fork server reaps its children once a second.
e2e_wait_for 5 grep -q 'killed by signal 24' "$LOG"
e2e_expect_line "cpu: the kernel stopped the worker at its CPU limit" \
    "$(cat "$LOG")" killed by signal 24
same_pids cpu

# No CPU limit now: the worker is killed from outside, mid-message.
E2E_RW_EXTRA="$LIMITS"
e2e_write_config "$ZONE"
e2e_reload_milter
e2e_wait_for 10 nworkers -eq 2 || {
	ps -o pid,ppid,stat,comm --ppid "$HOST"
	e2e_hard_error "the reloaded generation's workers did not start"
}
mkmsg "$M/kill.eml" "kill@e2e" bomb
e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" "$M/kill.eml" \
    >"$E2E_TMP/kill.code" &
SENDER=$!
# Wait for a worker that has spent 0.3 s of CPU (the busy one).
busy() {
	local w t
	for w in $(workers); do
		t=$(awk '{print $14 + $15}' "/proc/$w/stat" 2>/dev/null)
		[ "${t:-0}" -ge 30 ] && return 0
	done
	return 1
}
if e2e_wait_for 60 busy; then
	pkill -KILL -P "$HOST" -x rw-worker
	e2e_ok "kill: workers killed mid-message"
else
	e2e_not_ok "kill: a busy worker" "none spent 0.3 s of CPU"
fi
wait "$SENDER"
e2e_expect_eq "kill: accepted by SMTP" 250 "$(cat "$E2E_TMP/kill.code")"
held kill 'action=quarantine;.*attach_scan_failed'
e2e_expect_eq "kill: the reason is logged" 2 \
    "$(grep -c 'attachment scan failed: worker_died' "$LOG")"
same_pids kill

# The idle worker was killed too: the next message starts new ones.
send mid plain
filtered mid

# A worker's sandbox, seen from outside and tried from inside.
e2e_wait_for 10 nworkers -ge 1 ||
    e2e_hard_error "no worker after the kill"
W=$(workers | head -n 1)
UID_RW=$(id -u "$E2E_RW_USER")
e2e_expect_match "worker: runs as $E2E_RW_USER" "^Uid:	$UID_RW	$UID_RW	$UID_RW	$UID_RW" \
    "$(grep '^Uid:' "/proc/$W/status")"
e2e_expect_match "worker: seccomp filter mode" '^Seccomp:	2' \
    "$(grep '^Seccomp:' "/proc/$W/status")"
e2e_expect_match "worker: no_new_privs" '^NoNewPrivs:	1' \
    "$(grep '^NoNewPrivs:' "/proc/$W/status")"
gdb -p "$W" -batch -ex 'call (int)socket(2, 1, 0)' \
    >"$E2E_TMP/gdb.out" 2>&1
e2e_wait_for 5 sh -c "! kill -0 $W 2>/dev/null"
e2e_expect_eq "worker: socket() from inside kills it" gone \
    "$(kill -0 "$W" 2>/dev/null && echo alive || echo gone)"
e2e_wait_for 5 grep -q 'killed by signal 31' "$LOG"
e2e_expect_line "worker: by its filter (SIGSYS)" "$(cat "$LOG")" \
    killed by signal 31

send after plain
filtered after
same_pids after

e2e_summary
