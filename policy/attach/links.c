/*
 * links.c - the message's link records (see links.h).
 *
 * Exports links_add, links_shown_host, links_kind_name.  Arena memory of
 * the message; one scan, one thread.
 */
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "attach/attach.h"
#include "attach/links.h"
#include "attach/url.h"
#include "util/hash.h"
#include "util/idna.h"

const char *
links_kind_name(unsigned kind)
{
	switch (kind) {
	case LINK_HREF:
		return "href";
	case LINK_TEXT:
		return "text";
	case LINK_FORM:
		return "form";
	case LINK_REFRESH:
		return "refresh";
	case LINK_QR:
		return "qr";
	case LINK_CALENDAR:
		return "calendar";
	}
	return "?";
}

static int
hostchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c >= 0x80;
}

/* s[0..n) is one token shaped like a domain name (optionally with a
 * path): labels, at least one dot, a top label of two or more letters
 * (or an xn-- one). */
static int
domain_token(const char *s, size_t n, size_t *hostlen)
{
	size_t i, dots = 0, top = 0;

	for (i = 0; i < n && hostchar((unsigned char)s[i]); i++)
		if (s[i] == '.') {
			dots++;
			top = i + 1;
		}
	if (i < n && s[i] != '/' && s[i] != ':' && s[i] != '?' && s[i] != '#')
		return 0;
	if (i > 0 && s[i - 1] == '.') {		/* "bank.example." */
		i--;
		dots--;
		for (top = i; top > 0 && s[top - 1] != '.'; top--)
			;
	}
	if (dots == 0 || i - top < 2)
		return 0;
	if (i - top < 4 || strncasecmp(s + top, "xn--", 4) != 0) {
		size_t k;

		for (k = top; k < i; k++)
			if (!((s[k] >= 'a' && s[k] <= 'z') ||
			    (s[k] >= 'A' && s[k] <= 'Z') ||
			    (unsigned char)s[k] >= 0x80))
				return 0;
	}
	*hostlen = i;
	return 1;
}

int
links_shown_host(const char *text, size_t len, char *out, size_t outlen)
{
	struct url u;
	const char *why;
	size_t i, start, hl;

	while (len > 0 && (unsigned char)*text <= ' ') {
		text++;
		len--;
	}
	while (len > 0 && (unsigned char)text[len - 1] <= ' ')
		len--;
	if (len == 0 || len > URL_MAX || outlen < URL_HOST_MAX + 1)
		return 0;
	/* A token with a scheme or "www." anywhere: the URL it writes. */
	for (start = 0; start < len; start = i + 1) {
		for (i = start; i < len && (unsigned char)text[i] > ' '; i++)
			;
		if (i - start > 7 && (strncasecmp(text + start, "http://",
		    7) == 0 || strncasecmp(text + start, "https://", 8) == 0 ||
		    strncasecmp(text + start, "www.", 4) == 0)) {
			url_parse(text + start, i - start, &u);
			if (u.host[0] == '\0')
				return 0;
			memcpy(out, u.host, strlen(u.host) + 1);
			return 1;
		}
	}
	/* The whole text one domain-shaped token ("bank.example/login");
	 * an address ("help@bank.example") is not a link's name. */
	if (memchr(text, '@', len) != NULL || !domain_token(text, len, &hl))
		return 0;
	return idna_domain_ascii(text, hl, out, outlen, &why) > 0 ? 2 : 0;
}

/* FNV-1a over what makes a record distinct. */
static unsigned
hash(const char *host, const char *shown, unsigned kind, unsigned flags)
{
	unsigned h = hash_fnv_str(HASH_FNV_SEED ^ kind ^ (flags << 8), host);

	h = (h ^ 0xff) * 16777619u;	/* host and shown kept apart */
	return shown != NULL ? hash_fnv_str(h, shown) : h;
}

int
links_add(struct attach_results *r, struct arena *a, const char *url,
    size_t len, const char *shown, size_t shownlen, enum link_kind kind,
    unsigned flags, const char *where)
{
	struct attach_link *l;
	struct url u;
	char sh[URL_HOST_MAX + 3];
	int has_shown;
	unsigned h;
	size_t i;

	url_parse(url, len, &u);
	flags |= u.flags;
	/* mailto:, cid:, "#top", a relative path: nothing to follow out of
	 * the message (a form without a host still posts: kept) */
	if (u.host[0] == '\0' && kind != LINK_FORM && !(flags & LINK_BADHOST))
		return 0;
	has_shown = shown != NULL && (kind == LINK_HREF ||
	    kind == LINK_CALENDAR) ?
	    links_shown_host(shown, shownlen, sh, sizeof(sh)) : 0;
	if (has_shown == 2)
		flags |= LINK_SHOWN_BARE;
	if (kind != LINK_HREF && kind != LINK_TEXT && url_login(url, len))
		flags |= LINK_LOGIN;
	h = hash(u.host, has_shown ? sh : NULL, (unsigned)kind, flags);
	for (i = r->nlinks; i-- > 0;) {	/* the last one first */
		l = &r->links[i];
		if (l->hash == h && l->kind == (unsigned)kind &&
		    l->flags == flags &&
		    strcmp(l->host, u.host) == 0 &&
		    (has_shown ? l->shown != NULL && strcmp(l->shown, sh) == 0 :
		    l->shown == NULL)) {
			if (l->count < ~0u)
				l->count++;
			return 0;
		}
	}
	if (r->nlinks >= LINKS_MAX) {
		if (r->links_dropped < ~0u)
			r->links_dropped++;
		return 0;
	}
	if (r->nlinks == r->lcap) {
		size_t ncap = r->lcap ? r->lcap * 2 : 16;
		struct attach_link *n = arena_alloc(a, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		if (r->nlinks > 0)
			memcpy(n, r->links, r->nlinks * sizeof(*n));
		r->links = n;
		r->lcap = ncap;
	}
	l = &r->links[r->nlinks];
	memset(l, 0, sizeof(*l));
	if ((l->host = arena_strdup(a, u.host)) == NULL ||
	    (has_shown && (l->shown = arena_strdup(a, sh)) == NULL))
		return -1;
	l->where = where != NULL ? where : "";
	l->kind = (unsigned)kind;
	l->flags = flags;
	l->count = 1;
	l->hash = h;
	r->nlinks++;
	return 0;
}
