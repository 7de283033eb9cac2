/*
 * pdfscan.c - JavaScript, /Launch and embedded files in a PDF (see
 * pdfscan.h): a byte-at-a-time lexer for names (ISO 32000-1 7.3.5: "/"
 * then regular characters, #xx a byte in hexadecimal) and keywords.
 * "stream" starts stream data, which ends after a direct /Length or at
 * "endstream", whichever comes first (a /Length shorter than the real
 * data cannot hide objects from us); a FlateDecode stream that is not an
 * image, font or embedded file is inflated into a second lexer, which knows no streams (an
 * object stream holds none).
 *
 * Memory: one 16 KB output buffer and zlib's window, freed before
 * returning.  Thread rule: none.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/hex.h"
#include "attach/attype.h"
#include "util/deadline.h"
#include "attach/pdfscan.h"
#include "attach/spool.h"

#define NAME_MAX_PDF	32	/* longer names are none we look for */
#define TOK_MAX		16
#define BLOCK		65536
#define OUTBUF		16384
#define LENGTH_MAX	(1ULL << 40)
#define EHEAD		4096	/* an embedded file's first bytes, sniffed */

/* One lexer: the file's, or the inflated stream's. */
struct lex {
	unsigned char name[NAME_MAX_PDF];
	size_t nlen;
	int inname, toolong, esc, escaped;
	unsigned hexv;
	char tok[TOK_MAX];
	size_t tlen;
	int intok;
};

struct scan {
	struct lex file, inner;
	unsigned flags;
	unsigned long long names, inflated;
	struct deadline *dl;
	int stop;
	/* the dictionary since the last obj/endobj/stream */
	int flate, other_filter, image, embedded, len_state, len_tokens;
	/* len_state: 1 after /Length, 2 after its number, 3 direct */
	unsigned long long length;
	/* stream data */
	int in_stream, skip_lf, em, inflating, zinit;
	unsigned long long left;	/* ULLONG_MAX: to "endstream" */
	z_stream z;
	unsigned char *out;
	/* an embedded file's first bytes: 1 as they are, 2 inflated */
	int peek;
	size_t ehlen;
	unsigned char ehead[EHEAD];
};

static const char endstream[] = "endstream";

static int
delim(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' ||
	    c == ' ' || c == '(' || c == ')' || c == '<' || c == '>' ||
	    c == '[' || c == ']' || c == '{' || c == '}' || c == '/' ||
	    c == '%';
}

static int
is(const struct lex *l, const char *s)
{
	size_t n = strlen(s);

	return l->nlen == n && memcmp(l->name, s, n) == 0;
}

static void
dict_reset(struct scan *s)
{
	s->flate = s->other_filter = s->image = s->embedded = 0;
	s->len_state = s->len_tokens = 0;
	s->length = 0;
}

/* A whole name: what it means, and for the file's dictionary, what it
 * says about the stream that may follow. */
static void
name_end(struct scan *s, struct lex *l, int file)
{
	unsigned f = 0;

	l->inname = 0;
	if (++s->names > PDF_MAX_NAMES) {
		s->flags |= PDF_TRUNCATED;
		s->stop = 1;
		return;
	}
	if (l->toolong)
		return;
	if (is(l, "JS") || is(l, "JavaScript"))
		f = PDF_JAVASCRIPT;
	else if (is(l, "Launch"))
		f = PDF_LAUNCH;
	else if (is(l, "EmbeddedFile") || is(l, "EmbeddedFiles") ||
	    is(l, "EF"))
		f = PDF_EMBEDDED;
	s->flags |= f | (f != 0 && l->escaped ? PDF_ESCAPED : 0);
	if (!file)
		return;
	if (s->len_state == 1 || s->len_state == 2)
		s->len_state = s->len_state == 2 ? 3 : 0;
	if (is(l, "FlateDecode"))
		s->flate = 1;
	else if (l->nlen > 6 && memcmp(l->name + l->nlen - 6, "Decode", 6) == 0)
		s->other_filter = 1;
	else if (is(l, "Crypt"))
		s->other_filter = 1;
	else if (is(l, "EmbeddedFile"))
		s->embedded = s->image = 1;	/* sniffed, not lexed */
	else if (is(l, "Image") || is(l, "Length1") || is(l, "Length2") ||
	    is(l, "Length3") || is(l, "Type1C") || is(l, "CIDFontType0C") ||
	    is(l, "OpenType"))
		s->image = 1;	/* binary data: names by chance */
	else if (is(l, "Length"))
		s->len_state = 1;
}

static int
tok_is(const struct lex *l, const char *k)
{
	return l->tlen == strlen(k) && memcmp(l->tok, k, l->tlen) == 0;
}

/* A whole keyword or number in the file (the inner lexer needs none):
 * obj and endobj start a new dictionary, stream starts stream data.
 * /Length n is direct unless "n g R" follows. */
static void
tok_end(struct scan *s, struct lex *l, unsigned char c)
{
	unsigned long long v = 0;
	size_t i;

	l->intok = 0;
	if (s->len_state == 1) {
		for (i = 0; i < l->tlen && l->tok[i] >= '0' &&
		    l->tok[i] <= '9' && v < LENGTH_MAX; i++)
			v = v * 10 + (unsigned)(l->tok[i] - '0');
		s->len_state = i == l->tlen && i > 0 && v < LENGTH_MAX ? 2 : 0;
		s->length = v;
		s->len_tokens = 0;
	} else if (s->len_state == 2 && ++s->len_tokens == 2 &&
	    tok_is(l, "R"))
		s->len_state = 0;
	if (tok_is(l, "obj") || tok_is(l, "endobj")) {
		dict_reset(s);
	} else if (tok_is(l, "stream")) {
		s->in_stream = 1;
		s->skip_lf = c == '\r';
		s->em = 0;
		s->left = s->len_state >= 2 ? s->length : ULLONG_MAX;
		s->inflating = s->flate && !s->other_filter && !s->image &&
		    s->zinit && inflateReset(&s->z) == Z_OK;
		s->ehlen = 0;
		s->peek = !s->embedded || s->other_filter ? 0 : !s->flate ? 1 :
		    inflateReset(&s->z) == Z_OK ? 2 : 0;
	}
}

static void
lex_byte(struct scan *s, struct lex *l, int file, unsigned char c)
{
	int h;

	if (l->inname) {
		if (l->esc) {
			if ((h = hex_value(c)) >= 0) {
				l->hexv = l->hexv * 16 + (unsigned)h;
				if (++l->esc < 3)
					return;
				c = (unsigned char)l->hexv;
				l->escaped = 1;
				l->esc = 0;
				goto add;
			}
			/* not #xx: the # (and a digit) stand for
			 * themselves */
			if (l->nlen + (size_t)l->esc <= NAME_MAX_PDF) {
				l->name[l->nlen++] = '#';
				if (l->esc == 2)
					l->name[l->nlen++] =
					    "0123456789ABCDEF"[l->hexv & 15];
			} else
				l->toolong = 1;
			l->esc = 0;
		}
		if (!delim(c)) {
			if (c == '#') {
				l->esc = 1;
				l->hexv = 0;
				return;
			}
add:
			if (l->nlen < NAME_MAX_PDF)
				l->name[l->nlen++] = c;
			else
				l->toolong = 1;
			return;
		}
		name_end(s, l, file);
	} else if (l->intok) {
		if (!delim(c)) {
			if (l->tlen < TOK_MAX)
				l->tok[l->tlen++] = (char)c;
			return;
		}
		if (file)
			tok_end(s, l, c);
		l->intok = 0;
		if (file && s->in_stream)
			return;
	}
	if (c == '/') {
		l->inname = 1;
		l->nlen = 0;
		l->toolong = l->esc = l->escaped = 0;
	} else if (!delim(c)) {
		l->intok = 1;
		l->tlen = 0;
		l->tok[l->tlen++] = (char)c;
	}
}

/* Inflates n bytes of stream data into the inner lexer. */
static void
inflate_run(struct scan *s, const unsigned char *p, size_t n)
{
	size_t got, i;
	int r;

	s->z.next_in = (unsigned char *)p;
	s->z.avail_in = (uInt)n;
	while (s->inflating && s->z.avail_in > 0 && !s->stop) {
		s->z.next_out = s->out;
		s->z.avail_out = OUTBUF;
		r = inflate(&s->z, Z_NO_FLUSH);
		got = OUTBUF - s->z.avail_out;
		for (i = 0; i < got && !s->stop; i++)
			lex_byte(s, &s->inner, 0, s->out[i]);
		s->inflated += got;
		if (s->inflated > PDF_INFLATE_MAX || deadline_passed(s->dl)) {
			s->flags |= PDF_TRUNCATED;
			s->stop = 1;
		}
		if (r != Z_OK || (got == 0 && s->z.avail_in > 0))
			s->inflating = 0;
	}
}

/* The first EHEAD bytes of an embedded file, as they are or inflated;
 * a program there is PDF_EXECUTABLE (attype_sniff, as for a part). */
static void
peek_run(struct scan *s, const unsigned char *p, size_t n, int end)
{
	const char *t;
	size_t k;

	if (s->peek == 1 && s->ehlen < EHEAD && n > 0) {
		k = n < EHEAD - s->ehlen ? n : EHEAD - s->ehlen;
		memcpy(s->ehead + s->ehlen, p, k);
		s->ehlen += k;
	} else if (s->peek == 2 && s->ehlen < EHEAD && n > 0) {
		s->z.next_in = (unsigned char *)p;
		s->z.avail_in = (uInt)n;
		s->z.next_out = s->ehead + s->ehlen;
		s->z.avail_out = (uInt)(EHEAD - s->ehlen);
		if (inflate(&s->z, Z_NO_FLUSH) != Z_OK)
			s->peek = 3;	/* done or damaged: keep what came */
		s->ehlen = EHEAD - s->z.avail_out;
	}
	if ((end || s->ehlen == EHEAD) && s->peek != 0) {
		t = attype_sniff(s->ehead, s->ehlen, s->ehlen);
		if (s->ehlen > 0 && attype_is_executable(t))
			s->flags |= PDF_EXECUTABLE;
		s->peek = 0;
	}
}

/* Stream data from p: how many bytes of it belong to the stream. */
static size_t
stream_run(struct scan *s, const unsigned char *p, size_t n)
{
	size_t i = 0, start;
	int end = 0;

	if (s->skip_lf) {
		s->skip_lf = 0;
		if (p[0] == '\n')
			i = 1;
	}
	start = i;
	for (; i < n && !end; i++) {
		if (s->left != ULLONG_MAX && s->left-- == 0) {
			end = 1;
			break;
		}
		if (p[i] == (unsigned char)endstream[s->em])
			end = ++s->em == sizeof(endstream) - 1;
		else if (s->em > 0 && endstream[s->em - 1] == 'e' &&
		    p[i] == 'n')
			s->em = 2;
		else
			s->em = p[i] == 'e';
	}
	if (s->inflating)
		inflate_run(s, p + start, i - start);
	if (s->peek)
		peek_run(s, p + start, i - start, end);
	if (end) {
		s->in_stream = 0;
		s->inflating = 0;
		if (s->inner.inname)
			name_end(s, &s->inner, 0);
		memset(&s->inner, 0, sizeof(s->inner));
		dict_reset(s);
	}
	return i;
}

static void
feed(struct scan *s, const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && !s->stop) {
		if (s->in_stream)
			i += stream_run(s, p + i, n - i);
		else
			lex_byte(s, &s->file, 1, p[i++]);
	}
}

static int
scan_open(struct scan *s, struct deadline *dl)
{
	memset(s, 0, sizeof(*s));
	s->dl = dl;
	if ((s->out = malloc(OUTBUF)) == NULL)
		return -1;
	if (inflateInit(&s->z) != Z_OK) {
		free(s->out);
		return -1;
	}
	s->zinit = 1;
	return 0;
}

static int
scan_close(struct scan *s)
{
	if (!s->stop && s->file.inname)
		name_end(s, &s->file, 1);
	if (s->inner.inname && !s->stop)
		name_end(s, &s->inner, 0);
	if (s->peek)
		peek_run(s, NULL, 0, 1);
	inflateEnd(&s->z);
	free(s->out);
	return (int)s->flags;
}

int
pdfscan_is_pdf(const unsigned char *head, size_t len)
{
	return head != NULL && len >= 5 &&
	    memmem(head, len < 1024 ? len : 1024, "%PDF-", 5) != NULL;
}

int
pdfscan_buffer(const unsigned char *p, size_t len, struct deadline *dl)
{
	struct scan s;
	size_t off, n;

	if (scan_open(&s, dl) == -1)
		return -1;
	for (off = 0; off < len && !s.stop; off += n) {
		n = len - off < BLOCK ? len - off : BLOCK;
		if (off >= PDF_SCAN_MAX || deadline_passed(dl)) {
			s.flags |= PDF_TRUNCATED;
			break;
		}
		feed(&s, p + off, n);
	}
	return scan_close(&s);
}

int
pdfscan_spool(struct spool *sp, struct deadline *dl)
{
	unsigned long long off = 0;
	unsigned char *buf;
	struct scan s;
	ssize_t r;

	if ((buf = malloc(BLOCK)) == NULL)
		return -1;
	if (scan_open(&s, dl) == -1) {
		free(buf);
		return -1;
	}
	while (!s.stop && (r = spool_pread(sp, buf, BLOCK, off)) > 0) {
		if (off >= PDF_SCAN_MAX || deadline_passed(dl)) {
			s.flags |= PDF_TRUNCATED;
			break;
		}
		off += (unsigned long long)r;
		feed(&s, buf, (size_t)r);
	}
	free(buf);
	return scan_close(&s);
}
