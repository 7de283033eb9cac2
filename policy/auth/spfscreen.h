/*
 * spfscreen.h - the SPF record screen and rewrite (spfscreen.c), internal
 * to the SPF module: used by spfdns.c, which fetches records, and by
 * spf.c, which finishes explanations.  Not part of the policy API.
 *
 * Thread rule: the functions keep no state; any thread may call them.
 */
#ifndef RW_SPFSCREEN_H
#define RW_SPFSCREEN_H

#include <stddef.h>

#define SPFSCREEN_MAX_TERMS	128	/* terms in one record */
/* What a rewrite may add to a record: the output buffer of
 * spfscreen_record is the record's length plus this. */
#define SPFSCREEN_GROWTH	(SPFSCREEN_MAX_TERMS * 32 + 32)
/* Last labels of the exists names that stand for a or mx with a zero
 * CIDR length (see emit_a_mx in spfscreen.c); only the check's own
 * rewrite makes them, and a name that merely ends so asks nothing an
 * exists could not. */
#define SPFSCREEN_CIDR0_A	"rw-cidr0-a"
#define SPFSCREEN_CIDR0_MX	"rw-cidr0-mx"
/* Around an uppercase macro in explanation text, so that its URL
 * escapes can be completed after libspf2 expanded it (url_finish in
 * spf.c). */
#define SPFSCREEN_URL_OPEN	'\001'
#define SPFSCREEN_URL_CLOSE	'\002'

/* Screens the SPF record text[0..len) (it starts with "v=spf1") and
 * writes the record libspf2 compiles for a client of family v6 (1: IPv6,
 * 0: IPv4) to out (len + SPFSCREEN_GROWTH bytes).  0, or -1 with *why set
 * to a fixed string. */
int spfscreen_record(const char *text, size_t len, size_t max_len, int v6,
    char *out, const char **why);

/* An explanation TXT (RFC 7208 6.2, explain-string), rewritten for
 * libspf2 into out (4 * len + 1 bytes).  0 or -1. */
int spfscreen_exp(const char *text, size_t len, char *out);

#endif
