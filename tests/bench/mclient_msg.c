/*
 * mclient_msg.c - a message file read once into the pieces the milter
 * protocol sends: envelope sender, headers (name, value with folds as LF),
 * body with CRLF line ends.
 *
 * Exports mclient_msg_load and mclient_msg_free (mclient.h).  A loaded
 * message is read-only afterwards and may be sent by many threads at once.
 * Caps: the file size (MSG_MAX_FILE), headers (MSG_MAX_HEADERS); a header
 * section that does not parse ends at the first line that is neither a
 * field nor a fold, and the rest is body (as a lenient MTA would pass it).
 * RFC 5322 section 2.2 (header fields, folding).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mclient.h"

#define MSG_MAX_FILE	(64 * 1024 * 1024)
#define MSG_MAX_HEADERS	10000

static int
read_file(const char *file, unsigned char **data, size_t *len, char *err,
    size_t errlen)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;
	FILE *fp;

	if ((fp = fopen(file, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open (errno %d)", file,
		    errno);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= MSG_MAX_FILE) {
				snprintf(err, errlen, "%s: larger than %d "
				    "bytes", file, MSG_MAX_FILE);
				goto fail;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				snprintf(err, errlen, "%s: out of memory",
				    file);
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", file);
		goto fail;
	}
	fclose(fp);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
fail:
	fclose(fp);
	free(buf);
	return -1;
}

/* Length of the line at p (without its LF or CRLF), and where the next
 * line starts. */
static size_t
line_len(const unsigned char *p, const unsigned char *end,
    const unsigned char **next)
{
	const unsigned char *lf = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (lf == NULL) {
		*next = end;
		n = (size_t)(end - p);
	} else {
		*next = lf + 1;
		n = (size_t)(lf - p);
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static int
add_header(struct mclient_msg *m, const unsigned char *p, size_t n)
{
	const unsigned char *colon = memchr(p, ':', n);
	struct mclient_header *h, *nh;
	size_t nl;

	if (m->nheaders >= MSG_MAX_HEADERS)
		return -1;
	nh = realloc(m->headers, (m->nheaders + 1) * sizeof(*nh));
	if (nh == NULL)
		return -1;
	m->headers = nh;
	h = &m->headers[m->nheaders];
	nl = (size_t)(colon - p);
	if ((h->name = malloc(nl + 1)) == NULL)
		return -1;
	memcpy(h->name, p, nl);
	h->name[nl] = '\0';
	if ((h->value = malloc(n - nl)) == NULL) {
		free(h->name);
		return -1;
	}
	memcpy(h->value, colon + 1, n - nl - 1);
	h->value[n - nl - 1] = '\0';
	m->nheaders++;
	return 0;
}

/* A fold continues the last header: appended as LF + the line. */
static int
add_fold(struct mclient_msg *m, const unsigned char *p, size_t n)
{
	struct mclient_header *h = &m->headers[m->nheaders - 1];
	size_t old = strlen(h->value);
	char *nv;

	if ((nv = realloc(h->value, old + n + 2)) == NULL)
		return -1;
	nv[old] = '\n';
	memcpy(nv + old + 1, p, n);
	nv[old + 1 + n] = '\0';
	h->value = nv;
	return 0;
}

/* A field name: printable US-ASCII except colon (RFC 5322 3.6.8). */
static int
is_field(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] != ':'; i++)
		if (p[i] < 33 || p[i] > 126)
			return 0;
	return i > 0 && i < n;
}

static int
set_body(struct mclient_msg *m, const unsigned char *p,
    const unsigned char *end)
{
	const unsigned char *next;
	size_t n, lines = 0, o = 0;
	const unsigned char *q;

	for (q = p; q < end; q = next) {
		line_len(q, end, &next);
		lines++;
	}
	/* Each line grows by at most one CR; lines <= bytes. */
	if ((m->body = malloc((size_t)(end - p) + lines + 1)) == NULL)
		return -1;
	for (q = p; q < end; q = next) {
		n = line_len(q, end, &next);
		memcpy(m->body + o, q, n);
		o += n;
		if (next > q + n) {	/* the line had an end */
			m->body[o++] = '\r';
			m->body[o++] = '\n';
		}
	}
	m->body_len = o;
	return 0;
}

/* The address in a From value: between <>, else the whole value trimmed. */
static char *
from_address(const struct mclient_msg *m)
{
	const char *v = NULL, *s, *e;
	size_t i;
	char *a;

	for (i = 0; i < m->nheaders && v == NULL; i++)
		if (strcasecmp(m->headers[i].name, "From") == 0)
			v = m->headers[i].value;
	if (v == NULL)
		return strdup("");
	if ((s = strchr(v, '<')) != NULL && (e = strchr(s, '>')) != NULL) {
		s++;
	} else {
		for (s = v; *s == ' ' || *s == '\t' || *s == '\n'; s++)
			;
		for (e = s; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != '\n'; e++)
			;
	}
	if ((a = malloc((size_t)(e - s) + 1)) == NULL)
		return NULL;
	memcpy(a, s, (size_t)(e - s));
	a[e - s] = '\0';
	return a;
}

struct mclient_msg *
mclient_msg_load(const char *file, const char *mail_from, char *err,
    size_t errlen)
{
	const unsigned char *p, *end, *next;
	struct mclient_msg *m;
	unsigned char *data;
	size_t len, n;

	if (read_file(file, &data, &len, err, errlen) == -1)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->label = strdup(file)) == NULL)
		goto oom;
	end = data + len;
	for (p = data; p < end; p = next) {
		n = line_len(p, end, &next);
		if (n == 0) {		/* the blank line ends the header */
			p = next;
			break;
		}
		if ((p[0] == ' ' || p[0] == '\t') && m->nheaders > 0) {
			if (add_fold(m, p, n) == -1)
				goto oom;
		} else if (is_field(p, n)) {
			if (add_header(m, p, n) == -1)
				goto oom;
		} else {
			break;		/* not a header: the body starts */
		}
	}
	if (set_body(m, p, end) == -1)
		goto oom;
	m->mail_from = mail_from != NULL ? strdup(mail_from) :
	    from_address(m);
	if (m->mail_from == NULL)
		goto oom;
	free(data);
	return m;
oom:
	snprintf(err, errlen, "%s: out of memory or more than %d headers",
	    file, MSG_MAX_HEADERS);
	free(data);
	mclient_msg_free(m);
	return NULL;
}

void
mclient_msg_free(struct mclient_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
	free(m->body);
	free(m->mail_from);
	free(m->label);
	free(m);
}
