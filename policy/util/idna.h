/*
 * idna.h - domain names to their A-label form with libidn2 (IDNA 2008,
 * UTS #46 nontransitional mapping): the one ToASCII of relaywarden, used
 * for the From domain (mail/author.c) and, through confusable.c, for
 * configured protected domains and the lookalike index, so that the same
 * name always yields the same A-label (and the same history key).
 *
 * Pure function over caller buffers; any thread (libidn2 keeps no state).
 */
#ifndef RW_IDNA_H
#define RW_IDNA_H

#include <stddef.h>

#define IDNA_INPUT_MAX		1024	/* bytes of input */
#define IDNA_DOMAIN_MAX		253	/* bytes of the A-label name */
#define IDNA_LABEL_MAX		63	/* bytes of one A-label */

/* The A-label form of a domain name (ASCII, A-labels or UTF-8 U-labels,
 * any case; one trailing dot dropped; the ideographic full stops U+3002,
 * U+FF0E, U+FF61 separate labels as UTS #46 says), lower case, into out
 * (at least IDNA_DOMAIN_MAX + 1 bytes).  Returns its length, or -1 with
 * *why (a static string) when the name is not one: empty, an empty
 * label, invalid UTF-8, a U-label IDNA 2008 refuses (disallowed code
 * point, bidi or joiner rule), an xn-- label that does not decode, a
 * label over 63 or a name over 253 bytes once encoded, a byte other than
 * a letter, digit, '-' or '_' in an ASCII label.  ASCII labels are
 * lower-cased, not otherwise judged by IDNA ("r3---sn-x" stays valid, as
 * it is in the DNS); '_' is allowed, as real mail domains use it. */
int idna_domain_ascii(const char *in, size_t len, char *out, size_t outlen,
    const char **why);

#endif
