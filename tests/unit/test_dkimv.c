/*
 * test_dkimv.c - DKIM verification through dkimv.h, no network.
 *
 * Keys are made here (OpenSSL: RSA 2048, RSA 512, Ed25519), messages are
 * signed here by libopendkim's own signer (dkim_sign), an implementation
 * independent of dkimv.c, and the public keys are published in a
 * local-data zone the resolver reads.  The DNS timeout case forwards one
 * name to a UDP socket on 127.0.0.1 that never answers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <opendkim/dkim.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dkimfix.h"
#include "util/arena.h"
#include "auth/auth.h"
#include "config/config.h"
#include "auth/dkimkey.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "mail/orgdomain.h"
#include "dns/dns.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "auth/spf.h"

#define DOMAIN		"sender.example"
#define MAX_SIGS	3
#define DNS_TIMEOUT_MS	400

struct fixture {
	char dir[256];
	char zone[300];
	int silent;			/* UDP socket that never answers */
	struct dns_resolver *dns;
	struct dkimv_lib *lib;
	DKIM_LIB *signer;
	char *rsa, *ed, *ed_other, *small;	/* private keys, PEM */
};

/* One message: raw header fields as on the wire ("Name: value", folded
 * with CRLF, no final CRLF), and a body with CRLF line ends. */
struct msg {
	const char *hdrs[16];
	size_t nhdrs;
	const char *body;
	char *owned[8];			/* signatures sign() added */
	size_t nowned;
};

static const struct msg plain = {
	{ "From: Alice <alice@" DOMAIN ">",
	  "To: bob@rcpt.example",
	  "Subject: quarterly\r\n figures",
	  "Date: Mon, 2 Mar 2026 10:00:00 +0000",
	  "Message-ID: <1@" DOMAIN ">" },
	5,
	"Hello Bob,\r\n\r\nthe figures are attached.\r\n",
	{ NULL }, 0,
};

/* ---- keys and zone (dkimfix.c) ---- */

static int
group_setup(void **state)
{
	static struct fixture fx;
	struct fixture *f = &fx;
	EVP_PKEY *rsa, *ed, *ed2, *small;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	char fwd[64], err[256];
	const char *fwds[1] = { fwd };
	const char *tmp = getenv("TMPDIR");
	unsigned minbits = 512;
	struct dns_options o;
	FILE *z;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/dkimv.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->zone, sizeof(f->zone), "%.240s/zone", f->dir);

	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ed2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_true(rsa != NULL && small != NULL && ed != NULL && ed2 != NULL);
	f->rsa = dkimfix_pem_private(rsa);
	f->small = dkimfix_pem_private(small);
	f->ed = dkimfix_pem_private(ed);
	f->ed_other = dkimfix_pem_private(ed2);

	assert_non_null(z = fopen(f->zone, "w"));
	fprintf(z, "; keys for test_dkimv\n$STATIC example\n");
	dkimfix_zone_key(z, "rsa", DOMAIN, "", rsa);
	dkimfix_zone_key(z, "ed", DOMAIN, "", ed);
	dkimfix_zone_key(z, "small", DOMAIN, "", small);
	dkimfix_zone_txt(z, "revoked._domainkey." DOMAIN, "v=DKIM1; k=rsa; p=");
	dkimfix_zone_txt(z, "junk._domainkey." DOMAIN, "v=DKIM1; k=rsa; p=!!!!");
	dkimfix_zone_txt(z, "_dmarc." DOMAIN, "v=DMARC1; p=reject");
	fprintf(z, "$FORWARD slow._domainkey." DOMAIN "\n");
	assert_int_equal(fclose(z), 0);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(small);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(ed2);

	/* A bound UDP socket nobody reads: queries to it time out. */
	f->silent = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(f->silent >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->silent, (struct sockaddr *)&sa,
	    sizeof(sa)), 0);
	assert_int_equal(getsockname(f->silent, (struct sockaddr *)&sa,
	    &salen), 0);
	snprintf(fwd, sizeof(fwd), "127.0.0.1@%u", ntohs(sa.sin_port));

	memset(&o, 0, sizeof(o));
	o.forwarders = fwds;
	o.nforwarders = 1;
	o.timeout_ms = DNS_TIMEOUT_MS;
	o.local_data = f->zone;
	f->dns = dns_resolver_new(&o, err, sizeof(err));
	if (f->dns == NULL)
		fail_msg("resolver: %s", err);
	f->lib = dkimv_lib_new(f->dns, MAX_SIGS, err, sizeof(err));
	if (f->lib == NULL)
		fail_msg("dkimv: %s", err);
	assert_non_null(f->signer = dkim_init(NULL, NULL));
	/* The signer must be willing to sign with the 512-bit key. */
	assert_int_equal(dkim_options(f->signer, DKIM_OP_SETOPT,
	    DKIM_OPTS_MINKEYBITS, &minbits, sizeof(minbits)), DKIM_STAT_OK);
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;

	dkimv_lib_free(f->lib);
	dns_resolver_free(f->dns);
	dkim_close(f->signer);
	close(f->silent);
	unlink(f->zone);
	rmdir(f->dir);
	free(f->rsa);
	free(f->small);
	free(f->ed);
	free(f->ed_other);
	return 0;
}

/* ---- signing with libopendkim ---- */

struct signopt {
	const char *key;		/* PEM */
	const char *selector;
	dkim_alg_t alg;
	dkim_canon_t hc, bc;
	const char *signer;		/* i= or NULL */
	uint64_t fixed_time, ttl;	/* t= and x= - t=, 0: now, none */
	long blen;			/* l=: body bytes signed; 0: no l= */
};

/* Signs m and prepends the DKIM-Signature to it, as a signing MTA does. */
static void
sign(struct fixture *f, struct msg *m, const struct signopt *so)
{
	DKIM *d;
	DKIM_STAT st;
	unsigned char *sig;
	size_t len, i;
	char *h;

	assert_int_equal(dkim_options(f->signer, DKIM_OP_SETOPT,
	    DKIM_OPTS_FIXEDTIME, (void *)&so->fixed_time,
	    sizeof(so->fixed_time)), DKIM_STAT_OK);
	assert_int_equal(dkim_options(f->signer, DKIM_OP_SETOPT,
	    DKIM_OPTS_SIGNATURETTL, (void *)&so->ttl, sizeof(so->ttl)),
	    DKIM_STAT_OK);
	d = dkim_sign(f->signer, (const unsigned char *)"test", NULL,
	    (dkim_sigkey_t)so->key, (const unsigned char *)so->selector,
	    (const unsigned char *)DOMAIN, so->hc, so->bc, so->alg,
	    so->blen > 0 ? (ssize_t)so->blen : -1, &st);
	assert_non_null(d);
	if (so->signer != NULL)
		assert_int_equal(dkim_set_signer(d,
		    (const unsigned char *)so->signer), DKIM_STAT_OK);
	for (i = 0; i < m->nhdrs; i++)
		assert_int_equal(dkim_header(d, (unsigned char *)m->hdrs[i],
		    strlen(m->hdrs[i])), DKIM_STAT_OK);
	assert_int_equal(dkim_eoh(d), DKIM_STAT_OK);
	if (m->body[0] != '\0')
		assert_int_equal(dkim_body(d, (unsigned char *)m->body,
		    strlen(m->body)), DKIM_STAT_OK);
	assert_int_equal(dkim_eom(d, NULL), DKIM_STAT_OK);
	assert_int_equal(dkim_getsighdr_d(d, strlen(DKIM_SIGNHEADER ": "),
	    &sig, &len), DKIM_STAT_OK);
	assert_non_null(h = calloc(1, len + sizeof(DKIM_SIGNHEADER ": ")));
	memcpy(h, DKIM_SIGNHEADER ": ", sizeof(DKIM_SIGNHEADER ": ") - 1);
	memcpy(h + sizeof(DKIM_SIGNHEADER ": ") - 1, sig, len);
	dkim_free(d);
	assert_true(m->nhdrs < sizeof(m->hdrs) / sizeof(m->hdrs[0]));
	assert_true(m->nowned < sizeof(m->owned) / sizeof(m->owned[0]));
	m->owned[m->nowned++] = h;
	memmove(&m->hdrs[1], &m->hdrs[0], m->nhdrs * sizeof(m->hdrs[0]));
	m->hdrs[0] = h;
	m->nhdrs++;
}

static const struct signopt rsa_opt = {
	NULL, "rsa", DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED,
	DKIM_CANON_RELAXED, NULL, 0, 0, 0
};

static struct signopt
opt_for(struct fixture *f, const char *sel)
{
	struct signopt o = rsa_opt;

	o.selector = sel;
	o.key = f->rsa;
	if (strcmp(sel, "ed") == 0 || strcmp(sel, "ed-other") == 0) {
		o.key = strcmp(sel, "ed") == 0 ? f->ed : f->ed_other;
		o.selector = "ed";
		o.alg = DKIM_SIGN_ED25519SHA256;
	} else if (strcmp(sel, "small") == 0)
		o.key = f->small;
	else if (strcmp(sel, "ed-as-rsa") == 0) {
		/* a=ed25519-sha256 against the published RSA key */
		o.key = f->ed;
		o.selector = "rsa";
		o.alg = DKIM_SIGN_ED25519SHA256;
	} else if (strcmp(sel, "rsa-as-ed") == 0)
		o.selector = "ed";	/* a=rsa-sha256, Ed25519 key */
	return o;
}

/* Frees the DKIM-Signature headers sign() added. */
static void
msg_free(struct msg *m)
{
	size_t i;

	for (i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	m->nowned = 0;
}

/* ---- verifying through dkimv ---- */

struct feed {
	size_t chunk;			/* body chunk size, 0: all */
	int lf;				/* folds as bare LF (Postfix) */
};

/* Feeds m to a new verifier and finishes it.  Returns the arena holding
 * out; the caller frees it. */
static struct arena *
verify_in(struct fixture *f, struct dns_budget *budget, const struct msg *m,
    const struct feed *fd, struct dkim_results *out)
{
	struct arena *a = arena_new();
	struct dkimv *v;
	size_t i, len, off, n;
	char name[128];

	assert_non_null(a);
	assert_non_null(v = dkimv_start(f->lib, budget, a, "T1"));
	for (i = 0; i < m->nhdrs; i++) {
		const char *c = strchr(m->hdrs[i], ':');
		char *val, *q;
		const char *p;

		assert_non_null(c);
		assert_true((size_t)(c - m->hdrs[i]) < sizeof(name));
		memcpy(name, m->hdrs[i], (size_t)(c - m->hdrs[i]));
		name[c - m->hdrs[i]] = '\0';
		assert_non_null(val = strdup(c + 1));
		if (fd != NULL && fd->lf) {
			for (p = c + 1, q = val; *p != '\0'; p++)
				if (!(p[0] == '\r' && p[1] == '\n'))
					*q++ = *p;
			*q = '\0';
		}
		assert_int_equal(dkimv_header(v, name, val), 0);
		free(val);
	}
	assert_int_equal(dkimv_eoh(v), 0);
	len = strlen(m->body);
	n = fd != NULL && fd->chunk > 0 ? fd->chunk : len;
	for (off = 0; off < len; off += n)
		assert_int_equal(dkimv_body(v,
		    (const unsigned char *)m->body + off,
		    len - off < n ? len - off : n), 0);
	assert_int_equal(dkimv_finish(v, out), 0);
	return a;
}

static struct arena *
verify(struct fixture *f, const struct msg *m, const struct feed *fd,
    struct dkim_results *out)
{
	return verify_in(f, NULL, m, fd, out);
}

/* ---- cases ---- */

struct sig_case {
	const char *name;
	const char *selectors[6];	/* signatures, first signed first */
	void (*tamper)(struct msg *);	/* after signing */
	struct feed feed;
	size_t count;
	int truncated;
	enum auth_result results[6];	/* top (last signed) first */
	const char *reasons[6];		/* NULL: not checked */
};

static void
alter_body(struct msg *m)
{
	m->body = "Hello Bob,\r\n\r\nthe figures are NOT attached.\r\n";
}

static void
alter_subject(struct msg *m)
{
	size_t i;

	for (i = 0; i < m->nhdrs; i++)
		if (strncmp(m->hdrs[i], "Subject:", 8) == 0)
			m->hdrs[i] = "Subject: quarterly figures, revised";
}

static void
garbage_signature(struct msg *m)
{
	memmove(&m->hdrs[1], &m->hdrs[0], m->nhdrs * sizeof(m->hdrs[0]));
	m->hdrs[0] = "DKIM-Signature: \x01garbage;;; ==; d=; b";
	m->nhdrs++;
}

static const struct sig_case sig_cases[] = {
	{ "RSA-2048 signature passes", { "rsa" }, NULL, { 0, 0 },
	  1, 0, { AUTH_PASS }, { NULL } },
	{ "Ed25519 signature passes", { "ed" }, NULL, { 0, 0 },
	  1, 0, { AUTH_PASS }, { NULL } },
	{ "altered body fails on the body hash", { "rsa" }, alter_body,
	  { 0, 0 }, 1, 0, { AUTH_FAIL }, { "body hash mismatch" } },
	{ "altered signed header fails", { "rsa" }, alter_subject, { 0, 0 },
	  1, 0, { AUTH_FAIL }, { "signature did not verify" } },
	{ "altered body fails for Ed25519 too", { "ed" }, alter_body,
	  { 0, 0 }, 1, 0, { AUTH_FAIL }, { "body hash mismatch" } },
	{ "one good and one bad signature are both reported",
	  { "rsa", "ed-other" }, NULL, { 0, 0 }, 2, 0,
	  { AUTH_FAIL, AUTH_PASS }, { "signature did not verify", NULL } },
	{ "unsigned message has no result", { NULL }, NULL, { 0, 0 },
	  0, 0, { AUTH_NONE }, { NULL } },
	{ "signatures at the cap are all verified",
	  { "rsa", "ed", "rsa" }, NULL, { 0, 0 }, 3, 0,
	  { AUTH_PASS, AUTH_PASS, AUTH_PASS }, { NULL } },
	{ "signatures past the cap are ignored and flagged",
	  { "rsa", "ed", "rsa", "ed", "rsa" }, NULL, { 0, 0 }, 3, 1,
	  { AUTH_PASS, AUTH_PASS, AUTH_PASS }, { NULL } },
	{ "missing key (NXDOMAIN) is permerror", { "nokey" }, NULL,
	  { 0, 0 }, 1, 0, { AUTH_PERMERROR }, { "no key" } },
	{ "revoked key is permerror", { "revoked" }, NULL, { 0, 0 },
	  1, 0, { AUTH_PERMERROR }, { "key revoked" } },
	{ "undecodable key is permerror", { "junk" }, NULL, { 0, 0 },
	  1, 0, { AUTH_PERMERROR }, { NULL } },
	{ "Ed25519 signature against an RSA key does not pass",
	  { "ed-as-rsa" }, NULL, { 0, 0 }, 1, 0, { AUTH_PERMERROR },
	  { NULL } },
	{ "RSA signature against an Ed25519 key does not pass",
	  { "rsa-as-ed" }, NULL, { 0, 0 }, 1, 0, { AUTH_PERMERROR },
	  { NULL } },
	{ "RSA-512 key is refused by policy", { "small" }, NULL, { 0, 0 },
	  1, 0, { AUTH_POLICY }, { "key too small" } },
	{ "garbage DKIM-Signature is neutral, good one still passes",
	  { "rsa" }, garbage_signature, { 0, 0 }, 2, 0,
	  { AUTH_NEUTRAL, AUTH_PASS }, { NULL, NULL } },
	{ "body fed one byte at a time passes", { "rsa", "ed" }, NULL,
	  { 1, 0 }, 2, 0, { AUTH_PASS, AUTH_PASS }, { NULL } },
	{ "body fed in 7-byte chunks passes", { "rsa" }, NULL, { 7, 0 },
	  1, 0, { AUTH_PASS }, { NULL } },
	{ "headers folded with bare LF pass", { "rsa", "ed" }, NULL,
	  { 0, 1 }, 2, 0, { AUTH_PASS, AUTH_PASS }, { NULL } },
};

static void
run_case(struct fixture *f, const struct sig_case *c, const struct msg *base)
{
	struct msg m = *base;
	struct dkim_results r;
	struct arena *a;
	size_t i;

	for (i = 0; i < 6 && c->selectors[i] != NULL; i++) {
		struct signopt o = opt_for(f, c->selectors[i]);

		sign(f, &m, &o);
	}
	if (c->tamper != NULL)
		c->tamper(&m);
	a = verify(f, &m, &c->feed, &r);
	if (r.count != c->count)
		fail_msg("%s: %zu results, want %zu", c->name, r.count,
		    c->count);
	assert_int_equal(r.truncated, c->truncated);
	for (i = 0; i < r.count; i++) {
		print_message("%s: [%zu] %s (%s) d=%s s=%s a=%s bits=%u\n",
		    c->name, i, auth_result_name(r.sigs[i].result),
		    r.sigs[i].reason ? r.sigs[i].reason : "-",
		    r.sigs[i].domain ? r.sigs[i].domain : "-",
		    r.sigs[i].selector ? r.sigs[i].selector : "-",
		    r.sigs[i].algorithm ? r.sigs[i].algorithm : "-",
		    r.sigs[i].key_bits);
		if (r.sigs[i].result != c->results[i])
			fail_msg("%s: sig %zu is %s (%s), want %s", c->name, i,
			    auth_result_name(r.sigs[i].result),
			    r.sigs[i].reason ? r.sigs[i].reason : "-",
			    auth_result_name(c->results[i]));
		if (c->reasons[i] != NULL)
			assert_string_equal(r.sigs[i].reason, c->reasons[i]);
		if (c->results[i] == AUTH_PASS) {
			assert_null(r.sigs[i].reason);
			assert_string_equal(r.sigs[i].domain, DOMAIN);
		}
	}
	arena_free(a);
	msg_free(&m);
}

static void
test_signature_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++)
		run_case(*state, &sig_cases[i], &plain);
}

static void
test_pass_reports_signature_fields(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct dkim_results r;
	struct arena *a;
	const char *b;

	o.signer = "alice@" DOMAIN;
	sign(f, &m, &o);
	a = verify(f, &m, NULL, &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.sigs[0].result, AUTH_PASS);
	assert_string_equal(r.sigs[0].domain, DOMAIN);
	assert_string_equal(r.sigs[0].selector, "rsa");
	assert_string_equal(r.sigs[0].algorithm, "rsa-sha256");
	assert_string_equal(r.sigs[0].identity, "alice@" DOMAIN);
	assert_int_equal(r.sigs[0].key_bits, 2048);
	/* header.b: the first 8 characters of b= (RFC 6008). */
	assert_non_null(b = strstr(m.hdrs[0], "\tb="));
	assert_non_null(r.sigs[0].header_b);
	assert_int_equal(strlen(r.sigs[0].header_b), 8);
	assert_memory_equal(r.sigs[0].header_b, b + 3, 8);
	arena_free(a);
	msg_free(&m);

	m = plain;
	o = opt_for(f, "ed");
	sign(f, &m, &o);
	a = verify(f, &m, NULL, &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.sigs[0].result, AUTH_PASS);
	assert_string_equal(r.sigs[0].algorithm, "ed25519-sha256");
	assert_string_equal(r.sigs[0].selector, "ed");
	assert_null(r.sigs[0].identity);
	arena_free(a);
	msg_free(&m);
}

/* libopendkim's key decoding reaches the key cache (dkimkey.c): the
 * second message from the same signer decodes no key, and passes as the
 * first did; a signature made with another key still fails. */
static void
test_keys_are_decoded_once(void **state)
{
	struct fixture *f = *state;
	struct signopt o = opt_for(f, "rsa");
	struct dkimkey_stats s0, s1;
	struct dkim_results r;
	struct arena *a;
	struct msg m;
	int i;

	assert_int_equal(dkimkey_engaged(), 1);
	dkimkey_flush();
	for (i = 0; i < 3; i++) {
		if (i == 1)
			dkimkey_stats(&s0);
		m = plain;
		sign(f, &m, &o);
		a = verify(f, &m, NULL, &r);
		assert_int_equal(r.count, 1);
		assert_int_equal(r.sigs[0].result, AUTH_PASS);
		arena_free(a);
		msg_free(&m);
	}
	dkimkey_stats(&s1);
	assert_int_equal(s1.misses, s0.misses);
	assert_int_equal(s1.hits - s0.hits, 2);
	assert_int_equal(s1.kept, 1);
}

static void
test_expired_signature_is_permerror(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct dkim_results r;
	struct arena *a;

	/* Signed ten days ago, valid for an hour. */
	o.fixed_time = (uint64_t)time(NULL) - 10 * 86400;
	o.ttl = 3600;
	sign(f, &m, &o);
	assert_non_null(strstr(m.hdrs[0], "x="));
	a = verify(f, &m, NULL, &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.sigs[0].result, AUTH_PERMERROR);
	assert_string_equal(r.sigs[0].reason, "signature expired");
	assert_string_equal(r.sigs[0].domain, DOMAIN);
	arena_free(a);
	msg_free(&m);
}

static void
test_rsa_sha1_is_refused_by_policy(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct dkim_results r;
	struct arena *a;

	o.alg = DKIM_SIGN_RSASHA1;
	sign(f, &m, &o);
	a = verify(f, &m, NULL, &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.sigs[0].result, AUTH_POLICY);
	assert_string_equal(r.sigs[0].algorithm, "rsa-sha1");
	arena_free(a);
	msg_free(&m);
}

static void
test_dns_timeout_is_temperror_in_bounded_time(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "slow");
	struct dkim_results r;
	struct timespec t0, t1;
	struct arena *a;
	double secs;

	sign(f, &m, &o);
	o = opt_for(f, "rsa");
	sign(f, &m, &o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = verify(f, &m, NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(r.count, 2);
	assert_int_equal(r.sigs[0].result, AUTH_PASS);
	assert_int_equal(r.sigs[1].result, AUTH_TEMPERROR);
	assert_string_equal(r.sigs[1].selector, "slow");
	assert_string_equal(r.sigs[1].reason, "key lookup failed");
	if (secs > 5.0)
		fail_msg("timeout took %.1f s", secs);
	arena_free(a);
	msg_free(&m);
}

/* The key lookups run under the message's budget (issue 9): one already
 * spent answers every lookup temperror at once - none reaches the
 * resolver's wait, not even a key the zone holds - and says so. */
static void
test_spent_budget_fails_key_lookups_at_once(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "slow");
	struct dns_stats before, after;
	struct dns_budget b;
	struct dkim_results r;
	struct arena *a;

	sign(f, &m, &o);
	o = opt_for(f, "rsa");
	sign(f, &m, &o);
	memset(&b, 0, sizeof(b));
	b.end_ns = 1;		/* long past on the monotonic clock */
	dns_resolver_stats(f->dns, &before);
	a = verify_in(f, &b, &m, NULL, &r);
	dns_resolver_stats(f->dns, &after);
	assert_true(b.spent);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.sigs[0].result, AUTH_TEMPERROR);
	assert_int_equal(r.sigs[1].result, AUTH_TEMPERROR);
	/* Both answered by the budget: counted as timeouts, no failure. */
	assert_int_equal(after.timeouts - before.timeouts,
	    after.queries - before.queries);
	assert_true(after.queries - before.queries >= 2);
	arena_free(a);
	msg_free(&m);
	/* The same message under a fresh budget verifies as before. */
	m = plain;
	sign(f, &m, &o);
	dns_budget_start(&b, 60000);
	a = verify_in(f, &b, &m, NULL, &r);
	assert_false(b.spent);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.sigs[0].result, AUTH_PASS);
	arena_free(a);
	msg_free(&m);
}

/* A signature past the cap costs nothing: the bottom one (signed first)
 * points at the silent name and must never be looked up. */
static void
test_ignored_signature_is_not_looked_up(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "slow");
	struct dns_stats before, after;
	struct dkim_results r;
	struct arena *a;
	size_t i;

	sign(f, &m, &o);
	for (i = 0; i < MAX_SIGS; i++) {
		o = opt_for(f, i % 2 ? "ed" : "rsa");
		sign(f, &m, &o);
	}
	dns_resolver_stats(f->dns, &before);
	a = verify(f, &m, NULL, &r);
	dns_resolver_stats(f->dns, &after);
	assert_int_equal(r.count, MAX_SIGS);
	assert_true(r.truncated);
	for (i = 0; i < r.count; i++) {
		assert_int_equal(r.sigs[i].result, AUTH_PASS);
		assert_string_not_equal(r.sigs[i].selector, "slow");
	}
	assert_int_equal(after.timeouts, before.timeouts);
	arena_free(a);
	msg_free(&m);
}

/* libopendkim keeps one body hash per distinct l=, ignored signature or
 * not: signatures with l= past the cap never reach it, so a flood of
 * them costs what the cap allows.  Without l= they share their hashes
 * and are handed over as before (test_signature_table). */
static void
test_length_flood_is_not_handed_to_the_library(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o;
	struct dkim_results r;
	struct arena *a;
	size_t i;

	for (i = 0; i < MAX_SIGS + 4; i++) {
		o = opt_for(f, i % 2 ? "ed" : "rsa");
		o.blen = (long)(10 + i);
		sign(f, &m, &o);
	}
	a = verify(f, &m, NULL, &r);
	assert_true(r.truncated);
	assert_int_equal(r.handed, MAX_SIGS);
	assert_int_equal(r.count, MAX_SIGS);
	arena_free(a);
	msg_free(&m);
	/* The same number without l=: handed over, the extra ones ignored. */
	m = plain;
	for (i = 0; i < MAX_SIGS + 4; i++) {
		o = opt_for(f, i % 2 ? "ed" : "rsa");
		sign(f, &m, &o);
	}
	a = verify(f, &m, NULL, &r);
	assert_true(r.truncated);
	assert_int_equal(r.handed, MAX_SIGS + 4);
	assert_int_equal(r.count, MAX_SIGS);
	for (i = 0; i < r.count; i++)
		assert_int_equal(r.sigs[i].result, AUTH_PASS);
	arena_free(a);
	msg_free(&m);
}

/* libopendkim skips \v and \f before a tag name as white space: an l=
 * behind one is an l= all the same, and is not handed over past the
 * cap either. */
static void
test_length_flood_behind_vt_ff_is_not_handed(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o;
	struct dkim_results r;
	struct arena *a;
	size_t i, hits = 0;
	char *p;

	for (i = 0; i < MAX_SIGS + 4; i++) {
		o = opt_for(f, i % 2 ? "ed" : "rsa");
		o.blen = (long)(10 + i);
		sign(f, &m, &o);
	}
	for (i = 0; i < m.nowned; i++)
		for (p = m.owned[i]; (p = strstr(p, "l=")) != NULL; p++)
			if (p > m.owned[i] && (p[-1] == ' ' ||
			    p[-1] == '\t') && p[2] >= '0' && p[2] <= '9') {
				p[-1] = i % 2 ? '\v' : '\f';
				hits++;
			}
	assert_int_equal(hits, MAX_SIGS + 4);
	a = verify(f, &m, NULL, &r);
	assert_true(r.truncated);
	assert_int_equal(r.handed, MAX_SIGS);
	arena_free(a);
	msg_free(&m);
}

static void
test_simple_canon_with_bare_lf_folds(void **state)
{
	struct fixture *f = *state;
	static const struct feed feeds[] = { { 0, 1 }, { 0, 0 }, { 5, 1 } };
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct dkim_results r;
	struct arena *a;
	size_t i;

	o.hc = o.bc = DKIM_CANON_SIMPLE;
	m.hdrs[2] = "Subject: a folded\r\n\tsubject\r\n  over three lines";
	sign(f, &m, &o);
	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		a = verify(f, &m, &feeds[i], &r);
		assert_int_equal(r.count, 1);
		if (r.sigs[0].result != AUTH_PASS)
			fail_msg("feed %zu: %s (%s)", i,
			    auth_result_name(r.sigs[0].result),
			    r.sigs[0].reason ? r.sigs[0].reason : "-");
		arena_free(a);
	}
	msg_free(&m);
}

static void
test_empty_body_and_headers_only(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "ed");
	struct dkim_results r;
	struct arena *a;
	struct dkimv *v;

	m.body = "";
	sign(f, &m, &o);
	a = verify(f, &m, NULL, &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.sigs[0].result, AUTH_PASS);
	arena_free(a);

	/* Headers only, no dkimv_eoh and no body call: finish copes. */
	assert_non_null(a = arena_new());
	assert_non_null(v = dkimv_start(f->lib, NULL, a, NULL));
	assert_int_equal(dkimv_header(v, "From", " x@" DOMAIN), 0);
	assert_int_equal(dkimv_finish(v, &r), 0);
	assert_int_equal(r.count, 0);
	arena_free(a);
	msg_free(&m);
}

/* ---- l= (issue 8 item 5) ---- */

/* The DKIM-Signature sign() added carries l=N. */
static void
assert_has_l(const struct msg *m, long n)
{
	char want[32];
	const char *p = m->hdrs[0];

	snprintf(want, sizeof(want), "l=%ld;", n);
	if (strstr(p, want) == NULL)
		fail_msg("no %s in %s", want, p);
}

struct lcase {
	const char *name;
	dkim_canon_t bc;
	const char *signed_body;	/* what the signer saw */
	long blen;			/* its l= */
	const char *received;		/* the body that arrives */
	enum auth_result want;
	unsigned long long unsigned_bytes;
};

#define BODY "Hello Bob,\r\n\r\nthe figures are attached.\r\n"
#define EVIL "\r\n<a href=\"http://pay.evil.example/\">pay here</a>\r\n"

static const struct lcase lcases[] = {
	{ "l= of the whole body passes", DKIM_CANON_RELAXED, BODY, 41, BODY,
	  AUTH_PASS, 0 },
	{ "l= of the whole body, simple, passes", DKIM_CANON_SIMPLE, BODY,
	  41, BODY, AUTH_PASS, 0 },
	{ "content appended past l= is refused", DKIM_CANON_RELAXED, BODY,
	  41, BODY EVIL, AUTH_POLICY, 51 },
	{ "content appended past l=, simple", DKIM_CANON_SIMPLE, BODY, 41,
	  BODY EVIL, AUTH_POLICY, 51 },
	{ "l= of the first 12 bytes, rest unsigned", DKIM_CANON_RELAXED,
	  BODY, 12, BODY, AUTH_POLICY, 29 },
	{ "blank lines and trailing space appended: nothing unsigned",
	  DKIM_CANON_RELAXED, BODY, 41, BODY "  \r\n\r\n\t\r\n",
	  AUTH_PASS, 0 },
	{ "blank lines appended, simple: nothing unsigned",
	  DKIM_CANON_SIMPLE, BODY, 41, BODY "\r\n\r\n", AUTH_PASS, 0 },
	{ "one space appended, simple: a signed-over byte differs",
	  DKIM_CANON_SIMPLE, BODY, 41, BODY " \r\n", AUTH_POLICY, 3 },
	{ "one byte appended", DKIM_CANON_RELAXED, BODY, 41,
	  BODY "x\r\n", AUTH_POLICY, 3 },
};

static void
test_body_length_tag(void **state)
{
	static const size_t chunks[] = { 0, 1, 5 };
	struct fixture *f = *state;
	size_t i, k;

	for (i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
		const struct lcase *c = &lcases[i];
		struct msg m = plain;
		struct signopt o = opt_for(f, "rsa");
		struct dkim_results r;
		struct arena *a;

		o.bc = c->bc;
		o.blen = c->blen;
		m.body = c->signed_body;
		sign(f, &m, &o);
		assert_has_l(&m, c->blen);
		m.body = c->received;
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct feed fd = { chunks[k], 0 };

			a = verify(f, &m, &fd, &r);
			assert_int_equal(r.count, 1);
			if (r.sigs[0].result != c->want ||
			    r.sigs[0].body_unsigned != c->unsigned_bytes)
				fail_msg("%s (chunk %zu): %s (%s) unsigned "
				    "%llu, want %s unsigned %llu", c->name,
				    chunks[k],
				    auth_result_name(r.sigs[0].result),
				    r.sigs[0].reason ? r.sigs[0].reason : "-",
				    r.sigs[0].body_unsigned,
				    auth_result_name(c->want),
				    c->unsigned_bytes);
			if (c->want == AUTH_POLICY)
				assert_non_null(strstr(r.sigs[0].reason,
				    "body bytes unsigned"));
			assert_string_equal(r.sigs[0].domain, DOMAIN);
			arena_free(a);
		}
		msg_free(&m);
	}
}

/* What the verdict makes of it: the appended copy of a message signed
 * with l= by a p=reject domain neither aligns for DMARC nor authenticates
 * the sender, and the unsigned tail is a reason; the untouched message
 * still passes DMARC (control). */
static void
test_body_length_tag_never_aligns(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct orgdomain *psl;
	struct spf_result spf;
	struct evaluation e;
	struct config *cfg;
	struct message *mm;
	struct arena *va;
	char err[256];
	int round;

	assert_non_null(psl = orgdomain_new(NULL, err, sizeof(err)));
	assert_non_null(cfg = config_default());
	o.blen = 41;
	sign(f, &m, &o);
	for (round = 0; round < 2; round++) {
		assert_non_null(mm = message_new(100, 65536));
		m.body = round == 0 ? BODY : BODY EVIL;
		memset(&e, 0, sizeof(e));
		memset(&spf, 0, sizeof(spf));
		spf.result = AUTH_NONE;
		va = verify(f, &m, NULL, &e.dkim);
		assert_int_equal(dmarc_check(psl, f->dns, NULL, DOMAIN, &spf,
		    &e.dkim, mm->arena, &e.dmarc), 0);
		assert_int_equal(rules_auth(cfg, mm, &e), 0);
		if (round == 0) {
			assert_int_equal(e.dmarc.result, AUTH_PASS);
			assert_true(e.dmarc.dkim_aligned);
			assert_int_equal(e.verdict.nreasons, 0);
		} else {
			assert_int_equal(e.dkim.sigs[0].result, AUTH_POLICY);
			assert_int_equal(e.dmarc.result, AUTH_FAIL);
			assert_false(e.dmarc.dkim_aligned);
			assert_null(e.dmarc.dkim_domain);
			assert_int_equal(e.verdict.nreasons, 2);
			assert_string_equal(e.verdict.reasons[0].rule,
			    "dkim_body_length_partial");
			assert_string_equal(e.verdict.reasons[0].detail,
			    DOMAIN);
			assert_string_equal(e.verdict.reasons[1].rule,
			    "dmarc_fail_reject");
		}
		message_free(mm);
		arena_free(va);
	}
	msg_free(&m);
	config_free(cfg);
	orgdomain_free(psl);
}

/* An aborted message: the arena goes before dkimv_finish.  The DKIM
 * handle is freed by the arena cleanup (LeakSanitizer checks). */
static void
test_aborted_message_frees_handle(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct arena *a;
	struct dkimv *v;
	int stage;

	sign(f, &m, &o);
	for (stage = 0; stage < 4; stage++) {
		size_t i;

		assert_non_null(a = arena_new());
		assert_non_null(v = dkimv_start(f->lib, NULL, a, "abort"));
		for (i = 0; stage >= 1 && i < m.nhdrs; i++) {
			const char *c = strchr(m.hdrs[i], ':');
			char name[64];

			memcpy(name, m.hdrs[i], (size_t)(c - m.hdrs[i]));
			name[c - m.hdrs[i]] = '\0';
			assert_int_equal(dkimv_header(v, name, c + 1), 0);
		}
		if (stage >= 2)
			assert_int_equal(dkimv_eoh(v), 0);
		if (stage >= 3)
			assert_int_equal(dkimv_body(v,
			    (const unsigned char *)m.body, 5), 0);
		arena_free(a);
	}
	msg_free(&m);
}

/* Hostile header input gives a result, never a crash or a give-up. */
static void
test_hostile_headers(void **state)
{
	struct fixture *f = *state;
	struct dkim_results r;
	struct arena *a;
	struct dkimv *v;
	char *big, longd[400];

	assert_non_null(big = malloc(1 << 20));
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	memset(longd, 'a', sizeof(longd) - 1);
	longd[sizeof(longd) - 1] = '\0';
	for (size_t i = 63; i < sizeof(longd) - 1; i += 64)
		longd[i] = '.';

	assert_non_null(a = arena_new());
	assert_non_null(v = dkimv_start(f->lib, NULL, a, "hostile"));
	assert_int_equal(dkimv_header(v, "", " empty name"), 0);
	assert_int_equal(dkimv_header(v, "Bad Name", " x"), 0);
	assert_int_equal(dkimv_header(v, "Ctl\x01", " x"), 0);
	assert_int_equal(dkimv_header(v, "X-Null", NULL), 0);
	assert_int_equal(dkimv_header(v, "X-Big", big), 0);
	assert_int_equal(dkimv_header(v, "From", " <a@" DOMAIN ">"), 0);
	{
		char *sig = arena_printf(a, " v=1; a=rsa-sha256; d=%s;"
		    " s=rsa; h=From; bh=AAAA; b=AAAA", longd);

		assert_non_null(sig);
		assert_int_equal(dkimv_header(v, "DKIM-Signature", sig), 0);
	}
	assert_int_equal(dkimv_header(v, "DKIM-Signature",
	    " v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=From; bh=; b="), 0);
	assert_int_equal(dkimv_header(v, "DKIM-Signature", " \xff\xfe\r\n"),
	    0);
	assert_int_equal(dkimv_eoh(v), 0);
	assert_int_equal(dkimv_body(v, (const unsigned char *)"x\r\n", 3),
	    0);
	assert_int_equal(dkimv_finish(v, &r), 0);
	/* Three DKIM-Signature headers, the cap is three: all reported,
	 * none passes. */
	assert_int_equal(r.count, 3);
	for (size_t i = 0; i < r.count; i++) {
		assert_int_not_equal(r.sigs[i].result, AUTH_PASS);
		assert_non_null(r.sigs[i].reason);
		if (r.sigs[i].domain != NULL)
			assert_true(strlen(r.sigs[i].domain) <= 256);
	}
	arena_free(a);
	free(big);
}

/* libopendkim must not write to stderr (the milter's log is syslog). */
static void
test_library_is_silent_on_stderr(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "nokey");
	struct dkim_results r;
	struct arena *a;
	char path[320];
	struct stat st;
	int fd, saved;

	sign(f, &m, &o);
	garbage_signature(&m);
	alter_body(&m);
	snprintf(path, sizeof(path), "%.240s/stderr", f->dir);
	fflush(stderr);
	assert_true((saved = dup(2)) >= 0);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >=
	    0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
	a = verify(f, &m, NULL, &r);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(stat(path, &st), 0);
	unlink(path);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(r.count, 2);
	arena_free(a);
	msg_free(&m);
}

/* One lib, several threads verifying at once (the milter's case). */
struct worker {
	struct fixture *f;
	const struct msg *m;
	int passes;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct dkim_results r;
	struct arena *a;
	int i;

	for (i = 0; i < 20; i++) {
		struct dkimv *v;
		size_t h;

		if ((a = arena_new()) == NULL ||
		    (v = dkimv_start(w->f->lib, NULL, a, "thread")) == NULL)
			return NULL;
		for (h = 0; h < w->m->nhdrs; h++) {
			const char *hd = w->m->hdrs[h], *c = strchr(hd, ':');
			char name[64];

			memcpy(name, hd, (size_t)(c - hd));
			name[c - hd] = '\0';
			(void)dkimv_header(v, name, c + 1);
		}
		(void)dkimv_body(v, (const unsigned char *)w->m->body,
		    strlen(w->m->body));
		if (dkimv_finish(v, &r) == 0 && r.count == 2 &&
		    r.sigs[0].result == AUTH_PASS &&
		    r.sigs[1].result == AUTH_PASS)
			w->passes++;
		arena_free(a);
	}
	return NULL;
}

static void
test_threads_share_one_lib(void **state)
{
	struct fixture *f = *state;
	struct msg m = plain;
	struct signopt o = opt_for(f, "rsa");
	struct worker w[4];
	pthread_t t[4];
	size_t i;

	sign(f, &m, &o);
	o = opt_for(f, "ed");
	sign(f, &m, &o);
	for (i = 0; i < 4; i++) {
		w[i].f = f;
		w[i].m = &m;
		w[i].passes = 0;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].passes, 20);
	}
	msg_free(&m);
}

static void
test_lib_needs_a_resolver(void **state)
{
	char err[128] = "";

	assert_null(dkimv_lib_new(NULL, 1, err, sizeof(err)));
	assert_true(err[0] != '\0');
	dkimv_lib_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_table),
		cmocka_unit_test(test_pass_reports_signature_fields),
		cmocka_unit_test(test_keys_are_decoded_once),
		cmocka_unit_test(test_expired_signature_is_permerror),
		cmocka_unit_test(test_rsa_sha1_is_refused_by_policy),
		cmocka_unit_test(test_dns_timeout_is_temperror_in_bounded_time),
		cmocka_unit_test(test_spent_budget_fails_key_lookups_at_once),
		cmocka_unit_test(test_ignored_signature_is_not_looked_up),
		cmocka_unit_test(
		    test_length_flood_is_not_handed_to_the_library),
		cmocka_unit_test(test_length_flood_behind_vt_ff_is_not_handed),
		cmocka_unit_test(test_simple_canon_with_bare_lf_folds),
		cmocka_unit_test(test_empty_body_and_headers_only),
		cmocka_unit_test(test_aborted_message_frees_handle),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_library_is_silent_on_stderr),
		cmocka_unit_test(test_threads_share_one_lib),
		cmocka_unit_test(test_lib_needs_a_resolver),
		cmocka_unit_test(test_body_length_tag),
		cmocka_unit_test(test_body_length_tag_never_aligns),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
