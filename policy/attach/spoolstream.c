/*
 * spoolstream.c - the read-only GMimeStream over a spool (spool.h:
 * spool_stream_new, spool_stream_patch, spool_stream_holes): GMime
 * parses a message or a part straight from its spool, through
 * spool_pread, without a copy in memory.
 *
 * Exports spool_stream_*.  Owns nothing but the stream object (GObject,
 * unref'd by the caller); patches and holes are borrowed.  Thread rule:
 * one stream, one thread; the GType is registered once under g_once.
 * Caps: a read past the deadline ends the stream (*stopped = 1).
 */
#include <errno.h>
#include <stddef.h>

#include <gmime/gmime.h>

#include "util/deadline.h"
#include "attach/spool.h"

/* --- GMime streams ---------------------------------------------------
 * GObject needs a class and an instance struct; they stay private here. */

struct sstream {
	GMimeStream parent;
	struct spool *sp;
	struct deadline *dl;
	int *stopped;
	const struct spool_patch *patch;	/* bytes shown otherwise */
	size_t npatch;
	const struct spool_hole *hole;	/* bytes left out */
	size_t nhole;
	unsigned long long holes;	/* their total length */
	int ended;
};

struct sstream_class {
	GMimeStreamClass parent_class;
};

static GType sstream_type(void);

static gint64
bound_end(GMimeStream *s)
{
	struct sstream *ss = (struct sstream *)s;

	return s->bound_end != -1 ? s->bound_end :
	    (gint64)(spool_size(ss->sp) - ss->holes);
}

/* The spool offset of stream offset pos, and how many bytes from there
 * are read before the next hole (*run; ~0 when none follows). */
static unsigned long long
spool_pos(const struct sstream *ss, unsigned long long pos,
    unsigned long long *run)
{
	size_t i;

	*run = ~0ULL;
	for (i = 0; i < ss->nhole; i++) {
		if (pos < ss->hole[i].off) {
			*run = ss->hole[i].off - pos;
			break;
		}
		pos += ss->hole[i].len;
	}
	return pos;
}

static void
apply_patches(const struct sstream *ss, unsigned long long pos, char *buf,
    size_t n)
{
	size_t lo = 0, hi = ss->npatch, mid;

	/* The first patch at or after pos. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ss->patch[mid].off < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ss->npatch && ss->patch[lo].off - pos < n; lo++)
		buf[ss->patch[lo].off - pos] = (char)ss->patch[lo].byte;
}

static ssize_t
sstream_read(GMimeStream *s, char *buf, size_t len)
{
	struct sstream *ss = (struct sstream *)s;
	gint64 left = bound_end(s) - s->position;
	unsigned long long at, run;
	size_t got = 0, n;
	ssize_t r;

	if (ss->ended || left <= 0 || len == 0)
		return 0;
	if (deadline_passed(ss->dl)) {
		*ss->stopped = 1;
		ss->ended = 1;
		return 0;
	}
	if ((gint64)len > left)
		len = (size_t)left;
	/* Piece by piece between the holes (one piece when none). */
	while (got < len) {
		at = spool_pos(ss, (unsigned long long)s->position + got, &run);
		n = len - got;
		if (run < n)
			n = (size_t)run;
		if ((r = spool_pread(ss->sp, buf + got, n, at)) <= 0) {
			if (got == 0)
				return r;
			break;
		}
		apply_patches(ss, at, buf + got, (size_t)r);
		got += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	s->position += (gint64)got;
	return (ssize_t)got;
}

static ssize_t
sstream_write(GMimeStream *s, const char *buf, size_t len)
{
	errno = EBADF;
	return -1;
}

static int
sstream_flush(GMimeStream *s)
{
	return 0;
}

static int
sstream_close(GMimeStream *s)
{
	return 0;
}

static gboolean
sstream_eos(GMimeStream *s)
{
	struct sstream *ss = (struct sstream *)s;

	return ss->ended || s->position >= bound_end(s);
}

static int
sstream_reset(GMimeStream *s)
{
	s->position = s->bound_start;
	return 0;
}

static gint64
sstream_seek(GMimeStream *s, gint64 off, GMimeSeekWhence whence)
{
	gint64 real, end = bound_end(s);

	switch (whence) {
	case GMIME_STREAM_SEEK_SET:
		real = off;
		break;
	case GMIME_STREAM_SEEK_END:
		real = end + off;
		break;
	default:
		real = s->position + off;
		break;
	}
	if (real < s->bound_start || real > end) {
		errno = EINVAL;
		return -1;
	}
	s->position = real;
	return real;
}

static gint64
sstream_tell(GMimeStream *s)
{
	return s->position;
}

static gint64
sstream_length(GMimeStream *s)
{
	return bound_end(s) - s->bound_start;
}

static struct sstream *
sstream_make(struct spool *sp, struct deadline *dl, int *stopped,
    gint64 start, gint64 end)
{
	struct sstream *ss;

	if ((ss = g_object_new(sstream_type(), NULL)) == NULL)
		return NULL;
	g_mime_stream_construct(&ss->parent, start, end);
	ss->sp = sp;
	ss->dl = dl;
	ss->stopped = stopped;
	return ss;
}

/* A part's content: same spool and deadline. */
static GMimeStream *
sstream_substream(GMimeStream *s, gint64 start, gint64 end)
{
	struct sstream *ss = (struct sstream *)s, *sub;

	if ((sub = sstream_make(ss->sp, ss->dl, ss->stopped, start, end)) ==
	    NULL)
		return NULL;
	sub->patch = ss->patch;
	sub->npatch = ss->npatch;
	sub->hole = ss->hole;
	sub->nhole = ss->nhole;
	sub->holes = ss->holes;
	return &sub->parent;
}

static void
sstream_class_init(gpointer klass, gpointer data)
{
	GMimeStreamClass *sc = klass;

	sc->read = sstream_read;
	sc->write = sstream_write;
	sc->flush = sstream_flush;
	sc->close = sstream_close;
	sc->eos = sstream_eos;
	sc->reset = sstream_reset;
	sc->seek = sstream_seek;
	sc->tell = sstream_tell;
	sc->length = sstream_length;
	sc->substream = sstream_substream;
}

static GType
sstream_type(void)
{
	static gsize type;
	static const GTypeInfo info = {
		sizeof(struct sstream_class), NULL, NULL, sstream_class_init,
		NULL, NULL, sizeof(struct sstream), 0, NULL, NULL
	};

	if (g_once_init_enter(&type))
		g_once_init_leave(&type, g_type_register_static(
		    GMIME_TYPE_STREAM, "RelaywardenSpoolStream", &info, 0));
	return (GType)type;
}

struct _GMimeStream *
spool_stream_new(struct spool *sp, struct deadline *dl, int *stopped)
{
	struct sstream *ss;

	if ((ss = sstream_make(sp, dl, stopped, 0, -1)) == NULL)
		return NULL;
	return &ss->parent;
}

void
spool_stream_patch(struct _GMimeStream *s, const struct spool_patch *p,
    size_t n)
{
	struct sstream *ss = (struct sstream *)s;

	ss->patch = p;
	ss->npatch = n;
}

void
spool_stream_holes(struct _GMimeStream *s, const struct spool_hole *h,
    size_t n)
{
	struct sstream *ss = (struct sstream *)s;
	size_t i;

	ss->hole = h;
	ss->nhole = n;
	for (ss->holes = 0, i = 0; i < n; i++)
		ss->holes += h[i].len;
}
