/*
 * dkimv.c - DKIM verification (RFC 6376, RFC 8301, RFC 8463 Ed25519) over
 * libopendkim, fed header by header and chunk by chunk.
 *
 * Exports dkimv_*.  Owns the DKIM_LIB of each dkimv_lib (one per config
 * generation) and the DKIM handle of each verifier: dkimv_finish frees it,
 * and a cleanup on the message's arena frees it when the message is
 * aborted first.  Key lookups go through dns.h (the hooks below); the lib
 * borrows the resolver.
 *
 * Thread rule: a dkimv_lib is shared.  libopendkim allows concurrent
 * handles on one DKIM_LIB; our DNS hooks keep all per-query state in the
 * query handle and call the thread-safe resolver; the prescreen hook finds
 * its verifier through the handle's user context.  A verifier is used by
 * one thread at a time.
 *
 * Caps: max_signatures (0 = no cap, as message.h's caps).  A
 * DKIM-Signature with l= past the cap is not handed to libopendkim at all
 * (each distinct l= costs a body hash as the body streams); the prescreen
 * hook marks any other signature past the cap "ignore" before key lookup
 * or crypto, and results.truncated says so.  Each reported string is cut
 * to DKIMV_MAX_FIELD bytes with control bytes replaced.
 *
 * Library flags: BADSIGHANDLES (a malformed DKIM-Signature is reported,
 * and a missing or odd From header does not stop verification),
 * DELAYSIGPROC (every signature is processed at end of message, so header
 * and body hash are checked together).  Not VERIFYONE: every signature
 * under the cap is verified.  Minimum RSA key: 1024 bits (RFC 8301 3.2).
 * libopendkim prints nothing; its error text stays in the handle.
 *
 * DNS: dkimdns.c plugs our resolver into libopendkim.  Body hashes:
 * dkimbody.c (libopendkim hashes the body itself only for l= or !cd=).
 *
 * Results, RFC 8601 2.7.1 words.  "fail" only when the crypto ran and did
 * not match; "permerror" when what the signer published or stated makes
 * the signature unusable (retrying will not help); "neutral" when the
 * DKIM-Signature itself is malformed (RFC 8601: "syntax errors");
 * "policy" when it verifies but we refuse it (RFC 8301).
 *
 *   DKIM_SIGERROR_* or flags              result    reason
 *   PASSED, bh MATCH                      pass      -
 *     ... but a=rsa-sha1                  policy    rsa-sha1 not accepted
 *     ... but l= short of the body        policy    l= leaves N body
 *                                                   bytes unsigned
 *   KEYTOOSMALL (RSA < 1024 bits)         policy    key too small
 *   BADSIG, bh MISMATCH                   fail      body hash mismatch
 *   BADSIG                                fail      signature did not verify
 *   TOOLARGE_L                            fail      l= exceeds body
 *   KEYFAIL (DNS timeout, SERVFAIL)       temperror key lookup failed
 *   NOKEY (NXDOMAIN, no TXT record)       permerror no key
 *   KEYREVOKED (empty p=)                 permerror key revoked
 *   MULTIREPLY                            permerror several key records
 *   DNSSYNTAX KEYDECODE KEYVERSION
 *     KEYTYPE* KEYUNKNOWNHASH
 *     KEYHASHMISMATCH NOTEMAILKEY         permerror bad key record (...)
 *   SUBDOMAIN (key t=s, i= not d=)        permerror i= not allowed by key
 *   EXPIRED (x= past, 300 s drift)        permerror signature expired
 *   FUTURE (t= ahead)                     permerror signature in the future
 *   VERSION DOMAIN TIMESTAMPS MISSING_*
 *     EMPTY_* INVALID_* CORRUPT_*         neutral   signature syntax (...)
 *   not processed, anything else          neutral   not verified
 * A verifier that gave up (libopendkim out of memory, internal error)
 * reports one entry for the whole message: temperror, reason "verifier
 * error", no d=.
 *
 * l= (RFC 6376 8.2): content past l= is not signed, so anyone may append
 * to a signed message.  A signature whose l= is shorter than the whole
 * canonicalized body (dkimlen.c counts it as the body streams, for the
 * signature's own body canonicalization) is reported "policy" (RFC 8601
 * 2.7.1: it verifies, but we do not accept it), with body_unsigned set:
 * DMARC does not align it, the history does not learn from it, and
 * rules.c adds dkim_body_length_partial.  An l= equal to the whole body
 * passes.  The count runs only when a signature carries l= (prescreen);
 * a passing l= signature whose body was not counted is refused too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <opendkim/dkim.h>

#include "util/arena.h"
#include "auth/dkimbody.h"
#include "auth/dkimlen.h"
#include "auth/dkimkey.h"
#include "auth/dkimv.h"
#include "auth/dkimdns.h"
#include "dns/dns.h"

#define DKIMV_MIN_KEY_BITS	1024	/* RFC 8301 3.2 */
#define DKIMV_MAX_FIELD		256	/* bytes of a result string */
#define DKIMV_HEADER_B_LEN	8	/* RFC 6008 header.b prefix */

struct dkimv_lib {
	DKIM_LIB *dl;
	struct dns_resolver *dns;
	unsigned max_signatures;
	int legacy_body;		/* tests: libopendkim hashes bodies */
};

enum dkimv_state { ST_HEADERS = 0, ST_BODY, ST_NOSIG, ST_FAILED, ST_DONE };

struct dkimv {
	struct dkimv_lib *lib;
	struct arena *arena;
	struct dns_budget *budget;	/* the message's, or NULL */
	DKIM *dkim;			/* NULL once freed */
	enum dkimv_state state;
	size_t nsig_headers;		/* DKIM-Signature headers seen */
	int truncated;
	int count_len;			/* a signature has l=: count */
	struct dkimlen len;		/* canonical body lengths */
	struct dkimbody *body;		/* NULL: libopendkim hashes it */
};

/* One row per DKIM_SIGERROR_* with a fixed meaning: the table above. */
#define KEYREC(c, what)	{ c, AUTH_PERMERROR, "bad key record" what }
#define SYNTAX(c, what)	{ c, AUTH_NEUTRAL, "signature syntax (" what ")"}
static const struct {
	int code;
	enum auth_result result;
	const char *reason;
} sigerrors[] = {
	{ DKIM_SIGERROR_KEYTOOSMALL, AUTH_POLICY, "key too small" },
	{ DKIM_SIGERROR_BADSIG, AUTH_FAIL, "signature did not verify" },
	{ DKIM_SIGERROR_TOOLARGE_L, AUTH_FAIL, "l= exceeds body" },
	{ DKIM_SIGERROR_KEYFAIL, AUTH_TEMPERROR, "key lookup failed" },
	{ DKIM_SIGERROR_NOKEY, AUTH_PERMERROR, "no key" },
	{ DKIM_SIGERROR_KEYREVOKED, AUTH_PERMERROR, "key revoked" },
	{ DKIM_SIGERROR_MULTIREPLY, AUTH_PERMERROR, "several key records" },
	{ DKIM_SIGERROR_SUBDOMAIN, AUTH_PERMERROR, "i= not allowed by key" },
	{ DKIM_SIGERROR_EXPIRED, AUTH_PERMERROR, "signature expired" },
	{ DKIM_SIGERROR_FUTURE, AUTH_PERMERROR, "signature in the future" },
	KEYREC(DKIM_SIGERROR_DNSSYNTAX, ""),
	KEYREC(DKIM_SIGERROR_KEYDECODE, " (key data)"),
	KEYREC(DKIM_SIGERROR_KEYVERSION, " (v=)"),
	KEYREC(DKIM_SIGERROR_KEYTYPEMISSING, " (k= missing)"),
	KEYREC(DKIM_SIGERROR_KEYTYPEUNKNOWN, " (k= unknown)"),
	KEYREC(DKIM_SIGERROR_KEYUNKNOWNHASH, " (h= unknown)"),
	KEYREC(DKIM_SIGERROR_KEYHASHMISMATCH, " (h= excludes a=)"),
	KEYREC(DKIM_SIGERROR_NOTEMAILKEY, " (s= not email)"),
	SYNTAX(DKIM_SIGERROR_VERSION, "v="),
	SYNTAX(DKIM_SIGERROR_DOMAIN, "i= not in d="),
	SYNTAX(DKIM_SIGERROR_TIMESTAMPS, "x= < t="),
	SYNTAX(DKIM_SIGERROR_INVALID_HC, "c="),
	SYNTAX(DKIM_SIGERROR_INVALID_BC, "c="),
	SYNTAX(DKIM_SIGERROR_MISSING_A, "a= missing"),
	SYNTAX(DKIM_SIGERROR_INVALID_A, "a="),
	SYNTAX(DKIM_SIGERROR_MISSING_H, "h= missing"),
	SYNTAX(DKIM_SIGERROR_EMPTY_H, "h= empty"),
	SYNTAX(DKIM_SIGERROR_INVALID_H, "h= lacks From"),
	SYNTAX(DKIM_SIGERROR_INVALID_L, "l="),
	SYNTAX(DKIM_SIGERROR_INVALID_Q, "q="),
	SYNTAX(DKIM_SIGERROR_INVALID_QO, "q="),
	SYNTAX(DKIM_SIGERROR_MISSING_D, "d= missing"),
	SYNTAX(DKIM_SIGERROR_EMPTY_D, "d= empty"),
	SYNTAX(DKIM_SIGERROR_MISSING_S, "s= missing"),
	SYNTAX(DKIM_SIGERROR_EMPTY_S, "s= empty"),
	SYNTAX(DKIM_SIGERROR_MISSING_B, "b= missing"),
	SYNTAX(DKIM_SIGERROR_EMPTY_B, "b= empty"),
	SYNTAX(DKIM_SIGERROR_CORRUPT_B, "b="),
	SYNTAX(DKIM_SIGERROR_MISSING_BH, "bh= missing"),
	SYNTAX(DKIM_SIGERROR_EMPTY_BH, "bh= empty"),
	SYNTAX(DKIM_SIGERROR_CORRUPT_BH, "bh="),
	SYNTAX(DKIM_SIGERROR_MISSING_V, "v= missing"),
	SYNTAX(DKIM_SIGERROR_EMPTY_V, "v= empty"),
};

/* ---- the lib ---- */

/* Runs at end of headers, before any key lookup: signatures past the cap
 * are ignored (RFC 6376 6.1: a verifier may limit the signatures it
 * checks) and the verifier records the truncation. */
static DKIM_CBSTAT
prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkimv *v = dkim_get_user_context(dkim);
	int i;

	if (v == NULL || nsigs < 0)
		return DKIM_CBSTAT_CONTINUE;
	if (v->lib->max_signatures != 0 &&
	    (unsigned)nsigs > v->lib->max_signatures) {
		for (i = (int)v->lib->max_signatures; i < nsigs; i++)
			dkim_sig_ignore(sigs[i]);
		v->truncated = 1;
	}
	/* The body length is counted only for signatures with l=. */
	for (i = 0; i < nsigs; i++)
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) == 0 &&
		    dkim_sig_gettagvalue(sigs[i], false,
		    (unsigned char *)"l") != NULL)
			v->count_len = 1;
	return DKIM_CBSTAT_CONTINUE;
}

struct dkimv_lib *
dkimv_lib_new(struct dns_resolver *dns, unsigned max_signatures, char *err,
    size_t errlen)
{
	struct dkimv_lib *lib;
	uint32_t flags = DKIM_LIBFLAGS_BADSIGHANDLES |
	    DKIM_LIBFLAGS_DELAYSIGPROC;
	unsigned bits = DKIMV_MIN_KEY_BITS;

	if (dns == NULL) {
		snprintf(err, errlen, "dkim: no resolver");
		return NULL;
	}
	if ((lib = calloc(1, sizeof(*lib))) == NULL) {
		snprintf(err, errlen, "dkim: out of memory");
		return NULL;
	}
	lib->dns = dns;
	lib->max_signatures = max_signatures;
	if ((lib->dl = dkim_init(NULL, NULL)) == NULL) {
		snprintf(err, errlen, "dkim: cannot initialise libopendkim");
		free(lib);
		return NULL;
	}
	if (dkim_options(lib->dl, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags)) != DKIM_STAT_OK ||
	    dkim_options(lib->dl, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &bits,
	    sizeof(bits)) != DKIM_STAT_OK ||
	    dkim_set_prescreen(lib->dl, prescreen) != DKIM_STAT_OK) {
		snprintf(err, errlen, "dkim: libopendkim rejected an option");
		dkimv_lib_free(lib);
		return NULL;
	}
	dkimdns_install(lib->dl, dns);
	/* A reference that makes the linker keep dkimkey.c, whose
	 * d2i_PUBKEY_bio libopendkim's key decoding then reaches. */
	(void)dkimkey_engaged();
	return lib;
}

void
dkimv_lib_legacy_body(struct dkimv_lib *lib, int on)
{
	lib->legacy_body = on;
}

void
dkimv_lib_free(struct dkimv_lib *lib)
{
	if (lib == NULL)
		return;
	if (lib->dl != NULL)
		dkim_close(lib->dl);
	free(lib);
}

/* ---- one message ---- */

static void
release(void *arg)
{
	struct dkimv *v = arg;

	if (v->dkim != NULL) {
		(void)dkim_free(v->dkim);
		v->dkim = NULL;
	}
}

struct dkimv *
dkimv_start(struct dkimv_lib *lib, struct dns_budget *budget,
    struct arena *a, const char *id)
{
	struct dkimv *v;
	const char *idc;
	DKIM_STAT st;

	if (lib == NULL || a == NULL)
		return NULL;
	if ((v = arena_calloc(a, 1, sizeof(*v))) == NULL)
		return NULL;
	/* libopendkim keeps the id pointer: the arena outlives the handle. */
	if ((idc = arena_strdup(a, id != NULL ? id : "-")) == NULL)
		return NULL;
	v->lib = lib;
	v->budget = budget;
	v->arena = a;
	dkimlen_init(&v->len);
	v->dkim = dkim_verify(lib->dl, (const unsigned char *)idc, NULL, &st);
	if (v->dkim == NULL)
		return NULL;
	if (arena_cleanup(a, release, v) == -1) {
		release(v);
		return NULL;
	}
	(void)dkim_set_user_context(v->dkim, v);
	return v;
}

static void
give_up(struct dkimv *v)
{
	v->state = ST_FAILED;
	release(v);
}

/* A header field name (RFC 5322 2.2): printable ASCII but colon. */
static int
name_ok(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p <= 32 || *p >= 127 || *p == ':')
			return 0;
	return 1;
}

/* White space as libopendkim's tag-list parser skips it (isspace in the
 * C locale: \v and \f too), or an "\fl=" would hide from us only. */
static int
tag_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The signature's tag list (RFC 6376 3.2) names an l= tag.  Linear, on
 * any bytes: tag names are read, values skipped. */
static int
has_length_tag(const char *p)
{
	const char *n;

	for (;;) {
		while (tag_space(*p))
			p++;
		for (n = p; (*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'; p++)
			;
		if (p - n == 1 && *n == 'l') {
			while (tag_space(*p))
				p++;
			if (*p == '=')
				return 1;
		}
		if ((p = strchr(p, ';')) == NULL)
			return 0;
		p++;
	}
}

/* libopendkim sets up a body hash for every signature it is handed,
 * before prescreen can ignore any: signatures that differ only in l= get
 * one hash each (measured: 50 of them cost 1.5 s of CPU on a 10 MB body
 * under a cap of 5).  Those past the cap never reach it; a signature
 * that covers one of them in its h= then fails, the safe side.  Without
 * l= they share at most four body hashes (two canonicalizations, two
 * algorithms), so they are handed over and ignored by prescreen, and
 * signatures that cover them still verify. */
static int
within_cap(struct dkimv *v, const char *value)
{
	if (v->lib->max_signatures == 0 ||
	    v->nsig_headers < v->lib->max_signatures)
		return 1;
	return !has_length_tag(value);
}

int
dkimv_header(struct dkimv *v, const char *name, const char *value)
{
	size_t nlen, vlen, max, i, pos;
	unsigned char *buf;
	DKIM_STAT st;

	if (v == NULL || v->state == ST_FAILED)
		return -1;
	if (v->state != ST_HEADERS || name == NULL || value == NULL)
		return 0;
	/* A name libopendkim would refuse cannot be in any signature's h=
	 * as sent; leaving it out changes no verification result. */
	if (!name_ok(name))
		return 0;
	if (strcasecmp(name, DKIM_SIGNHEADER) == 0 && !within_cap(v, value)) {
		v->nsig_headers++;
		v->truncated = 1;
		return 0;
	}
	nlen = strlen(name);
	vlen = strlen(value);
	if (vlen > (SIZE_MAX - nlen - 2) / 2) {
		give_up(v);
		return -1;
	}
	/* A scratch copy: libopendkim keeps its own. */
	max = nlen + 1 + 2 * vlen + 1;
	if ((buf = malloc(max)) == NULL) {
		give_up(v);
		return -1;
	}
	memcpy(buf, name, nlen);
	pos = nlen;
	buf[pos++] = ':';
	/* The MTA folds with bare LF (Postfix) or CRLF: RFC 6376 hashes the
	 * header as it was on the wire, with CRLF. */
	for (i = 0; i < vlen; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			buf[pos++] = '\r';
		buf[pos++] = (unsigned char)value[i];
	}
	buf[pos] = '\0';
	if (strcasecmp(name, DKIM_SIGNHEADER) == 0)
		v->nsig_headers++;
	st = dkim_header(v->dkim, buf, pos);
	free(buf);
	switch (st) {
	case DKIM_STAT_OK:
		return 0;
	case DKIM_STAT_SYNTAX:
		/* A malformed DKIM-Signature is kept as a bad signature
		 * (BADSIGHANDLES) and reported; another header with a
		 * syntax error is simply not part of any signature. */
		return 0;
	default:
		give_up(v);
		return -1;
	}
}

int
dkimv_eoh(struct dkimv *v)
{
	DKIM_STAT st;

	if (v == NULL || v->state == ST_FAILED)
		return -1;
	if (v->state != ST_HEADERS)
		return 0;
	st = dkim_eoh(v->dkim);
	switch (st) {
	case DKIM_STAT_OK:
		v->state = ST_BODY;
		if (v->lib->legacy_body ||
		    dkimbody_plan(v->dkim, v->arena, &v->body) != -1)
			return 0;
		give_up(v);
		return -1;
	case DKIM_STAT_NOSIG:
		v->state = ST_NOSIG;
		return 0;
	default:
		give_up(v);
		return -1;
	}
}

int
dkimv_body(struct dkimv *v, const unsigned char *p, size_t len)
{
	if (v == NULL || v->state == ST_FAILED)
		return -1;
	if (v->state == ST_HEADERS && dkimv_eoh(v) == -1)
		return -1;
	if (v->state != ST_BODY || len == 0 || p == NULL)
		return 0;
	if (v->count_len)
		dkimlen_feed(&v->len, p, len);
	if (v->body != NULL)
		dkimbody_feed(v->body, p, len);
	/* libopendkim reads the chunk only (its prototype lacks const). */
	else if (dkim_body(v->dkim, (unsigned char *)(uintptr_t)p, len) !=
	    DKIM_STAT_OK) {
		give_up(v);
		return -1;
	}
	return 0;
}

/* ---- results ---- */

/* Copies untrusted text for a result: at most DKIMV_MAX_FIELD bytes,
 * control bytes as '?', ASCII lower-cased when lower, white space dropped
 * when squeeze (b= may be folded).  *out is NULL when s is; -1 when out of
 * memory. */
static int
copy_field(struct arena *a, const unsigned char *s, size_t max, int lower,
    int squeeze, const char **out)
{
	char *d;
	size_t i, n = 0;

	*out = NULL;
	if (s == NULL)
		return 0;
	if ((d = arena_alloc(a, max + 1)) == NULL)
		return -1;
	for (i = 0; s[i] != '\0' && n < max; i++) {
		unsigned char c = s[i];

		if (squeeze && (c == ' ' || c == '\t' || c == '\r' ||
		    c == '\n'))
			continue;
		if (c < 32 || c == 127)
			c = '?';
		else if (lower && c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		d[n++] = (char)c;
	}
	d[n] = '\0';
	*out = d;
	return 0;
}

static const unsigned char *
sig_tag(DKIM_SIGINFO *sig, const char *tag)
{
	return dkim_sig_gettagvalue(sig, false, (unsigned char *)tag);
}

/* Maps one signature's libopendkim flags, error and bh state to its
 * result (table in the header comment).  eom_failed: libopendkim stopped
 * early, so a signature it never reached is temperror, not neutral. */
static void
judge(unsigned flags, int err, int bh, struct dkim_sig_result *r,
    int eom_failed)
{
	int ed = r->algorithm != NULL &&
	    strcmp(r->algorithm, "ed25519-sha256") == 0;
	size_t i;

	if ((flags & DKIM_SIGFLAG_PASSED) != 0 && bh == DKIM_SIGBH_MATCH &&
	    err == DKIM_SIGERROR_OK) {
		if (r->algorithm != NULL &&
		    strcmp(r->algorithm, "rsa-sha1") == 0) {
			/* RFC 8301 3.1: must not be considered valid. */
			r->result = AUTH_POLICY;
			r->reason = "rsa-sha1 not accepted";
		} else if (!ed && r->key_bits < DKIMV_MIN_KEY_BITS) {
			r->result = AUTH_POLICY;
			r->reason = "key too small";
		} else
			r->result = AUTH_PASS;
		return;
	}
	if (err == DKIM_SIGERROR_BADSIG && bh == DKIM_SIGBH_MISMATCH) {
		r->result = AUTH_FAIL;
		r->reason = "body hash mismatch";
		return;
	}
	for (i = 0; i < sizeof(sigerrors) / sizeof(sigerrors[0]); i++)
		if (sigerrors[i].code == err) {
			r->result = sigerrors[i].result;
			r->reason = sigerrors[i].reason;
			return;
		}
	r->result = eom_failed ? AUTH_TEMPERROR : AUTH_NEUTRAL;
	r->reason = eom_failed ? "verifier error" : "not verified";
}

/* A passing signature with l= short of the whole body becomes policy
 * (header comment).  -1 when out of memory. */
static int
partial(struct dkimv *v, DKIM_SIGINFO *sig, struct dkim_sig_result *r)
{
	ssize_t signlen = -1;
	dkim_canon_t hc, bc = DKIM_CANON_SIMPLE;
	uint64_t simple, relaxed, total;

	if (sig_tag(sig, "l") == NULL)
		return 0;
	if (!v->count_len ||
	    dkim_sig_getcanonlen(v->dkim, sig, NULL, NULL, &signlen) !=
	    DKIM_STAT_OK || signlen < 0 ||
	    dkim_sig_getcanons(sig, &hc, &bc) != DKIM_STAT_OK) {
		r->result = AUTH_POLICY;
		r->reason = "l= not checked";
		return 0;
	}
	dkimlen_total(&v->len, &simple, &relaxed);
	total = bc == DKIM_CANON_RELAXED ? relaxed : simple;
	if (total <= (uint64_t)signlen)
		return 0;
	r->result = AUTH_POLICY;
	r->body_unsigned = total - (uint64_t)signlen;
	r->reason = arena_printf(v->arena, "l= leaves %llu body bytes "
	    "unsigned", (unsigned long long)r->body_unsigned);
	return r->reason == NULL ? -1 : 0;
}

static int
fill(struct dkimv *v, DKIM_SIGINFO *sig, struct dkim_sig_result *r,
    int eom_failed)
{
	struct arena *a = v->arena;
	unsigned bits = 0, flags;
	const char *b;
	int err, bh;

	memset(r, 0, sizeof(*r));
	if (copy_field(a, sig_tag(sig, "d"), DKIMV_MAX_FIELD, 1, 0,
	    &r->domain) == -1 ||
	    copy_field(a, sig_tag(sig, "s"), DKIMV_MAX_FIELD, 0, 0,
	    &r->selector) == -1 ||
	    copy_field(a, sig_tag(sig, "a"), DKIMV_MAX_FIELD, 1, 0,
	    &r->algorithm) == -1 ||
	    copy_field(a, sig_tag(sig, "i"), DKIMV_MAX_FIELD, 0, 0,
	    &r->identity) == -1 ||
	    copy_field(a, sig_tag(sig, "b"), DKIMV_HEADER_B_LEN, 0, 1,
	    &b) == -1)
		return -1;
	r->header_b = b != NULL && b[0] != '\0' ? b : NULL;
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		r->key_bits = bits;
	dkimbody_sig(v->body, v->dkim, sig, DKIMV_MIN_KEY_BITS, &flags, &err,
	    &bh);
	judge(flags, err, bh, r, eom_failed);
	if (r->result == AUTH_PASS && partial(v, sig, r) == -1)
		return -1;
	/* libopendkim reports 0 bits for Ed25519 keys; once the crypto ran
	 * the key was a 256-bit one (RFC 8032). */
	if (r->key_bits == 0 && r->algorithm != NULL &&
	    strcmp(r->algorithm, "ed25519-sha256") == 0 &&
	    (r->result == AUTH_PASS || r->result == AUTH_FAIL))
		r->key_bits = 256;
	return 0;
}

/* The verifier gave up: one entry for the message when it was signed. */
static int
gave_up(struct dkimv *v, struct dkim_results *out)
{
	out->truncated = v->truncated;
	if (v->nsig_headers == 0)
		return 0;
	if ((out->sigs = arena_calloc(v->arena, 1, sizeof(*out->sigs))) ==
	    NULL)
		return -1;
	out->sigs[0].result = AUTH_TEMPERROR;
	out->sigs[0].reason = "verifier error";
	out->count = 1;
	return 0;
}

int
dkimv_finish(struct dkimv *v, struct dkim_results *out)
{
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	int n = 0, i, eom_failed, rc = 0;
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	if (v == NULL)
		return -1;
	if (v->state == ST_HEADERS)
		(void)dkimv_eoh(v);
	switch (v->state) {
	case ST_FAILED:
		return gave_up(v, out);
	case ST_NOSIG:
	case ST_DONE:
		release(v);
		v->state = ST_DONE;
		return 0;
	default:
		break;
	}
	/* The overall status names libopendkim's "final" signature only;
	 * each signature carries its own result in the list. */
	dkimbody_end(v->body);
	dkimdns_budget_enter(v->budget);
	st = dkimbody_open(v->body) ? DKIM_STAT_SYNTAX /* where it stops */ :
	    dkim_eom(v->dkim, NULL);
	dkimdns_budget_leave();
	eom_failed = st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL;
	if (dkim_getsiglist(v->dkim, &sigs, &n) != DKIM_STAT_OK || n < 0 ||
	    (n > 0 && sigs == NULL)) {
		give_up(v);
		return gave_up(v, out);
	}
	if (n > 0 &&
	    (out->sigs = arena_calloc(v->arena, (size_t)n,
	    sizeof(*out->sigs))) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0)
			continue;
		if (fill(v, sigs[i], &out->sigs[k], eom_failed) == -1)
			rc = -1;
		else
			k++;
	}
	out->count = rc == 0 ? k : 0;
	out->handed = (size_t)n;
	out->truncated = v->truncated;
	release(v);
	v->state = ST_DONE;
	return rc;
}
