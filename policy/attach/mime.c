/*
 * mime.c - the MIME walk over a spooled message (see mime.h).
 *
 * Exports mime_walk.  Owns, for one walk, the GMime parser, its options
 * and the message tree (unreferenced before returning) and two scratch
 * spools (freed before returning).  Its helpers, internal to it:
 * mimescan.c (the passes that keep GMime bounded), mimehdr.c (names and
 * types from part headers), mimeuu.c (uuencoded blocks in text bodies),
 * mimemsg.c (whether a leaf holds a message to walk too), b64.c
 * (base64 decoding).
 * Thread rule: one walk, one thread; GMime objects are never shared.
 * Caps: before GMime sees the message, mimescan.c breaks overlong lines
 * and header runs (GMime keeps a header whole in memory) and cuts the
 * message after 4 x max_parts + 64 boundary-like lines (GMime builds an
 * object per part before any cap of ours applies); the part headers past
 * that cut are still read for file names.  GMime itself stops nesting at
 * 1024 levels; we stop at max_depth.
 * RFCs: 2045-2049 (MIME), 2183 (Content-Disposition), 2231 and 2047
 * (names, decoded by GMime; see mimehdr.c), uuencode (mimeuu.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "attach/b64.h"
#include "attach/mime.h"
#include "attach/mimehdr.h"
#include "attach/mimemsg.h"
#include "attach/mimescan.h"
#include "attach/mimetop.h"
#include "attach/mimeuu.h"
#include "attach/spool.h"

#define CHUNK		16384

struct walk {
	const struct mime_limits *lim;
	struct arena *a;
	mime_part_fn fn;
	void *arg;
	struct mime_stats *st;
	struct spool *scratch, *uu;
	GMimeParserOptions *opts;
	struct mimescan_budget budget;
	unsigned long long decoded;
	unsigned index;
	unsigned tail_depth;		/* of the spool mimescan_tail reads */
	int stop, failed;
};

static void walk_spool(struct walk *, struct spool *, unsigned depth);

/* The headers RFC 5322 3.6 allows once in a message (GMime reports two
 * with different values as CONFLICTING_HEADER): said by name, so that an
 * admin reads "duplicate Message-ID", not a vague "header". */
static const char *const single_headers[] = {
	"Bcc", "Cc", "Date", "From", "In-Reply-To", "Message-ID",
	"References", "Reply-To", "Sender", "Subject", "To",
};

static const char *
single_header(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(single_headers) /
	    sizeof(single_headers[0]); i++)
		if (g_ascii_strcasecmp(name, single_headers[i]) == 0)
			return single_headers[i];
	return NULL;
}

/* GMime's complaints that mean a malformed message or header. */
static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	struct mime_stats *st = data;
	const char *single;

	if (code == GMIME_CRIT_CONFLICTING_HEADER &&
	    (single = single_header(item)) != NULL) {
		st->bad |= MIME_BAD_DUPLICATE;
		if (st->duplicate == NULL)
			st->duplicate = single;
		return;
	}
	switch (code) {
	case GMIME_WARN_MALFORMED_MULTIPART:
	case GMIME_WARN_TRUNCATED_MESSAGE:
	case GMIME_WARN_MALFORMED_MESSAGE:
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
	case GMIME_CRIT_NESTING_OVERFLOW:
	case GMIME_WARN_PART_WITHOUT_CONTENT:
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		st->bad |= MIME_BAD_STRUCTURE;
		break;
	case GMIME_CRIT_INVALID_HEADER_NAME:
	case GMIME_CRIT_CONFLICTING_HEADER:
	case GMIME_CRIT_CONFLICTING_PARAMETER:
	case GMIME_WARN_INVALID_PARAMETER:
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
		st->bad |= MIME_BAD_HEADER;
		break;
	default:
		break;		/* duplicates, 8-bit headers: common */
	}
}

/* Appends decoded bytes within the message's decoded-bytes budget. */
static int
put(struct walk *w, struct spool *out, const char *p, size_t n,
    int *truncated)
{
	char err[128];
	unsigned long long room = w->lim->max_decoded - w->decoded;

	if (w->decoded >= w->lim->max_decoded)
		room = 0;
	if (n > room) {
		n = (size_t)room;
		*truncated = 1;
		w->st->limits |= MIME_LIMIT_DECODED;
	}
	if (n > 0 && spool_write(out, p, n, err, sizeof(err)) == -1) {
		*truncated = 1;
		return -1;
	}
	w->decoded += n;
	return *truncated ? -1 : 0;
}

/* Decodes the part's content into out (reset first).  Base64, most of
 * what a walk decodes, goes through b64.c (GMime's output, and whether a
 * byte outside the alphabet was seen, in one pass); quoted-printable and
 * uuencode through GMime's filter. */
static void
decode(struct walk *w, GMimePart *part, struct spool *out, int *truncated)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeFilter *f = NULL;
	GMimeStream *raw;
	struct b64 b64 = { 0, 0 };
	char buf[CHUNK], dec[CHUNK / 4 * 3 + 8], *o;
	size_t olen, opre;
	ssize_t n;
	int unclean = 0;

	spool_reset(out);
	*truncated = 0;
	if (dw == NULL || (raw = g_mime_data_wrapper_get_stream(dw)) == NULL)
		return;
	enc = g_mime_data_wrapper_get_encoding(dw);
	if (enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE)
		f = g_mime_filter_basic_new(enc, FALSE);
	if (g_mime_stream_reset(raw) == -1)
		goto done;
	while ((n = g_mime_stream_read(raw, buf, sizeof(buf))) > 0) {
		o = buf;
		olen = (size_t)n;
		if (enc == GMIME_CONTENT_ENCODING_BASE64) {
			olen = b64_decode(&b64, buf, (size_t)n, dec, &unclean);
			o = dec;
		} else if (f != NULL)
			g_mime_filter_filter(f, buf, (size_t)n, 0, &o, &olen,
			    &opre);
		if (put(w, out, o, olen, truncated) == -1)
			goto done;
		if (deadline_passed(w->lim->dl)) {
			*truncated = 1;
			goto done;
		}
	}
	if (f != NULL) {
		g_mime_filter_complete(f, buf, 0, 0, &o, &olen, &opre);
		(void)put(w, out, o, olen, truncated);
	}
done:
	if (unclean)
		w->st->bad |= MIME_BAD_ENCODING;
	if (f != NULL)
		g_object_unref(f);
}

static int
count_part(struct walk *w)
{
	if (w->st->parts >= w->lim->max_parts) {
		w->st->limits |= MIME_LIMIT_PARTS;
		w->stop = 1;
		return -1;
	}
	w->st->parts++;
	w->index++;
	return 0;
}

static void
emit(struct walk *w, struct mime_part *mp)
{
	mp->size = spool_size(mp->content);
	mp->sniffed = &mp->is;
	mp->is = NULL;
	if (w->fn(w->arg, mp) == -1)
		w->failed = w->stop = 1;
}

/* A leaf that holds a message (encoded message/rfc822, an attached
 * .eml, message/global that GMime left whole, a uuencoded message): its
 * content is parsed and walked one level deeper, with scratch spools of
 * its own, within the same depth, parts, decoded-bytes and time caps
 * (every byte it holds was counted as decoded once already). */
static void
nested(struct walk *w, const struct mime_part *mp)
{
	struct spool *scratch = w->scratch, *uu = w->uu;

	if (w->stop || !mimemsg_is_message(mp))
		return;
	if (mp->depth + 1 > w->st->depth)
		w->st->depth = mp->depth + 1;
	if (mp->depth + 1 > w->lim->max_depth) {
		w->st->limits |= MIME_LIMIT_DEPTH;
		return;
	}
	if ((w->scratch = spool_new(w->a, w->lim->spool_mem,
	    w->lim->tmpdir)) == NULL || (w->uu = spool_new(w->a,
	    w->lim->spool_mem, w->lim->tmpdir)) == NULL)
		w->failed = w->stop = 1;
	else
		walk_spool(w, mp->content, mp->depth + 1);
	spool_free(w->scratch);
	spool_free(w->uu);
	w->scratch = scratch;
	w->uu = uu;
}

/* What mimeuu_scan hands its callbacks: the walk, and the depth of the
 * text body it reads (its blocks are parts at that depth). */
struct uu_body {
	struct walk *w;
	unsigned depth;			/* of the text body */
};

static void
uu_put(void *arg, struct spool *out, const char *p, size_t n,
    int *truncated)
{
	struct uu_body *b = arg;

	(void)put(b->w, out, p, n, truncated);
}

static int
uu_emit(void *arg, const char *name, struct spool *content, int truncated)
{
	struct uu_body *b = arg;
	struct walk *w = b->w;
	struct mime_part mp;

	memset(&mp, 0, sizeof(mp));
	if (count_part(w) == -1)
		return -1;
	if (fname_parse(w->a, name, &mp.name) == -1) {
		w->failed = w->stop = 1;
		return -1;
	}
	mp.declared = "application/octet-stream";
	mp.depth = b->depth;
	mp.index = w->index;
	mp.attachment = mp.uuencoded = 1;
	mp.truncated = truncated;
	mp.content = content;
	emit(w, &mp);
	nested(w, &mp);
	return w->stop ? -1 : 0;
}

static void
leaf(struct walk *w, GMimePart *part, unsigned depth)
{
	GMimeObject *obj = (GMimeObject *)part;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	struct uu_body body = { w, depth };
	struct mime_part mp;
	const char *disp;
	char *type;

	memset(&mp, 0, sizeof(mp));
	if (count_part(w) == -1)
		return;
	if (mimehdr_names(w->a, w->opts, obj, &mp.name, &mp.alt) == -1)
		goto oom;
	type = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	mp.declared = mimehdr_type_dup(w->a, type != NULL ? type :
	    "text/plain");
	g_free(type);
	disp = g_mime_object_get_disposition(obj);
	if (mp.declared == NULL || (disp != NULL &&
	    (mp.disposition = mimehdr_type_dup(w->a, disp)) == NULL))
		goto oom;
	mp.depth = depth;
	mp.index = w->index;
	mp.attachment = mp.name.name != NULL || (mp.disposition != NULL &&
	    strcmp(mp.disposition, "attachment") == 0);
	mp.content = w->scratch;
	decode(w, part, w->scratch, &mp.truncated);
	emit(w, &mp);
	if (!w->stop && strcmp(mp.declared, "text/plain") == 0)
		mimeuu_scan(w->scratch, w->uu, w->lim->dl, uu_put, uu_emit,
		    &body);
	nested(w, &mp);
	return;
oom:
	w->failed = w->stop = 1;
}

/* A file name from a part header past the cut: no content to see. */
static int
tail_name(void *arg, const char *type, const char *name)
{
	struct walk *w = arg;
	struct mime_part mp;

	memset(&mp, 0, sizeof(mp));
	if (w->stop || count_part(w) == -1)
		return -1;
	if (mimehdr_name_parse(w->a, w->opts, name, &mp.name) == -1 ||
	    (mp.declared = mimehdr_type_dup(w->a, type != NULL ? type :
	    "application/octet-stream")) == NULL) {
		w->failed = w->stop = 1;
		return -1;
	}
	mp.index = w->index;
	mp.depth = w->tail_depth;
	mp.attachment = mp.truncated = 1;
	spool_reset(w->scratch);
	mp.content = w->scratch;
	emit(w, &mp);
	return w->stop ? -1 : 0;
}

static void
walk_object(struct walk *w, GMimeObject *obj, unsigned depth)
{
	GMimeMessage *m;
	GMimeObject *sub;
	int i, n;

	if (w->stop || obj == NULL)
		return;
	if (deadline_passed(w->lim->dl)) {
		w->st->limits |= MIME_LIMIT_TIME;
		w->stop = 1;
		return;
	}
	if (depth > w->st->depth)
		w->st->depth = depth;
	if (depth > w->lim->max_depth) {
		w->st->limits |= MIME_LIMIT_DEPTH;
		return;
	}
	if (mimehdr_too_long(obj, w->lim->max_header_length))
		w->st->limits |= MIME_LIMIT_HEADER;
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count((GMimeMultipart *)obj);
		for (i = 0; i < n && !w->stop; i++)
			walk_object(w, g_mime_multipart_get_part(
			    (GMimeMultipart *)obj, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		m = g_mime_message_part_get_message((GMimeMessagePart *)obj);
		if (m == NULL)
			return;
		if (mimehdr_too_long((GMimeObject *)m,
		    w->lim->max_header_length))
			w->st->limits |= MIME_LIMIT_HEADER;
		if ((sub = g_mime_message_get_mime_part(m)) != NULL)
			walk_object(w, sub, depth + 1);
	} else if (GMIME_IS_PART(obj))
		leaf(w, (GMimePart *)obj, depth);
}

/* Parses spool sp (the message, or a message held in one of its parts)
 * and walks it; its body is at depth. */
static void
walk_spool(struct walk *w, struct spool *sp, unsigned depth)
{
	struct mimescan ms;
	struct spool_hole *holes;
	unsigned long long left_out = 0;
	size_t nholes, i;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	int stopped = 0;

	if (mimescan_prepare(sp, w->lim, &w->budget, w->a, &ms) == -1 ||
	    mimetop_holes(sp, &ms, w->lim->dl, w->a, &holes, &nholes) == -1 ||
	    (stream = spool_stream_new(sp, w->lim->dl, &stopped)) == NULL ||
	    (parser = g_mime_parser_new_with_stream(stream)) == NULL) {
		w->failed = w->stop = 1;
		goto done;
	}
	w->st->limits |= ms.limits;
	/* GMime sees the patched bytes, without the header fields it
	 * would only build and free (mimetop.c), up to the cut. */
	spool_stream_patch(stream, ms.patch, ms.npatch);
	spool_stream_holes(stream, holes, nholes);
	for (i = 0; i < nholes; i++)
		left_out += holes[i].len;
	g_mime_stream_set_bounds(stream, 0, (gint64)(ms.cut - left_out));
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	if ((m = g_mime_parser_construct_message(parser, w->opts)) == NULL)
		w->st->bad |= MIME_BAD_STRUCTURE;
	else
		walk_object(w, g_mime_message_get_mime_part(m), depth);
	w->tail_depth = depth;
	if (!w->stop && ms.cut < spool_size(sp) && mimescan_tail(sp, ms.cut,
	    w->lim, &w->budget, w->opts, tail_name, w) == -1 && !w->stop)
		w->failed = w->stop = 1;	/* not the parts cap: memory */
	if (stopped)
		w->st->limits |= MIME_LIMIT_TIME;
done:
	if (m != NULL)
		g_object_unref(m);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
}

int
mime_walk(struct spool *msg, const struct mime_limits *lim,
    struct arena *a, mime_part_fn fn, void *arg, struct mime_stats *st,
    char *err, size_t errlen)
{
	struct walk w;

	memset(st, 0, sizeof(*st));
	memset(&w, 0, sizeof(w));
	w.lim = lim;
	w.a = a;
	w.fn = fn;
	w.arg = arg;
	w.st = st;
	mimescan_budget_init(&w.budget, lim);
	if ((w.scratch = spool_new(a, lim->spool_mem, lim->tmpdir)) == NULL ||
	    (w.uu = spool_new(a, lim->spool_mem, lim->tmpdir)) == NULL ||
	    (w.opts = g_mime_parser_options_new()) == NULL) {
		snprintf(err, errlen, "mime: out of memory");
		return -1;
	}
	g_mime_parser_options_set_rfc2047_compliance_mode(w.opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(w.opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_warning_callback(w.opts, on_warning, st);
	walk_spool(&w, msg, 0);
	if (w.failed)
		snprintf(err, errlen, "mime: out of memory");
	g_mime_parser_options_free(w.opts);
	spool_free(w.scratch);
	spool_free(w.uu);
	return w.failed ? -1 : 0;
}
