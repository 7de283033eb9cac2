/*
 * dkimbody.c - DKIM body hashes over large spans (dkimbody.h).
 *
 * Exports dkimbody_*.  Owns the digest contexts (OpenSSL EVP), freed by
 * a cleanup on the message's arena.  One thread at a time.  At most two
 * canonicalizations times two algorithms: four contexts per message.
 *
 * RFC 6376 3.4.3 (simple), 3.4.4 (relaxed), 3.7 (body hash), as
 * libopendkim 2.11 (Debian 2.11.0~beta2, flags without FIXCRLF) computes
 * them for the same chunks; dkimv.c compares our hash with bh= where
 * libopendkim would have compared its own, so every verdict must come out
 * as it did when libopendkim hashed the body.  Measured on that library
 * (tests/unit/test_dkimbody.c checks each against it):
 *  - A line is ended by CR LF only.  simple: a bare CR is content; a bare
 *    LF is not counted as a byte of its line, so the line written at its
 *    CR LF is cut short by one byte per bare LF, and a chunk ending in
 *    such a line loses as many bytes there.  A CR at a chunk's end is
 *    held back and written at the next chunk's start, before any pending
 *    empty lines.  relaxed: a bare LF is content; a bare CR is dropped
 *    unless another CR follows it.
 *  - Empty lines are held back and written when content follows, so the
 *    trailing ones go (in relaxed, lines of only white space count as
 *    empty).  relaxed: a white space run becomes one SP, and none at a
 *    line's end.
 *  - simple: an empty body becomes CR LF; so does a body that ends
 *    without CR LF when nothing had yet left libopendkim's 4096-byte hash
 *    buffer (it adds the CR LF only when it has written nothing), so that
 *    buffer's fill is followed until its first write.
 *  - relaxed: a body whose last line has content but no CR LF makes
 *    libopendkim's end of message fail ("CRLF at end of body missing")
 *    before any signature is verified: dkimbody_open says so.
 * Clean lines (CR LF at the end and no other CR or LF) take the fast
 * path: memchr finds the line ends, and runs of lines the canonical form
 * leaves as they are are hashed in one call; anything else goes byte by
 * byte through the rules above.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <openssl/evp.h>
#include <opendkim/dkim.h>

#include "util/arena.h"
#include "auth/dkimbody.h"

#define HASHBUF		4096	/* libopendkim's DKIM_HASHBUFSIZE */
#define NBLANK		64	/* CR LFs written per call */

static const unsigned char crlfs[2 * NBLANK] =
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";

struct canon {
	int on;
	EVP_MD_CTX *ctx[2];		/* by DKIMBODY_SHA*, or NULL */
	unsigned char md[2][EVP_MAX_MD_SIZE];
	unsigned mdlen[2];
	const unsigned char *run;	/* unchanged input not yet hashed */
	size_t runlen;
	uint64_t blanks;		/* empty lines held back */
	int blankline;			/* no content since the last CR LF */
	/* simple */
	int lastchar;			/* the last byte fed, or -1 */
	int wrote;			/* libopendkim's hash buffer wrote */
	size_t pending;			/* its fill until then */
	/* relaxed: 0 line start, 1 after white space, 2 after CR,
	 * 3 in a word */
	int state;
	int open;			/* content since the last CR LF */
};

struct dkimbody {
	struct canon c[2];		/* by DKIMBODY_SIMPLE, _RELAXED */
	int ended;
};

static void
release(void *arg)
{
	struct dkimbody *b = arg;
	int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			EVP_MD_CTX_free(b->c[i].ctx[j]);
			b->c[i].ctx[j] = NULL;
		}
}

struct dkimbody *
dkimbody_new(struct arena *a)
{
	struct dkimbody *b;
	int i;

	if ((b = arena_calloc(a, 1, sizeof(*b))) == NULL)
		return NULL;
	for (i = 0; i < 2; i++) {
		b->c[i].blankline = 1;
		b->c[i].lastchar = -1;
	}
	if (arena_cleanup(a, release, b) == -1)
		return NULL;
	return b;
}

int
dkimbody_want(struct dkimbody *b, int canon, int alg)
{
	struct canon *c;

	if (canon < 0 || canon > 1 || alg < 0 || alg > 1)
		return -1;
	c = &b->c[canon];
	c->on = 1;
	if (c->ctx[alg] != NULL)
		return 0;
	if ((c->ctx[alg] = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(c->ctx[alg], alg == DKIMBODY_SHA256 ?
	    EVP_sha256() : EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(c->ctx[alg]);
		c->ctx[alg] = NULL;
		return -1;
	}
	return 0;
}

/* ---- output ---- */

static void
hash(struct canon *c, const unsigned char *p, size_t n)
{
	if (n == 0)
		return;
	if (c->ctx[0] != NULL)
		(void)EVP_DigestUpdate(c->ctx[0], p, n);
	if (c->ctx[1] != NULL)
		(void)EVP_DigestUpdate(c->ctx[1], p, n);
}

static void
flush_run(struct canon *c)
{
	if (c->runlen > 0)
		hash(c, c->run, c->runlen);
	c->runlen = 0;
}

/* simple: one write into libopendkim's hash buffer of n bytes (0: its
 * flush), followed until the buffer first writes to the hash. */
static void
account(struct canon *c, size_t n)
{
	if (c->wrote)
		return;
	if (n == 0 || c->pending + n > HASHBUF) {
		if (c->pending > 0)
			c->wrote = 1;
		c->pending = 0;
		if (n == 0)
			return;
	}
	if (n >= HASHBUF)
		c->wrote = 1;
	else
		c->pending += n;
}

/* Output that is not the input as it stands. */
static void
out(struct canon *c, const unsigned char *p, size_t n)
{
	account(c, n);
	flush_run(c);
	hash(c, p, n);
}

/* Output that is the input as it stands: joins the run when adjacent. */
static void
run_add(struct canon *c, const unsigned char *p, size_t n)
{
	account(c, n);
	if (c->runlen > 0 && c->run + c->runlen == p) {
		c->runlen += n;
		return;
	}
	flush_run(c);
	c->run = p;
	c->runlen = n;
}

/* The empty lines held back, one CR LF each: content follows. */
static void
flush_blanks(struct canon *c)
{
	size_t n;

	while (c->blanks > 0 && !c->wrote) {
		out(c, crlfs, 2);
		c->blanks--;
	}
	while (c->blanks > 0) {
		n = c->blanks > NBLANK ? NBLANK : (size_t)c->blanks;
		out(c, crlfs, 2 * n);
		c->blanks -= n;
	}
}

/* ---- simple ---- */

static void
simple_chunk(struct canon *c, const unsigned char *start, size_t len)
{
	const unsigned char *p = start, *end = start + len, *seg = start;
	const unsigned char *nl;
	size_t wlen = 0;	/* bytes of the line but bare LFs */
	unsigned char b;

	while (p < end) {
		if (wlen == 0 && seg == p &&
		    (p != start || c->lastchar != '\r') &&
		    (nl = memchr(p, '\n', (size_t)(end - p))) != NULL &&
		    nl > p && nl[-1] == '\r' &&
		    memchr(p, '\r', (size_t)(nl - 1 - p)) == NULL) {
			/* A clean line. */
			if (nl - 1 == p) {
				if (c->blankline)
					c->blanks++;
				else
					out(c, crlfs, 2);
			} else {
				flush_blanks(c);
				run_add(c, p, (size_t)(nl + 1 - p));
			}
			c->blankline = 1;
			c->lastchar = '\n';
			p = seg = nl + 1;
			continue;
		}
		b = *p;
		if (b == '\n') {
			if (c->lastchar == '\r') {
				if (c->blankline)
					c->blanks++;
				else if (wlen == 1 || p == start)
					out(c, crlfs, 2);
				else
					out(c, seg, wlen + 1);
				seg = p + 1;
				wlen = 0;
				c->blankline = 1;
			}
		} else {
			if (p == start && c->lastchar == '\r')
				out(c, (const unsigned char *)"\r", 1);
			if (b != '\r') {
				flush_blanks(c);
				c->blankline = 0;
			}
			wlen++;
		}
		c->lastchar = b;
		p++;
	}
	/* The line in progress goes out but for a CR at its end, which
	 * waits for the next chunk (its count, not its last byte). */
	if (wlen > 0 && seg[wlen - 1] == '\r')
		wlen--;
	if (wlen > 0)
		out(c, seg, wlen);
	else
		account(c, 0);
	flush_run(c);
}

/* ---- relaxed ---- */

static int
wsp(unsigned char b)
{
	return b == ' ' || b == '\t';
}

/* A clean line in state 0: content [s, e), CR LF at e.  0 when it holds
 * a CR (the byte rules take it). */
static int
relaxed_line(struct canon *c, const unsigned char *s, const unsigned char *e)
{
	const unsigned char *q, *w;
	int same = 1, content = 0;

	for (q = s; q < e; q++) {
		if (*q > ' ') {
			content = 1;
			continue;
		}
		if (*q == '\r')
			return 0;
		if (*q == '\t' || (*q == ' ' && wsp(q[1])))
			same = 0;
		else if (*q != ' ')
			content = 1;
	}
	if (!content) {
		c->blanks++;
		return 1;
	}
	flush_blanks(c);
	if (same && !wsp(e[-1])) {
		run_add(c, s, (size_t)(e + 2 - s));
		return 1;
	}
	for (q = s; q < e;) {
		if (wsp(*q)) {
			while (q < e && wsp(*q))
				q++;
			if (q == e)
				break;
			out(c, (const unsigned char *)" ", 1);
		}
		for (w = q; q < e && !wsp(*q); q++)
			;
		out(c, w, (size_t)(q - w));
	}
	out(c, crlfs, 2);
	return 1;
}

/* One byte, libopendkim's relaxed state machine.  Content it would keep
 * in its line buffer goes out at once: nothing else can come between. */
static void
relaxed_byte(struct canon *c, const unsigned char *p)
{
	unsigned char b = *p;

	switch (c->state) {
	case 0:
	case 1:
		if (wsp(b))
			c->state = 1;
		else if (b == '\r')
			c->state = 2;
		else {
			flush_blanks(c);
			if (c->state == 1)
				out(c, (const unsigned char *)" ", 1);
			c->blankline = 0;
			out(c, p, 1);
			c->open = 1;
			c->state = 3;
		}
		break;
	case 2:
		if (b == '\n') {
			if (c->blankline)
				c->blanks++;
			else {
				out(c, crlfs, 2);
				c->blankline = 1;
			}
			c->open = 0;
			c->state = 0;
		} else if (b == '\r') {
			c->blankline = 0;
			flush_blanks(c);
			out(c, p, 1);
			c->open = 1;
		} else if (wsp(b)) {
			flush_blanks(c);
			c->open = 0;
			c->state = 1;
		} else {
			c->blankline = 0;
			flush_blanks(c);
			out(c, p, 1);
			c->open = 1;
			c->state = 3;
		}
		break;
	default:
		if (wsp(b)) {
			c->open = 0;
			c->state = 1;
		} else if (b == '\r')
			c->state = 2;
		else
			out(c, p, 1);
		break;
	}
}

static void
relaxed_chunk(struct canon *c, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *nl;

	while (p < end) {
		if (c->state == 0 &&
		    (nl = memchr(p, '\n', (size_t)(end - p))) != NULL &&
		    nl > p && nl[-1] == '\r' && relaxed_line(c, p, nl - 1)) {
			p = nl + 1;
			continue;
		}
		relaxed_byte(c, p++);
	}
	flush_run(c);
}

void
dkimbody_feed(struct dkimbody *b, const unsigned char *p, size_t n)
{
	if (b == NULL || b->ended || p == NULL || n == 0)
		return;
	if (b->c[DKIMBODY_SIMPLE].on)
		simple_chunk(&b->c[DKIMBODY_SIMPLE], p, n);
	if (b->c[DKIMBODY_RELAXED].on)
		relaxed_chunk(&b->c[DKIMBODY_RELAXED], p, n);
}

void
dkimbody_end(struct dkimbody *b)
{
	struct canon *c;
	int i, j;

	if (b == NULL || b->ended)
		return;
	b->ended = 1;
	/* simple: CR LF when nothing reached the hash (trailing empty
	 * lines and a held-back CR are dropped). */
	c = &b->c[DKIMBODY_SIMPLE];
	if (c->on && !c->wrote)
		hash(c, crlfs, 2);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			c = &b->c[i];
			if (c->ctx[j] != NULL &&
			    EVP_DigestFinal_ex(c->ctx[j], c->md[j],
			    &c->mdlen[j]) != 1)
				c->mdlen[j] = 0;
		}
}

int
dkimbody_open(const struct dkimbody *b)
{
	return b != NULL && b->c[DKIMBODY_RELAXED].on &&
	    b->c[DKIMBODY_RELAXED].open;
}

int
dkimbody_b64(const struct dkimbody *b, int canon, int alg, char *out,
    size_t outlen)
{
	const struct canon *c;

	if (!b->ended || canon < 0 || canon > 1 || alg < 0 || alg > 1)
		return -1;
	c = &b->c[canon];
	if (c->ctx[alg] == NULL || c->mdlen[alg] == 0 ||
	    outlen < 4 * ((c->mdlen[alg] + 2) / 3) + 1)
		return -1;
	(void)EVP_EncodeBlock((unsigned char *)out, c->md[alg],
	    (int)c->mdlen[alg]);
	return 0;
}

/* ---- with libopendkim ---- */

/* The canonicalization and algorithm of sig's body hash; -1 when it has
 * none (a signature rejected while its tags were read). */
static int
sig_hash(DKIM *dkim, DKIM_SIGINFO *sig, int *canon, int *alg,
    ssize_t *len)
{
	dkim_canon_t hc, bc;
	dkim_alg_t a;

	if (dkim_sig_getcanonlen(dkim, sig, NULL, NULL, len) !=
	    DKIM_STAT_OK)
		return -1;
	if (dkim_sig_getcanons(sig, &hc, &bc) != DKIM_STAT_OK ||
	    dkim_sig_getsignalg(sig, &a) != DKIM_STAT_OK)
		return -2;
	if (bc != DKIM_CANON_SIMPLE && bc != DKIM_CANON_RELAXED)
		return -2;
	*canon = bc == DKIM_CANON_RELAXED ? DKIMBODY_RELAXED :
	    DKIMBODY_SIMPLE;
	switch (a) {
	case DKIM_SIGN_RSASHA1:
		*alg = DKIMBODY_SHA1;
		return 0;
	case DKIM_SIGN_RSASHA256:
	case DKIM_SIGN_ED25519SHA256:
		*alg = DKIMBODY_SHA256;
		return 0;
	default:
		return -2;
	}
}

int
dkimbody_plan(DKIM *dkim, struct arena *a, struct dkimbody **out)
{
	DKIM_SIGINFO **sigs = NULL;
	struct dkimbody *b;
	int n = 0, i, canon, alg, rc;
	ssize_t len;

	*out = NULL;
	if (dkim_getsiglist(dkim, &sigs, &n) != DKIM_STAT_OK || n < 0 ||
	    (n > 0 && sigs == NULL))
		return 1;
	for (i = 0; i < n; i++) {
		if (dkim_sig_gettagvalue(sigs[i], false,
		    (unsigned char *)"!cd") != NULL)
			return 1;
		rc = sig_hash(dkim, sigs[i], &canon, &alg, &len);
		if (rc == -2 || (rc == 0 && len != (ssize_t)-1))
			return 1;
	}
	if ((b = dkimbody_new(a)) == NULL)
		return -1;
	/* Every body hash libopendkim set up, ignored signatures' too:
	 * a relaxed one makes its end of message check the last line. */
	for (i = 0; i < n; i++)
		if (sig_hash(dkim, sigs[i], &canon, &alg, &len) == 0 &&
		    dkimbody_want(b, canon, alg) == -1)
			return -1;
	*out = b;
	return 0;
}

void
dkimbody_sig(const struct dkimbody *b, DKIM *dkim, DKIM_SIGINFO *sig,
    unsigned minbits, unsigned *flags, int *err, int *bh)
{
	char mine[64];
	const unsigned char *tag;
	unsigned bits = 0;
	dkim_alg_t a = DKIM_SIGN_UNKNOWN;
	int canon, alg, match;
	ssize_t len;

	*flags = dkim_sig_getflags(sig);
	*err = dkim_sig_geterror(sig);
	*bh = dkim_sig_getbh(sig);
	/* libopendkim compares the body hash only once the header
	 * signature verified (flag PASSED), and keeps that flag when the
	 * hashes differ: error BADSIG, or SUBDOMAIN, decided apart from
	 * the body.  Then, after the comparison, a key smaller than
	 * minbits turns an error-free signature into KEYTOOSMALL and drops
	 * PASSED.  Everything else it decides without the body. */
	if (b == NULL || (*flags & DKIM_SIGFLAG_IGNORE) != 0 ||
	    *bh == DKIM_SIGBH_UNTESTED)
		return;
	tag = dkim_sig_gettagvalue(sig, false, (unsigned char *)"bh");
	match = sig_hash(dkim, sig, &canon, &alg, &len) == 0 &&
	    dkimbody_b64(b, canon, alg, mine, sizeof(mine)) == 0 &&
	    tag != NULL && strcmp((const char *)tag, mine) == 0;
	*bh = match ? DKIM_SIGBH_MATCH : DKIM_SIGBH_MISMATCH;
	if (*err != DKIM_SIGERROR_OK && *err != DKIM_SIGERROR_BADSIG &&
	    *err != DKIM_SIGERROR_KEYTOOSMALL)
		return;
	*flags |= DKIM_SIGFLAG_PASSED;
	*err = match ? DKIM_SIGERROR_OK : DKIM_SIGERROR_BADSIG;
	(void)dkim_sig_getkeysize(sig, &bits);
	(void)dkim_sig_getsignalg(sig, &a);
	if (*err == DKIM_SIGERROR_OK && a != DKIM_SIGN_ED25519SHA256 &&
	    bits < minbits) {
		*err = DKIM_SIGERROR_KEYTOOSMALL;
		*flags &= ~(unsigned)DKIM_SIGFLAG_PASSED;
	}
}
