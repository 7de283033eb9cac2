/*
 * test_dkimkey.c - the DKIM key cache (policy/auth/dkimkey.c): the
 * program's d2i_PUBKEY_bio answers as OpenSSL's own does, hands the same
 * decoded key out again for the same bytes, reads the BIO exactly past
 * the key, leaves everything else to OpenSSL, and stays within its slots.
 * Keys are made here (EC P-256: quick to generate).  That libopendkim's
 * calls reach the cache is checked in test_dkimv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth/dkimkey.h"

struct der {
	unsigned char *p;
	int len;
	EVP_PKEY *key;
};

static struct der
new_key(void)
{
	struct der d = { NULL, 0, NULL };

	d.key = EVP_EC_gen("P-256");
	assert_non_null(d.key);
	d.len = i2d_PUBKEY(d.key, &d.p);
	assert_true(d.len > 0);
	return d;
}

static void
free_key(struct der *d)
{
	OPENSSL_free(d->p);
	EVP_PKEY_free(d->key);
}

/* Decode bytes through a memory BIO, as libopendkim does. */
static EVP_PKEY *
decode(const unsigned char *p, int len, size_t *left)
{
	BIO *b = BIO_new_mem_buf(p, len);
	EVP_PKEY *k;

	assert_non_null(b);
	k = d2i_PUBKEY_bio(b, NULL);
	if (left != NULL)
		*left = (size_t)BIO_pending(b);
	BIO_free(b);
	return k;
}

static void
test_engaged(void **state)
{
	(void)state;
	assert_int_equal(dkimkey_engaged(), 1);
}

static void
test_same_bytes_same_key(void **state)
{
	struct der d = new_key();
	struct dkimkey_stats s0, s1;
	EVP_PKEY *a, *b;

	(void)state;
	dkimkey_flush();
	dkimkey_stats(&s0);
	a = decode(d.p, d.len, NULL);
	b = decode(d.p, d.len, NULL);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(EVP_PKEY_eq(a, d.key), 1);
	dkimkey_stats(&s1);
	assert_int_equal(s1.misses - s0.misses, 1);
	assert_int_equal(s1.hits - s0.hits, 1);
	assert_int_equal(s1.kept, 1);
	/* Each call gave its own reference: both frees are due. */
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	/* The cache's own reference keeps it usable. */
	b = decode(d.p, d.len, NULL);
	assert_int_equal(EVP_PKEY_eq(b, d.key), 1);
	EVP_PKEY_free(b);
	free_key(&d);
}

static void
test_other_bytes_other_key(void **state)
{
	struct der d1 = new_key(), d2 = new_key();
	EVP_PKEY *a, *b;

	(void)state;
	dkimkey_flush();
	a = decode(d1.p, d1.len, NULL);
	b = decode(d2.p, d2.len, NULL);
	assert_ptr_not_equal(a, b);
	assert_int_equal(EVP_PKEY_eq(a, d1.key), 1);
	assert_int_equal(EVP_PKEY_eq(b, d2.key), 1);
	assert_int_equal(EVP_PKEY_eq(b, d1.key), 0);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	/* One bit flipped in the point: a different key or none, never the
	 * cached one. */
	d1.p[d1.len - 1] ^= 1;
	a = decode(d1.p, d1.len, NULL);
	assert_true(a == NULL || EVP_PKEY_eq(a, d1.key) != 1);
	EVP_PKEY_free(a);
	free_key(&d1);
	free_key(&d2);
}

/* Bytes after the key stay in the BIO, hit or miss, as OpenSSL leaves
 * them. */
static void
test_reads_exactly_the_key(void **state)
{
	struct der d = new_key();
	unsigned char buf[512];
	size_t left;
	EVP_PKEY *k;
	int pass;

	(void)state;
	dkimkey_flush();
	memcpy(buf, d.p, (size_t)d.len);
	memcpy(buf + d.len, "trailing", 8);
	for (pass = 0; pass < 2; pass++) {
		k = decode(buf, d.len + 8, &left);
		assert_non_null(k);
		assert_int_equal(left, 8);
		EVP_PKEY_free(k);
	}
	free_key(&d);
}

/* Garbage, truncated keys, a filled-in object and other BIOs: OpenSSL's
 * own answer, nothing kept. */
static void
test_everything_else_passes_on(void **state)
{
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct der d = new_key();
	struct dkimkey_stats s0, s1;
	EVP_PKEY *k, *into = NULL;
	BIO *b;
	FILE *fp;

	(void)state;
	dkimkey_flush();
	dkimkey_stats(&s0);
	assert_null(decode(junk, sizeof(junk), NULL));
	assert_null(decode(d.p, d.len - 1, NULL));
	assert_null(decode(d.p, 1, NULL));
	/* a != NULL */
	b = BIO_new_mem_buf(d.p, d.len);
	k = d2i_PUBKEY_bio(b, &into);
	assert_non_null(k);
	assert_ptr_equal(k, into);
	BIO_free(b);
	EVP_PKEY_free(k);
	/* a file BIO */
	assert_non_null(fp = tmpfile());
	assert_int_equal(fwrite(d.p, 1, (size_t)d.len, fp), (size_t)d.len);
	rewind(fp);
	b = BIO_new_fp(fp, BIO_CLOSE);
	k = d2i_PUBKEY_bio(b, NULL);
	assert_int_equal(EVP_PKEY_eq(k, d.key), 1);
	EVP_PKEY_free(k);
	BIO_free(b);
	dkimkey_stats(&s1);
	assert_int_equal(s1.kept, 0);
	assert_int_equal(s1.hits, s0.hits);
	assert_int_equal(s1.misses, s0.misses);
	assert_true(s1.passed - s0.passed >= 5);
	free_key(&d);
}

/* More keys than slots: the cache stays bounded, the least recently used
 * key goes, and every answer is still the right key. */
static void
test_bounded(void **state)
{
	struct der d[80];
	struct dkimkey_stats s;
	EVP_PKEY *k;
	size_t i;

	(void)state;
	dkimkey_flush();
	for (i = 0; i < 80; i++) {
		d[i] = new_key();
		k = decode(d[i].p, d[i].len, NULL);
		assert_int_equal(EVP_PKEY_eq(k, d[i].key), 1);
		EVP_PKEY_free(k);
		if (i < 79) {	/* keep the first key the most recent */
			k = decode(d[0].p, d[0].len, NULL);
			EVP_PKEY_free(k);
		}
	}
	dkimkey_stats(&s);
	assert_true(s.kept <= 64);
	assert_true(s.kept >= 60);
	dkimkey_stats(&s);
	{
		unsigned long h = s.hits;

		k = decode(d[0].p, d[0].len, NULL);	/* still kept */
		assert_int_equal(EVP_PKEY_eq(k, d[0].key), 1);
		EVP_PKEY_free(k);
		dkimkey_stats(&s);
		assert_int_equal(s.hits, h + 1);
		h = s.hits;
		k = decode(d[1].p, d[1].len, NULL);	/* evicted */
		assert_int_equal(EVP_PKEY_eq(k, d[1].key), 1);
		EVP_PKEY_free(k);
		dkimkey_stats(&s);
		assert_int_equal(s.hits, h);
	}
	for (i = 0; i < 80; i++)
		free_key(&d[i]);
	dkimkey_flush();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engaged),
		cmocka_unit_test(test_same_bytes_same_key),
		cmocka_unit_test(test_other_bytes_other_key),
		cmocka_unit_test(test_reads_exactly_the_key),
		cmocka_unit_test(test_everything_else_passes_on),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
