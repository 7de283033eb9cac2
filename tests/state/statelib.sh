# statelib.sh - what the relaywarden-state script tests share (sourced
# by tests/state/test_state{cli,xfer,report}.sh after set -u): the
# program ($ST), a temporary directory $t, a private redis-server on a
# free loopback port (no persistence, its own directory, killed on exit
# whatever happens; R runs redis-cli against it), a config $t/rw.conf
# pointing at it, the tally (ok, not_ok; $pass, $fail), and:
#   expect NAME WANT_RC CMD...   runs CMD (stdout $t/out, stderr $t/err)
#                                and checks its exit code
#   has NAME FILE PATTERN        $t/FILE has a line matching PATTERN
#   hasnt NAME FILE PATTERN      ... has none
ST=$top_builddir/milter/relaywarden-state
pass=0 fail=0
t=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	printf '    %s\n' "$@"
}

command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
	echo "redis-server and redis-cli are needed (Debian: redis-server)" >&2
	exit 99
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
for attempt in 1 2 3; do
	port=$(free_port)
	redis-server --port "$port" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$t" --logfile "$t/redis.log" &
	pid=$!
	for i in $(seq 50); do
		redis-cli -p "$port" ping >/dev/null 2>&1 && break 2
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
done
[ -n "$pid" ] || { echo "redis-server did not start" >&2; exit 99; }
R() { redis-cli -p "$port" "$@"; }
printf 'redis_port = %s;\n' "$port" >"$t/rw.conf"

expect() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$t/out" 2>"$t/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"
	else not_ok "$name" "exit $rc, wanted $want" "$(head -c 3000 "$t/err")"; fi
}
has() {
	grep -q -- "$3" "$t/$2" && ok "$1" || not_ok "$1" "$(head -c 3000 "$t/$2")"
}
hasnt() {
	grep -q -- "$3" "$t/$2" && not_ok "$1" "$(head -c 3000 "$t/$2")" || ok "$1"
}
