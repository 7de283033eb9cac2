/*
 * eml.c - feeds a message file to a scan the way an MTA feeds the milter.
 *
 * Exports eml_feed.  Reads with getline, so one line costs at most its own
 * length; headers beyond the message caps are dropped by message.c.  A
 * leading mbox "From " line is skipped.  As Postfix's cleanup does, a line
 * in the header section that is neither a header nor a continuation ends
 * the headers and starts the body.  Header values keep everything after the
 * colon; continuation lines are joined with "\n".  Body lines get CRLF.
 * Thread rule: one scan, one thread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eml.h"
#include "policy.h"

#define EML_CHUNK	65536

struct buf {
	char *p;
	size_t len, cap;
};

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t ncap;
	char *np;

	if (n > SIZE_MAX - b->len - 1)
		return -1;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n + 1)
			ncap = ncap > SIZE_MAX / 2 ? b->len + n + 1 : ncap * 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return -1;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Strips the line end (LF or CRLF) in place; returns the new length. */
static size_t
chomp(char *line, size_t n)
{
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return n;
}

/* A field name is printable ASCII except ':' (RFC 5322 2.2); obsolete
 * syntax allows white space before the colon. */
static int
header_name_len(const char *line, size_t n, size_t *namelen)
{
	size_t i, end;

	for (i = 0; i < n && line[i] != ':'; i++)
		if ((unsigned char)line[i] < 33 && line[i] != ' ' &&
		    line[i] != '\t')
			return -1;
		else if ((unsigned char)line[i] > 126)
			return -1;
	if (i == n || i == 0)
		return -1;
	end = i;
	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	if (end == 0 || memchr(line, ' ', end) || memchr(line, '\t', end))
		return -1;
	*namelen = end;
	return 0;
}

static int
flush_header(struct scan *s, struct buf *h, size_t namelen, size_t colon)
{
	int r;

	if (h->len == 0)
		return 0;
	h->p[namelen] = '\0';
	r = policy_scan_header(s, h->p, h->p + colon + 1);
	h->len = 0;
	return r;
}

static int
feed_body(struct scan *s, struct buf *body, int force)
{
	int r = 0;

	if (body->len > 0 && (force || body->len >= EML_CHUNK)) {
		r = policy_scan_body(s, (unsigned char *)body->p, body->len);
		body->len = 0;
	}
	return r;
}

int
eml_feed(struct scan *s, FILE *fp, char *err, size_t errlen)
{
	struct buf h = { 0 }, body = { 0 };
	char *line = NULL;
	size_t cap = 0, n, namelen = 0, colon = 0;
	ssize_t got;
	int in_headers = 1, first = 1, rc = -1;

	while ((got = getline(&line, &cap, fp)) != -1) {
		n = chomp(line, (size_t)got);
		if (first && n >= 5 && memcmp(line, "From ", 5) == 0) {
			first = 0;
			continue;
		}
		first = 0;
		if (in_headers) {
			if (n > 0 && (line[0] == ' ' || line[0] == '\t') &&
			    h.len > 0) {
				if (buf_add(&h, "\n", 1) == -1 ||
				    buf_add(&h, line, n) == -1)
					goto oom;
				continue;
			}
			if (flush_header(s, &h, namelen, colon) == -1)
				goto oom;
			if (n == 0) {
				in_headers = 0;
				if (policy_scan_eoh(s) == -1)
					goto oom;
				continue;
			}
			if (header_name_len(line, n, &namelen) == 0) {
				colon = (size_t)((char *)memchr(line, ':', n) -
				    line);
				if (buf_add(&h, line, n) == -1)
					goto oom;
				continue;
			}
			/* Not a header: the body starts here. */
			in_headers = 0;
			if (policy_scan_eoh(s) == -1)
				goto oom;
		}
		if (buf_add(&body, line, n) == -1 ||
		    buf_add(&body, "\r\n", 2) == -1 ||
		    feed_body(s, &body, 0) == -1)
			goto oom;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "read error");
		goto out;
	}
	if (in_headers) {
		if (flush_header(s, &h, namelen, colon) == -1 ||
		    policy_scan_eoh(s) == -1)
			goto oom;
	}
	if (feed_body(s, &body, 1) == -1)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(line);
	free(h.p);
	free(body.p);
	return rc;
}
