/*
 * statekey.c - safe names for the sender state in Redis.
 *
 * Exports statekey_normalize, statekey_display, statekey_sha256.  Pure
 * functions over caller memory; any thread.
 * Why: every key of a sender is PREFIX{name} so that Redis Cluster keeps
 * them in one slot (the text between the first "{" and the next "}" is
 * the hash tag).  A name holding "{" or "}" would move the tag, one
 * holding glob characters would widen an admin's SCAN, and a huge one
 * would cost memory per key: such names are replaced by a digest.  The
 * digest is SHA-256 (FIPS 180-4), cut to 128 bits, so nobody can craft a
 * second name that shares another's history.  No library we link exports
 * a hash, so the 60 lines of FIPS 180-4 are here.
 * Caps: a plain name is at most STATEKEY_NAME_MAX bytes.
 */
#include <string.h>

#include "state/statekey.h"
#include "util/utf8.h"

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* One 64-byte block into the state h (FIPS 180-4 6.2.2). */
static void
sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], v[8], s0, s1, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ w[i - 15] >> 3;
		s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ w[i - 2] >> 10;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (ROTR(v[4], 6) ^ ROTR(v[4], 11) ^ ROTR(v[4], 25)) +
		    ((v[4] & v[5]) ^ (~v[4] & v[6])) + k256[i] + w[i];
		t2 = (ROTR(v[0], 2) ^ ROTR(v[0], 13) ^ ROTR(v[0], 22)) +
		    ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

void
statekey_sha256(const void *data, size_t len, uint8_t out[32])
{
	uint32_t h[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	const uint8_t *p = data;
	uint8_t last[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, n, i;

	for (rest = len; rest >= 64; rest -= 64, p += 64)
		sha256_block(h, p);
	/* Padding: 0x80, zeros, the bit length big-endian (5.1.1). */
	memset(last, 0, sizeof(last));
	memcpy(last, p, rest);
	last[rest] = 0x80;
	n = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_block(h, last);
	if (n == 128)
		sha256_block(h, last + 64);
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static int
allowed(unsigned char c, enum statekey_kind kind)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-' || c == '_')
		return 1;
	return kind == STATEKEY_INFRA && (c == ':' || c == '/');
}

/* Length of name without one trailing dot. */
static size_t
trimmed_len(const char *name)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	return len;
}

int
statekey_normalize(const char *name, enum statekey_kind kind, char *out,
    size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	uint8_t ctx_digest[32];
	uint8_t lower[4 * STATEKEY_NAME_MAX];
	size_t len, i;
	int plain;

	if (name == NULL || outlen < STATEKEY_BUF || (len = trimmed_len(name))
	    == 0)
		return -1;
	plain = len <= STATEKEY_NAME_MAX && name[0] != '.';
	for (i = 0; plain && i < len; i++) {
		c = (unsigned char)name[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!allowed(c, kind))
			plain = 0;
		out[i] = (char)c;
	}
	if (plain) {
		out[len] = '\0';
		return 0;
	}
	/* Digest of the lower-cased bytes: "Example.NET{" and
	 * "example.net{" are one sender.  Long names are digested as they
	 * are (lower-casing a copy would need a bound). */
	if (len <= sizeof(lower)) {
		for (i = 0; i < len; i++) {
			c = (unsigned char)name[i];
			lower[i] = c >= 'A' && c <= 'Z' ?
			    (uint8_t)(c - 'A' + 'a') : c;
		}
		statekey_sha256(lower, len, ctx_digest);
	} else
		statekey_sha256(name, len, ctx_digest);
	out[0] = '#';
	for (i = 0; i < 16; i++) {
		out[1 + 2 * i] = hex[ctx_digest[i] >> 4];
		out[2 + 2 * i] = hex[ctx_digest[i] & 15];
	}
	out[33] = '\0';
	return 1;
}

int
statekey_display(const char *name, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len, i, n;

	if (name == NULL || outlen < STATEKEY_BUF ||
	    (len = trimmed_len(name)) == 0 || len > STATEKEY_NAME_MAX)
		return -1;
	for (i = 0; i < len; i += n) {
		if (p[i] <= 0x20 || p[i] == 0x7f || p[i] == '{' ||
		    p[i] == '}' || p[i] == '"' || p[i] == '\\' ||
		    (n = utf8_seq_len(p + i, len - i)) == 0)
			return -1;
		if (n == 1 && p[i] >= 'A' && p[i] <= 'Z')
			out[i] = (char)(p[i] - 'A' + 'a');
		else
			memcpy(out + i, p + i, n);
	}
	out[len] = '\0';
	return 0;
}
