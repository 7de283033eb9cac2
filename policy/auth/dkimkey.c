/*
 * dkimkey.c - parsed DKIM public keys kept between messages (issue 15).
 *
 * Exports dkimkey_*, and defines d2i_PUBKEY_bio.  libopendkim decodes the
 * p= key of every signature with d2i_PUBKEY_bio, and OpenSSL 3 spends
 * ~90 us on each (decoder look-ups under its global locks), while the RSA
 * check itself costs ~17 us: most mail comes from a few signers whose key
 * does not change.  libopendkim has no hook for the key it parses, so
 * this file defines d2i_PUBKEY_bio in the program: the dynamic linker
 * binds libopendkim's call to the program's definition first, and the
 * definition answers from a small cache of keys already decoded.
 *
 * The cache is keyed by the DER bytes themselves, not by the selector or
 * the DNS name: the same bytes always decode to the same key, so nothing
 * expires, a key rotated in DNS is new bytes (a miss), and what an
 * attacker publishes only ever meets its own bytes.  A hit hands out a new
 * reference (EVP_PKEY_up_ref): the caller frees it as it would its own.
 * OpenSSL 3 allows one EVP_PKEY to be used for verification from several
 * threads (the legacy RSA copy libopendkim asks for is made under the
 * key's own lock).
 *
 * Anything but the plain case goes to OpenSSL's own function unchanged: a
 * caller that passes an object to fill (a != NULL), a BIO that is not a
 * memory BIO, a DER longer than DKIMKEY_MAX_DER or not a definite-length
 * SEQUENCE, bytes d2i_PUBKEY refuses (never cached: garbage costs what it
 * cost before, no more).  On a hit or a fresh decode the BIO is read past
 * exactly the DER object, as OpenSSL's own function reads it.
 *
 * Caps: DKIMKEY_SLOTS keys of at most DKIMKEY_MAX_DER bytes each; the
 * least recently used key makes room.  One mutex, held for the look-up or
 * the insert only, never while decoding.
 */
#include "autoconf.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth/dkimkey.h"
#include "util/hash.h"

#define DKIMKEY_SLOTS	64
#define DKIMKEY_MAX_DER	2048	/* an RSA-4096 SubjectPublicKeyInfo: 550 */

typedef EVP_PKEY *(*d2i_bio_fn)(BIO *, EVP_PKEY **);

struct dkimkey_slot {
	unsigned hash;
	uint64_t used;			/* tick of the last hit; 0 = free */
	size_t len;
	unsigned char *der;
	EVP_PKEY *pkey;
};

static struct dkimkey_slot slots[DKIMKEY_SLOTS];
static uint64_t tick;
static unsigned long nhits, nmisses, npassed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static d2i_bio_fn real_d2i;

static void
find_real(void)
{
	void *p = dlsym(RTLD_NEXT, "d2i_PUBKEY_bio");

	memcpy(&real_d2i, &p, sizeof(real_d2i));
}

static EVP_PKEY *
pass_on(BIO *bp, EVP_PKEY **a)
{
	pthread_once(&once, find_real);
	pthread_mutex_lock(&lock);
	npassed++;
	pthread_mutex_unlock(&lock);
	if (real_d2i == NULL)
		return NULL;		/* no libcrypto below us: cannot be */
	return real_d2i(bp, a);
}

/* The length of the DER object at p (header included), 0 when it is not a
 * definite-length SEQUENCE that fits in n bytes. */
static size_t
der_length(const unsigned char *p, size_t n)
{
	const unsigned char *q = p;
	long len;
	int tag, cls, r;

	if (n < 2 || n > LONG_MAX)
		return 0;
	r = ASN1_get_object(&q, &len, &tag, &cls, (long)n);
	if ((r & 0x80) || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE ||
	    cls != V_ASN1_UNIVERSAL || len < 0)
		return 0;
	if ((size_t)(q - p) + (size_t)len > n)
		return 0;
	return (size_t)(q - p) + (size_t)len;
}

/* Under the lock: the slot holding these bytes, or NULL. */
static struct dkimkey_slot *
find(unsigned h, const unsigned char *der, size_t len)
{
	size_t i;

	for (i = 0; i < DKIMKEY_SLOTS; i++) {
		struct dkimkey_slot *s = &slots[i];

		if (s->used != 0 && s->hash == h && s->len == len &&
		    memcmp(s->der, der, len) == 0)
			return s;
	}
	return NULL;
}

/* Under the lock: keep a reference to pkey for these bytes (the least
 * recently used slot makes room).  A copy of the bytes that cannot be
 * made is no harm: the key is simply not kept. */
static void
keep(unsigned h, const unsigned char *der, size_t len, EVP_PKEY *pkey)
{
	struct dkimkey_slot *s = &slots[0];
	unsigned char *copy;
	size_t i;

	if (find(h, der, len) != NULL)
		return;			/* another thread was first */
	for (i = 1; i < DKIMKEY_SLOTS && s->used != 0; i++)
		if (slots[i].used < s->used)
			s = &slots[i];
	if ((copy = malloc(len)) == NULL || EVP_PKEY_up_ref(pkey) != 1) {
		free(copy);
		return;
	}
	memcpy(copy, der, len);
	if (s->used != 0) {
		EVP_PKEY_free(s->pkey);
		free(s->der);
	}
	s->hash = h;
	s->len = len;
	s->der = copy;
	s->pkey = pkey;
	s->used = ++tick;
}

/* Read the n bytes just decoded out of the memory BIO. */
static void
consume(BIO *bp, size_t n)
{
	unsigned char sink[256];

	while (n > 0) {
		int want = n < sizeof(sink) ? (int)n : (int)sizeof(sink);
		int got = BIO_read(bp, sink, want);

		if (got <= 0)
			break;
		n -= (size_t)got;
	}
}

EVP_PKEY *
d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	const unsigned char *data, *p;
	struct dkimkey_slot *s;
	EVP_PKEY *pkey = NULL;
	long avail;
	size_t len;
	unsigned h;

	if (bp == NULL || a != NULL || BIO_method_type(bp) != BIO_TYPE_MEM)
		return pass_on(bp, a);
	avail = BIO_get_mem_data(bp, (char **)&data);
	if (avail <= 0 || data == NULL)
		return pass_on(bp, a);
	len = der_length(data, (size_t)avail);
	if (len == 0 || len > DKIMKEY_MAX_DER)
		return pass_on(bp, a);
	h = hash_fnv_bytes(HASH_FNV_SEED, data, len);

	pthread_mutex_lock(&lock);
	if ((s = find(h, data, len)) != NULL &&
	    EVP_PKEY_up_ref(s->pkey) == 1) {
		pkey = s->pkey;
		s->used = ++tick;
		nhits++;
	}
	pthread_mutex_unlock(&lock);
	if (pkey != NULL) {
		consume(bp, len);
		return pkey;
	}

	p = data;
	ERR_set_mark();
	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey == NULL || (size_t)(p - data) != len) {
		EVP_PKEY_free(pkey);
		ERR_pop_to_mark();
		return pass_on(bp, a);	/* its own errors, its own way */
	}
	ERR_clear_last_mark();
	pthread_mutex_lock(&lock);
	nmisses++;
	keep(h, data, len, pkey);
	pthread_mutex_unlock(&lock);
	consume(bp, len);
	return pkey;
}

int
dkimkey_engaged(void)
{
	void *p = dlsym(RTLD_DEFAULT, "d2i_PUBKEY_bio");
	d2i_bio_fn ours = d2i_PUBKEY_bio;
	void *q;

	memcpy(&q, &ours, sizeof(q));
	return p != NULL && p == q;
}

void
dkimkey_stats(struct dkimkey_stats *st)
{
	size_t i;

	pthread_mutex_lock(&lock);
	st->hits = nhits;
	st->misses = nmisses;
	st->passed = npassed;
	st->kept = 0;
	for (i = 0; i < DKIMKEY_SLOTS; i++)
		st->kept += slots[i].used != 0;
	pthread_mutex_unlock(&lock);
}

void
dkimkey_flush(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < DKIMKEY_SLOTS; i++) {
		if (slots[i].used == 0)
			continue;
		EVP_PKEY_free(slots[i].pkey);
		free(slots[i].der);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
	pthread_mutex_unlock(&lock);
}
