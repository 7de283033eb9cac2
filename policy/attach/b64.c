/*
 * b64.c - base64 decoding for the MIME walk (see b64.h).
 *
 * Exports b64_decode.  Owns nothing.  Thread rule: one state, one
 * thread.  Caps: none (the caller bounds the output).
 * RFCs: 2045 6.8 (base64; characters outside the alphabet are ignored,
 * '=' pads the end).
 *
 * It gives what GMime's filter gave (g_mime_encoding_base64_decode_step,
 * GMime 3.2), which the walk used before: so names, sizes, types and
 * verdicts stay the same, but at about a third of the cost.  Whole
 * quartets of alphabet bytes, the body of every encoded line, are
 * decoded four bytes at a time; everything else (line ends, junk, the
 * '=' end, a quartet across a line end or a piece) goes byte by byte
 * exactly as GMime goes.
 */
#include <stdint.h>

#include "attach/b64.h"

/* Per byte: 0x40 + its value for the alphabet, so that a quartet is
 * whole when the AND of its four codes keeps 0x40; 0 for what no
 * encoder writes (the table's default). */
#define A	0x40	/* + the value */
#define SKIP	0x81	/* outside the alphabet, what encoders write */
#define EQ	0x82	/* '=' */
#define NOT	0x00	/* outside the alphabet, and unclean */

static const unsigned char code[256] = {
	['A'] = A + 0, A + 1, A + 2, A + 3, A + 4, A + 5, A + 6, A + 7,
	A + 8, A + 9, A + 10, A + 11, A + 12, A + 13, A + 14, A + 15, A + 16,
	A + 17, A + 18, A + 19, A + 20, A + 21, A + 22, A + 23, A + 24,
	A + 25,
	['a'] = A + 26, A + 27, A + 28, A + 29, A + 30, A + 31, A + 32,
	A + 33, A + 34, A + 35, A + 36, A + 37, A + 38, A + 39, A + 40,
	A + 41, A + 42, A + 43, A + 44, A + 45, A + 46, A + 47, A + 48,
	A + 49, A + 50, A + 51,
	['0'] = A + 52, A + 53, A + 54, A + 55, A + 56, A + 57, A + 58,
	A + 59, A + 60, A + 61,
	['+'] = A + 62, ['/'] = A + 63, ['='] = EQ,
	['\r'] = SKIP, ['\n'] = SKIP, [' '] = SKIP, ['\t'] = SKIP,
};

/* The four codes' 0x40, taken off a whole quartet (the codes are
 * added, not ORed: shifted by 6 they overlap by a bit). */
#define QUARTET_BIAS	((A << 18) + (A << 12) + (A << 6) + A)

/* The rest of the input after the end: only checked. */
static void
check_rest(const unsigned char *p, const unsigned char *end, int *unclean)
{
	for (; p < end; p++)
		if (code[*p] == NOT) {
			*unclean = 1;
			return;
		}
}

size_t
b64_decode(struct b64 *st, const char *in, size_t len, char *out,
    int *unclean)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	unsigned char *o = (unsigned char *)out;
	unsigned saved = st->saved, a, b, c, d, q;
	int n = st->n;

	if (n == -1) {
		check_rest(p, end, unclean);
		return 0;
	}
	while (p < end) {
		/* A whole quartet at a quartet's start. */
		while (n == 0 && end - p >= 4) {
			a = code[p[0]];
			b = code[p[1]];
			c = code[p[2]];
			d = code[p[3]];
			if ((a & b & c & d & A) == 0)
				break;
			q = (a << 18) + (b << 12) + (c << 6) + d - QUARTET_BIAS;
			*o++ = (unsigned char)(q >> 16);
			*o++ = (unsigned char)(q >> 8);
			*o++ = (unsigned char)q;
			p += 4;
		}
		if (p == end)
			break;
		a = code[*p++];
		if (a & A) {
			saved = saved << 6 | (a - A);
			if (++n == 4) {
				*o++ = (unsigned char)(saved >> 16);
				*o++ = (unsigned char)(saved >> 8);
				*o++ = (unsigned char)saved;
				saved = 0;
				n = 0;
			}
		} else if (a == EQ) {
			/* The end: a quartet of 2 or 3 sextets gives its
			 * whole bytes, fewer give none (GMime). */
			if (n > 1) {
				saved <<= 6 * (4 - n);
				*o++ = (unsigned char)(saved >> 16);
				if (n > 2)
					*o++ = (unsigned char)(saved >> 8);
			}
			n = -1;
			check_rest(p, end, unclean);
			break;
		} else if (a == NOT)
			*unclean = 1;
	}
	st->saved = saved;
	st->n = n;
	return (size_t)(o - (unsigned char *)out);
}
