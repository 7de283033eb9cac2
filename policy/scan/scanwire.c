/*
 * scanwire.c - encoding and checked decoding of the daemon <-> worker
 * frames (see scanwire.h).
 *
 * Exports scanbuf_free and scanwire_*.  Owns nothing beyond the scanbuf
 * (malloc) and what decoding puts in the caller's arena.
 * Thread rule: none shared.
 * Caps: SCANWIRE_MAX_* (strings, items), every count checked against the
 * bytes left before anything is allocated for it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/links.h"
#include "attach/url.h"
#include "util/arena.h"
#include "rules/rules.h"
#include "scan/scanwire.h"

#define NO_STRING	0xffffffffu

void
scanbuf_free(struct scanbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void
put(struct scanbuf *b, const void *p, size_t n)
{
	unsigned char *np;
	size_t ncap;

	if (b->failed)
		return;
	if (n > b->cap - b->len) {
		ncap = b->cap ? b->cap : 1024;
		while (ncap - b->len < n && ncap < SIZE_MAX / 2)
			ncap *= 2;
		if (ncap - b->len < n || (np = realloc(b->p, ncap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_u32(struct scanbuf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void
put_i64(struct scanbuf *b, int64_t v)
{
	put(b, &v, sizeof(v));
}

/* NULL and strings past the cap travel as "no string" / cut. */
static void
put_str(struct scanbuf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		put_u32(b, NO_STRING);
		return;
	}
	n = strlen(s);
	if (n > SCANWIRE_MAX_STRING)
		n = SCANWIRE_MAX_STRING;
	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

/* The table index of a rule name (the results hold rules_table names). */
static uint32_t
rule_index(const char *name)
{
	int r = name != NULL ? rules_lookup(name) : -1;

	return r < 0 ? NO_STRING : (uint32_t)r;
}

void
scanwire_put_request(struct scanbuf *b, enum scanwire_kind kind,
    unsigned long long len, const char *from_domain)
{
	put_u32(b, SCANWIRE_MAGIC);
	put_u32(b, (uint32_t)kind);
	put_i64(b, (int64_t)len);
	put_str(b, from_domain != NULL ? from_domain : "");
}

static void
put_item(struct scanbuf *b, const struct attach_item *it)
{
	size_t i;

	put_str(b, it->name);
	put_str(b, it->shown);
	put_str(b, it->ext);
	put_str(b, it->path);
	put_str(b, it->declared);
	put_str(b, it->detected);
	put_i64(b, it->parent);
	put_i64(b, (int64_t)it->size);
	put_u32(b, it->depth);
	put_u32(b, it->flags);
	put_u32(b, (uint32_t)it->action);
	put_u32(b, (uint32_t)it->nreasons);
	for (i = 0; i < it->nreasons; i++) {
		put_u32(b, rule_index(it->reasons[i]));
		put_str(b, it->details != NULL ? it->details[i] : NULL);
	}
}

void
scanwire_put_reply(struct scanbuf *b, const struct attach_results *r,
    const struct verdict *v, int retiring)
{
	size_t i;

	put_u32(b, SCANWIRE_MAGIC);
	put_str(b, NULL);
	put_u32(b, (uint32_t)retiring);
	put_u32(b, r->parts);
	put_u32(b, (uint32_t)r->hard_action);
	put_u32(b, rule_index(r->hard_rule));
	put_str(b, r->truncated);
	put_i64(b, r->elapsed_ms);
	put_i64(b, r->cpu_ms);
	put_u32(b, (uint32_t)r->nitems);
	for (i = 0; i < r->nitems; i++)
		put_item(b, &r->items[i]);
	put_u32(b, (uint32_t)r->nlinks);
	for (i = 0; i < r->nlinks; i++) {
		put_str(b, r->links[i].host);
		put_str(b, r->links[i].shown);
		put_str(b, r->links[i].where);
		put_u32(b, r->links[i].kind);
		put_u32(b, r->links[i].flags);
		put_u32(b, r->links[i].count);
	}
	put_u32(b, r->links_dropped);
	put_u32(b, r->text_password);
	put_u32(b, r->calendars);
	put_u32(b, r->qr_images);
	put_u32(b, r->qr_codes);
	put_u32(b, r->qr_skipped);
	put_u32(b, (uint32_t)v->nreasons);
	for (i = 0; i < v->nreasons; i++) {
		put_u32(b, (uint32_t)v->reasons[i].id);
		put_str(b, v->reasons[i].detail);
		put_str(b, v->reasons[i].about);
		put_u32(b, v->reasons[i].more);
	}
	put_u32(b, (uint32_t)v->hard);
}

void
scanwire_put_error(struct scanbuf *b, const char *err, int retiring)
{
	put_u32(b, SCANWIRE_MAGIC);
	put_str(b, err != NULL && *err != '\0' ? err : "failed");
	put_u32(b, (uint32_t)retiring);
}

void
scanwire_put_ready(struct scanbuf *b)
{
	put_u32(b, SCANWIRE_MAGIC);
	put_str(b, NULL);
	put_u32(b, 0);
}

/* --- decoding -------------------------------------------------------- */

struct rd {
	const unsigned char *p;
	size_t left;
	struct arena *a;
	int bad;
	const char *why;
};

static int
get(struct rd *r, void *out, size_t n)
{
	if (r->bad || n > r->left) {
		if (!r->bad)
			r->why = "short frame";
		r->bad = 1;
		memset(out, 0, n);
		return -1;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static uint32_t
get_u32(struct rd *r)
{
	uint32_t v;

	(void)get(r, &v, sizeof(v));
	return v;
}

static int64_t
get_i64(struct rd *r)
{
	int64_t v;

	(void)get(r, &v, sizeof(v));
	return v;
}

static void
broken(struct rd *r, const char *why)
{
	if (!r->bad)
		r->why = why;
	r->bad = 1;
}

static const char *
get_str(struct rd *r)
{
	uint32_t n = get_u32(r);
	char *s;

	if (r->bad || n == NO_STRING)
		return NULL;
	if (n > SCANWIRE_MAX_STRING || n > r->left) {
		broken(r, "string too long");
		return NULL;
	}
	if (memchr(r->p, '\0', n) != NULL) {
		broken(r, "NUL in a string");
		return NULL;
	}
	if ((s = arena_strndup(r->a, (const char *)r->p, n)) == NULL) {
		broken(r, "out of memory");
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return s;
}

/* A detail is shown in logs and reports as is: printable ASCII only
 * (fname_escape made it so in an honest worker). */
static const char *
get_detail(struct rd *r)
{
	char *s = (char *)get_str(r), *q;

	for (q = s; q != NULL && *q != '\0'; q++)
		if (*q < 0x20 || *q > 0x7e)
			*q = '?';
	return s;
}

/* A rule a worker may raise: an attachment rule that cannot lower a
 * score (attach_scan_failed is the daemon's own). */
static enum rule
get_rule(struct rd *r)
{
	uint32_t i = get_u32(r);

	if (r->bad)
		return RULE_COUNT;
	if (i >= RULE_COUNT || rules_table[i].cls != RULE_CLASS_ATTACHMENT ||
	    rules_table[i].lowers != 0 || rules_table[i].score < 0 ||
	    i == RULE_ATTACH_SCAN_FAILED) {
		broken(r, "a rule the worker may not raise");
		return RULE_COUNT;
	}
	return (enum rule)i;
}

static enum verdict_action
get_action(struct rd *r)
{
	uint32_t a = get_u32(r);

	if (a > VERDICT_TEMPFAIL)
		broken(r, "bad action");
	return r->bad ? VERDICT_ACCEPT : (enum verdict_action)a;
}

/* Each count must fit in what is left at min bytes per element. */
static size_t
get_count(struct rd *r, size_t min, size_t max)
{
	uint32_t n = get_u32(r);

	if (!r->bad && (n > max || (size_t)n > r->left / min))
		broken(r, "count out of range");
	return r->bad ? 0 : n;
}

static void
get_item(struct rd *r, struct attach_item *it, size_t idx)
{
	size_t i;
	enum rule k;

	it->name = get_str(r);
	it->shown = get_str(r);
	it->ext = get_str(r);
	it->path = get_str(r);
	it->declared = get_str(r);
	it->detected = get_str(r);
	if (it->name == NULL)
		it->name = "";
	if (it->ext == NULL)
		it->ext = "";
	it->parent = (long)get_i64(r);
	if (it->parent < -1 || it->parent >= (long)idx)
		broken(r, "bad parent");
	it->size = (unsigned long long)get_i64(r);
	it->depth = get_u32(r);
	it->flags = get_u32(r);
	it->action = get_action(r);
	it->nreasons = it->rcap = get_count(r, 8, RULE_COUNT);
	if (r->bad || it->nreasons == 0)
		return;
	it->reasons = arena_calloc(r->a, it->nreasons, sizeof(*it->reasons));
	it->details = arena_calloc(r->a, it->nreasons, sizeof(*it->details));
	if (it->reasons == NULL || it->details == NULL) {
		broken(r, "out of memory");
		return;
	}
	for (i = 0; i < it->nreasons && !r->bad; i++) {
		k = get_rule(r);
		it->details[i] = get_detail(r);
		if (!r->bad)
			it->reasons[i] = rules_table[k].name;
	}
}

/* A link host as links.c writes it: lower-case letters, digits, '.',
 * '-', '_', or an IPv6 literal in brackets; NULL stays NULL. */
static const char *
get_host(struct rd *r)
{
	const char *s = get_str(r), *q;

	if (s == NULL)
		return NULL;
	if (strlen(s) > URL_HOST_MAX + 2)
		broken(r, "link host too long");
	for (q = s; *q != '\0' && !r->bad; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
		    *q == '.' || *q == '-' || *q == '_' || ((*q == '[' ||
		    *q == ']' || *q == ':') && *s == '[')))
			broken(r, "bad link host");
	return s;
}

/* The links: hosts checked, kinds and flags in range, at most
 * LINKS_MAX (a worker that sends more is broken). */
static void
get_links(struct rd *r, struct attach_results *res)
{
	struct attach_link *l;
	size_t i;

	res->nlinks = res->lcap = get_count(r, 24, LINKS_MAX);
	if (res->nlinks > 0 && (res->links = arena_calloc(r->a, res->nlinks,
	    sizeof(*res->links))) == NULL)
		broken(r, "out of memory");
	for (i = 0; i < res->nlinks && !r->bad; i++) {
		l = &res->links[i];
		l->host = get_host(r);
		l->shown = get_host(r);
		l->where = get_detail(r);
		l->kind = get_u32(r);
		l->flags = get_u32(r);
		l->count = get_u32(r);
		if (l->host == NULL || l->where == NULL ||
		    l->kind < LINK_HREF || l->kind > LINK_CALENDAR ||
		    (l->flags & ~LINK_FLAGS_ALL) != 0)
			broken(r, "bad link");
	}
	res->links_dropped = get_u32(r);
	res->text_password = get_u32(r) != 0;
	res->calendars = get_u32(r);
	res->qr_images = get_u32(r);
	res->qr_codes = get_u32(r);
	res->qr_skipped = get_u32(r);
}

int
scanwire_get_request(const unsigned char *p, size_t n, struct arena *a,
    enum scanwire_kind *kind, unsigned long long *len,
    const char **from_domain)
{
	struct rd r = { p, n, a, 0, NULL };
	uint32_t k;

	if (get_u32(&r) != SCANWIRE_MAGIC)
		return -1;
	k = get_u32(&r);
	*len = (unsigned long long)get_i64(&r);
	if (k < SCANWIRE_SPOOL_FD || k > SCANWIRE_SET_WINDOW)
		return -1;
	*kind = (enum scanwire_kind)k;
	*from_domain = get_str(&r);
	if (r.bad || r.left != 0)
		return -1;
	if (*from_domain != NULL && **from_domain == '\0')
		*from_domain = NULL;
	return 0;
}

int
scanwire_get_reply(const unsigned char *p, size_t n, struct arena *a,
    struct scanwire_reply *out, char *err, size_t errlen)
{
	struct rd r = { p, n, a, 0, NULL };
	struct attach_results *res = &out->res;
	uint32_t hr;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (get_u32(&r) != SCANWIRE_MAGIC)
		broken(&r, "bad magic");
	out->error = get_detail(&r);
	out->retiring = get_u32(&r) != 0;
	if (out->error != NULL)
		goto end;
	res->parts = get_u32(&r);
	res->hard_action = get_action(&r);
	hr = get_u32(&r);
	if (hr != NO_STRING && hr < RULE_COUNT)
		res->hard_rule = rules_table[hr].name;
	else if (hr != NO_STRING)
		broken(&r, "bad hard rule");
	res->truncated = get_detail(&r);
	res->elapsed_ms = get_i64(&r);
	res->cpu_ms = get_i64(&r);
	res->nitems = res->cap = get_count(&r, 60, SCANWIRE_MAX_ITEMS);
	if (res->nitems > 0 && (res->items = arena_calloc(a, res->nitems,
	    sizeof(*res->items))) == NULL)
		broken(&r, "out of memory");
	for (i = 0; i < res->nitems && !r.bad; i++)
		get_item(&r, &res->items[i], i);
	get_links(&r, res);
	out->nraised = get_count(&r, 8, RULE_COUNT * 4);
	if (out->nraised > 0 && (out->raised = arena_calloc(a, out->nraised,
	    sizeof(*out->raised))) == NULL)
		broken(&r, "out of memory");
	for (i = 0; i < out->nraised && !r.bad; i++) {
		out->raised[i].rule = get_rule(&r);
		out->raised[i].detail = get_detail(&r);
		out->raised[i].about = get_detail(&r);
		out->raised[i].more = get_u32(&r);
	}
	out->hard = get_action(&r);
end:
	if (!r.bad && r.left != 0)
		broken(&r, "trailing bytes");
	if (r.bad) {
		snprintf(err, errlen, "worker reply: %s", r.why);
		return -1;
	}
	return 0;
}

int
scanwire_get_ready(const unsigned char *p, size_t n, struct arena *a,
    const char **error)
{
	struct rd r = { p, n, a, 0, NULL };

	*error = NULL;
	if (get_u32(&r) != SCANWIRE_MAGIC)
		return -1;
	*error = get_detail(&r);
	(void)get_u32(&r);
	return r.bad || r.left != 0 ? -1 : 0;
}
