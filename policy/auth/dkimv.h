/*
 * dkimv.h - DKIM verification (RFC 6376, RFC 8463 Ed25519) over
 * libopendkim, fed as the message arrives.
 *
 * One dkimv_lib per config generation owns the DKIM_LIB handle, whose key
 * lookups go through dns.h (dkim_dns_set_query_* hooks).  A dkimv
 * verifier belongs to one message: headers one by one, end of headers,
 * body chunks, then dkimv_finish.  Every signature is verified, up to
 * max_signatures (more set results.truncated).
 * Thread rule: the lib is shared (libopendkim allows concurrent handles
 * on one DKIM_LIB); a verifier is used by one thread at a time.
 */
#ifndef RW_DKIMV_H
#define RW_DKIMV_H

#include <stddef.h>
#include "auth/auth.h"

struct arena;
struct dns_budget;
struct dns_resolver;
struct dkimv_lib;
struct dkimv;

struct dkim_sig_result {
	enum auth_result result;	/* pass fail neutral policy
					   temperror permerror */
	const char *domain;		/* d= (arena), may be NULL */
	const char *selector;		/* s= */
	const char *algorithm;		/* "rsa-sha256", "ed25519-sha256" */
	const char *identity;		/* i= or NULL */
	const char *header_b;		/* first 8 chars of b= (RFC 6008) */
	const char *reason;		/* short text or NULL */
	unsigned key_bits;		/* 0 when unknown */
	unsigned long long body_unsigned; /* l= left this many canonical
					   body bytes unsigned (RFC 6376
					   8.2): result policy */
};

struct dkim_results {
	size_t count;
	struct dkim_sig_result *sigs;	/* arena */
	int truncated;			/* more signatures than the cap */
	size_t handed;			/* signatures libopendkim held */
};

/* Returns a lib or NULL with a reason in err.  The resolver is borrowed
 * and must outlive the lib. */
struct dkimv_lib *dkimv_lib_new(struct dns_resolver *,
    unsigned max_signatures, char *err, size_t errlen);
void dkimv_lib_free(struct dkimv_lib *);
/* Tests only: libopendkim hashes message bodies itself, as before
 * dkimbody.c (test_dkimbody compares the two). */
void dkimv_lib_legacy_body(struct dkimv_lib *, int on);

/* A verifier for one message; its libopendkim handle is freed by an
 * arena cleanup.  id names the message in library logs.  Its key lookups
 * (in dkimv_finish) run under budget, the message's (borrowed, NULL:
 * none; dns.h).  NULL when out of memory. */
struct dkimv *dkimv_start(struct dkimv_lib *, struct dns_budget *budget,
    struct arena *, const char *id);

/* One header as received: name, and the value after the colon exactly as
 * the MTA passed it (leading space kept; folded lines separated by "\n" or
 * "\r\n" - bare LF is made CRLF).  0, or -1 when the verifier gave up
 * (it then reports its reason in dkimv_finish). */
int dkimv_header(struct dkimv *, const char *name, const char *value);
int dkimv_eoh(struct dkimv *);
/* A body chunk in SMTP form (CRLF line ends, dot-stuffing removed). */
int dkimv_body(struct dkimv *, const unsigned char *, size_t);

/* Verifies and fills out (arena memory).  No signature: count 0.
 * Returns 0, or -1 when out of memory. */
int dkimv_finish(struct dkimv *, struct dkim_results *out);

#endif
