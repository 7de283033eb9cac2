#!/bin/bash
# test_harness.sh - checks the end-to-end harness itself, without the milter:
# the private Redis answers, the private Postfix accepts mail over XCLIENT,
# delivers it to the maildir or holds it, and the independent signers
# (Mail::DKIM for RSA, dkimpy for Ed25519) produce signatures that an
# independent verifier (dkimpy) accepts after delivery, and rejects once the
# body is changed.  When this passes and test_auth.sh fails, look at the
# milter.
#
# Needs root (private Postfix): otherwise exits 77 (skip), saying why.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
e2e_init

# ---- Redis ----
e2e_start_redis
redis-cli -p "$E2E_REDIS_PORT" set e2e:k v >/dev/null
e2e_expect_eq "private redis stores and answers" v \
    "$(redis-cli -p "$E2E_REDIS_PORT" get e2e:k)"

# ---- keys and zone ----
zone=$E2E_TMP/zone
{
	echo "\$STATIC example"
	echo "sel._domainkey.rsa.example 300 IN TXT $(e2e_key_rsa rsa)"
	echo "sel._domainkey.ed.example 300 IN TXT $(e2e_key_ed25519 ed)"
} >"$zone"

# ---- Postfix without milter, one HOLD rule for the hold-queue path ----
echo '/^Subject: hold me/ HOLD e2e' >"$E2E_TMP/hold.regexp"
E2E_PF_EXTRA="header_checks = regexp:$E2E_TMP/hold.regexp"
e2e_start_postfix ""

m=$E2E_TMP/msg
mkdir -p "$m"

# RSA-signed, one message through swaks with XCLIENT.
e2e_msg "$m/rsa.raw" alice@rsa.example bob@rcpt.example "rsa" h-rsa@e2e
e2e_sign_rsa "$m/rsa.raw" rsa.example sel rsa >"$m/rsa.eml"
code=$(e2e_send_swaks 192.0.2.10 mail.rsa.example mx.rsa.example \
    alice@rsa.example bob@rcpt.example "$m/rsa.eml")
e2e_expect_eq "swaks: message accepted" 250 "$code"
f=$(e2e_wait_msg h-rsa@e2e) || f=/nonexistent
e2e_expect_eq "swaks: message delivered to the maildir" yes \
    "$([ -f "$f" ] && echo yes || echo no)"
e2e_expect_line "XCLIENT: Postfix saw the presented client and HELO" \
    "$(e2e_header "$f" Received | head -n 1)" \
    from mx.rsa.example "(mail.rsa.example" "[192.0.2.10])"
e2e_expect_eq "Mail::DKIM RSA signature verifies after delivery (dkimpy)" \
    "rsa.example sel rsa-sha256 pass" "$($E2E_TOOL verify "$f" "$zone")"

# Ed25519-signed, a tampered copy and a null-sender message in one session.
e2e_msg "$m/ed.raw" carol@ed.example bob@rcpt.example "ed" h-ed@e2e
e2e_sign_ed25519 "$m/ed.raw" ed.example sel ed >"$m/ed.eml"
e2e_msg "$m/bad.raw" carol@ed.example bob@rcpt.example "bad" h-bad@e2e
e2e_sign_ed25519 "$m/bad.raw" ed.example sel ed |
    sed 's/^Amount: 100 EUR$/Amount: 900 EUR/' >"$m/bad.eml"
e2e_msg "$m/null.eml" postmaster@mx.ed.example bob@rcpt.example "null" \
    h-null@e2e
out=$(e2e_send_session 198.51.100.7 mail.ed.example mx.ed.example \
    carol@ed.example bob@rcpt.example "$m/ed.eml" \
    carol@ed.example bob@rcpt.example "$m/bad.eml" \
    '<>' bob@rcpt.example "$m/null.eml")
e2e_expect_eq "one session: three messages accepted" "250 250 250" \
    "$(echo "$out" | awk '{ print $2 }' | paste -s -d ' ')"
f=$(e2e_wait_msg h-ed@e2e) || f=/nonexistent
e2e_expect_eq "dkimpy Ed25519 signature verifies after delivery" \
    "ed.example sel ed25519-sha256 pass" "$($E2E_TOOL verify "$f" "$zone")"
e2e_expect_line "XCLIENT holds for the whole session" \
    "$(e2e_header "$f" Received | head -n 1)" "[198.51.100.7])"
f=$(e2e_wait_msg h-bad@e2e) || f=/nonexistent
e2e_expect_eq "body changed after signing: the control verifier fails it" \
    "ed.example sel ed25519-sha256 fail" "$($E2E_TOOL verify "$f" "$zone")"
f=$(e2e_wait_msg h-null@e2e) || f=/nonexistent
e2e_expect_eq "null sender delivered with an empty Return-Path" "<>" \
    "$(e2e_header "$f" Return-Path)"

# The hold queue path of e2e_wait_msg.
e2e_msg "$m/hold.eml" alice@rsa.example bob@rcpt.example "hold me" h-hold@e2e
code=$(e2e_send_swaks 192.0.2.10 mail.rsa.example mx.rsa.example \
    alice@rsa.example bob@rcpt.example "$m/hold.eml")
e2e_expect_eq "message for the hold queue accepted" 250 "$code"
f=$(e2e_wait_msg h-hold@e2e) || f=/nonexistent
e2e_expect_eq "held message found in the hold queue" "1 held" \
    "$(e2e_held_ids | wc -l) $(case $f in *held-*) echo held ;; *) echo "$f" ;; esac)"
e2e_expect_eq "held copy has its header" "hold me" "$(e2e_header "$f" Subject)"

e2e_summary
