/*
 * mimescan.c - linear passes over the raw message for mime.c (see
 * mimescan.h): where GMime's input is cut, which bytes it sees otherwise,
 * and the file names in the part headers past the cut.
 *
 * Exports mimescan_prepare, mimescan_tail to mime.c.  The patch list is
 * arena memory (at most one patch per max_line bytes, per 4 x
 * max_header_length bytes and per header GMime parses).  Thread rule:
 * one walk, one thread.  Caps: the deadline, checked per block; the
 * walk's budget of boundary lines and of parsed header bytes; at most
 * MIMESCAN_COLONS colons in one such header; tail headers longer than
 * max_header_length are skipped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "attach/mime.h"
#include "attach/mimescan.h"
#include "attach/spool.h"

#define BLOCK	16384
#define FIELD_MAX	12	/* longer than any name of parsed[] */

/* The headers GMime parses as soon as it builds a message (gmime-message.c
 * process_header): the address lists recursively (one C frame per nested
 * group: 50,000 "g:" overflow the stack), the others eagerly.  The walk
 * needs none of them. */
static const char *const parsed[] = {
	"sender", "from", "reply-to", "to", "cc", "bcc", "subject", "date",
	"message-id", NULL
};

/* The pass: the line being read as GMime will see it (a patched LF ends
 * a line), and the header field it belongs to. */
struct scan {
	const struct mime_limits *lim;
	struct mimescan_budget *b;
	struct arena *a;
	struct mimescan *ms;
	unsigned long long start;	/* offset of the line's first byte */
	unsigned long long col;		/* bytes so far (LF excluded) */
	unsigned long long run;		/* bytes of the continuation lines
					   before it */
	unsigned long long colons;	/* ':' in the line */
	unsigned char head[2];
	char name[FIELD_MAX + 1];	/* lower case, while it may be one
					   of parsed[] */
	size_t nname;
	enum { N_NAME, N_BLANK, N_DONE, N_NOT } nstate;
	unsigned char last;		/* the byte before the next piece */
	int cont, counted;
	int field;			/* the field is one GMime parses */
	unsigned long long fstart, fbytes, fcolons;
	int top;			/* in the spool's own header block */
};

static int
add_patch(struct scan *s, unsigned long long off, unsigned char byte)
{
	struct mimescan *ms = s->ms;
	struct spool_patch *n;
	size_t ncap;

	if (ms->npatch == ms->cap) {
		ncap = ms->cap ? ms->cap * 2 : 64;
		if ((n = arena_calloc(s->a, ncap, sizeof(*n))) == NULL)
			return -1;
		if (ms->npatch)
			memcpy(n, ms->patch, ms->npatch * sizeof(*n));
		ms->patch = n;
		ms->cap = ncap;
	}
	ms->patch[ms->npatch].off = off;
	ms->patch[ms->npatch++].byte = byte;
	return 0;
}

static int
by_offset(const void *x, const void *y)
{
	const struct spool_patch *p = x, *q = y;

	return p->off < q->off ? -1 : p->off > q->off;
}

/* The line's name is one of parsed[] (GMime: the bytes before the first
 * colon, blanks allowed before it, none inside). */
static int
parsed_name(const struct scan *s)
{
	size_t i;

	if (s->nstate != N_DONE)
		return 0;
	for (i = 0; parsed[i] != NULL; i++)
		if (strcmp(s->name, parsed[i]) == 0)
			return 1;
	return 0;
}

/* Reads the field name off the line's first bytes.  Only whether it is
 * one of parsed[] matters, and those are letters and '-', starting with
 * one of a few letters: any other byte ends the reading at once (a body
 * line of base64 or prose is given up after a byte or a few, not after
 * FIELD_MAX). */
static void
name_byte(struct scan *s, unsigned char c)
{
	static const unsigned char lower[256] = {
		['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['-'] = 1,
	};
	/* The first letters of parsed[]. */
	static const unsigned char first[256] = {
		['b'] = 1, ['c'] = 1, ['d'] = 1, ['f'] = 1, ['m'] = 1,
		['r'] = 1, ['s'] = 1, ['t'] = 1, ['B'] = 1, ['C'] = 1,
		['D'] = 1, ['F'] = 1, ['M'] = 1, ['R'] = 1, ['S'] = 1,
		['T'] = 1,
	};
	int blank = c == ' ' || c == '\t';

	if (c == ':') {
		s->nstate = s->nname > 0 ? N_DONE : N_NOT;
		s->name[s->nname] = '\0';
	} else if (blank && s->nname > 0)
		s->nstate = N_BLANK;
	else if (blank || s->nstate == N_BLANK || s->nname == FIELD_MAX ||
	    !lower[c] || (s->nname == 0 && !first[c]))
		s->nstate = N_NOT;
	else
		s->name[s->nname++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 :
		    c);
}

/* The field ends.  In the spool's own header block (the message GMime
 * builds first) its name is always hidden: nothing of ours reads it.
 * Elsewhere it may be a header of a message/rfc822 part or a line of a
 * body: hidden only when it is too long, too deeply nested, or past the
 * walk's budget, and then the walk is marked as capped (a body line so
 * changed may change what we scan). */
static int
field_end(struct scan *s)
{
	int over;

	if (!s->field)
		return 0;
	s->field = 0;
	over = s->fbytes > s->lim->max_header_length ||
	    s->fcolons > MIMESCAN_COLONS || s->fbytes > s->b->hdr;
	if (!s->top && !over) {
		s->b->hdr -= s->fbytes;
		return 0;
	}
	if (!s->top)
		s->ms->limits |= MIME_LIMIT_HEADER;
	return add_patch(s, s->fstart, 'X');
}

/* The line ends (LF, or a byte shown as LF). */
static int
line_end(struct scan *s)
{
	if (s->col == 0 || (s->col == 1 && s->head[0] == '\r')) {
		/* An empty line: the header block ends. */
		if (field_end(s) == -1)
			return -1;
		s->top = 0;
	} else if (!s->cont) {
		if (field_end(s) == -1)
			return -1;
		if ((s->field = parsed_name(s))) {
			s->fstart = s->start;
			s->fbytes = s->col;
			s->fcolons = s->colons;
		}
	} else if (s->field) {
		s->fbytes += s->col + 1;
		s->fcolons += s->colons;
	}
	if (s->cont)
		s->run += s->col + 1;
	s->col = s->colons = 0;
	s->nname = 0;
	s->nstate = N_NAME;
	s->last = '\n';
	s->b->w.state = W_NONE;	/* a word ends with its line */
	s->cont = s->counted = 0;
	return 0;
}

/* RFC 2047 words: one byte of "=?charset?", prev the byte before it.
 * Counts the words whose charset differs from the word before. */
static void
word_byte(struct mimescan_words *w, unsigned char c, unsigned char prev)
{
	if (w->state != W_CHARSET) {
		if (prev == '=') {	/* c is the '?' of "=?" */
			w->state = W_CHARSET;
			w->n = 0;
		}
		return;
	}
	if (c == '?') {
		w->cur[w->n] = '\0';
		if (strcmp(w->cur, w->prev) != 0) {
			w->switches++;
			memcpy(w->prev, w->cur, w->n + 1);
		}
		w->state = W_NONE;
	} else if (w->n == sizeof(w->cur) - 1 || c <= ' ' || c >= 0x7f)
		w->state = W_NONE;
	else
		w->cur[w->n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* The index of the first ':' or '?' in p[i, len), or len.  Eight bytes
 * at a time: a byte b is one of ":;>?" exactly when (b | 0x05) is '?',
 * and a word holds such a byte exactly when the XOR below has a zero
 * byte (the classic exact zero-byte test); those words are read again
 * byte by byte.  Base64 and text bodies go through here at about a
 * fifth of the cost of a table lookup per byte. */
static size_t
next_mark(const unsigned char *p, size_t i, size_t len)
{
	static const unsigned char marks[256] = { [':'] = 1, ['?'] = 1 };
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t v;
	size_t stop;

	for (;;) {
		for (; i + 8 <= len; i += 8) {
			memcpy(&v, p + i, 8);
			v = (v | 0x05 * ones) ^ ('?' * ones);
			if (((v - ones) & ~v & 0x80 * ones) != 0)
				break;
		}
		if (i + 8 > len) {
			while (i < len && !marks[p[i]])
				i++;
			return i;
		}
		for (stop = i + 8; i < stop; i++)
			if (marks[p[i]])
				return i;
	}
}

/* Bytes [p, p + len) at offset off join the line (no break inside).
 * 1 when GMime's input must end before this line. */
static int
absorb(struct scan *s, const unsigned char *p, size_t len)
{
	struct mimescan_words *w = &s->b->w;
	size_t i;

	for (i = 0; i < len && s->col + i < 2; i++)
		s->head[s->col + i] = p[i];
	for (i = 0; i < len && s->nstate < N_DONE; i++)
		name_byte(s, p[i]);
	for (i = 0; i < len; i++) {
		/* Outside a word's charset only ':' and '?' matter: skip
		 * the rest. */
		if (w->state != W_CHARSET)
			i = next_mark(p, i, len);
		if (i == len)
			break;
		s->colons += p[i] == ':';
		if (p[i] == '?' || w->state == W_CHARSET)
			word_byte(w, p[i], i > 0 ? p[i - 1] : s->last);
	}
	if (len > 0)
		s->last = p[len - 1];
	s->col += len;
	if (s->b->w.switches > MIMESCAN_SWITCHES) {
		s->ms->limits |= MIME_LIMIT_WORDS;
		return 1;
	}
	if (s->col >= 2 && !s->counted && s->head[0] == '-' &&
	    s->head[1] == '-') {
		s->counted = 1;
		if (s->b->dashes == 0) {
			s->ms->limits |= MIME_LIMIT_PARTS;
			return 1;
		}
		s->b->dashes--;
	}
	return 0;
}

/* A piece [p, p + len) at offset off of a raw line (no LF inside).
 * 1 when GMime's input must end before the current line, -1 when out of
 * memory. */
static int
piece(struct scan *s, unsigned long long off, const unsigned char *p,
    size_t len)
{
	unsigned long long runmax = 4ULL * s->lim->max_header_length;
	size_t n;

	while (len > 0) {
		if (s->col == 0) {
			s->cont = p[0] == ' ' || p[0] == '\t';
			if (!s->cont)
				s->run = 0;
			else if (s->run >= runmax) {
				/* Its blank becomes LF: GMime sees an empty
				 * line, the header ends here. */
				if (add_patch(s, off, '\n') == -1)
					return -1;
				s->cont = 0;
				s->run = 0;
				if (line_end(s) == -1)
					return -1;
				s->start = ++off;
				p++;
				len--;
				continue;
			}
		}
		n = len;
		if (s->lim->max_line > 0 && n > s->lim->max_line - s->col)
			n = (size_t)(s->lim->max_line - s->col);
		if (absorb(s, p, n))
			return 1;
		off += n;
		p += n;
		len -= n;
		if (len > 0) {
			/* The line is max_line long: its next byte reads as
			 * LF. */
			if (add_patch(s, off, '\n') == -1)
				return -1;
			s->ms->limits |= MIME_LIMIT_LINE;
			if (line_end(s) == -1)
				return -1;
			s->start = ++off;
			p++;
			len--;
		}
	}
	return 0;
}

void
mimescan_budget_init(struct mimescan_budget *b, const struct mime_limits *lim)
{
	b->dashes = 4ULL * lim->max_parts + 64;
	b->hdr = 16ULL * lim->max_header_length;
	memset(&b->w, 0, sizeof(b->w));
}

int
mimescan_prepare(struct spool *sp, const struct mime_limits *lim,
    struct mimescan_budget *b, struct arena *a, struct mimescan *ms)
{
	unsigned char buf[BLOCK];
	unsigned long long off = 0;
	const unsigned char *p, *nl, *end, *seg;
	struct scan s;
	ssize_t n;
	int r = 0;

	memset(ms, 0, sizeof(*ms));
	memset(&s, 0, sizeof(s));
	s.lim = lim;
	s.b = b;
	s.a = a;
	s.ms = ms;
	s.top = 1;
	ms->cut = spool_size(sp);
	while (r == 0 && (n = spool_pread(sp, buf, sizeof(buf), off)) > 0) {
		if (deadline_passed(lim->dl)) {
			ms->limits |= MIME_LIMIT_TIME;
			ms->cut = off;
			break;
		}
		for (p = buf, end = buf + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			seg = nl != NULL ? nl : end;
			r = piece(&s, off + (unsigned long long)(p - buf), p,
			    (size_t)(seg - p));
			if (r == -1)
				return -1;
			if (r == 1) {
				ms->cut = s.start;
				break;
			}
			if (nl == NULL)
				break;
			if (line_end(&s) == -1)
				return -1;
			s.start = off + (unsigned long long)(nl + 1 - buf);
		}
		off += (unsigned long long)n;
	}
	/* The last line is seen unless the cut is at its start. */
	if ((r == 0 && s.col > 0 && line_end(&s) == -1) || field_end(&s) == -1)
		return -1;
	if (ms->npatch > 1)
		qsort(ms->patch, ms->npatch, sizeof(*ms->patch), by_offset);
	return 0;
}

/* --- the tail past the cut ------------------------------------------ */

struct tail {
	GMimeParserOptions *opts;
	struct mimescan_budget *b;
	mimescan_name_fn fn;
	void *arg;
	char *hdr;			/* the Content-* header being read */
	size_t len, max;
	int in, over, ct;		/* ct: it is the Content-Type */
	char *type, *fname, *name;	/* of the current part (g_malloc) */
	int stop;
};

static void
take(char **dst, const char *v)
{
	if (v != NULL && *dst == NULL)
		*dst = g_strdup(v);
}

/* The Content-* header just read: its type and names. */
static void
header_done(struct tail *t)
{
	GMimeContentType *ct;
	GMimeContentDisposition *cd;
	char *colon;
	size_t i;

	if (!t->in || t->over || (colon = strchr(t->hdr, ':')) == NULL)
		goto done;
	/* Its encoded words count as well: past the budget, a header with
	 * one is not decoded. */
	for (i = 0; i < t->len; i++)
		if (t->hdr[i] == '?' || t->b->w.state == W_CHARSET)
			word_byte(&t->b->w, (unsigned char)t->hdr[i], i > 0 ?
			    (unsigned char)t->hdr[i - 1] : ' ');
	t->b->w.state = W_NONE;
	if (t->b->w.switches > MIMESCAN_SWITCHES &&
	    strstr(t->hdr, "=?") != NULL)
		goto done;
	if (t->ct &&
	    (ct = g_mime_content_type_parse(t->opts, colon + 1)) != NULL) {
		if (t->type == NULL)
			t->type = g_mime_content_type_get_mime_type(ct);
		take(&t->name, g_mime_content_type_get_parameter(ct, "name"));
		g_object_unref(ct);
	} else if ((cd = g_mime_content_disposition_parse(t->opts,
	    colon + 1)) != NULL) {
		take(&t->fname, g_mime_content_disposition_get_parameter(cd,
		    "filename"));
		g_object_unref(cd);
	}
done:
	t->in = t->over = 0;
	t->len = 0;
}

/* End of a header block: report its name, if any. */
static void
block_done(struct tail *t)
{
	const char *nm;

	header_done(t);
	nm = t->fname != NULL ? t->fname : t->name;
	if (nm != NULL && !t->stop && t->fn(t->arg, t->type, nm) == -1)
		t->stop = 1;
	g_free(t->type);
	g_free(t->fname);
	g_free(t->name);
	t->type = t->fname = t->name = NULL;
}

/* The line holds the field called name (lower case): GMime allows
 * blanks between a name and its colon, as a reader does. */
static int
field_is(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0)
		return 0;
	while (k < n && (line[k] == ' ' || line[k] == '\t'))
		k++;
	return k < n && line[k] == ':';
}

static void
tail_line(struct tail *t, char *line, size_t n, int over)
{
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (t->in && n > 0 && (line[0] == ' ' || line[0] == '\t')) {
		if (over || t->len + n >= t->max)
			t->over = 1;
		else {
			memcpy(t->hdr + t->len, line, n + 1);
			t->len += n;
		}
		return;
	}
	header_done(t);
	if (n == 0) {
		block_done(t);
		return;
	}
	if ((t->ct = field_is(line, n, "content-type")) ||
	    field_is(line, n, "content-disposition")) {
		t->in = 1;
		t->over = over || n >= t->max;
		if (!t->over) {
			memcpy(t->hdr, line, n + 1);
			t->len = n;
		}
	}
}

int
mimescan_tail(struct spool *sp, unsigned long long from,
    const struct mime_limits *lim, struct mimescan_budget *b,
    GMimeParserOptions *opts, mimescan_name_fn fn, void *arg)
{
	struct tail t;
	char buf[BLOCK], *line;
	size_t ll = 0;
	ssize_t n, i;
	int over = 0;

	memset(&t, 0, sizeof(t));
	t.opts = opts;
	t.b = b;
	t.fn = fn;
	t.arg = arg;
	t.max = lim->max_header_length;
	if ((t.hdr = g_try_malloc(t.max + 1)) == NULL ||
	    (line = g_try_malloc(t.max + 1)) == NULL) {
		g_free(t.hdr);
		return -1;
	}
	while (!t.stop && (n = spool_pread(sp, buf, sizeof(buf), from)) > 0) {
		from += (unsigned long long)n;
		if (deadline_passed(lim->dl))
			break;
		for (i = 0; i < n && !t.stop; i++) {
			if (buf[i] != '\n') {
				if (ll < t.max)
					line[ll++] = buf[i];
				else
					over = 1;
				continue;
			}
			line[ll] = '\0';
			tail_line(&t, line, ll, over);
			ll = 0;
			over = 0;
		}
	}
	block_done(&t);
	g_free(t.hdr);
	g_free(line);
	return t.stop ? -1 : 0;
}
