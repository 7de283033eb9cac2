/*
 * confusable.h - the Unicode layer of the lookalike and display-name
 * checks, on ICU: domain names through IDNA (UTS #46), the comparison
 * form of any text (UTS #39 skeleton, case, width and diacritics folded
 * away), and charset conversion for RFC 2047 encoded-words.
 *
 * Pure functions over caller buffers; any thread (the ICU objects are
 * opened once per process and only read).  Every input is capped at
 * CONFUSABLE_TEXT_MAX bytes: longer is an error, not a longer loop.
 */
#ifndef RW_CONFUSABLE_H
#define RW_CONFUSABLE_H

#include <stddef.h>

#define CONFUSABLE_TEXT_MAX	1024	/* bytes of input text */
#define CONFUSABLE_DOMAIN_MAX	253	/* bytes of an A-label domain */

/* A domain name (ASCII, A-labels or UTF-8 U-labels, any case, one
 * trailing dot allowed) in its UTS #46 nontransitional A-label form, lower
 * case, into out (at least CONFUSABLE_DOMAIN_MAX + 1 bytes).  Returns its
 * length, or -1 when it is not a domain name: empty, too long, an empty
 * label, a label over 63 bytes, or a byte other than a letter, digit, '-'
 * or '_' once encoded, or U-labels IDNA 2008 refuses (the conversion
 * is libidn2's, util/idna.h).  *idna_error is set to 1 when IDNA found a
 * problem it could pass over (a label of invalid punycode, a hyphen in
 * the third and fourth positions, a bidi or joiner rule): such a label
 * is kept as written. */
int confusable_domain_ascii(const char *in, size_t len, char *out,
    size_t outlen, int *idna_error);

/* The U-label (UTF-8) form of an A-label domain as returned above.
 * Returns the length, or -1 when out is too small.  A label that does
 * not decode is kept as written and *idna_error set to 1. */
int confusable_domain_unicode(const char *ascii, size_t len, char *out,
    size_t outlen, int *idna_error);

/* The comparison form of UTF-8 text: NFKC case folding, the UTS #39
 * skeleton (so "paypa1", "pаypal" with a Cyrillic a and "PAYPAL" all
 * become the same string), case folding again (the skeleton maps some
 * lower case letters to capitals: '0' to 'O'), and no nonspacing marks
 * ("José" -> "jose").  Invalid UTF-8 becomes U+FFFD.  Returns the length
 * written to out (NUL-terminated), or -1 when the input is longer than
 * CONFUSABLE_TEXT_MAX, the result does not fit or ICU failed. */
int confusable_fold(const char *in, size_t len, char *out, size_t outlen);

/* NFKC case folding alone (UAX #15 NFKC_Casefold): "ＣＥＯ＠Ｅｘａｍｐｌｅ．ｃｏｍ"
 * -> "ceo@example.com", without the skeleton, so that addresses and
 * domain names in text stay real names.  Same returns as
 * confusable_fold. */
int confusable_casefold(const char *in, size_t len, char *out,
    size_t outlen);

/* Converts len bytes in the named charset (IANA or MIME name, e.g.
 * "iso-8859-1", "windows-1252", "utf-8") to UTF-8 in out, with
 * substitution characters for bytes the charset does not define.
 * Returns the length written (NUL-terminated), or -1 for an unknown
 * charset, input over CONFUSABLE_TEXT_MAX or a result that does not
 * fit. */
int confusable_to_utf8(const char *charset, const char *in, size_t len,
    char *out, size_t outlen);

/* Header text as a reader sees it: RFC 2047 encoded-words
 * ("=?utf-8?q?Jos=C3=A9?=", B or Q, any charset ICU knows, an RFC 2231
 * language suffix ignored) decoded to UTF-8, white space between two
 * adjacent encoded-words dropped (RFC 2047 6.2); a word that does not
 * decode is kept as written.  Cut at outlen - 1 bytes; always
 * NUL-terminated (outlen > 0). */
void confusable_decode_words(const char *in, char *out, size_t outlen);

#endif
