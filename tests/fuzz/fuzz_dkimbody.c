/*
 * fuzz_dkimbody.c - differential fuzz target for the DKIM body hashes of
 * policy/auth/dkimbody.c: every body is signed by libopendkim's own
 * signer, perhaps altered, then verified twice through dkimv.h with the
 * same chunking, once with our body hashes and once with libopendkim
 * hashing the body (dkimv_lib_legacy_body); the two must report the same
 * result and reason for every signature.  A body on which they differ is
 * a body whose verdict changed with the speed-up (issue 15).
 *
 * Input: byte 0 picks the signatures: bits 0-1 the first one's header
 * and body canonicalization, bit 2 a second signature (bits 3-4 its
 * canonicalizations), bit 5 rsa-sha1 instead of rsa-sha256 for the
 * first, bit 6 an l= on the second (byte 2 is its value); byte 1 the
 * chunking (0: one
 * piece; else pieces of byte 1 bytes, or cut at every CR and LF when
 * bit 7 of byte 0 is set); byte 2 also the byte to flip after signing
 * (when odd: at its value times 37, modulo the length); the rest is the
 * body, at most 16 KB.
 * One RSA-1024 key is made at start and published in a local-data zone
 * under $TMPDIR; nothing leaves the machine.  RSA only: libopendkim's
 * signer leaks every Ed25519 key it loads (tests/unit/dkimfix.c), which
 * would fill the fuzzer's memory; test_dkimbody covers Ed25519.
 */
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <opendkim/dkim.h>

#include "util/arena.h"
#include "auth/auth.h"
#include "auth/dkimv.h"
#include "dns/dns.h"
#include "fuzz.h"

#define DOMAIN		"sender.example"
#define BODY_MAX	16384
#define SIGS_MAX	2

static char dir[256], zone[300];
static struct dkimv_lib *ours, *theirs;
static DKIM_LIB *signer;
static char *rsa_pem;
static int verbose;		/* FUZZ_VERBOSE set: print each result */

static const char *const hdrs[] = {
	"From: Alice <alice@" DOMAIN ">",
	"To: bob@rcpt.example",
	"Subject: figures",
};
#define NHDRS	(sizeof(hdrs) / sizeof(hdrs[0]))

static char *
pem_of(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	if (b == NULL || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL) != 1 || (n = BIO_get_mem_data(b, &p)) <= 0 ||
	    (out = calloc(1, (size_t)n + 1)) == NULL)
		abort();
	memcpy(out, p, (size_t)n);
	BIO_free(b);
	return out;
}

static void
zone_key(FILE *z, const char *sel, EVP_PKEY *k)
{
	unsigned char der[1024], *q = der;
	char b64[1500];
	int len;

	if ((len = i2d_PUBKEY(k, NULL)) <= 0 || (size_t)len > sizeof(der) ||
	    i2d_PUBKEY(k, &q) != len)
		abort();
	EVP_EncodeBlock((unsigned char *)b64, der, len);
	fprintf(z, "%s._domainkey." DOMAIN " 300 IN TXT \"v=DKIM1; k=rsa; "
	    "p=%.200s\"", sel, b64);
	if (strlen(b64) > 200)
		fprintf(z, " \"%s\"", b64 + 200);
	fprintf(z, "\n");
}

static void
cleanup(void)
{
	unlink(zone);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct dns_options o;
	struct dns_resolver *dns;
	EVP_PKEY *rsa;
	char err[256];
	const char *tmp = getenv("TMPDIR");
	FILE *z;

	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	snprintf(dir, sizeof(dir), "%s/rwfuzz-dkimbody-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(zone, sizeof(zone), "%.240s/zone", dir);
	atexit(cleanup);
	if ((rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024)) ==
	    NULL || (z = fopen(zone, "w")) == NULL)
		abort();
	fprintf(z, "$STATIC example\n");
	zone_key(z, "rsa", rsa);
	if (fclose(z) != 0)
		abort();
	rsa_pem = pem_of(rsa);
	EVP_PKEY_free(rsa);
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 400;
	o.local_data = zone;
	if ((dns = dns_resolver_new(&o, err, sizeof(err))) == NULL ||
	    (ours = dkimv_lib_new(dns, 5, err, sizeof(err))) == NULL ||
	    (theirs = dkimv_lib_new(dns, 5, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_dkimbody: %s\n", err);
		abort();
	}
	dkimv_lib_legacy_body(theirs, 1);
	if ((signer = dkim_init(NULL, NULL)) == NULL)
		abort();
	return 0;
}

/* A DKIM-Signature header for body[0, len), or NULL when the signer
 * refuses the body (relaxed, no final CRLF). */
static char *
sign(int sha1, unsigned canons, long blen, const unsigned char *body,
    size_t len)
{
	DKIM *d;
	DKIM_STAT st;
	unsigned char *sig;
	size_t n, i;
	char *h;
	uint64_t zero = 0;

	(void)dkim_options(signer, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL,
	    &zero, sizeof(zero));
	d = dkim_sign(signer, (const unsigned char *)"t", NULL,
	    (dkim_sigkey_t)rsa_pem, (const unsigned char *)"rsa",
	    (const unsigned char *)DOMAIN,
	    canons & 1 ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE,
	    canons & 2 ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE,
	    sha1 ? DKIM_SIGN_RSASHA1 : DKIM_SIGN_RSASHA256,
	    blen >= 0 ? (ssize_t)blen : -1, &st);
	if (d == NULL)
		abort();
	for (i = 0; i < NHDRS; i++)
		if (dkim_header(d, (unsigned char *)(uintptr_t)hdrs[i],
		    strlen(hdrs[i])) != DKIM_STAT_OK)
			abort();
	if (dkim_eoh(d) != DKIM_STAT_OK ||
	    (len > 0 && dkim_body(d, (unsigned char *)(uintptr_t)body,
	    len) != DKIM_STAT_OK)) {
		dkim_free(d);
		return NULL;
	}
	/* The value as the milter gives it: after "DKIM-Signature:", its
	 * leading space kept. */
	if (dkim_eom(d, NULL) != DKIM_STAT_OK ||
	    dkim_getsighdr_d(d, strlen(DKIM_SIGNHEADER ": "), &sig, &n) !=
	    DKIM_STAT_OK || (h = calloc(1, n + 2)) == NULL) {
		dkim_free(d);
		return NULL;
	}
	h[0] = ' ';
	memcpy(h + 1, sig, n);
	dkim_free(d);
	return h;
}

static struct arena *
verify(struct dkimv_lib *lib, char *const *sigs, size_t nsigs,
    const unsigned char *body, size_t len, unsigned chunk, int at_lines,
    struct dkim_results *out)
{
	struct arena *a = arena_new();
	struct dkimv *v;
	size_t i, off, end;
	char name[16];

	if (a == NULL || (v = dkimv_start(lib, NULL, a, "F")) == NULL)
		abort();
	for (i = 0; i < nsigs; i++)
		(void)dkimv_header(v, "DKIM-Signature", sigs[i]);
	for (i = 0; i < NHDRS; i++) {
		const char *c = strchr(hdrs[i], ':');

		memcpy(name, hdrs[i], (size_t)(c - hdrs[i]));
		name[c - hdrs[i]] = '\0';
		(void)dkimv_header(v, name, c + 1);
	}
	(void)dkimv_eoh(v);
	for (off = 0; off < len; off = end) {
		if (at_lines) {
			for (end = off; end < len && body[end] != '\r' &&
			    body[end] != '\n'; end++)
				;
			end = end < len ? end + 1 : len;
		} else
			end = chunk == 0 || len - off <= chunk ? len :
			    off + chunk;
		(void)dkimv_body(v, body + off, end - off);
	}
	if (dkimv_finish(v, out) != 0)
		memset(out, 0, sizeof(*out));
	return a;
}

static int
same(const char *x, const char *y)
{
	return (x == NULL && y == NULL) ||
	    (x != NULL && y != NULL && strcmp(x, y) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char body[BODY_MAX];
	char *sigs[SIGS_MAX];
	struct dkim_results rn, ro;
	struct arena *an, *ao;
	size_t len, nsigs = 0, i;
	unsigned ctl, chunk, extra;

	if (size < 3)
		return 0;
	ctl = data[0];
	chunk = data[1];
	extra = data[2];
	len = size - 3 > BODY_MAX ? BODY_MAX : size - 3;
	memcpy(body, data + 3, len);
	if ((sigs[nsigs] = sign(ctl & 0x20, ctl & 3, -1, body, len)) != NULL)
		nsigs++;
	if ((ctl & 4) && (sigs[nsigs] = sign(0, (ctl >> 3) & 3,
	    (ctl & 0x40) ? (long)extra : -1, body, len)) != NULL)
		nsigs++;
	if ((extra & 1) && len > 0)
		body[(extra * 37u) % len] ^= 0x20;
	an = verify(ours, sigs, nsigs, body, len, chunk, ctl & 0x80, &rn);
	ao = verify(theirs, sigs, nsigs, body, len, chunk, ctl & 0x80, &ro);
	FUZZ_CHECK(rn.count == ro.count);
	for (i = 0; i < rn.count; i++) {
		if (verbose)
			fprintf(stderr, "signature %zu: %s (%s)\n", i,
			    auth_result_name(rn.sigs[i].result),
			    rn.sigs[i].reason ? rn.sigs[i].reason : "-");
		if (rn.sigs[i].result != ro.sigs[i].result ||
		    !same(rn.sigs[i].reason, ro.sigs[i].reason))
			fprintf(stderr, "signature %zu: ours %s (%s), "
			    "libopendkim %s (%s)\n", i,
			    auth_result_name(rn.sigs[i].result),
			    rn.sigs[i].reason ? rn.sigs[i].reason : "-",
			    auth_result_name(ro.sigs[i].result),
			    ro.sigs[i].reason ? ro.sigs[i].reason : "-");
		FUZZ_CHECK(rn.sigs[i].result == ro.sigs[i].result);
		FUZZ_CHECK(same(rn.sigs[i].reason, ro.sigs[i].reason));
		FUZZ_CHECK(rn.sigs[i].body_unsigned ==
		    ro.sigs[i].body_unsigned);
	}
	arena_free(an);
	arena_free(ao);
	for (i = 0; i < nsigs; i++)
		free(sigs[i]);
	return 0;
}
