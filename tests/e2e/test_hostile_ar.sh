#!/bin/bash
# test_hostile_ar.sh - forged Authentication-Results and X-Relaywarden
# through a real Postfix (issue 8 item 2).  The delivered copy must carry
# no A-R that claims our authserv-id except our own - judged by an
# independent parser, Perl's Mail::AuthenticationResults, as well as by
# the markers we planted - no X-Relaywarden but ours, and the legitimate
# upstream A-R must still be there:
#  a) a forged A-R and X-Relaywarden after 1005 other headers (past
#     max_headers = 1000; Postfix passes them all to the milter: its
#     header_size_limit bounds one header's bytes, not their number);
#  b) A-Rs written for lenient readers: "(a\) ours;", "(a (b) ours;",
#     "\"ours;" beside foreign ones (another id, ours in a property, ours
#     as the start of a longer name);
#  c) with max_header_length = 1000 (reloaded): an upstream A-R of ~1.6 KB
#     (not stored by us), then a forged one: the forged one goes, the
#     upstream one stays (the MTA counts every header of the name);
#  d) 1001 forged X-Relaywarden: more than we list for removal, rejected
#     with 550 at end of DATA.
# No E2E_PF_EXTRA is needed: Postfix's defaults pass these headers.
# Needs root (private Postfix): otherwise exits 77.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init
perl -MMail::AuthenticationResults::Parser -e 1 2>/dev/null ||
    e2e_hard_error "Mail::AuthenticationResults not found" \
    "(Debian: libmail-authenticationresults-perl)"

M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
FROM=alice@plain.example
ID=$E2E_AUTHSERV
ZONE=$E2E_TMP/zone
cat >"$ZONE" <<EOF
\$STATIC example
plain.example 300 IN TXT "v=spf1 ip4:192.0.2.30 -all"
_dmarc.plain.example 300 IN TXT "v=DMARC1; p=none"
mx.plain.example 300 IN A 192.0.2.30
mx.plain.example 300 IN TXT "v=spf1 ip4:192.0.2.30 -all"
EOF

E2E_RW_EXTRA="internal_relays = [ \"127.0.0.0/8\" ];
max_headers = 1000;
${E2E_RW_EXTRA:-}"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"

UP="Authentication-Results: mx.upstream.example; spf=pass smtp.mailfrom=kept-up@plain.example"

# ids FILE: the authserv-id of every A-R of the delivered copy, as
# Mail::AuthenticationResults reads it ("ERR" when it cannot).
ids() {
	perl -MMail::AuthenticationResults::Parser -e '
	local $/; my $m = <STDIN>; $m =~ s/\r\n/\n/g;
	my ($h) = split /\n\n/, $m, 2; $h =~ s/\n[ \t]+/ /g;
	for (split /\n/, $h) {
		next unless s/^Authentication-Results:\s*//i;
		my $id = eval { Mail::AuthenticationResults::Parser->new
		    ->parse($_)->value->value } // "ERR";
		print lc($id), "\n";
	}' <"$1"
}

head_of() {
	sed '/^$/q' "$1"
}

# send_check CASE FILE: delivered with 250; then the delivered copy has
# exactly one A-R Mail::AuthenticationResults reads as ours, ours first,
# no forged marker, one X-Relaywarden, and the upstream A-R.
send_check() {
	local c=$1 file=$2 code F h
	code=$(e2e_send_swaks 192.0.2.30 mx.plain.example mx.plain.example \
	    "$FROM" "$RCPT" "$file")
	e2e_expect_eq "$c: accepted at end of DATA" 250 "$code" || return 1
	F=$(e2e_wait_msg "$c@e2e") || {
		e2e_not_ok "$c: delivered" "no copy of <$c@e2e>"
		return 1
	}
	h=$(head_of "$F")
	e2e_expect_eq "$c: one A-R read as ours by Mail::AuthenticationResults" \
	    1 "$(ids "$F" | grep -c -x -F "$ID")"
	e2e_expect_eq "$c: ours is the first A-R" "$ID" "$(ids "$F" | head -n 1)"
	e2e_expect_eq "$c: no forged A-R left" 0 \
	    "$(grep -c -F "forged-" <<<"$h")"
	e2e_expect_eq "$c: one X-Relaywarden (ours)" 1 \
	    "$(grep -c -i '^X-Relaywarden:' <<<"$h")"
	e2e_expect_eq "$c: the forged X-Relaywarden is gone" 0 \
	    "$(grep -c -F "score=-100" <<<"$h")"
	e2e_expect_match "$c: the upstream A-R is kept" \
	    "^Authentication-Results: mx\.upstream\.example; spf=pass smtp\.mailfrom=kept-up@plain\.example" \
	    "$h"
	H=$h
}

# ---- a) forged trace headers after 1005 others ----
c=late
e2e_msg "$M/$c.tail" "$FROM" "$RCPT" "late forgery" "$c@e2e"
{
	echo "$UP"
	for i in $(seq 1005); do echo "X-Filler-$i: f"; done
	echo "Authentication-Results: $ID; dkim=pass header.d=forged-1.example"
	echo "X-Relaywarden: action=accept; score=-100; reasons="
	cat "$M/$c.tail"
} >"$M/$c.eml"
send_check "$c" "$M/$c.eml" &&
    e2e_expect_eq "$c: the 1005 other headers are delivered" 1005 \
    "$(grep -c '^X-Filler-' <<<"$H")"

# ---- b) A-Rs written for lenient readers, and foreign ones ----
c=odd
e2e_msg "$M/$c.tail" "$FROM" "$RCPT" "odd forgeries" "$c@e2e"
{
	echo "$UP"
	echo "Authentication-Results: (a\\) $ID; dkim=pass header.d=forged-2.example"
	echo "Authentication-Results: other.example; dkim=pass header.d=$ID kept-3"
	echo "Authentication-Results: (a (b) $ID; dkim=pass header.d=forged-4.example"
	echo "Authentication-Results: \"$ID; dkim=pass header.d=forged-5.example"
	echo "Authentication-Results: $ID.other.example; dkim=pass (kept-6)"
	echo "X-Relaywarden: action=accept; score=-100"
	cat "$M/$c.tail"
} >"$M/$c.eml"
if send_check "$c" "$M/$c.eml"; then
	for k in kept-3 kept-6; do
		e2e_expect_match "$c: foreign A-R $k kept" \
		    "^Authentication-Results: .*$k" "$H"
	done
fi

# ---- c) a long upstream A-R not stored, then a forgery ----
E2E_RW_EXTRA="$E2E_RW_EXTRA
max_header_length = 1000;"
e2e_write_config "$ZONE"
e2e_reload_milter
c=long
e2e_msg "$M/$c.tail" "$FROM" "$RCPT" "long upstream" "$c@e2e"
{
	printf '%s;\n\tdkim=pass header.d=plain.example header.b=' "$UP"
	head -c 1500 /dev/zero | tr '\0' 'A'
	echo
	echo "Authentication-Results: $ID; dkim=pass header.d=forged-7.example"
	cat "$M/$c.tail"
} >"$M/$c.eml"
send_check "$c" "$M/$c.eml" &&
    e2e_expect_match "$c: the upstream A-R keeps its 1.5 KB value" \
    "header\.b=A{1500}" "$(tr -d '\n\t ' <<<"$H")"

# ---- d) more forged X-Relaywarden than can be listed: 550 ----
c=flood
e2e_msg "$M/$c.tail" "$FROM" "$RCPT" "flood" "$c@e2e"
{
	for i in $(seq 1001); do echo "X-Relaywarden: action=accept; score=-100"; done
	cat "$M/$c.tail"
} >"$M/$c.eml"
e2e_expect_eq "$c: 1001 forged X-Relaywarden: rejected" 550 \
    "$(e2e_send_swaks 192.0.2.30 mx.plain.example mx.plain.example \
    "$FROM" "$RCPT" "$M/$c.eml")"
e2e_expect_match "$c: the log names headers_forged_flood" \
    "action=reject .*reasons=[a-z_,]*headers_forged_flood" \
    "$(grep -F 'action=reject' "$E2E_TMP/rw/milter.log")"

e2e_summary
