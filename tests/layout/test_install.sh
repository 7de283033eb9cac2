#!/bin/bash
# test_install.sh - what `make install DESTDIR=...` installs (issue 14
# item 5), at the directories this build was configured with (the
# Makefile's rw-print-install):
#  a) every program of sbin_PROGRAMS in sbindir and of bin_PROGRAMS in
#     bindir, executable, and each says its version (-V);
#  b) every man page in mandir/manN, the same bytes as man/;
#  c) the example config as sysconfdir/relaywarden.conf.example, the
#     same bytes as contrib/relaywarden.conf, and no relaywarden.conf;
#  d) relaywarden.service in systemdunitdir, its ExecStart naming the
#     installed daemon and the config under sysconfdir, no other path;
#  e) the Postfix and sendmail snippets in docdir;
#  f) a second install with an edited relaywarden.conf in place leaves
#     it byte for byte, and make uninstall removes the example but keeps
#     the admin's file.
set -u
LC_ALL=C
export LC_ALL
src=${top_srcdir:-$(dirname "$0")/../..}
bld=${top_builddir:-.}
make=${MAKE:-make}
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
	shift
	printf '     %s\n' "$@"
}
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rw-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
if ! $make -s -C "$bld" rw-print-install >"$tmp/dirs" 2>&1; then
	echo "FAIL make rw-print-install: $(cat "$tmp/dirs")" >&2
	exit 1
fi
val() { sed -n "s/^$1=//p" "$tmp/dirs"; }
sbindir=$(val sbindir) bindir=$(val bindir) sysconfdir=$(val sysconfdir)
docdir=$(val docdir) mandir=$(val mandir) unitdir=$(val systemdunitdir)

if $make -s -C "$bld" install DESTDIR="$root" >"$tmp/install.log" 2>&1
then
	ok "make install DESTDIR=..."
else
	not_ok "make install DESTDIR=..." "$(tail -n 20 "$tmp/install.log")"
fi

# ---- a) programs ----
for dir in sbin bin; do
	d=$(val ${dir}dir)
	for p in $(val ${dir}_programs); do
		f=$root$d/${p##*/}
		if [ -x "$f" ] && [ -f "$f" ]; then
			ok "${p##*/} installed in $d"
			v=$("$f" -V 2>&1)
			case $v in
			*[0-9].[0-9]*) ok "${p##*/} -V: $v" ;;
			*) not_ok "${p##*/} -V says a version" "$v" ;;
			esac
		else
			not_ok "${p##*/} installed in $d"
		fi
	done
done
[ -x "$root$sbindir/relaywarden" ] && ok "the daemon is in sbindir" ||
    not_ok "the daemon is in sbindir ($sbindir)"
for p in relaywarden-check relaywarden-state; do
	[ -x "$root$bindir/$p" ] && ok "$p is in bindir" ||
	    not_ok "$p is in bindir ($bindir)"
done

# ---- b) man pages ----
n=0
for m in $(val man_pages); do
	base=${m##*/}
	sect=${base##*.}
	f=$root$mandir/man$sect/$base
	n=$((n + 1))
	check "man page $base in man$sect" cmp -s "$src/$m" "$f"
done
[ "$n" -ge 5 ] && ok "$n man pages" || not_ok "five man pages" "found $n"

# ---- c) the example config, and no real one ----
check "relaywarden.conf.example in $sysconfdir" \
    cmp -s "$src/contrib/relaywarden.conf" \
    "$root$sysconfdir/relaywarden.conf.example"
check "no relaywarden.conf written" \
    test ! -e "$root$sysconfdir/relaywarden.conf"

# ---- d) the unit ----
unit=$root$unitdir/relaywarden.service
if [ -f "$unit" ]; then
	ok "relaywarden.service in $unitdir"
	start=$(sed -n 's/^ExecStart=//p' "$unit")
	case $start in
	"$sbindir/relaywarden "*"-c $sysconfdir/relaywarden.conf"*)
		ok "ExecStart: $start" ;;
	*)	not_ok "ExecStart names $sbindir/relaywarden and" \
		    "$sysconfdir/relaywarden.conf" "found: $start" ;;
	esac
	# Every absolute path in a setting naming relaywarden's own files
	# is this build's (no /usr/sbin or /etc left when configured elsewhere).
	bad=$(grep -v '^#' "$unit" | grep -o '/[^ =]*relaywarden[^ ]*' |
	    sort -u |
	    grep -v -e "^$sbindir/relaywarden\$" \
	    -e "^$sysconfdir/relaywarden.conf\$" -e "^$docdir" \
	    -e '^/var/spool/postfix/relaywarden$' -e '^/run/relaywarden' |
	    tr '\n' ' ')
	[ -z "$bad" ] && ok "the unit names only configured paths" ||
	    not_ok "paths not substituted in the unit" "$bad"
else
	not_ok "relaywarden.service in $unitdir" \
	    "$(cd "$root" && find . -name '*.service')"
fi

# ---- e) the MTA snippets ----
for s in postfix-main.cf sendmail.mc; do
	check "$s in $docdir" cmp -s "$src/contrib/$s" "$root$docdir/$s"
done

# ---- f) a real config survives install and uninstall ----
conf=$root$sysconfdir/relaywarden.conf
printf '# the admin'"'"'s own\nsocket = "inet:9999@127.0.0.1";\n' >"$conf"
cp "$conf" "$tmp/conf.saved"
if $make -s -C "$bld" install DESTDIR="$root" >"$tmp/install2.log" 2>&1
then
	ok "second make install"
else
	not_ok "second make install" "$(tail -n 20 "$tmp/install2.log")"
fi
check "an edited relaywarden.conf is left as it was" \
    cmp -s "$tmp/conf.saved" "$conf"
check "the example is still the shipped one" \
    cmp -s "$src/contrib/relaywarden.conf" \
    "$root$sysconfdir/relaywarden.conf.example"
if $make -s -C "$bld" uninstall DESTDIR="$root" >"$tmp/uninst.log" 2>&1
then
	ok "make uninstall"
else
	not_ok "make uninstall" "$(tail -n 20 "$tmp/uninst.log")"
fi
check "uninstall removes the example" \
    test ! -e "$root$sysconfdir/relaywarden.conf.example"
check "uninstall keeps the admin's relaywarden.conf" \
    cmp -s "$tmp/conf.saved" "$conf"
left=$(cd "$root" && find . -type f ! -path "./${sysconfdir#/}/relaywarden.conf")
[ -z "$left" ] && ok "uninstall leaves nothing else" ||
    not_ok "uninstall left files" $left

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
