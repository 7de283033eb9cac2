#!/bin/sh
# check-noexec.sh - no message byte ever reaches a shell or another
# program (README, "Sandbox"): policy/ and milter/ call nothing that runs
# one, and turn on nothing in a library that would.  Fails on, in code
# (comments and strings stripped):
#  - system, popen, the exec family, posix_spawn, GLib's g_spawn_*;
#  - libarchive's catch-alls and program filters
#    (archive_read_support_filter_all/_program*, ..._format_all): the
#    catch-alls enable filters that run lzop, lrzip or grzip as programs;
#  - libmagic's MAGIC_COMPRESS (decompression, by a forked program for
#    formats libmagic has no library for);
# and it checks that the attachment walk keeps MAGIC_NO_CHECK_COMPRESS.
# fork() stays allowed: the daemon detaches with it and forks its
# attachment workers, which never exec.  One exec is allowed, by name:
# execvp in milter/postcat.c's postfix_run, where the admin tools run
# Postfix's own programs with a fixed argv, no shell, never message
# bytes (a queue id is letters and digits): relaywarden-check --queue-id
# (postcat), relaywarden-quarantine (postqueue, postsuper, postcat),
# relaywarden-state report --postfix-config (postqueue -j).  The daemon
# does not link it (checked below in Makefile.am).
# Prints FILE:LINE: the call.
#
# Usage: check-noexec.sh [SRCDIR]   (default: $top_srcdir, else ../..)
LC_ALL=C
export LC_ALL
src=${1:-${top_srcdir:-$(dirname "$0")/../..}}
[ -d "$src/policy" ] && [ -d "$src/milter" ] ||
    { echo "check-noexec: no $src/policy or $src/milter" >&2; exit 2; }

find "$src/policy" "$src/milter" -name '*.[ch]' | sort |
    /usr/bin/python3 -c '
import re, sys
bad = re.compile(r"\b(system|popen|execl|execlp|execle|execv|execve|"
    r"execvp|execvpe|execveat|fexecve|posix_spawnp?|g_spawn_\w+|"
    r"archive_read_support_filter_all|archive_read_support_filter_program\w*|"
    r"archive_read_support_format_all|archive_read_append_filter_program\w*)"
    r"\s*\(|\bMAGIC_COMPRESS\b")
def strip(t):
    # comments and string literals -> blanks, newlines kept
    out, i, n = [], 0, len(t)
    pat = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|" r"\x27(?:\\.|[^\x27\\\n])*\x27", re.S)
    return pat.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), t)
n = 0
for path in sys.stdin.read().split():
    t = strip(open(path, encoding="utf-8", errors="replace").read())
    for ln, line in enumerate(t.split("\n"), 1):
        m = bad.search(line)
        if m and path.endswith("/milter/postcat.c") and \
            m.group(0).rstrip("( ") == "execvp":
            continue
        if m:
            print("%s:%d: %s: runs or enables an external program" %
                  (path, ln, m.group(0).rstrip("( ")))
            n += 1
sys.exit(1 if n else 0)
' || exit 1
# The daemon's sources name neither file that execs.
if sed -n '/^milter_relaywarden_SOURCES/,/^milter_relaywarden_LDADD/p' \
    "$src/Makefile.am" | grep -E -q 'postcat\.c|pfqueue\.c'; then
	echo "$src/Makefile.am: the daemon links a file that execs" >&2
	exit 1
fi
grep -q 'MAGIC_NO_CHECK_COMPRESS' "$src/policy/attach/attscan.h" || {
	echo "$src/policy/attach/attscan.h: ATTSCAN_MAGIC_FLAGS lost" \
	    "MAGIC_NO_CHECK_COMPRESS" >&2
	exit 1
}
echo "check-noexec: no exec, shell or external-program filter in" \
    "policy/ and milter/"
