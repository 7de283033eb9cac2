/*
 * dkimfix.c - the DKIM unit tests' shared keys and zone (dkimfix.h).
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
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dkimfix.h"

/*
 * libopendkim 2.11.0~beta2's dkim_free releases the signing key of RSA
 * handles only, so each Ed25519 signature made by the tests' signer leaks
 * its key.  The leak is in the borrowed signer, not in dkimv: LeakSanitizer
 * builds suppress it by function name (full stacks needed to see it).
 */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:dkim_privkey_load\n";
}

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

char *
dkimfix_pem_private(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	n = BIO_get_mem_data(b, &p);
	assert_true(n > 0);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	memcpy(out, p, (size_t)n);
	BIO_free(b);
	return out;
}

void
dkimfix_zone_txt(FILE *z, const char *name, const char *text)
{
	size_t n = strlen(text), i;

	fprintf(z, "%s 300 IN TXT", name);
	for (i = 0; i < n; i += 200)
		fprintf(z, " \"%.*s\"", (int)(n - i > 200 ? 200 : n - i),
		    text + i);
	fprintf(z, "\n");
}

void
dkimfix_zone_key(FILE *z, const char *sel, const char *domain,
    const char *extra, EVP_PKEY *k)
{
	unsigned char der[1024], *q = der;
	char b64[1500], name[300], text[1800];
	size_t n = sizeof(der);
	int ed = EVP_PKEY_get_id(k) == EVP_PKEY_ED25519, len;

	if (ed)
		assert_int_equal(EVP_PKEY_get_raw_public_key(k, der, &n), 1);
	else {
		len = i2d_PUBKEY(k, NULL);
		assert_true(len > 0 && (size_t)len <= sizeof(der));
		assert_int_equal(i2d_PUBKEY(k, &q), len);
		n = (size_t)len;
	}
	EVP_EncodeBlock((unsigned char *)b64, der, (int)n);
	snprintf(name, sizeof(name), "%s._domainkey.%s", sel, domain);
	snprintf(text, sizeof(text), "v=DKIM1; k=%s;%s p=%s",
	    ed ? "ed25519" : "rsa", extra, b64);
	dkimfix_zone_txt(z, name, text);
}
