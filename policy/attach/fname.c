/*
 * fname.c - attachment names as users see them (see fname.h).
 *
 * Exports fname_parse (which also has namecheck.c judge the whole input,
 * before the cut and the last component), fname_escape.  No shared
 * state.
 * Caps: names are cut at FNAME_MAX bytes (FNAME_CUT), extensions at
 * FNAME_EXT_MAX, bidi nesting at UAX #9's max_depth (125).
 * The display order is a small model of the Unicode bidi algorithm (UAX
 * #9): the explicit embeddings, overrides and isolates (X1-X10, with FSI
 * taken as LRI) give levels, every other character counts as strong
 * left-to-right (true of the Latin names the "RLO trick" spoofs, e.g.
 * ".exe" shown as ".pdf"), and rule L2 reverses runs by level.  Natural
 * right-to-left letters (Hebrew, Arabic) are not reordered.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "attach/fname.h"
#include "util/utf8.h"

#define CP_BAD	0xfffd
#define BIDI_MAX	125	/* UAX #9 max_depth */

/* Decodes one UTF-8 character of s (n > 0 bytes); *len gets its length.
 * Invalid, overlong and surrogate sequences give CP_BAD for one byte. */
static uint32_t
utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	static const unsigned char lead_bits[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp;
	size_t need, i;

	*len = 1;
	if ((need = utf8_seq_len(s, n)) == 0)
		return CP_BAD;
	cp = s[0] & lead_bits[need];
	for (i = 1; i < need; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	*len = need;
	return cp;
}

static size_t
utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Explicit direction formatting characters (UAX #9 2.1-2.4, ALM). */
static int
is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	    cp == 0x061c;
}

/* Characters that render as nothing and can hide or split an
 * extension. */
static int
is_invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200d) ||
	    (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff || cp == 0x00ad ||
	    cp == 0x180e || cp == 0x034f || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/* The extension after the last '.' of s[0..n), lower case, when it is
 * 1..FNAME_EXT_MAX ASCII letters or digits; else "".  Returns the index
 * of that dot, or n. */
static size_t
ext_of(const char *s, size_t n, char *ext)
{
	size_t dot, i;

	ext[0] = '\0';
	for (dot = n; dot > 0 && s[dot - 1] != '.'; dot--)
		;
	if (dot == 0)
		return n;
	dot--;
	if (n - dot - 1 == 0 || n - dot - 1 > FNAME_EXT_MAX)
		return dot;
	for (i = dot + 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))) {
			ext[0] = '\0';	/* not half an extension */
			return dot;
		}
		ext[i - dot - 1] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	ext[n - dot - 1] = '\0';
	return dot;
}

/* Explicit levels (UAX #9 X1-X8), enough for names. */
struct bidi {
	unsigned char level[BIDI_MAX + 1];	/* [0]: paragraph, 0 */
	unsigned char ovr[BIDI_MAX + 1];	/* 0, 'L' or 'R' */
	unsigned char iso[BIDI_MAX + 1];
	int depth, overflow;
};

static void
bidi_push(struct bidi *b, uint32_t cp)
{
	unsigned cur = b->level[b->depth], next;
	int rtl = cp == 0x202b || cp == 0x202e || cp == 0x2067;

	next = rtl ? (cur + 1) | 1 : (cur + 2) & ~1U;
	if (b->overflow || next > BIDI_MAX || b->depth >= BIDI_MAX) {
		b->overflow++;
		return;
	}
	b->depth++;
	b->level[b->depth] = (unsigned char)next;
	b->ovr[b->depth] = cp == 0x202e ? 'R' : cp == 0x202d ? 'L' : 0;
	b->iso[b->depth] = cp >= 0x2066;
}

static void
bidi_pop(struct bidi *b, uint32_t cp)
{
	if (b->overflow) {
		b->overflow--;
		return;
	}
	if (cp == 0x202c) {		/* PDF: not past an isolate */
		if (b->depth > 0 && !b->iso[b->depth])
			b->depth--;
		return;
	}
	while (b->depth > 0 && !b->iso[b->depth])	/* PDI */
		b->depth--;
	if (b->depth > 0)
		b->depth--;
}

/* The level of a strong left-to-right character here. */
static unsigned char
bidi_level(const struct bidi *b)
{
	unsigned char l = b->level[b->depth];

	return b->ovr[b->depth] || !(l & 1) ? l : l + 1;
}

/* UAX #9 L2 on cps[start, end): from the highest level down to the lowest
 * odd one, reverse every run at that level or higher.  1 when anything
 * moved. */
static int
reorder(uint32_t *cps, unsigned char *lvl, size_t start, size_t end)
{
	unsigned char hi = 0, lo = 255, l, tl;
	size_t i, j, k;
	uint32_t t;

	for (i = start; i < end; i++) {
		hi = lvl[i] > hi ? lvl[i] : hi;
		lo = lvl[i] < lo ? lvl[i] : lo;
	}
	if (hi == 0 || start == end)
		return 0;
	lo |= 1;
	for (l = hi; l >= lo && l > 0; l--)
		for (i = start; i < end; i = j + 1) {
			for (; i < end && lvl[i] < l; i++)
				;
			for (j = i; j < end && lvl[j] >= l; j++)
				;
			for (k = 0; i + k < j - 1 - k; k++) {
				t = cps[i + k];
				cps[i + k] = cps[j - 1 - k];
				cps[j - 1 - k] = t;
				tl = lvl[i + k];
				lvl[i + k] = lvl[j - 1 - k];
				lvl[j - 1 - k] = tl;
			}
			if (j >= end)
				break;
		}
	return 1;
}

int
fname_parse(struct arena *a, const char *raw, struct fname *out)
{
	const unsigned char *p = (const unsigned char *)raw;
	size_t n = strlen(raw), i, len, nl = 0, start, end;
	struct bidi bidi;
	unsigned char *lvl;
	uint32_t cp, *cps;
	char *name, *shown;

	memset(out, 0, sizeof(*out));
	memset(&bidi, 0, sizeof(bidi));
	(void)namecheck_name(raw, n, &out->check);
	if (n > FNAME_MAX) {
		n = FNAME_MAX;
		out->flags |= FNAME_CUT;
	}
	/* Worst case: every byte becomes U+FFFD (3 bytes). */
	if ((out->raw = arena_strndup(a, raw, n)) == NULL ||
	    (cps = arena_calloc(a, n + 1, sizeof(*cps))) == NULL ||
	    (lvl = arena_calloc(a, n + 1, 1)) == NULL ||
	    (name = arena_alloc(a, 3 * n + 1)) == NULL ||
	    (shown = arena_alloc(a, 3 * n + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i += len) {
		cp = utf8_next(p + i, n - i, &len);
		if (cp == CP_BAD)
			out->flags |= FNAME_BADUTF8;
		if ((cp >= 0x202a && cp <= 0x202e && cp != 0x202c) ||
		    (cp >= 0x2066 && cp <= 0x2068))
			bidi_push(&bidi, cp);
		else if (cp == 0x202c || cp == 0x2069)
			bidi_pop(&bidi, cp);
		if (is_bidi(cp)) {
			out->flags |= FNAME_BIDI;
			continue;
		}
		if (is_invisible(cp)) {
			out->flags |= FNAME_INVISIBLE;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			out->flags |= FNAME_CONTROL;
			continue;
		}
		/* Windows and Unix separators: keep the last component. */
		if (cp == '/' || cp == '\\') {
			out->flags |= FNAME_PATH;
			nl = 0;
			continue;
		}
		lvl[nl] = bidi_level(&bidi);
		cps[nl++] = cp;
	}
	/* Leading blanks and trailing dots and blanks go, as Windows does. */
	for (start = 0; start < nl && (cps[start] == ' ' ||
	    cps[start] == '\t'); start++)
		;
	for (end = nl; end > start && (cps[end - 1] == '.' ||
	    cps[end - 1] == ' ' || cps[end - 1] == '\t'); end--)
		out->flags |= FNAME_TRIMMED;
	for (i = start, len = 0; i < end; i++)
		len += utf8_put(cps[i], name + len);
	name[len] = '\0';
	out->name = name;
	if (reorder(cps, lvl, start, end)) {
		for (i = start, len = 0; i < end; i++)
			len += utf8_put(cps[i], shown + len);
		shown[len] = '\0';
		if (strcmp(shown, name) != 0)
			out->shown = shown;
	}
	len = strlen(name);
	i = ext_of(name, len, out->ext);
	if (out->ext[0] != '\0') {
		/* "invoice.pdf   .exe": blanks before the last dot hide
		 * the real extension in a narrow column. */
		while (i > 0 && (name[i - 1] == ' ' || name[i - 1] == '\t'))
			i--;
		(void)ext_of(name, i, out->ext2);
	}
	return 0;
}

char *
fname_escape(struct arena *a, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len, o = 0;
	char *out, tmp[16];
	uint32_t cp;
	int k;

	if (max > SIZE_MAX - 4 || (out = arena_alloc(a, max + 4)) == NULL)
		return NULL;
	for (i = 0; i < n; i += len) {
		cp = utf8_next(p + i, n - i, &len);
		if (cp >= 0x20 && cp < 0x7f) {
			tmp[0] = (char)cp;
			k = 1;
		} else
			k = snprintf(tmp, sizeof(tmp), "<U+%04X>",
			    (unsigned)cp);
		if (o + (size_t)k > max) {
			memcpy(out + o, "...", 4);
			return out;
		}
		memcpy(out + o, tmp, (size_t)k);
		o += (size_t)k;
	}
	out[o] = '\0';
	return out;
}
