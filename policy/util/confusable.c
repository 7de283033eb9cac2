/*
 * confusable.c - IDNA ToUnicode, UTS #39 skeletons, charset conversion and RFC 2047
 * decoding on ICU, for the lookalike index and the display-name checks.
 *
 * Exports confusable_*.  Owns three process-wide ICU objects, opened once
 * (pthread_once) and never changed or closed: the UTS #46 IDNA instance,
 * the spoof checker and the NFKC_Casefold normaliser.  ICU documents all
 * three as safe for concurrent use once configured, so any thread may
 * call any function here.  Work is on fixed stack buffers of FOLD_UNITS
 * UTF-16 units; an input over CONFUSABLE_TEXT_MAX bytes is refused.
 *
 * Unicode: UTS #46 (nontransitional processing, CheckBidi, CheckJoiners;
 * not UseSTD3ASCIIRules, so '_' stays allowed as it is in real mail
 * domains), UTS #39 section 4 (skeleton), UAX #15 (NFKC_Casefold).
 * RFC 5890-5893 through UTS #46.  RFC 2047 sections 2-6 (encoded-words
 * in display names; charsets through ICU converters), RFC 2231 section 5
 * (a language suffix on the charset).
 *
 * Choices:
 * - ToASCII of a name in U-labels is libidn2's (util/idna.c), the same
 *   conversion the From domain gets, so that configured names, the
 *   lookalike index and the From agree on every A-label; ICU's UTS #46
 *   instance only decodes A-labels for the skeleton, where libidn2 has
 *   no confusable data to go with it.  A U-label IDNA 2008 refuses is
 *   not a domain (-1), no longer kept with idna_error.
 * - A-labels that do not decode ("xn--zzzz") are kept as written and
 *   reported (idna_error): a checker must still compare them, and the
 *   broken label is itself a sign of a hand-made name.  Other IDNA
 *   complaints about plain ASCII labels (hyphens in positions 3-4, as in
 *   "r3---sn-x.googlevideo.com") are ignored.
 * - The fold drops nonspacing marks after the skeleton, so that
 *   "paypäl" and "paypal" compare equal: a mark is easy to miss at mail
 *   client font sizes, and person names are matched without accents.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/uidna.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

#include "util/hex.h"
#include "util/confusable.h"
#include "util/idna.h"

/* UTF-16 units of scratch: a skeleton may be a few times longer than its
 * input (one character can map to three), so four per input byte would
 * be generous; the cap on input keeps this a fixed size. */
#define FOLD_UNITS	(2 * CONFUSABLE_TEXT_MAX)
#define LABEL_MAX	63

static pthread_once_t icu_once = PTHREAD_ONCE_INIT;
static UIDNA *icu_idna;
static USpoofChecker *icu_spoof;
static const UNormalizer2 *icu_nfkccf;

static void
icu_open(void)
{
	UErrorCode st = U_ZERO_ERROR;

	icu_idna = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII |
	    UIDNA_NONTRANSITIONAL_TO_UNICODE | UIDNA_CHECK_BIDI |
	    UIDNA_CHECK_CONTEXTJ, &st);
	if (U_FAILURE(st))
		icu_idna = NULL;
	st = U_ZERO_ERROR;
	icu_spoof = uspoof_open(&st);
	if (U_FAILURE(st))
		icu_spoof = NULL;
	st = U_ZERO_ERROR;
	icu_nfkccf = unorm2_getNFKCCasefoldInstance(&st);
	if (U_FAILURE(st))
		icu_nfkccf = NULL;
}

static int
icu_ready(void)
{
	pthread_once(&icu_once, icu_open);
	return icu_idna != NULL && icu_spoof != NULL && icu_nfkccf != NULL;
}

/* 1 when every label is 1..63 bytes of [a-z0-9_-] and the name at most
 * CONFUSABLE_DOMAIN_MAX bytes. */
static int
ldh_valid(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > CONFUSABLE_DOMAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (++label > LABEL_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return 0;
	}
	return label > 0;
}

static int
is_ace(const char *label, size_t n)
{
	return n >= 4 && memcmp(label, "xn--", 4) == 0;
}

int
confusable_domain_ascii(const char *in, size_t len, char *out,
    size_t outlen, int *idna_error)
{
	const char *why;
	size_t i;
	int ascii = 1, n;

	*idna_error = 0;
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > CONFUSABLE_TEXT_MAX ||
	    outlen < CONFUSABLE_DOMAIN_MAX + 1)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			ascii = 0;
	if (ascii) {
		/* ASCII is its own A-label form once lower-cased; whether
		 * its xn-- labels decode is for confusable_domain_unicode. */
		if (len > CONFUSABLE_DOMAIN_MAX)
			return -1;
		for (i = 0; i < len; i++) {
			char c = in[i];

			out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a')
			    : c;
		}
		out[len] = '\0';
		return ldh_valid(out, len) ? (int)len : -1;
	}
	/* One ToASCII for every name we compare: libidn2's (idna.c), the
	 * one the From domain goes through, so a protected domain written
	 * in U-labels has the A-label a From in U-labels gets.  A name
	 * IDNA 2008 refuses is not a name here either. */
	n = idna_domain_ascii(in, len, out, outlen, &why);
	return n >= 0 && ldh_valid(out, (size_t)n) ? n : -1;
}

/* Appends label [p, p+n) decoded, or as written when it does not
 * decode. */
static int
label_unicode(const char *p, size_t n, char *out, size_t outlen,
    size_t *o, int *idna_error)
{
	UIDNAInfo info = UIDNA_INFO_INITIALIZER;
	UErrorCode st = U_ZERO_ERROR;
	int32_t m;

	if (*o >= outlen)
		return -1;
	m = uidna_labelToUnicodeUTF8(icu_idna, p, (int32_t)n, out + *o,
	    (int32_t)(outlen - *o), &info, &st);
	if (U_SUCCESS(st) && info.errors == 0 && m >= 0 &&
	    (size_t)m < outlen - *o) {
		*o += (size_t)m;
		return 0;
	}
	if (is_ace(p, n))
		*idna_error = 1;
	if (n >= outlen - *o)
		return -1;
	memcpy(out + *o, p, n);
	*o += n;
	return 0;
}

int
confusable_domain_unicode(const char *ascii, size_t len, char *out,
    size_t outlen, int *idna_error)
{
	UIDNAInfo info = UIDNA_INFO_INITIALIZER;
	UErrorCode st = U_ZERO_ERROR;
	const char *p, *end = ascii + len, *dot;
	size_t o = 0;
	int n;

	*idna_error = 0;
	if (outlen == 0 || len > CONFUSABLE_DOMAIN_MAX || !icu_ready())
		return -1;
	n = uidna_nameToUnicodeUTF8(icu_idna, ascii, (int32_t)len, out,
	    (int32_t)outlen - 1, &info, &st);
	if (U_SUCCESS(st) && info.errors == 0 && n >= 0 &&
	    (size_t)n < outlen) {
		out[n] = '\0';
		return n;
	}
	/* Label by label, keeping those that do not decode as written. */
	for (p = ascii; p <= end; p = dot + 1) {
		if ((dot = memchr(p, '.', (size_t)(end - p))) == NULL)
			dot = end;
		if (p != ascii) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		if (label_unicode(p, (size_t)(dot - p), out, outlen - 1, &o,
		    idna_error) == -1)
			return -1;
	}
	out[o] = '\0';
	return (int)o;
}

/* Drops nonspacing marks (general category Mn) in place; returns the new
 * length. */
static int32_t
drop_marks(UChar *s, int32_t n)
{
	int32_t i = 0, o = 0, start;
	UChar32 c;

	while (i < n) {
		start = i;
		U16_NEXT(s, i, n, c);
		if (u_charType(c) == U_NON_SPACING_MARK)
			continue;
		while (start < i)
			s[o++] = s[start++];
	}
	return o;
}

/* in (len bytes of UTF-8, ill-formed bytes as U+FFFD) under NFKC_Casefold
 * into out (FOLD_UNITS), using tmp; its length, or -1. */
static int32_t
nfkccf(const char *in, size_t len, UChar *tmp, UChar *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	if (len > CONFUSABLE_TEXT_MAX || !icu_ready())
		return -1;
	u_strFromUTF8WithSub(tmp, FOLD_UNITS, &n, in, (int32_t)len, 0xfffd,
	    NULL, &st);
	if (U_FAILURE(st) || n >= FOLD_UNITS)
		return -1;
	n = unorm2_normalize(icu_nfkccf, tmp, n, out, FOLD_UNITS, &st);
	if (U_FAILURE(st) || n >= FOLD_UNITS)
		return -1;
	return n;
}

/* s (n units) as NUL-terminated UTF-8 in out; its length, or -1 when it
 * does not fit. */
static int
utf16_out(const UChar *s, int32_t n, char *out, size_t outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t m;

	u_strToUTF8(out, (int32_t)(outlen > INT32_MAX ? INT32_MAX : outlen),
	    &m, s, n, &st);
	if (U_FAILURE(st) || m < 0 || (size_t)m >= outlen)
		return -1;
	out[m] = '\0';
	return m;
}

int
confusable_fold(const char *in, size_t len, char *out, size_t outlen)
{
	UChar a[FOLD_UNITS], b[FOLD_UNITS];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	if (outlen == 0 || (n = nfkccf(in, len, a, b)) < 0)
		return -1;
	n = uspoof_getSkeleton(icu_spoof, 0, b, n, a, FOLD_UNITS, &st);
	if (U_FAILURE(st) || n >= FOLD_UNITS)
		return -1;
	n = u_strFoldCase(b, FOLD_UNITS, a, n, U_FOLD_CASE_DEFAULT, &st);
	if (U_FAILURE(st) || n >= FOLD_UNITS)
		return -1;
	n = drop_marks(b, n);
	return utf16_out(b, n, out, outlen);
}

int
confusable_casefold(const char *in, size_t len, char *out, size_t outlen)
{
	UChar a[FOLD_UNITS], b[FOLD_UNITS];
	int32_t n;

	if (outlen == 0 || (n = nfkccf(in, len, a, b)) < 0)
		return -1;
	return utf16_out(b, n, out, outlen);
}

int
confusable_to_utf8(const char *charset, const char *in, size_t len,
    char *out, size_t outlen)
{
	UChar u[FOLD_UNITS];
	UErrorCode st = U_ZERO_ERROR;
	UConverter *cv;
	int32_t n, m;

	/* ucnv_open takes NULL or "" for the process default charset:
	 * never what a message meant. */
	if (charset == NULL || *charset == '\0' ||
	    len > CONFUSABLE_TEXT_MAX || outlen == 0)
		return -1;
	cv = ucnv_open(charset, &st);
	if (U_FAILURE(st) || cv == NULL)
		return -1;
	n = ucnv_toUChars(cv, u, FOLD_UNITS, in, (int32_t)len, &st);
	ucnv_close(cv);
	if (U_FAILURE(st) || n >= FOLD_UNITS)
		return -1;
	u_strToUTF8WithSub(out, (int32_t)(outlen > INT32_MAX ? INT32_MAX :
	    outlen), &m, u, n, 0xfffd, NULL, &st);
	if (U_FAILURE(st) || m < 0 || (size_t)m >= outlen)
		return -1;
	out[m] = '\0';
	return m;
}

/* RFC 2047 encoded-word at p: "=?charset[*lang]?B|Q?text?=".  On success
 * fills the parts and returns the end; NULL when p is not one. */
static const char *
parse_word(const char *p, char *charset, size_t cslen, char *enc,
    const char **text, size_t *tlen)
{
	const char *q = p + 2, *cs = q, *t;
	size_t n;

	if (p[0] != '=' || p[1] != '?')
		return NULL;
	while (*q != '\0' && *q != '?' && *q > ' ' && *q < 0x7f)
		q++;
	if (*q != '?' || q == cs)
		return NULL;
	n = (size_t)(q - cs);
	if (memchr(cs, '*', n) != NULL)		/* RFC 2231 language */
		n = (size_t)((const char *)memchr(cs, '*', n) - cs);
	if (n == 0 || n >= cslen)
		return NULL;
	memcpy(charset, cs, n);
	charset[n] = '\0';
	*enc = q[1];
	if ((*enc != 'b' && *enc != 'B' && *enc != 'q' && *enc != 'Q') ||
	    q[2] != '?')
		return NULL;
	for (t = q + 3; *t != '\0' && !(t[0] == '?' && t[1] == '='); t++)
		if ((unsigned char)*t <= ' ' || *t == 0x7f)
			return NULL;
	if (*t == '\0')
		return NULL;
	*text = q + 3;
	*tlen = (size_t)(t - *text);
	return t + 2;
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* The bytes an encoded-word's text stands for; length or -1. */
static int
word_bytes(char enc, const char *t, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	unsigned acc = 0, bits = 0;
	int v, w;

	for (i = 0; i < n; i++) {
		if (o + 1 >= outlen)
			return -1;
		if (enc == 'b' || enc == 'B') {
			if (t[i] == '=')
				break;
			if ((v = b64val(t[i])) < 0)
				return -1;
			acc = (acc << 6) | (unsigned)v;
			if ((bits += 6) >= 8) {
				bits -= 8;
				out[o++] = (char)((acc >> bits) & 0xff);
			}
		} else if (t[i] == '_')
			out[o++] = ' ';
		else if (t[i] == '=') {
			if (i + 2 >= n || (v = hex_value(t[i + 1])) < 0 ||
			    (w = hex_value(t[i + 2])) < 0)
				return -1;
			out[o++] = (char)(v << 4 | w);
			i += 2;
		} else
			out[o++] = t[i];
	}
	return (int)o;
}

/* Decodes one encoded-word at p into out + *o; the end, or NULL when it
 * is not a decodable word (then nothing was written). */
static const char *
decode_word(const char *p, char *out, size_t outlen, size_t *o)
{
	char charset[48], bytes[CONFUSABLE_TEXT_MAX + 1], enc;
	const char *text, *end;
	size_t tlen;
	int n, m;

	if ((end = parse_word(p, charset, sizeof(charset), &enc, &text,
	    &tlen)) == NULL ||
	    (n = word_bytes(enc, text, tlen, bytes, sizeof(bytes))) < 0 ||
	    (m = confusable_to_utf8(charset, bytes, (size_t)n, out + *o,
	    outlen - *o)) < 0)
		return NULL;
	*o += (size_t)m;
	return end;
}

void
confusable_decode_words(const char *in, char *out, size_t outlen)
{
	const char *p = in, *q, *end;
	size_t o = 0;
	int after_word = 0;

	if (outlen == 0)
		return;
	while (*p != '\0' && o + 1 < outlen) {
		if ((end = decode_word(p, out, outlen, &o)) != NULL) {
			p = end;
			after_word = 1;
			continue;
		}
		if (after_word && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n')) {
			for (q = p; *q == ' ' || *q == '\t' || *q == '\r' ||
			    *q == '\n'; q++)
				;
			if (q[0] == '=' && q[1] == '?' &&
			    (end = decode_word(q, out, outlen, &o)) != NULL) {
				p = end;
				continue;
			}
		}
		after_word = 0;
		out[o++] = *p++;
	}
	out[o] = '\0';
}
