/*
 * mime.c - the MIME walk over a spooled message (see mime.h).
 *
 * Exports mime_walk.  Owns, for one walk, the GMime parser, its options
 * and the message tree (unreferenced before returning) and two scratch
 * spools (freed before returning).  Thread rule: one walk, one thread;
 * GMime objects are never shared.
 * Caps: before GMime sees the message, mimescan.c breaks overlong lines
 * and header runs (GMime keeps a header whole in memory) and cuts the
 * message after 4 x max_parts + 64 boundary-like lines (GMime builds an
 * object per part before any cap of ours applies); the part headers past
 * that cut are still read for file names.  GMime itself stops nesting at
 * 1024 levels; we stop at max_depth.
 * RFCs: 2045-2049 (MIME), 2183 (Content-Disposition), 2231 and 2047
 * (names, decoded by GMime), uuencode as POSIX uuencode(1) writes it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "arena.h"
#include "deadline.h"
#include "mime.h"
#include "mimescan.h"
#include "spool.h"

#define CHUNK		16384
#define UU_LINE_MAX	128	/* uuencode lines are 61 bytes */
#define MSG_HEAD	4096	/* read to tell a message by its headers */
#define ALNUM	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

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

/* GMime's complaints that mean a malformed message or header. */
static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	struct mime_stats *st = data;

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

/* A media type as we keep and report it: lower case, and every byte that
 * cannot be in an RFC 2045 type/subtype token becomes '?', so a hostile
 * Content-Type brings no control or invalid UTF-8 into logs, JSON or
 * reasons. */
static char *
lower_dup(struct arena *a, const char *s)
{
	char *d, *p;

	if ((d = arena_strdup(a, s)) == NULL)
		return NULL;
	for (p = d; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 'A' && c <= 'Z')
			*p = (char)(c + 32);
		else if (c <= 0x20 || c >= 0x7f ||
		    strchr("()<>@,;:\\\"[]?=", c) != NULL)
			*p = '?';
	}
	return d;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* RFC 2231 allows the sections of a parameter in any order, but GMime
 * leaves "utf-8''evil%2Eexe" undecoded when "*1*" comes before "*0*".
 * A value of that shape whose charset iconv knows is decoded here; NULL
 * when it is not one (g_free the result). */
static char *
rfc2231_fix(const char *v)
{
	const char *q1 = strchr(v, '\''), *q2, *p;
	char charset[64], *raw, *out, *o;
	size_t n;

	if (q1 == NULL || q1 == v || (size_t)(q1 - v) >= sizeof(charset) ||
	    strspn(v, ALNUM "._-") != (size_t)(q1 - v) ||
	    (q2 = strchr(q1 + 1, '\'')) == NULL ||
	    strspn(q1 + 1, ALNUM "-") != (size_t)(q2 - q1 - 1))
		return NULL;
	memcpy(charset, v, (size_t)(q1 - v));
	charset[q1 - v] = '\0';
	if ((raw = g_malloc(strlen(q2) + 1)) == NULL)
		return NULL;
	for (p = q2 + 1, o = raw; *p != '\0'; p++)
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) << 4 | hexval(p[2]));
			p += 2;
		} else
			*o++ = *p;
	n = (size_t)(o - raw);
	out = g_convert(raw, (gssize)n, "UTF-8", charset, NULL, NULL, NULL);
	g_free(raw);
	return out;
}

/* The parameter called name, or NULL. */
static GMimeParam *
param(GMimeParamList *list, const char *name)
{
	return list != NULL ? g_mime_param_list_get_parameter(list, name) :
	    NULL;
}

/* A parameter value as GMime decoded it (RFC 2231); encoded words left
 * inside quotes (RFC 2047 says they must not be, Outlook does it anyway)
 * are decoded here. */
static int
param_name(struct walk *w, GMimeParam *p, struct fname *out)
{
	const char *v = p != NULL ? g_mime_param_get_value(p) : NULL;
	char *dec = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (v == NULL)
		return 0;
	if (strstr(v, "=?") != NULL && strstr(v, "?=") != NULL)
		dec = g_mime_utils_header_decode_text(w->opts, v);
	else if (g_mime_param_get_encoding_method(p) ==
	    GMIME_PARAM_ENCODING_METHOD_RFC2231)
		dec = rfc2231_fix(v);
	r = fname_parse(w->a, dec != NULL ? dec : v, out);
	g_free(dec);
	return r;
}

/* Checks the size of each header of obj (Content-* only for the
 * message's own top-level part). */
static void
check_headers(struct walk *w, GMimeObject *obj)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h;
	const char *name, *raw;
	size_t len;
	int i, n;

	n = hl != NULL ? g_mime_header_list_get_count(hl) : 0;
	for (i = 0; i < n; i++) {
		if ((h = g_mime_header_list_get_header_at(hl, i)) == NULL)
			continue;
		name = g_mime_header_get_name(h);
		raw = g_mime_header_get_raw_value(h);
		if (name == NULL || raw == NULL)
			continue;
		/* GMime keeps the line end in the raw value. */
		len = strlen(raw);
		if (len > 0 && raw[len - 1] == '\n')
			len--;
		if (len > 0 && raw[len - 1] == '\r')
			len--;
		if (strlen(name) + len > w->lim->max_header_length)
			w->st->limits |= MIME_LIMIT_HEADER;
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

static int
base64_clean(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		    c == '=' || c == '\r' || c == '\n' || c == ' ' ||
		    c == '\t'))
			return 0;
	}
	return 1;
}

/* Decodes the part's content into out (reset first). */
static void
decode(struct walk *w, GMimePart *part, struct spool *out, int *truncated)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeFilter *f = NULL;
	GMimeStream *raw;
	char buf[CHUNK], *o;
	size_t olen, opre;
	ssize_t n;

	spool_reset(out);
	*truncated = 0;
	if (dw == NULL || (raw = g_mime_data_wrapper_get_stream(dw)) == NULL)
		return;
	enc = g_mime_data_wrapper_get_encoding(dw);
	if (enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE)
		f = g_mime_filter_basic_new(enc, FALSE);
	if (g_mime_stream_reset(raw) == -1)
		goto done;
	while ((n = g_mime_stream_read(raw, buf, sizeof(buf))) > 0) {
		if (enc == GMIME_CONTENT_ENCODING_BASE64 &&
		    !base64_clean(buf, (size_t)n))
			w->st->bad |= MIME_BAD_ENCODING;
		o = buf;
		olen = (size_t)n;
		if (f != NULL)
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

/* A field name of a message header block, up to its colon: the length
 * of the name, or 0. */
static size_t
field_name(const char *p, size_t n)
{
	size_t i, k;

	for (i = 0; i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':'; i++)
		;
	for (k = i; k < n && (p[k] == ' ' || p[k] == '\t'); k++)
		;
	return i > 0 && k < n && p[k] == ':' ? i : 0;
}

/* The content starts with a message header block: lines that are all
 * fields or their continuations (after an optional mbox "From " line),
 * one of them a field every message has, up to an empty line or the
 * end of the first MSG_HEAD bytes. */
static int
looks_like_message(struct spool *sp)
{
	static const char *const known[] = {
		"from", "to", "cc", "subject", "date", "sender", "reply-to",
		"message-id", "received", "return-path", "mime-version",
		"content-type", "delivered-to", NULL
	};
	char buf[MSG_HEAD];
	const char *p, *e, *nl;
	size_t len, k, i;
	ssize_t n;
	int found = 0, first = 1;

	if ((n = spool_pread(sp, buf, sizeof(buf), 0)) <= 0)
		return 0;
	for (p = buf, e = buf + n; p < e; p = nl + 1, first = 0) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			break;		/* the window ends in a line */
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0)
			break;
		if (first && len > 5 && strncmp(p, "From ", 5) == 0)
			continue;
		if (!first && (p[0] == ' ' || p[0] == '\t'))
			continue;
		if ((k = field_name(p, len)) == 0)
			return 0;
		for (i = 0; known[i] != NULL && !found; i++)
			found = strlen(known[i]) == k &&
			    strncasecmp(p, known[i], k) == 0;
	}
	return found;
}

/* A reader opens this part as a message: its declared type, its name,
 * what it was found to be, or (unless it is a text body) its first
 * lines say so. */
static int
is_message(const struct mime_part *mp)
{
	static const char *const types[] = {
		"message/rfc822", "message/rfc2822", "message/global",
		"message/news", "message/partial", NULL
	};
	static const char *const exts[] = { "eml", "mht", "mhtml", NULL };
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (strcmp(mp->declared, types[i]) == 0)
			return 1;
	for (i = 0; exts[i] != NULL; i++)
		if ((mp->name.name != NULL && strcmp(mp->name.ext, exts[i])
		    == 0) || (mp->alt.name != NULL && strcmp(mp->alt.ext,
		    exts[i]) == 0))
			return 1;
	if (mp->is != NULL && strncmp(mp->is, "message/", 8) == 0)
		return 1;
	return (mp->attachment || strncmp(mp->declared, "text/", 5) != 0) &&
	    looks_like_message(mp->content);
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

	if (w->stop || !is_message(mp))
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

/* One decoded uuencoded line into w->uu; -1 when it is not uuencode. */
static int
uu_line(struct walk *w, const char *s, size_t n, int *truncated)
{
	char out[UU_LINE_MAX];
	size_t want, i, o = 0;
	unsigned v[4], k;

	if (n == 0)
		return -1;
	want = ((unsigned char)s[0] - 32) & 63;
	for (i = 1; o < want; i += 4) {
		for (k = 0; k < 4; k++) {
			/* Some encoders drop trailing blanks: missing
			 * characters count as zero. */
			unsigned char c = i + k < n ? (unsigned char)s[i + k] :
			    ' ';

			if (c < 32 || c > 96)
				return -1;
			v[k] = (c - 32) & 63;
		}
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		out[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		out[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	if (want > 0 && put(w, w->uu, out, want, truncated) == -1)
		return *truncated ? 0 : -1;
	return 0;
}

/* "begin 644 name": the name, or NULL. */
static const char *
uu_begin(char *line)
{
	char *p;

	if (strncmp(line, "begin ", 6) != 0)
		return NULL;
	p = line + 6;
	if (strspn(p, "01234567") < 3 || strspn(p, "01234567") > 4)
		return NULL;
	p += strspn(p, "01234567");
	if (*p != ' ' || p[1] == '\0')
		return NULL;
	return p + 1;
}

static void
uu_emit(struct walk *w, const char *name, unsigned depth, int truncated)
{
	struct mime_part mp;

	memset(&mp, 0, sizeof(mp));
	if (count_part(w) == -1)
		return;
	if (fname_parse(w->a, name, &mp.name) == -1) {
		w->failed = w->stop = 1;
		return;
	}
	mp.declared = "application/octet-stream";
	mp.depth = depth;
	mp.index = w->index;
	mp.attachment = mp.uuencoded = 1;
	mp.truncated = truncated;
	mp.content = w->uu;
	emit(w, &mp);
	nested(w, &mp);
}

/* Finds uuencoded blocks in a decoded text body and hands each over. */
static void
scan_uu(struct walk *w, struct spool *text, unsigned depth)
{
	char buf[CHUNK], line[UU_LINE_MAX + 1], name[256];
	unsigned long long off = 0;
	size_t ll = 0;
	ssize_t n, i;
	int in = 0, over = 0, trunc = 0;
	const char *nm;

	while (!w->stop && (n = spool_pread(text, buf, sizeof(buf), off)) > 0) {
		off += (unsigned long long)n;
		if (deadline_passed(w->lim->dl))
			break;
		for (i = 0; i < n && !w->stop; i++) {
			if (buf[i] != '\n') {
				if (ll < UU_LINE_MAX)
					line[ll++] = buf[i];
				else
					over = 1;
				continue;
			}
			if (ll > 0 && line[ll - 1] == '\r')
				ll--;
			line[ll] = '\0';
			if (!in && !over && (nm = uu_begin(line)) != NULL) {
				snprintf(name, sizeof(name), "%s", nm);
				spool_reset(w->uu);
				in = 1;
				trunc = 0;
			} else if (in && strcmp(line, "end") == 0) {
				uu_emit(w, name, depth, trunc);
				in = 0;
			} else if (in && (over || uu_line(w, line, ll,
			    &trunc) == -1))
				in = 0;	/* not uuencode after all */
			ll = 0;
			over = 0;
		}
	}
	if (in && !w->stop)
		uu_emit(w, name, depth, 1);	/* no "end" line */
}

static void
leaf(struct walk *w, GMimePart *part, unsigned depth)
{
	GMimeObject *obj = (GMimeObject *)part;
	GMimeContentDisposition *cd;
	GMimeContentType *ct;
	GMimeParam *fn, *nm;
	struct mime_part mp;
	const char *disp;
	char *type;

	memset(&mp, 0, sizeof(mp));
	if (count_part(w) == -1)
		return;
	ct = g_mime_object_get_content_type(obj);
	cd = g_mime_object_get_content_disposition(obj);
	fn = param(cd != NULL ? g_mime_content_disposition_get_parameters(cd) :
	    NULL, "filename");
	nm = param(ct != NULL ? g_mime_content_type_get_parameters(ct) : NULL,
	    "name");
	if (fn != NULL && g_mime_param_get_value(fn) == NULL)
		fn = NULL;
	if (nm != NULL && g_mime_param_get_value(nm) == NULL)
		nm = NULL;
	if (param_name(w, fn != NULL ? fn : nm, &mp.name) == -1 ||
	    (fn != NULL && nm != NULL && strcmp(g_mime_param_get_value(fn),
	    g_mime_param_get_value(nm)) != 0 &&
	    param_name(w, nm, &mp.alt) == -1))
		goto oom;
	type = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	mp.declared = lower_dup(w->a, type != NULL ? type : "text/plain");
	g_free(type);
	disp = g_mime_object_get_disposition(obj);
	if (mp.declared == NULL || (disp != NULL &&
	    (mp.disposition = lower_dup(w->a, disp)) == NULL))
		goto oom;
	mp.depth = depth;
	mp.index = w->index;
	mp.attachment = mp.name.name != NULL || (mp.disposition != NULL &&
	    strcmp(mp.disposition, "attachment") == 0);
	mp.content = w->scratch;
	decode(w, part, w->scratch, &mp.truncated);
	emit(w, &mp);
	if (!w->stop && strcmp(mp.declared, "text/plain") == 0)
		scan_uu(w, w->scratch, depth);
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
	char *dec = NULL;
	int r;

	memset(&mp, 0, sizeof(mp));
	if (w->stop || count_part(w) == -1)
		return -1;
	if (strstr(name, "=?") != NULL && strstr(name, "?=") != NULL)
		dec = g_mime_utils_header_decode_text(w->opts, name);
	r = fname_parse(w->a, dec != NULL ? dec : name, &mp.name);
	g_free(dec);
	if (r == -1 || (mp.declared = lower_dup(w->a, type != NULL ? type :
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
	check_headers(w, obj);
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count((GMimeMultipart *)obj);
		for (i = 0; i < n && !w->stop; i++)
			walk_object(w, g_mime_multipart_get_part(
			    (GMimeMultipart *)obj, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		m = g_mime_message_part_get_message((GMimeMessagePart *)obj);
		if (m == NULL)
			return;
		check_headers(w, (GMimeObject *)m);
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
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	int stopped = 0;

	if (mimescan_prepare(sp, w->lim, &w->budget, w->a, &ms) == -1 ||
	    (stream = spool_stream_new(sp, w->lim->dl, &stopped)) == NULL ||
	    (parser = g_mime_parser_new_with_stream(stream)) == NULL) {
		w->failed = w->stop = 1;
		goto done;
	}
	w->st->limits |= ms.limits;
	spool_stream_patch(stream, ms.patch, ms.npatch);
	g_mime_stream_set_bounds(stream, 0, (gint64)ms.cut);
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
