/*
 * htmllinks.c - links and forms of an HTML page (see htmllinks.h).
 *
 * Exports htmllinks_init and htmllinks_scan.  One parser context per
 * page, freed before return; state in struct page on the heap.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "attach/attach.h"
#include "attach/html.h"
#include "attach/htmllinks.h"
#include "attach/links.h"
#include "attach/linktext.h"
#include "attach/spool.h"
#include "util/deadline.h"
#include "util/utf8.h"

#define BLOCK		65536
#define ANCHOR_TEXT	256

struct page {
	struct attach_results *out;
	struct arena *a;
	const char *where;
	unsigned flags;
	unsigned kind;			/* replaces LINK_HREF, or 0 */
	int failed;
	/* the open anchor */
	int in_a;
	char *href;			/* malloc'd, or NULL */
	char text[ANCHOR_TEXT];
	size_t tlen;
	/* the open form */
	int in_form, password;
	char *action;			/* malloc'd, or NULL (none given) */
	struct linktext lt;
};

void
htmllinks_init(void)
{
	xmlInitParser();
}

static void gap(struct page *);

static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void
ignore_cdata(void *ctx, const xmlChar *s, int len)
{
	(void)ctx;
	(void)s;
	(void)len;
}

static const char *
attr(const xmlChar **atts, const char *name)
{
	size_t i, nl = strlen(name);

	for (i = 0; atts != NULL && atts[i] != NULL; i += 2) {
		const char *n = (const char *)atts[i];
		size_t l = strlen(n);

		/* "href", and "xlink:href" (SVG) for href */
		if ((strcasecmp(n, name) == 0 || (l > nl && n[l - nl - 1] ==
		    ':' && strcasecmp(n + l - nl, name) == 0)) &&
		    atts[i + 1] != NULL)
			return (const char *)atts[i + 1];
	}
	return NULL;
}

static void
add(struct page *pg, const char *url, const char *text, size_t tlen,
    enum link_kind kind, unsigned flags)
{
	if (kind == LINK_HREF && pg->kind != 0)
		kind = (enum link_kind)pg->kind;
	if (!pg->failed && links_add(pg->out, pg->a, url, strlen(url), text,
	    tlen, kind, pg->flags | flags, pg->where) == -1)
		pg->failed = 1;
}

static void
anchor_end(struct page *pg)
{
	if (pg->in_a && pg->href != NULL)
		add(pg, pg->href, pg->text, pg->tlen, LINK_HREF, 0);
	free(pg->href);
	pg->href = NULL;
	pg->in_a = 0;
	pg->tlen = 0;
}

static void
form_end(struct page *pg)
{
	if (pg->in_form)
		add(pg, pg->action != NULL ? pg->action : "", NULL, 0,
		    LINK_FORM, pg->password ? LINK_PASSWORD : 0);
	free(pg->action);
	pg->action = NULL;
	pg->in_form = pg->password = 0;
}

static char *
copy(struct page *pg, const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	if ((c = strdup(s)) == NULL)
		pg->failed = 1;
	return c;
}

/* <meta http-equiv=refresh content="5; url=https://...">. */
static void
refresh(struct page *pg, const xmlChar **atts)
{
	const char *eq = attr(atts, "http-equiv"), *c = attr(atts, "content");
	const char *u;

	if (eq == NULL || c == NULL || strcasecmp(eq, "refresh") != 0)
		return;
	for (u = c; *u != '\0'; u++)
		if (strncasecmp(u, "url", 3) == 0) {
			for (u += 3; *u == ' ' || *u == '='; u++)
				;
			if (*u == '\'' || *u == '"')
				u++;
			add(pg, u, NULL, 0, LINK_REFRESH, 0);
			return;
		}
}

static void
start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct page *pg = ctx;
	const char *name = (const char *)xname, *v;

	if (pg->failed)
		return;
	gap(pg);
	if (strcasecmp(name, "a") == 0) {
		anchor_end(pg);
		if ((v = attr(atts, "href")) != NULL) {
			pg->in_a = 1;
			pg->href = copy(pg, v);
		}
	} else if (strcasecmp(name, "area") == 0) {
		if ((v = attr(atts, "href")) != NULL)
			add(pg, v, NULL, 0, LINK_HREF, 0);
	} else if (strcasecmp(name, "iframe") == 0 ||
	    strcasecmp(name, "frame") == 0) {
		if ((v = attr(atts, "src")) != NULL)
			add(pg, v, NULL, 0, LINK_HREF, 0);
	} else if (strcasecmp(name, "form") == 0) {
		form_end(pg);
		pg->in_form = 1;
		pg->action = copy(pg, attr(atts, "action"));
	} else if (strcasecmp(name, "input") == 0) {
		v = attr(atts, "type");
		if (v == NULL || strcasecmp(v, "password") != 0)
			return;
		if (pg->in_form)
			pg->password = 1;
		else		/* sent by script, wherever it says */
			add(pg, "javascript:", NULL, 0, LINK_FORM,
			    LINK_PASSWORD);
	} else if (strcasecmp(name, "meta") == 0)
		refresh(pg, atts);
}

static void
end(void *ctx, const xmlChar *xname)
{
	struct page *pg = ctx;
	const char *name = (const char *)xname;

	gap(pg);
	if (strcasecmp(name, "a") == 0)
		anchor_end(pg);
	else if (strcasecmp(name, "form") == 0)
		form_end(pg);
}

static void
chars(void *ctx, const xmlChar *s, int len)
{
	struct page *pg = ctx;
	size_t n = len > 0 ? (size_t)len : 0, take;

	if (pg->failed || n == 0)
		return;
	if (pg->in_a && pg->tlen < sizeof(pg->text)) {
		take = sizeof(pg->text) - pg->tlen;
		if (take > n)
			take = n;
		memcpy(pg->text + pg->tlen, s, take);
		pg->tlen += take;
	}
	if (linktext_feed(&pg->lt, (const char *)s, n) == -1)
		pg->failed = 1;
}

/* A space between elements' text: "a</p><p>b" is two words. */
static void
gap(struct page *pg)
{
	if (pg->in_a && pg->tlen < sizeof(pg->text))
		pg->text[pg->tlen++] = ' ';
	if (!pg->failed && linktext_feed(&pg->lt, " ", 1) == -1)
		pg->failed = 1;
}

/* Replaces what libxml2 would stop at, in place: a byte that does not
 * start valid UTF-8 becomes '?', NUL a space (after either, the 2.9
 * parser drops the rest of a pushed page: links after one stray byte
 * would go unseen).  A sequence cut by the end of the block is left for
 * the next one: its length is returned in *keep. */
static void
clean(unsigned char *p, size_t n, size_t *keep)
{
	size_t i = 0, l, want;

	*keep = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			if (p[i] == 0)
				p[i] = ' ';
			i++;
			continue;
		}
		if ((l = utf8_seq_len(p + i, n - i)) > 0) {
			i += l;
			continue;
		}
		want = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
		if (p[i] >= 0xc2 && p[i] <= 0xf4 && n - i < want) {
			*keep = n - i;
			return;
		}
		p[i++] = '?';
	}
}

/* "</html" and "</body" become text ("< html"): libxml2 2.9 drops what
 * follows the end of the document, a browser shows it (HTML5 puts it
 * back into the body), and an attacker would hide links there.  A '<'
 * in the last bytes waits for the next block (*keep grows to it). */
static void
unclose(unsigned char *p, size_t n, size_t *keep)
{
	size_t i, end = n - *keep;

	for (i = 0; i + 6 <= end; i++)
		if (p[i] == '<' && p[i + 1] == '/' &&
		    (strncasecmp((char *)p + i + 2, "html", 4) == 0 ||
		    strncasecmp((char *)p + i + 2, "body", 4) == 0))
			p[i + 1] = ' ';
	for (i = end > 5 ? end - 5 : 0; i < end; i++)
		if (p[i] == '<') {
			*keep = n - i;
			return;
		}
}

int
htmllinks_scan(struct spool *sp, struct deadline *dl, struct arena *a,
    struct attach_results *out, const char *where, unsigned flags,
    int passwords)
{
	return htmllinks_scan_kind(sp, dl, a, out, where, flags, passwords,
	    0);
}

int
htmllinks_scan_kind(struct spool *sp, struct deadline *dl, struct arena *a,
    struct attach_results *out, const char *where, unsigned flags,
    int passwords, unsigned kind)
{
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt;
	struct page *pg;
	unsigned long long off = 0;
	size_t kept = 0, keep, n;
	char *buf;
	ssize_t r;
	int failed;

	if ((pg = calloc(1, sizeof(*pg))) == NULL)
		return -1;
	if ((buf = malloc(BLOCK + 8)) == NULL) {
		free(pg);
		return -1;
	}
	pg->out = out;
	pg->a = a;
	pg->where = where;
	pg->flags = flags;
	pg->kind = kind;
	linktext_init(&pg->lt, out, a, where, flags, passwords);
	if (kind != 0)
		pg->lt.kind = kind;
	memset(&sax, 0, sizeof(sax));
	sax.startElement = start;
	sax.endElement = end;
	sax.characters = chars;
	sax.cdataBlock = ignore_cdata;	/* <script>, <style> */
	sax.warning = quiet;
	sax.error = quiet;
	sax.fatalError = quiet;
	sax.initialized = 1;
	ctxt = htmlCreatePushParserCtxt(&sax, pg, NULL, 0, NULL,
	    XML_CHAR_ENCODING_UTF8);
	if (ctxt == NULL) {
		free(buf);
		free(pg);
		return -1;
	}
	(void)htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	    HTML_PARSE_IGNORE_ENC);
	while (!pg->failed && off < HTML_SCAN_MAX && !deadline_passed(dl) &&
	    (r = spool_pread(sp, buf + kept, BLOCK, off)) > 0) {
		off += (unsigned long long)r;
		n = kept + (size_t)r;
		clean((unsigned char *)buf, n, &keep);
		unclose((unsigned char *)buf, n, &keep);
		(void)htmlParseChunk(ctxt, buf, (int)(n - keep), 0);
		memmove(buf, buf + n - keep, keep);
		kept = keep;
	}
	if (kept > 0) {		/* a tail, or a sequence never ended */
		for (n = 0; n < kept; n++)
			if ((unsigned char)buf[n] >= 0x80)
				buf[n] = '?';
		(void)htmlParseChunk(ctxt, buf, (int)kept, 0);
	}
	(void)htmlParseChunk(ctxt, NULL, 0, 1);
	htmlFreeParserCtxt(ctxt);
	anchor_end(pg);
	form_end(pg);
	if (!pg->failed && linktext_end(&pg->lt) == -1)
		pg->failed = 1;
	if (pg->lt.found_password)
		out->text_password = 1;
	failed = pg->failed;
	free(pg->href);
	free(pg->action);
	free(buf);
	free(pg);
	return failed ? -1 : 0;
}
