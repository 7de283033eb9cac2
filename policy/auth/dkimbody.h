/*
 * dkimbody.h - DKIM body hashes (RFC 6376 3.4.3 simple, 3.4.4 relaxed,
 * 3.7), computed over large spans instead of byte by byte, with the
 * results libopendkim 2.11's own body canonicalizer gives for the same
 * chunks (dkimv.c compares them with bh= in its place).
 *
 * One dkimbody per message, from the message's arena (an arena cleanup
 * frees the digest contexts); one thread at a time.  No l=: dkimv.c
 * leaves signatures with l= to libopendkim.
 */
#ifndef RW_DKIMBODY_H
#define RW_DKIMBODY_H

#include <stddef.h>

struct arena;
struct dkimbody;

#define DKIMBODY_SIMPLE		0
#define DKIMBODY_RELAXED	1
#define DKIMBODY_SHA1		0
#define DKIMBODY_SHA256		1
#define DKIMBODY_MAX_DIGEST	32

/* Empty: no hash yet.  NULL when out of memory. */
struct dkimbody *dkimbody_new(struct arena *);
/* Adds the hash of one (canonicalization, algorithm); twice is once.
 * A canonicalization with no hash is still followed (dkimbody_open).
 * Before the first chunk only.  0, or -1 when out of memory. */
int dkimbody_want(struct dkimbody *, int canon, int alg);
/* A body chunk as dkimv_body gets it. */
void dkimbody_feed(struct dkimbody *, const unsigned char *, size_t);
/* Ends the body (once; NULL: nothing); then the digests can be read. */
void dkimbody_end(struct dkimbody *);
/* relaxed: the body ended inside a line (no CRLF after its last
 * non-white-space byte), where libopendkim's end of message stops with
 * "CRLF at end of body missing" and verifies nothing. */
int dkimbody_open(const struct dkimbody *);	/* NULL: 0 */
/* The digest of (canon, alg) after dkimbody_end, base64 as in bh=, into
 * out (at least 48 bytes).  -1 when that hash was not wanted. */
int dkimbody_b64(const struct dkimbody *, int canon, int alg, char *out,
    size_t outlen);

/* ---- with libopendkim (dkimv.c) ---- */

struct dkim;
struct dkim_siginfo;

/* After dkim_eoh: a dkimbody for the body hashes of the handle's
 * signatures in *out (0), or 1 when libopendkim must hash the body
 * itself: a signature has l= (its end-of-message test of l= needs the
 * body it hashed) or a conditional !cd= (judged against the others'
 * body hashes inside libopendkim).  -1 when out of memory. */
int dkimbody_plan(struct dkim *, struct arena *, struct dkimbody **out);
/* After dkim_eom on a handle that was given no body, and dkimbody_end:
 * the flags, error and bh state libopendkim would have given sig had it
 * hashed the body itself (its dkim_sig_getflags, _geterror, _getbh).
 * b NULL: what libopendkim reports (it hashed the body).
 * minbits: its DKIM_OPTS_MINKEYBITS.  An error other than OK, BADSIG
 * and KEYTOOSMALL (SUBDOMAIN) was decided apart from the body: kept. */
void dkimbody_sig(const struct dkimbody *, struct dkim *,
    struct dkim_siginfo *, unsigned minbits, unsigned *flags, int *err,
    int *bh);

#endif
