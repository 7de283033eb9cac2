/*
 * mimetop.c - the header fields of a spool's own header block that the
 * MIME walk leaves out of GMime's sight (see mimetop.h; internal to
 * mime.c).
 *
 * Exports mimetop_holes.  Owns nothing past a call: the holes are arena
 * memory.  Thread rule: one walk, one thread.  Caps: MIMETOP_MAX_HOLES
 * runs of fields (past it the rest is shown); the deadline, per block.
 * RFCs: 5322 2.2 (fields, folding), 2047 (encoded words).
 *
 * GMime makes an object of every header of the message it builds, with a
 * name, a raw value and (since we ask for its warnings) a decoded value,
 * then frees it: about 15,000 instructions per field, half of the walk
 * of a short message.  Of the message's own header block the walk reads
 * nothing but what GMime derives from the Content-* fields (type,
 * disposition, names, and their length check) and GMime's warnings.  A
 * field can give a warning the walk counts only through its name (an
 * invalid one; a repeated In-Reply-To or References, or any other of RFC
 * 5322's once-only fields), its bytes (RFC 2047 words; 8-bit) or its
 * place (GMime treats a bad line before the first field otherwise).  So
 * a field is left out when all of these hold, and shown otherwise:
 * - it follows a shown field of a valid name (below), or it is one of the
 *   fields that lead the block and the field after them is shown with a
 *   valid name (GMime still sees a valid field first; when all of them
 *   could go, the last is shown, and none when the block has no end);
 * - its name is letters, digits and '-', directly followed by ':', and is
 *   none of Content-*, MIME-Version or RFC 5322's once-only fields (the
 *   ones mimescan.c hides by an 'X' are no longer those);
 * - every byte is printable ASCII, a tab, or a CR before LF, and no
 *   "=?" occurs in it;
 * - it ends before the first byte mimescan.c shows as LF and before the
 *   cut, so GMime would have seen it whole, as it is here.
 */
#include <string.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "attach/mime.h"
#include "attach/mimescan.h"
#include "attach/mimetop.h"
#include "attach/spool.h"

#define BLOCK	8192
#define NAME_MAX_LEN	64	/* longer names: always shown */

/* Names always shown: GMime reads them (Content-*), compares repeats of
 * them (RFC 5322 3.6 once-only fields, as GMime 3.2 lists them), or the
 * MIME version (kept to be sure). */
static const char *const shown[] = {
	"mime-version", "bcc", "cc", "date", "from", "in-reply-to",
	"message-id", "references", "reply-to", "sender", "subject", "to",
	NULL
};

struct top {
	const struct mimescan *ms;
	struct arena *a;
	struct spool_hole *h;
	size_t n, cap;
	size_t next_patch;		/* first patch not yet passed */
	unsigned long long limit;	/* fields must end before it */
	unsigned long long fstart;	/* the current field */
	int fkind;			/* F_* of the current field */
	int anchored;			/* a field of a valid name is shown */
	int lead;			/* all fields so far could go */
	unsigned long long lead_last;	/* the last of them */
	unsigned long long lead_end;	/* where they end */
	/* the line being read */
	unsigned long long col;
	char name[NAME_MAX_LEN + 1];
	size_t nname;
	int nstate;			/* 0 reading, 1 ':' seen, 2 not */
	int clean;			/* the field's bytes so far */
	unsigned char prev, cr;
	int done;
};

/* The current field: not started, a bad name, a valid name always
 * shown, a valid name that may be left out. */
enum { F_NONE, F_OTHER, F_LISTED, F_FREE };

static int
listed(const char *name)
{
	size_t i;

	if (strncmp(name, "content-", 8) == 0)
		return 1;
	for (i = 0; shown[i] != NULL; i++)
		if (strcmp(name, shown[i]) == 0)
			return 1;
	return 0;
}

/* The first byte GMime sees otherwise that is not an 'X' over a name:
 * fields from there on are shown. */
static unsigned long long
first_break(const struct mimescan *ms)
{
	size_t i;

	for (i = 0; i < ms->npatch; i++)
		if (ms->patch[i].byte != 'X')
			return ms->patch[i].off;
	return ~0ULL;
}

static int
add_hole(struct top *t, unsigned long long off, unsigned long long end)
{
	struct spool_hole *n;

	if (t->n > 0 && t->h[t->n - 1].off + t->h[t->n - 1].len == off) {
		t->h[t->n - 1].len += end - off;
		return 0;
	}
	if (t->n == MIMETOP_MAX_HOLES)
		return 0;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		if ((n = arena_calloc(t->a, t->cap, sizeof(*n))) == NULL)
			return -1;
		if (t->n > 0)
			memcpy(n, t->h, t->n * sizeof(*n));
		t->h = n;
	}
	t->h[t->n].off = off;
	t->h[t->n++].len = end - off;
	return 0;
}

/* A field line starts at off (not a continuation): the field before
 * ends there.  Fields that lead the block are left out only once the
 * first field after them is shown and has a valid name, so that GMime
 * still sees such a field first. */
static int
field_end(struct top *t, unsigned long long off)
{
	int kind = t->fkind, drop;

	t->fkind = F_NONE;
	if (kind == F_NONE)
		return 0;
	drop = kind == F_FREE && t->clean && off <= t->limit;
	if (t->lead) {
		if (drop) {
			t->lead_last = t->fstart;
			t->lead_end = off;
			return 0;
		}
		t->lead = 0;
		if (kind != F_OTHER && t->lead_end > 0) {
			t->anchored = 1;
			return add_hole(t, 0, t->lead_end);
		}
		/* A bad line: the fields before it are shown, the first
		 * of them anchors. */
		t->anchored = t->lead_end > 0 || kind != F_OTHER;
		return 0;
	}
	if (drop && t->anchored)
		return add_hole(t, t->fstart, off);
	if (kind != F_OTHER)
		t->anchored = 1;
	return 0;
}

/* The name of the field line just read, known at its ':' (or not). */
static void
name_done(struct top *t)
{
	t->name[t->nname] = '\0';
	if (t->nstate != 1)
		t->fkind = F_OTHER;
	else
		t->fkind = listed(t->name) ? F_LISTED : F_FREE;
}

/* One byte c at offset off, as GMime sees it. */
static int
byte(struct top *t, unsigned long long off, unsigned char c)
{
	if (t->col == 0) {
		/* A line that is no continuation (an empty one too) ends
		 * the field before it. */
		if (c != ' ' && c != '\t') {
			if (field_end(t, off) == -1)
				return -1;
			t->fstart = off;
			t->nname = 0;
			t->nstate = 0;
			t->clean = 1;
			t->prev = 0;
		}
	}
	if (c == '\n') {
		/* An empty line ("\n" or "\r\n") ends the block. */
		if (t->col == 0 || (t->col == 1 && t->cr)) {
			/* All fields could go: the last is shown. */
			t->done = 1;
			t->fkind = F_NONE;
			if (t->lead && t->lead_last > 0)
				return add_hole(t, 0, t->lead_last);
			return 0;
		}
		if (t->nstate == 0)
			t->nstate = 2;
		if (t->fkind == F_NONE && t->nstate != 1)
			name_done(t);
		t->col = 0;
		t->cr = 0;
		t->prev = c;
		return 0;
	}
	if (t->cr)
		t->clean = 0;		/* a CR not before LF */
	t->cr = c == '\r';
	if (!t->cr && (c < 0x20 || c > 0x7e) && c != '\t')
		t->clean = 0;
	if (c == '?' && t->prev == '=')
		t->clean = 0;
	if (t->nstate == 0 && t->fkind == F_NONE) {
		if (c == ':') {
			t->nstate = t->nname > 0 ? 1 : 2;
			name_done(t);
		} else if (t->nname < NAME_MAX_LEN && ((c >= 'a' &&
		    c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			t->name[t->nname++] = (char)c;
		else if (t->nname < NAME_MAX_LEN && c >= 'A' && c <= 'Z')
			t->name[t->nname++] = (char)(c + 32);
		else {
			t->nstate = 2;
			name_done(t);
		}
	}
	t->col++;
	t->prev = c;
	return 0;
}

/* Past a line's name, the bytes byte() would only count: printable
 * ASCII but '=' and '?' (or, once the field is shown anyway, all but
 * LF).  Returns the index of the next byte byte() must see. */
static size_t
skip(struct top *t, const unsigned char *buf, size_t i, size_t n)
{
	static const unsigned char plain[256] = {
		['\t'] = 1, [' ' ... '<'] = 1, ['>'] = 1, ['@' ... '~'] = 1,
	};
	const unsigned char *q;
	size_t j = i;

	if (t->col == 0 || t->fkind == F_NONE || t->cr)
		return i;
	if (!t->clean)
		j = (q = memchr(buf + i, '\n', n - i)) != NULL ?
		    (size_t)(q - buf) : n;
	else
		while (j < n && plain[buf[j]])
			j++;
	if (j > i) {
		t->col += j - i;
		t->prev = buf[j - 1];
	}
	return j;
}

int
mimetop_holes(struct spool *sp, const struct mimescan *ms,
    struct deadline *dl, struct arena *a, struct spool_hole **holes,
    size_t *nholes)
{
	unsigned char buf[BLOCK];
	unsigned long long off = 0, end = ms->cut;
	struct top t;
	size_t i, p;
	ssize_t n;

	*holes = NULL;
	*nholes = 0;
	memset(&t, 0, sizeof(t));
	t.ms = ms;
	t.a = a;
	t.lead = 1;
	t.limit = first_break(ms);
	if (t.limit > end)
		t.limit = end;
	p = 0;
	while (!t.done && off < end && (n = spool_pread(sp, buf, sizeof(buf),
	    off)) > 0) {
		if (deadline_passed(dl))
			return 0;	/* shows everything: as before */
		if ((unsigned long long)n > end - off)
			n = (ssize_t)(end - off);
		/* As GMime sees them: the 'X' patches over names. */
		for (; p < ms->npatch && ms->patch[p].off < off + (unsigned
		    long long)n; p++)
			if (ms->patch[p].off >= off)
				buf[ms->patch[p].off - off] = ms->patch[p].byte;
		for (i = 0; i < (size_t)n && !t.done; i++) {
			i = skip(&t, buf, i, (size_t)n);
			if (i < (size_t)n && byte(&t, off + i, buf[i]) == -1)
				return -1;
		}
		off += (unsigned long long)n;
	}
	/* A field no line start follows before the cut is shown: GMime
	 * may not see it whole. */
	*holes = t.h;
	*nholes = t.n;
	return 0;
}
