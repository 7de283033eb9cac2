/*
 * dkimfix.h - what the DKIM unit tests share (test_dkimv, test_dkimbody,
 * test_dkimed): private keys as PEM for libopendkim's signer, key records
 * in a local-data zone, and the sanitizer settings that keep the
 * signer's own leak out of their reports.
 */
#ifndef RW_DKIMFIX_H
#define RW_DKIMFIX_H

#include <stdio.h>
#include <openssl/evp.h>

/* k as a PEM private key (calloc'd; the caller frees). */
char *dkimfix_pem_private(EVP_PKEY *k);

/* One TXT record of the zone, split into character-strings of at most
 * 200 bytes. */
void dkimfix_zone_txt(FILE *z, const char *name, const char *text);

/* The key record SEL._domainkey.DOMAIN: "v=DKIM1; k=rsa;EXTRA p=..." with
 * the SubjectPublicKeyInfo, or k=ed25519 with the raw key (RFC 8463 4.2);
 * extra is "" or tags such as " t=s;". */
void dkimfix_zone_key(FILE *z, const char *sel, const char *domain,
    const char *extra, EVP_PKEY *k);

#endif
