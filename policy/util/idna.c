/*
 * idna.c - domain names to A-labels with libidn2 (idna.h).
 *
 * Exports idna_domain_ascii.  No state; any thread.  Caps: input
 * IDNA_INPUT_MAX bytes, RFC 1035 section 2.3.4 lengths (63 per label,
 * 253 per name, counted on the A-label form).
 *
 * RFC 5890-5893 (IDNA 2008) with UTS #46 nontransitional mapping
 * (IDN2_NONTRANSITIONAL: "ß" stays "ß" and encodes, as browsers and mail
 * clients now do) after NFC (IDN2_NFC_INPUT).  Labels are converted one
 * by one, so that an ASCII label IDNA would refuse (hyphens in positions
 * 3 and 4, '_') but the DNS holds keeps working next to a U-label; an
 * xn-- label written by the sender is decoded and re-encoded, so a
 * hand-made one ("xn--zzzz") is an error, not a name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <idn2.h>

#include "util/idna.h"

/* UTS #46 section 2.3: these full stops separate labels like '.'. */
static size_t
dot_len(const unsigned char *p, size_t left)
{
	if (left >= 1 && p[0] == '.')
		return 1;
	if (left >= 3 && ((p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x82) ||
	    (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8e) ||
	    (p[0] == 0xef && p[1] == 0xbd && p[2] == 0xa1)))
		return 3;
	return 0;
}

static int
ascii_label(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 0;
	return 1;
}

/* Appends the A-label of [p, p+n) to out at *o; -1 with *why. */
static int
encode_label(const char *p, size_t n, char *out, size_t outlen, size_t *o,
    const char **why)
{
	char buf[IDNA_INPUT_MAX + 1];
	uint8_t *enc = NULL;
	size_t i, elen;
	int rc;

	if (n == 0) {
		*why = "empty label";
		return -1;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (ascii_label(p, n)) {
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c >= 'A' && c <= 'Z')
				buf[i] = (char)(c - 'A' + 'a');
			else if (!((c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_')) {
				*why = "not a letter, digit or hyphen";
				return -1;
			}
		}
		/* A sender's own A-label must decode to a valid U-label:
		 * a broken one is a hand-made name. */
		if (n >= 4 && memcmp(buf, "xn--", 4) == 0 &&
		    idn2_lookup_u8((const uint8_t *)buf, &enc,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
			free(enc);
			*why = "an xn-- label that does not decode";
			return -1;
		}
		free(enc);
		enc = NULL;
		elen = n;
	} else {
		/* The ASCII bytes of a U-label obey the ASCII rule too:
		 * without STD3 rules libidn2 would pass "<", "@" or a
		 * space through into the A-label. */
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c < 0x80 && !((c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_')) {
				*why = "not a letter, digit or hyphen";
				return -1;
			}
		}
		rc = idn2_lookup_u8((const uint8_t *)buf, &enc,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK || enc == NULL) {
			free(enc);
			*why = rc == IDN2_ENCODING_ERROR ? "invalid UTF-8" :
			    rc == IDN2_BIDI ? "a label breaking the bidi rule" :
			    "a label IDNA 2008 refuses";
			return -1;
		}
		elen = strlen((const char *)enc);
		/* UTS #46 mapping may turn a label into several (a
		 * compatibility full stop) or into nothing, or a
		 * compatibility character into ASCII the rule above
		 * refuses (fullwidth "<"): the result is judged too. */
		if (elen == 0 || memchr(enc, '.', elen) != NULL) {
			free(enc);
			*why = "a label that maps to an empty or dotted one";
			return -1;
		}
		for (i = 0; i < elen; i++) {
			unsigned char c = enc[i];

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_')) {
				free(enc);
				*why = "maps to a character not allowed in a "
				    "name";
				return -1;
			}
		}
	}
	if (elen > IDNA_LABEL_MAX) {
		free(enc);
		*why = "a label over 63 bytes";
		return -1;
	}
	if (*o + elen >= outlen || *o + elen > IDNA_DOMAIN_MAX) {
		free(enc);
		*why = "a name over 253 bytes";
		return -1;
	}
	memcpy(out + *o, enc != NULL ? (const char *)enc : buf, elen);
	*o += elen;
	free(enc);
	return 0;
}

int
idna_domain_ascii(const char *in, size_t len, char *out, size_t outlen,
    const char **why)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t i = 0, start = 0, o = 0, d;

	*why = NULL;
	if (outlen < IDNA_DOMAIN_MAX + 1) {
		*why = "output too small";
		return -1;
	}
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > IDNA_INPUT_MAX) {
		*why = len == 0 ? "empty name" : "name too long";
		return -1;
	}
	if (memchr(in, '\0', len) != NULL) {
		*why = "a NUL byte";
		return -1;
	}
	for (;;) {
		d = i < len ? dot_len(u + i, len - i) : 0;
		if (i < len && d == 0) {
			i++;
			continue;
		}
		if (encode_label(in + start, i - start, out, outlen, &o,
		    why) == -1)
			return -1;
		if (i >= len)
			break;
		out[o++] = '.';
		i += d;
		start = i;
		if (i >= len) {
			*why = "empty label";
			return -1;
		}
	}
	out[o] = '\0';
	return (int)o;
}
