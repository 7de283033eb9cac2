/*
 * mimehdr.c - reading a part's header block for the MIME walk (see
 * mimehdr.h; internal to mime.c).
 *
 * Exports mimehdr_type_dup, mimehdr_names, mimehdr_name_parse and
 * mimehdr_too_long.  Owns nothing past a call: decoded names are copied
 * into the arena and the GLib strings freed.  Thread rule: one walk, one
 * thread; the GMime objects are the caller's and never shared.
 * Caps: none of its own; the header size check serves the walk's
 * max_header_length, and a charset name in an RFC 2231 value is at most
 * 63 bytes (a longer one is left as written).
 * RFCs: 2045 (tokens), 2183 (Content-Disposition filename), 2231
 * (parameter sections and charsets, mostly decoded by GMime), 2047
 * (encoded words).
 */
#include <string.h>

#include <gmime/gmime.h>

#include "util/hex.h"
#include "util/arena.h"
#include "attach/fname.h"
#include "attach/mimehdr.h"

#define ALNUM	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* Lower case, and '?' for what is no token byte, so a hostile
 * Content-Type brings no control or invalid UTF-8 into logs, JSON or
 * reasons. */
char *
mimehdr_type_dup(struct arena *a, const char *s)
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
		if (*p == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
			*o++ = (char)(hex_value(p[1]) << 4 | hex_value(p[2]));
			p += 2;
		} else
			*o++ = *p;
	n = (size_t)(o - raw);
	out = g_convert(raw, (gssize)n, "UTF-8", charset, NULL, NULL, NULL);
	g_free(raw);
	return out;
}

/* Encoded words left inside quotes (RFC 2047 says they must not be,
 * Outlook does it anyway) are decoded; else, for a value GMime took as
 * RFC 2231, sections out of order. */
static int
name_parse(struct arena *a, GMimeParserOptions *opts, const char *v,
    int rfc2231, struct fname *out)
{
	char *dec = NULL;
	int r;

	if (strstr(v, "=?") != NULL && strstr(v, "?=") != NULL)
		dec = g_mime_utils_header_decode_text(opts, v);
	else if (rfc2231)
		dec = rfc2231_fix(v);
	r = fname_parse(a, dec != NULL ? dec : v, out);
	g_free(dec);
	return r;
}

int
mimehdr_name_parse(struct arena *a, GMimeParserOptions *opts,
    const char *raw, struct fname *out)
{
	return name_parse(a, opts, raw, 0, out);
}

/* The parameter called name with a value, or NULL. */
static GMimeParam *
param(GMimeParamList *list, const char *name)
{
	GMimeParam *p = list != NULL ?
	    g_mime_param_list_get_parameter(list, name) : NULL;

	return p != NULL && g_mime_param_get_value(p) != NULL ? p : NULL;
}

/* A parameter value as GMime decoded it (RFC 2231), decoded further by
 * name_parse. */
static int
param_name(struct arena *a, GMimeParserOptions *opts, GMimeParam *p,
    struct fname *out)
{
	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return 0;
	return name_parse(a, opts, g_mime_param_get_value(p),
	    g_mime_param_get_encoding_method(p) ==
	    GMIME_PARAM_ENCODING_METHOD_RFC2231, out);
}

int
mimehdr_names(struct arena *a, GMimeParserOptions *opts, GMimeObject *obj,
    struct fname *name, struct fname *alt)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition *cd =
	    g_mime_object_get_content_disposition(obj);
	GMimeParam *fn, *nm;

	fn = param(cd != NULL ? g_mime_content_disposition_get_parameters(cd) :
	    NULL, "filename");
	nm = param(ct != NULL ? g_mime_content_type_get_parameters(ct) : NULL,
	    "name");
	if (param_name(a, opts, fn != NULL ? fn : nm, name) == -1 ||
	    (fn != NULL && nm != NULL && strcmp(g_mime_param_get_value(fn),
	    g_mime_param_get_value(nm)) != 0 &&
	    param_name(a, opts, nm, alt) == -1))
		return -1;
	return 0;
}

int
mimehdr_too_long(GMimeObject *obj, size_t max)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h;
	const char *name, *raw;
	size_t len;
	int i, n, over = 0;

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
		if (strlen(name) + len > max)
			over = 1;
	}
	return over;
}
