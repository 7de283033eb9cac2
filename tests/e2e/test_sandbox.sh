#!/bin/bash
# test_sandbox.sh - the daemon's own sandbox (issue 10 item 2), proved
# from inside the running daemon, with mail flowing through a real Postfix:
#  a) started as root with a configured user it runs as that user: all
#     four Uid and Gid fields, no supplementary group but its own,
#     NoNewPrivs 1, Seccomp 2 in every thread;
#  b) gdb attaches and makes the daemon itself call execve("/bin/true"):
#     -1 with EPERM, and the daemon is still itself (same pid, same exe);
#  c) Landlock (when the kernel offers it): the daemon cannot open a file
#     its user may read by DAC but outside its rules, nor create a file in
#     a world-writable directory outside them; it can still open its
#     config;
#  d) mail with an attachment (spooled to a file: attach_spool_memory = 0,
#     attach_tmpdir a directory of its own) is filtered before and after
#     a SIGUSR1 reload that names a NEW dns_local_data file beside the
#     config (the verdict follows the new file); a reload naming a file
#     outside the rules is refused and the running config stays;
#  e) as contrib/relaywarden.service starts it (systemd cannot run here,
#     so approximated with setpriv: already the configured user, no
#     capability in any set, no_new_privs): it starts, loads its filter
#     and rules, and removes its socket when it stops (the one right it
#     has in the socket's directory).
# Needs root (private Postfix), gdb and setpriv: otherwise exits 77 / 99.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init
command -v gdb >/dev/null 2>&1 ||
    e2e_hard_error "gdb not found (Debian: gdb; contrib/install-deps)"
command -v setpriv >/dev/null 2>&1 ||
    e2e_hard_error "setpriv not found (Debian: util-linux)"

M=$E2E_TMP/msg
RW=$E2E_TMP/rw
SPOOL=$E2E_TMP/spool
OUT=$E2E_TMP/outside
mkdir -p "$M" "$RW" "$SPOOL" "$OUT"
chmod 755 "$RW"
chmod 1777 "$OUT"	# DAC would let anyone create files here
RCPT=bob@rcpt.example
IP=192.0.2.61
HELO=mx.sender.example
FROM=carol@sender.example

# The zone lives beside the config (a rule on the config's directory
# covers it); only $SPOOL may be written.
zone() {
	cat >"$1" <<Z
\$STATIC example
sender.example 300 IN TXT "v=spf1 ip4:$2 -all"
_dmarc.sender.example 300 IN TXT "v=DMARC1; p=none"
$HELO 300 IN A $IP
$HELO 300 IN TXT "v=spf1 ip4:$IP -all"
Z
}
zone "$RW/zone" "$IP"
printf 'not for the milter\n' >"$OUT/secret"
chmod 644 "$OUT/secret"

e2e_start_redis
E2E_RW_EXTRA="attach_tmpdir = \"$SPOOL\";
attach_spool_memory = 0;
${E2E_RW_EXTRA:-}"
e2e_write_config "$RW/zone"
chown "$E2E_RW_USER" "$SPOOL"
chmod 700 "$SPOOL"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"
PID=$E2E_PIDS_MILTER
LOG=$RW/milter.log

# mkmsg OUT MSGID: a message with a small text attachment.
mkmsg() {
	printf '%s\r\n' "From: Carol <$FROM>" "To: $RCPT" \
	    "Subject: minutes" "Message-ID: <$2>" "MIME-Version: 1.0" \
	    'Content-Type: multipart/mixed; boundary="b1"' "" "--b1" \
	    "Content-Type: text/plain" "" "See the attachment." "--b1" \
	    'Content-Type: text/plain; name="notes.txt"' \
	    'Content-Disposition: attachment; filename="notes.txt"' "" \
	    "Minutes of the meeting." "--b1--" >"$1"
}

# send ID: one message; out= the delivered copy's A-R and X-Relaywarden.
send() {
	local code f
	out=
	mkmsg "$M/$1.eml" "$1@e2e"
	code=$(e2e_send_swaks "$IP" "$HELO" "$HELO" "$FROM" "$RCPT" \
	    "$M/$1.eml")
	e2e_expect_eq "$1: accepted by Postfix" 250 "$code"
	f=$(e2e_wait_msg "$1@e2e") || {
		e2e_not_ok "$1: delivered" "not in the maildir after 10 s"
		return
	}
	out="$(e2e_header "$f" Authentication-Results)
$(e2e_header "$f" X-Relaywarden)"
}

# gdbx EXPR...: evaluates each expression inside the daemon; prints the
# values ("$1 = -1" -> "-1"), one per line.
gdbx() {
	local a=()
	for e in "$@"; do
		a+=(-ex "$e")
	done
	env -u DEBUGINFOD_URLS timeout 60 gdb -nx -batch -p "$PID" "${a[@]}" \
	    2>"$E2E_TMP/gdb.err" | sed -n 's/^\$[0-9]* = //p'
}

# ---- a) who the daemon is ----
uid=$(id -u "$E2E_RW_USER")
gid=$(id -g "$E2E_RW_USER")
st=/proc/$PID/status
e2e_expect_eq "Uid: real, effective, saved, fs all $E2E_RW_USER" \
    "$uid $uid $uid $uid" "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")"
e2e_expect_eq "Gid: all four its group" \
    "$gid $gid $gid $gid" "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")"
groups=$(awk '/^Groups:/ { $1 = ""; print }' "$st" | tr ' ' '\n' |
    grep -v -x -e '' -e "$gid" | tr '\n' ' ')
e2e_expect_eq "Groups: none but its own (not root's)" "" "$groups"
e2e_expect_eq "NoNewPrivs: 1" 1 "$(awk '/^NoNewPrivs:/ { print $2 }' "$st")"
e2e_expect_eq "Seccomp: 2 (filter)" 2 "$(awk '/^Seccomp:/ { print $2 }' "$st")"
bad=
for t in /proc/$PID/task/*/status; do
	[ "$(awk '/^Seccomp:/ { print $2 }' "$t")" = 2 ] || bad="$bad $t"
done
e2e_expect_eq "every thread ($(ls /proc/$PID/task | wc -l)) has the filter" \
    "" "$bad"

# ---- d) mail before anything else ----
send before
e2e_expect_line "before: SPF pass from the zone" "$out" "spf=pass"
e2e_expect_match "before: filtered (X-Relaywarden)" 'action=accept' "$out"

# ---- b) exec from inside the daemon ----
exe=$(readlink "/proc/$PID/exe")
r=$(gdbx 'call (int)execve("/bin/true", (char **)0, (char **)0)' \
    'p *(int *)__errno_location()')
e2e_expect_eq "execve inside the daemon: -1, errno EPERM (1)" \
    "-1 1" "$(echo $r)" || cat "$E2E_TMP/gdb.err"
r=$(gdbx 'call (long)syscall(322, -100, "/bin/true", (char **)0, (char **)0, 0)' \
    'p *(int *)__errno_location()')
e2e_expect_eq "execveat inside the daemon: -1, errno EPERM (1)" \
    "-1 1" "$(echo $r)" || cat "$E2E_TMP/gdb.err"
e2e_expect_eq "the daemon is still itself (pid, binary)" "$exe" \
    "$(readlink "/proc/$PID/exe" 2>/dev/null)"

# ---- c) Landlock ----
abi=$(/usr/bin/python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(max(libc.syscall(444, None, 0, 1), 0))')
if [ "$abi" -gt 0 ]; then
	e2e_expect_match "log: Landlock on (kernel ABI $abi)" \
	    "sandbox: seccomp filter on; Landlock ABI [0-9]+ file rules on" \
	    "$(cat "$LOG")"
	runuser -u "$E2E_RW_USER" -- cat "$OUT/secret" >/dev/null 2>&1 &&
	    e2e_ok "$E2E_RW_USER may read $OUT/secret by DAC" ||
	    e2e_not_ok "$E2E_RW_USER may read $OUT/secret by DAC"
	r=$(gdbx "call (int)open(\"$OUT/secret\", 0)" \
	    'p *(int *)__errno_location()')
	e2e_expect_eq "open outside the rules inside the daemon: EACCES" \
	    "-1 13" "$(echo $r)" || cat "$E2E_TMP/gdb.err"
	r=$(gdbx "call (int)open(\"$OUT/dropped\", 0101, 0644)" \
	    'p *(int *)__errno_location()')
	e2e_expect_eq "create in a world-writable dir outside: EACCES" \
	    "-1 13" "$(echo $r)" || cat "$E2E_TMP/gdb.err"
	[ -e "$OUT/dropped" ] && e2e_not_ok "no file was created in $OUT"
	r=$(gdbx "call (int)open(\"/etc/hostname\", 0)" \
	    'p *(int *)__errno_location()')
	case "$(echo $r)" in
	-1\ *) e2e_not_ok "/etc stays readable" "$r" ;;
	*) e2e_ok "/etc stays readable (resolver and NSS files)"
	   gdbx "call (int)close(${r%% *})" >/dev/null ;;
	esac
	r=$(gdbx "call (int)open(\"$E2E_RW_CONF\", 0)")
	if [ -n "$r" ] && [ "$r" -ge 0 ] 2>/dev/null; then
		e2e_ok "its config stays readable [fd $r]"
		gdbx "call (int)close($r)" >/dev/null
	else
		e2e_not_ok "its config stays readable" "open: $r"
	fi
else
	e2e_expect_match "log: no Landlock said in one line" \
	    "Landlock not offered by this kernel" "$(cat "$LOG")"
fi

# ---- d) a reload that names a new file beside the config ----
zone "$RW/zone2" 198.51.100.9	# the sender's SPF no longer lists $IP
sed -i "s|^dns_local_data = .*|dns_local_data = \"$RW/zone2\";|" \
    "$E2E_RW_CONF"
e2e_reload_milter
send after
e2e_expect_line "after reload: SPF follows the new zone file" "$out" \
    "spf=fail"
e2e_expect_match "after reload: filtered (X-Relaywarden)" \
    'action=[a-z]+' "$out"

# A file outside the rules: the reload fails, the old config stays.
zone "$OUT/zone3" "$IP"
chmod 644 "$OUT/zone3"
sed -i "s|^dns_local_data = .*|dns_local_data = \"$OUT/zone3\";|" \
    "$E2E_RW_CONF"
refused_since() {
	[ "$(grep -c 'keeping the running configuration' "$LOG")" -gt "$1" ]
}
n=$(grep -c 'keeping the running configuration' "$LOG")
kill -USR1 "$PID"
e2e_wait_for 10 refused_since "$n" &&
    e2e_ok "reload naming $OUT/zone3: refused, running config kept" ||
    e2e_not_ok "reload naming $OUT/zone3: refused" "$(tail -n 5 "$LOG")"
send kept
e2e_expect_line "still the reloaded zone2 (spf=fail)" "$out" "spf=fail"
e2e_expect_eq "same daemon throughout (pid)" "$PID" \
    "$(pgrep -o -f "relaywarden -f -c $E2E_RW_CONF" || true)"

# ---- e) started unprivileged, as the systemd unit does ----
RUN=$E2E_TMP/run
mkdir -p "$RUN"
chown "$E2E_RW_USER" "$RUN"
sed -e "s|^user = .*|user = \"$E2E_RW_USER\";|" \
    -e "s|^socket = .*|socket = \"unix:$RUN/sock\";|" \
    -e "s|^dns_local_data = .*|dns_local_data = \"$RW/zone2\";|" \
    "$E2E_RW_CONF" >"$RW/unit.conf"
setpriv --reuid "$E2E_RW_USER" --regid "$E2E_RW_USER" --init-groups \
    --no-new-privs --bounding-set=-all --inh-caps=-all \
    "$top_builddir/milter/relaywarden" -f -c "$RW/unit.conf" \
    2>"$RW/unit.log" &
UPID=$!
if e2e_wait_for 10 test -S "$RUN/sock"; then
	e2e_ok "unprivileged start (setpriv): listening on $RUN/sock"
	e2e_expect_eq "its CapBnd and CapEff are empty" \
	    "0000000000000000 0000000000000000" \
	    "$(awk '/^CapBnd:/ { b = $2 } /^CapEff:/ { e = $2 }
	    END { print b, e }' /proc/$UPID/status)"
	e2e_expect_eq "its Seccomp: 2" 2 \
	    "$(awk '/^Seccomp:/ { print $2 }' /proc/$UPID/status)"
	e2e_expect_match "it logged its sandbox" "sandbox: seccomp filter on" \
	    "$(cat "$RW/unit.log")"
	kill "$UPID"
	e2e_wait_for 15 sh -c "! kill -0 $UPID" &&
	    e2e_ok "stopped on SIGTERM" || e2e_not_ok "stopped on SIGTERM"
	[ -e "$RUN/sock" ] && e2e_not_ok "its socket removed at stop" \
	    "$(ls -l "$RUN")" || e2e_ok "its socket removed at stop"
else
	e2e_not_ok "unprivileged start (setpriv)" "$(cat "$RW/unit.log")"
	kill "$UPID" 2>/dev/null
fi

e2e_expect_eq "no message failed in the log" "" \
    "$(grep -E 'tempfail|cannot (open|create)|Permission denied' "$LOG" |
    grep -v 'keeping the running' || true)"
e2e_summary
