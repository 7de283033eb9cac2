#!/bin/bash
# test_quarantine.sh - relaywarden-quarantine (issue 14 item 1) end to
# end over the private Postfix, the milter and a private redis-server.
#
#  1  partner.example writes from its usual relay, signed: delivered,
#     its history learned.  Then three messages From it through a new
#     relay, unsigned (SPF fail): held (new_relay_unauthenticated).
#  2  list: each held id with its sender, recipients and reasons; the
#     RFC 2047 Subject decoded, its ESC and right-to-left override
#     replaced (never sent to the terminal); list --json the same.
#  3  show ID: the headers, the recorded verdict with its reasons, and
#     today's re-check (recorded action: quarantine, today: quarantine).
#  4  release and delete refuse a user other than root, clearly; the
#     message stays held.  Ids that are not ids, or not held: exit 2 / 1.
#  5  release ID --trust relay: the history trusts that relay for
#     partner.example (relaywarden-state show), the message is delivered,
#     and the log names the action and who (SUDO_USER too); the next
#     message from that relay is not held.
#  5b release ID --trust signer: a third-party signer of a held message
#     is trusted for partner.example; the next one it signs is not held;
#     a message without a passing signature is refused and stays held.
#  6  release ID --trust allow --days 10: prints an allow-list entry for
#     the relay (the From is not authenticated) with the rules that held
#     it and the expiry; the message is delivered.
#  7  delete ID: gone from the queue, never delivered.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

Q=$top_builddir/milter/relaywarden-quarantine
STATE=$top_builddir/milter/relaywarden-state
[ -x "$Q" ] || e2e_hard_error "$Q not built"
M=$E2E_TMP/msg
mkdir -p "$M"
RCPT=bob@rcpt.example
P=partner.example
PFROM=alice@$P
IP_USUAL=192.0.2.10;	N_USUAL=mx1.partner-mail.example
IP_NEW=198.51.100.77;	N_NEW=out.newrelay.example

ZONE=$E2E_TMP/zone
k=$(e2e_key_rsa partner)
ko=$(e2e_key_rsa other)
{
	cat <<Z
\$STATIC example
\$STATIC in-addr.arpa
$P 300 IN TXT "v=spf1 ip4:$IP_USUAL -all"
_dmarc.$P 300 IN TXT "v=DMARC1; p=none"
sel._domainkey.$P 300 IN TXT $k
sel._domainkey.other-signer.example 300 IN TXT $ko
Z
	e2e_zone_fcrdns "$IP_USUAL $N_USUAL" "$IP_NEW $N_NEW"
} >"$ZONE"

e2e_start_redis
E2E_RW_EXTRA="state_known_refresh_s = 0;
redis_timeout_ms = 1000;
redis_slow_ms = 1000;"
e2e_write_config "$ZONE"
e2e_start_milter
e2e_start_postfix "$E2E_MILTER_SOCK"
QQ() { "$Q" -c "$E2E_RW_CONF" -C "$E2E_PF_CONF" "$@"; }

# ---- 1: the history, then three held messages ----
e2e_msg "$M/learn.raw" "$PFROM" "$RCPT" "order 1" "learn@e2e"
e2e_sign_rsa "$M/learn.raw" "$P" sel partner >"$M/learn.eml"
e2e_scn_learn learn $IP_USUAL $N_USUAL "$PFROM"
# Subject: "Überweisung ESC[31m RLO fdp.exe" in an encoded word
SUBJ="=?UTF-8?B?$(printf '\303\234berweisung \033[31m \342\200\256fdp.exe' |
    base64 -w0)?="
for h in h1 h2 h3; do
	e2e_msg "$M/$h.eml" "$PFROM" "$RCPT" "$SUBJ" "$h@e2e"
	e2e_scn_attack $h new_relay_unauthenticated $IP_NEW $N_NEW "$PFROM"
done
e2e_settle 10
qid_of() {	# the held queue id of Message-ID $1
	local q
	for q in $(e2e_held_ids); do
		postcat -c "$E2E_PF_CONF" -q "$q" 2>/dev/null |
		    grep -q -i -F -x "Message-ID: <$1>" && { echo "$q"; return; }
	done
}
H1=$(qid_of h1@e2e); H2=$(qid_of h2@e2e); H3=$(qid_of h3@e2e)
[ -n "$H1" ] && [ -n "$H2" ] && [ -n "$H3" ] || {
	e2e_not_ok "1: three held ids" "'$H1' '$H2' '$H3'"
	e2e_summary
}
e2e_ok "1: held $H1 $H2 $H3"

# ---- 2: list ----
QQ list >"$M/list" 2>"$M/list.err"
e2e_expect_eq "2: list exit 0" 0 "$?"
for id in $H1 $H2 $H3; do
	e2e_expect_match "2: list shows $id, its sender, recipient, reasons" \
	    "^$id +[0-9]+[smhd] $N_NEW\\[$IP_NEW\\] $PFROM $RCPT score=[0-9]+ reasons=([^ ]*,)?new_relay_unauthenticated" \
	    "$(grep "^$id " "$M/list")"
done
e2e_expect_eq "2: the Subject decoded, ESC and RLO replaced" \
    "3 $(printf '    Subject: \303\234berweisung ?[31m ?fdp.exe')" \
    "$(grep -c '^    Subject: ' "$M/list") $(grep -m1 '^    Subject: ' "$M/list")"
if grep -q "$(printf '\033')" "$M/list"; then
	e2e_not_ok "2: no ESC byte on the terminal" "$(od -c "$M/list" | head)"
else
	e2e_ok "2: no ESC byte on the terminal"
fi
QQ list --json >"$M/list.json" 2>/dev/null
e2e_expect_eq "2: list --json exit 0" 0 "$?"
got=$(/usr/bin/python3 - "$M/list.json" "$H1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = [x for x in d["held"] if x["queue_id"] == sys.argv[2]][0]
print(len(d["held"]), e["sender"], ",".join(e["recipients"]),
      e["client_address"], e["action"],
      "new_relay_unauthenticated" in [r["rule"] for r in e["reasons"]],
      e["subject"] == "\u00dcberweisung \x1b[31m \u202efdp.exe")
PY
)
e2e_expect_eq "2: list --json: id, sender, recipients, client, reasons" \
    "3 $PFROM $RCPT $IP_NEW quarantine True True" "$got"

# a member of the postdrop group (not root): postqueue -j lists the ids;
# postcat -q needs root, and the list says so instead of failing
setpriv --reuid=nobody --regid=postdrop --clear-groups -- \
    "$Q" -c "$E2E_RW_CONF" -C "$E2E_PF_CONF" list >"$M/list.pd" \
    2>"$M/list.pd.err"
e2e_expect_eq "2: list as postdrop: exit 0" 0 "$?"
e2e_expect_match "2: list as postdrop shows each held id" \
    "^$H1 +[0-9]+[smhd] " "$(grep "^$H1 " "$M/list.pd")"
e2e_expect_eq "2: list as postdrop: three rows" 3 \
    "$(grep -c -E "^($H1|$H2|$H3) " "$M/list.pd")"

# ---- 3: show ----
QQ show "$H1" >"$M/show" 2>"$M/show.err"
e2e_expect_eq "3: show exit 0" 0 "$?" || cat "$M/show.err"
e2e_expect_line "3: show prints the headers" "$(cat "$M/show")" \
    "Message-ID: <h1@e2e>"
e2e_expect_line "3: show prints the recorded action" "$(cat "$M/show")" \
    "action: quarantine"
e2e_expect_line "3: show prints the recorded reason" "$(cat "$M/show")" \
    "reason: new_relay_unauthenticated"
e2e_expect_match "3: today's check holds it for the same reason" \
    '^reason: new_relay_unauthenticated score=' \
    "$(sed -n '/^--- relaywarden-check now/,$p' "$M/show" |
    grep '^reason: new_relay_unauthenticated')"
e2e_expect_line "3: recorded and today's action" "$(cat "$M/show")" \
    "recorded action: quarantine, today: quarantine"

# ---- 4: who may, and bad ids ----
for cmd in release delete; do
	runuser -u nobody -- "$Q" -c "$E2E_RW_CONF" -C "$E2E_PF_CONF" \
	    $cmd "$H2" >/dev/null 2>"$M/nr.err"
	e2e_expect_eq "4: $cmd as nobody: exit 2" 2 "$?"
	e2e_expect_match "4: $cmd as nobody says root is needed" \
	    "$cmd needs root" "$(cat "$M/nr.err")"
done
e2e_expect_match "4: still held" "^$H2 " "$(QQ list 2>/dev/null)"
QQ show -- -x >/dev/null 2>"$M/bad.err"
e2e_expect_eq "4: an option as id: exit 2" 2 "$?"
e2e_expect_match "4: says why" 'not a Postfix queue id' "$(cat "$M/bad.err")"
QQ release 'A1;id' >/dev/null 2>"$M/bad.err"
e2e_expect_eq "4: shell text as id: exit 2" 2 "$?"
QQ release NOSUCHID0 >/dev/null 2>"$M/bad.err"
e2e_expect_eq "4: an id not held: exit 1" 1 "$?"
e2e_expect_match "4: says so" 'not in the hold queue' "$(cat "$M/bad.err")"

# ---- 5: release with trust in the relay ----
SUDO_USER=alice QQ --log-stderr release "$H1" --trust relay \
    --comment "partner moved to a new provider" >"$M/rel" 2>"$M/rel.err"
e2e_expect_eq "5: release --trust relay exit 0" 0 "$?" || cat "$M/rel.err"
e2e_expect_match "5: says what it trusted" \
    "^$H1: relay org:newrelay.example trusted for $P\$" "$(cat "$M/rel")"
e2e_expect_match "5: the log names the trust and who" \
    "$H1: action=trust user=root sudo_user=alice trust=relay domain=$P relay=org:newrelay.example comment=.* result=ok" \
    "$(cat "$M/rel.err")"
e2e_expect_match "5: the log names the release and who" \
    "$H1: action=release user=root sudo_user=alice trust=relay result=ok" \
    "$(cat "$M/rel.err")"
e2e_expect_match "5: the history trusts the relay" \
    'relay org:newrelay.example .*trusted=' \
    "$("$STATE" -c "$E2E_RW_CONF" show "$P" 2>/dev/null)"
if f=$(e2e_wait_msg h1@e2e) && [ "${f#*/held-}" = "$f" ]; then
	e2e_ok "5: the released message is delivered"
else
	e2e_not_ok "5: the released message is delivered" "${f:-nothing}"
fi
case " $(e2e_held_ids | tr '\n' ' ') " in
*" $H1 "*) e2e_not_ok "5: no longer held" "$(e2e_held_ids)" ;;
*) e2e_ok "5: no longer held" ;;
esac
e2e_msg "$M/after.eml" "$PFROM" "$RCPT" "order 2" "after@e2e"
e2e_scn_send after $IP_NEW $N_NEW "$PFROM"
e2e_expect_eq "5: the next message from that relay is not held" \
    delivered "$W"
if e2e_scn_has new_relay_unauthenticated; then
	e2e_not_ok "5: no new_relay_unauthenticated any more" "$VH"
else
	e2e_ok "5: no new_relay_unauthenticated any more [$VH]"
fi

# ---- 5b: release with trust in a signer ----
# From the (now trusted) relay, signed by a third party, SPF fail: held
# as a new signer, unauthenticated; --trust signer trusts it for $P.
e2e_msg "$M/s1.raw" "$PFROM" "$RCPT" "order 3" "s1@e2e"
e2e_sign_rsa "$M/s1.raw" other-signer.example sel other >"$M/s1.eml"
e2e_scn_attack s1 new_signer_unauthenticated $IP_NEW $N_NEW "$PFROM"
e2e_settle 10
S1=$(qid_of s1@e2e)
QQ release "$S1" --trust signer >"$M/rels" 2>"$M/rels.err"
e2e_expect_eq "5b: release --trust signer exit 0" 0 "$?" ||
    cat "$M/rels.err"
e2e_expect_match "5b: says what it trusted" \
    "^$S1: signer other-signer.example trusted for $P\$" "$(cat "$M/rels")"
e2e_expect_match "5b: the history trusts the signer" \
    'signer other-signer.example .*trusted=' \
    "$("$STATE" -c "$E2E_RW_CONF" show "$P" 2>/dev/null)"
e2e_msg "$M/s2.raw" "$PFROM" "$RCPT" "order 4" "s2@e2e"
e2e_sign_rsa "$M/s2.raw" other-signer.example sel other >"$M/s2.eml"
e2e_scn_send s2 $IP_NEW $N_NEW "$PFROM"
e2e_expect_eq "5b: the next message with that signer is not held" \
    delivered "$W"
QQ release "$H2" --trust signer >/dev/null 2>"$M/rels2.err"
e2e_expect_eq "5b: --trust signer without a passing signature: exit 2" 2 \
    "$?"
e2e_expect_match "5b: says why, and it stays held" \
    "no DKIM signature passes.*$H2: not released" \
    "$(tr '\n' ' ' <"$M/rels2.err")"

# ---- 6: release printing an allow-list entry ----
QQ release "$H3" --trust allow --days 10 --comment "ticket 42" \
    >"$M/allow" 2>"$M/allow.err"
e2e_expect_eq "6: release --trust allow exit 0" 0 "$?" || cat "$M/allow.err"
exp=$(date -u -d '+10 days' +%Y-%m-%d)
e2e_expect_eq "6: the entry to paste" \
    "{ senders = [ \"$IP_NEW/32\" ]; rules = [ \"spf_fail\", \"dmarc_fail\", \"new_relay_unauthenticated\" ]; expires = \"$exp\"; comment = \"ticket 42 (released $H3)\"; }" \
    "$(grep -v '^#' "$M/allow" | grep -v ': released$' | tr '\n' ' ' |
    sed 's/  */ /g; s/ $//')"
e2e_expect_match "6: released" "^$H3: released\$" "$(cat "$M/allow")"
QQ release "$H2" --trust allow >/dev/null 2>"$M/allow2.err"
e2e_expect_eq "6: --trust allow without --comment: exit 2" 2 "$?"
e2e_expect_match "6: and it stays held" "^$H2 " "$(QQ list 2>/dev/null)"

# ---- 7: delete ----
QQ delete "$H2" >"$M/del" 2>"$M/del.err"
e2e_expect_eq "7: delete exit 0" 0 "$?" || cat "$M/del.err"
case " $(e2e_held_ids | tr '\n' ' ') " in
*" $H2 "*) e2e_not_ok "7: gone from the hold queue" "$(e2e_held_ids)" ;;
*) e2e_ok "7: gone from the hold queue" ;;
esac
e2e_expect_eq "7: not in any queue (postcat fails)" 1 \
    "$(postcat -c "$E2E_PF_CONF" -q "$H2" >/dev/null 2>&1; echo $?)"
e2e_settle 10
if grep -l -F -x -i "Message-ID: <h2@e2e>" "$E2E_MAILDIR"/new/* \
    >/dev/null 2>&1; then
	e2e_not_ok "7: never delivered" "found in the maildir"
else
	e2e_ok "7: never delivered"
fi
QQ delete "$H2" >/dev/null 2>&1
e2e_expect_eq "7: deleting it again: exit 1" 1 "$?"

e2e_summary
