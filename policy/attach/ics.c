/*
 * ics.c - a small bounded iCalendar reader for the links of an
 * invitation (see ics.h).
 *
 * Exports ics_is_calendar and ics_scan.  The bytes are read in blocks,
 * unfolded on the fly into one content line (at most ICS_LINE_MAX bytes
 * kept), and each line is handed to the link producers by its name.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/deadline.h"
#include "attach/attach.h"
#include "attach/htmllinks.h"
#include "attach/ics.h"
#include "attach/links.h"
#include "attach/linktext.h"
#include "attach/spool.h"

#define BLOCK	65536

struct reader {
	struct attach_results *out;
	struct arena *a;
	struct deadline *dl;
	const char *where;
	unsigned flags;
	char *line;			/* ICS_LINE_MAX bytes */
	size_t len;
	int cut;			/* the line went past ICS_LINE_MAX */
	unsigned long lines;
	unsigned html;
	int incomplete;
	int failed;
	struct linktext lt;
};

static const char *const cal_types[] = {
	"text/calendar", "text/x-vcalendar", "application/ics",
	"text/x-calendar", "application/x-ical", NULL
};
static const char *const cal_exts[] = { "ics", "vcs", "ical", "ifb", NULL };
static const char *const text_props[] = {
	"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT",
	"RESOURCES", NULL
};
static const char *const uri_props[] = {
	"URL", "ATTACH", "CONFERENCE", "IMAGE", NULL
};

static int
in(const char *s, size_t n, const char *const *list)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncasecmp(s, list[i], n) == 0)
			return 1;
	return 0;
}

int
ics_is_calendar(const char *declared, const char *detected, const char *ext)
{
	return (declared != NULL && in(declared, strlen(declared),
	    cal_types)) || (detected != NULL && in(detected, strlen(detected),
	    cal_types)) || (ext != NULL && in(ext, strlen(ext), cal_exts));
}

/* TEXT unescaping in place (RFC 5545 3.3.11); other backslashes stay:
 * a browser reads "\" as "/" in a URL.  Returns the new length. */
static size_t
unescape(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && strchr("nN,;\\",
		    s[i + 1]) != NULL) {
			i++;
			s[o++] = (s[i] == 'n' || s[i] == 'N') ? '\n' : s[i];
		} else
			s[o++] = s[i];
	}
	return o;
}

/* A parameter value, unquoted, compared with want. */
static int
param_is(const char *v, size_t n, const char *want)
{
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	return strlen(want) == n && strncasecmp(v, want, n) == 0;
}

static void
text(struct reader *r, char *v, size_t n)
{
	n = unescape(v, n);
	linktext_init(&r->lt, r->out, r->a, r->where, r->flags, 0);
	r->lt.kind = LINK_CALENDAR;
	if (linktext_feed(&r->lt, v, n) == -1 || linktext_end(&r->lt) == -1)
		r->failed = 1;
}

static void
html(struct reader *r, char *v, size_t n)
{
	struct spool *sp;

	if (++r->html > ICS_HTML_MAX) {
		r->incomplete = 1;
		return;
	}
	n = unescape(v, n);
	if ((sp = spool_from_memory(r->a, v, n)) == NULL ||
	    htmllinks_scan_kind(sp, r->dl, r->a, r->out, r->where, r->flags,
	    0, LINK_CALENDAR) == -1)
		r->failed = 1;
}

/* One unfolded content line: name *(";" param) ":" value. */
static void
property(struct reader *r, char *s, size_t n, int cut)
{
	size_t i, j, name, nlen, pn;
	int quoted = 0, binary = 0, ishtml = 0;

	for (i = 0; i < n && s[i] != ';' && s[i] != ':'; i++)
		;
	for (name = i; name > 0 && s[name - 1] != '.'; name--)
		;			/* "item1.URL" */
	nlen = i - name;
	while (i < n && s[i] == ';') {	/* parameters */
		pn = ++i;
		while (i < n && s[i] != '=' && s[i] != ';' && s[i] != ':')
			i++;
		if (i >= n || s[i] != '=')
			continue;
		for (j = ++i; i < n && (quoted || (s[i] != ';' &&
		    s[i] != ':')); i++)
			if (s[i] == '"')
				quoted = !quoted;
		if ((param_is(s + pn, j - 1 - pn, "VALUE") &&
		    param_is(s + j, i - j, "BINARY")) ||
		    (param_is(s + pn, j - 1 - pn, "ENCODING") &&
		    (param_is(s + j, i - j, "BASE64") ||
		    param_is(s + j, i - j, "B"))))
			binary = 1;
		if (param_is(s + pn, j - 1 - pn, "FMTTYPE") &&
		    param_is(s + j, i - j, "text/html"))
			ishtml = 1;
	}
	if (i >= n || s[i] != ':')
		return;			/* no value: not a property */
	i++;
	if (nlen == 10 && strncasecmp(s + name, "X-ALT-DESC", 10) == 0 &&
	    ishtml) {
		if (cut)
			r->incomplete = 1;
		html(r, s + i, n - i);
	} else if (in(s + name, nlen, uri_props)) {
		if (binary)
			return;
		if (cut)
			r->incomplete = 1;
		if (links_add(r->out, r->a, s + i, n - i, NULL, 0,
		    LINK_CALENDAR, r->flags, r->where) == -1)
			r->failed = 1;
	} else if (in(s + name, nlen, text_props) || (nlen > 2 &&
	    strncasecmp(s + name, "X-", 2) == 0)) {
		if (cut)
			r->incomplete = 1;
		text(r, s + i, n - i);
	}
}

static void
line_end(struct reader *r)
{
	if (r->len > 0 && ++r->lines > ICS_LINES_MAX)
		r->incomplete = 1;
	else if (r->len > 0)
		property(r, r->line, r->len, r->cut);
	r->len = 0;
	r->cut = 0;
}

/* Unfolds buf[0..n) into content lines; *brk and *prev carry the state
 * of a line break across blocks. */
static void
unfold(struct reader *r, const char *buf, size_t n, int *brk, int *prev)
{
	size_t i;
	int c;

	for (i = 0; i < n && !r->failed && r->lines <= ICS_LINES_MAX; i++) {
		c = (unsigned char)buf[i];
		if (c == '\0')
			continue;
		if (c == '\r' || c == '\n') {
			if (c == '\n' && *prev == '\r') {
				*prev = c;	/* CRLF: one break */
				continue;
			}
			if (*brk)
				line_end(r);
			*brk = 1;
			*prev = c;
			continue;
		}
		*prev = c;
		if (*brk) {
			*brk = 0;
			if (c == ' ' || c == '\t')
				continue;	/* folded */
			line_end(r);
		}
		if (r->len < ICS_LINE_MAX)
			r->line[r->len++] = (char)c;
		else
			r->cut = 1;
	}
}

int
ics_scan(struct spool *sp, struct deadline *dl, struct arena *a,
    struct attach_results *out, const char *where, unsigned flags)
{
	struct reader *r;
	unsigned long long off = 0;
	char *buf;
	ssize_t got;
	int brk = 0, prev = 0, failed;

	if (out->calendars < ~0u)
		out->calendars++;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	buf = malloc(BLOCK);
	r->line = malloc(ICS_LINE_MAX);
	if (buf == NULL || r->line == NULL) {
		free(buf);
		free(r->line);
		free(r);
		return -1;
	}
	r->out = out;
	r->a = a;
	r->dl = dl;
	r->where = where;
	r->flags = flags;
	while (!r->failed && r->lines <= ICS_LINES_MAX &&
	    !deadline_passed(dl) &&
	    (got = spool_pread(sp, buf, BLOCK, off)) > 0) {
		if (off >= ICS_SCAN_MAX) {
			r->incomplete = 1;
			break;
		}
		off += (unsigned long long)got;
		unfold(r, buf, (size_t)got, &brk, &prev);
	}
	if (!r->failed && r->lines <= ICS_LINES_MAX)
		line_end(r);
	if (r->incomplete && out->links_dropped < ~0u)
		out->links_dropped++;
	failed = r->failed;
	free(buf);
	free(r->line);
	free(r);
	return failed ? -1 : 0;
}
