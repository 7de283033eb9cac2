/*
 * mimescan.c - linear passes over the raw message for mime.c (see
 * mimescan.h): where GMime's input is cut, which bytes it sees as LF, and
 * the file names in the part headers past the cut.
 *
 * Exports mimescan_prepare, mimescan_tail to mime.c.  The patch list is
 * arena memory (at most one offset per max_line or per 4 x
 * max_header_length bytes of message).  Thread rule: one walk, one
 * thread.  Caps: the deadline, checked per block; tail headers longer
 * than max_header_length are skipped.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "deadline.h"
#include "mime.h"
#include "mimescan.h"
#include "spool.h"

#define BLOCK	16384

static int
add_patch(struct arena *a, struct mimescan *ms, unsigned long long off)
{
	unsigned long long *n;
	size_t ncap;

	if (ms->npatch == ms->cap) {
		ncap = ms->cap ? ms->cap * 2 : 64;
		if ((n = arena_calloc(a, ncap, sizeof(*n))) == NULL)
			return -1;
		if (ms->npatch)
			memcpy(n, ms->patch, ms->npatch * sizeof(*n));
		ms->patch = n;
		ms->cap = ncap;
	}
	ms->patch[ms->npatch++] = off;
	return 0;
}

/* The line being read. */
struct line {
	unsigned long long start;	/* offset of its first byte */
	unsigned long long col;		/* bytes so far (LF excluded) */
	unsigned long long run;		/* bytes of the continuation lines
					   before it */
	unsigned char head[2];
	int cont, counted;
};

/* One piece [p, p + len) of the current line. */
static int
piece(struct arena *a, const struct mime_limits *lim, struct mimescan *ms,
    struct line *ln, const unsigned char *p, size_t len)
{
	unsigned long long c, runmax = 4ULL * lim->max_header_length;
	size_t i;

	if (len > 0 && ln->col == 0) {
		ln->cont = p[0] == ' ' || p[0] == '\t';
		if (!ln->cont)
			ln->run = 0;
		else if (ln->run >= runmax) {
			/* Its blank becomes LF: the header ends here. */
			if (add_patch(a, ms, ln->start) == -1)
				return -1;
			ln->run = 0;
		}
	}
	for (i = 0; i < len && ln->col + i < 2; i++)
		ln->head[ln->col + i] = p[i];
	if (lim->max_line > 0) {
		c = (ln->col + lim->max_line - 1) / lim->max_line *
		    lim->max_line;
		for (c = c ? c : lim->max_line; c < ln->col + len;
		    c += lim->max_line) {
			if (add_patch(a, ms, ln->start + c) == -1)
				return -1;
			ms->limits |= MIME_LIMIT_LINE;
		}
	}
	ln->col += len;
	return 0;
}

int
mimescan_prepare(struct spool *sp, const struct mime_limits *lim,
    struct arena *a, struct mimescan *ms)
{
	unsigned char buf[BLOCK];
	unsigned long long off = 0, dashes = 0, cap;
	const unsigned char *p, *nl, *end, *seg;
	struct line ln;
	ssize_t n;

	memset(ms, 0, sizeof(*ms));
	memset(&ln, 0, sizeof(ln));
	cap = 4ULL * lim->max_parts + 64;
	ms->cut = spool_size(sp);
	while ((n = spool_pread(sp, buf, sizeof(buf), off)) > 0) {
		if (deadline_passed(lim->dl)) {
			ms->limits |= MIME_LIMIT_TIME;
			ms->cut = off;
			return 0;
		}
		for (p = buf, end = buf + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			seg = nl != NULL ? nl : end;
			if (piece(a, lim, ms, &ln, p, (size_t)(seg - p)) == -1)
				return -1;
			if (ln.col >= 2 && !ln.counted && ln.head[0] == '-' &&
			    ln.head[1] == '-') {
				ln.counted = 1;
				if (++dashes > cap) {
					ms->limits |= MIME_LIMIT_PARTS;
					ms->cut = ln.start;
					return 0;
				}
			}
			if (nl == NULL)
				break;
			if (ln.cont)
				ln.run += ln.col + 1;
			ln.start = off + (unsigned long long)(nl + 1 - buf);
			ln.col = 0;
			ln.counted = ln.cont = 0;
		}
		off += (unsigned long long)n;
	}
	return 0;
}

/* --- the tail past the cut ------------------------------------------ */

struct tail {
	GMimeParserOptions *opts;
	mimescan_name_fn fn;
	void *arg;
	char *hdr;			/* the Content-* header being read */
	size_t len, max;
	int in, over;
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

	if (!t->in || t->over || (colon = strchr(t->hdr, ':')) == NULL)
		goto done;
	if (strncasecmp(t->hdr, "content-type:", 13) == 0 &&
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
	const char *nm = t->fname != NULL ? t->fname : t->name;
	char *p;

	header_done(t);
	if (nm != NULL && !t->stop) {
		for (p = t->type; p != NULL && *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 32;
		if (t->fn(t->arg, t->type, nm) == -1)
			t->stop = 1;
	}
	g_free(t->type);
	g_free(t->fname);
	g_free(t->name);
	t->type = t->fname = t->name = NULL;
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
	if (strncasecmp(line, "content-type:", 13) == 0 ||
	    strncasecmp(line, "content-disposition:", 20) == 0) {
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
    const struct mime_limits *lim, GMimeParserOptions *opts,
    mimescan_name_fn fn, void *arg)
{
	struct tail t;
	char buf[BLOCK], *line;
	size_t ll = 0;
	ssize_t n, i;
	int over = 0;

	memset(&t, 0, sizeof(t));
	t.opts = opts;
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
