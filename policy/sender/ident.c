/*
 * ident.c - identity signals: display names that claim a protected or
 * known domain, an address elsewhere, a protected brand or a listed
 * person; Reply-To at another organisation; mailing lists, Sender,
 * Resent-* and forwarders.
 *
 * Exports ident_*.  Pure functions over a message; results in the
 * caller's arena.  An ident_people owns its own arena and is read-only
 * after ident_people_new: any thread.  Caps: display names decoded to at
 * most CONFUSABLE_TEXT_MAX bytes and compared on their first DISPLAY_FOLD
 * (what a mail reader shows first), IDENT_MAX_TOKENS domain tokens,
 * IDENT_MAX_WORDS words, brand names of up to BRAND_WORDS words,
 * IDENT_MAX_HEADERS headers of one name, details cut at DETAIL_MAX bytes.
 * RFC 5322 3.6.2 (From, Sender, Reply-To), 3.6.6 (Resent-*), RFC 2047
 * (encoded-words in display names), RFC 2919 (List-Id), RFC 2369
 * (List-Post), SRS (the "SRS0=" / "SRS1=" envelope rewriting of
 * forwarders).
 *
 * Choices:
 * - Display names are compared in confusable_fold form, so "PAYPAL",
 *   "PayPa1" and "Pаypal" (Cyrillic) all claim paypal.com, and "Jose
 *   Nunez" claims José Núñez; domain and address tokens in them are
 *   taken from the NFKC case-folded text (fullwidth "＠" is '@') and
 *   looked up as domains, not as skeletons.
 * - A brand or a person is "elsewhere" unless the From's organisational
 *   domain is protected (or one of the person's own addresses): the
 *   organisation may use any of its names from any of its domains.
 * - Protected domains (ours and the partners') are matched as words,
 *   their hyphens left out ("Name Audit" is name-audit.example); known
 *   correspondents only from a From domain that is itself unknown and
 *   from known_min_len code points (display_known): a million known
 *   correspondents would match every common word.
 * - A listed person's name from another mailbox of the person's own
 *   organisation is not "elsewhere" when that organisation signed it
 *   (env->from_aligned): a service sending as the person, for us.
 * - The forwarder signal needs the envelope's SPF pass AND a link between
 *   the envelope and the relay (its confirmed name in the envelope's
 *   organisation, or SRS rewriting): SPF pass alone is true of any
 *   third-party sender, which is what the relay checks look for.
 * - List, Sender, Resent-* and forwarder signals are observations with
 *   the domain they name (claim); none of them excuses anything by
 *   itself: anyone can write the headers, an SRS0= local part, or send
 *   from their own SPF-passing domain.  sender.c lowers a score only when
 *   that domain authenticated the message (issue 8 item 6).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "util/arena.h"
#include "util/confusable.h"
#include "mail/orgdomain.h"
#include "sender/ident.h"
#include "sender/lookalike.h"
#include "mail/message.h"

#define DETAIL_MAX	100
#define WORD_MAX	63
#define BRAND_WORDS	3
#define TEXT_BUF	(CONFUSABLE_TEXT_MAX + 1)
#define DISPLAY_FOLD	256	/* bytes of a decoded display name
				   compared: what a reader sees first */

struct person {
	const char **words;		/* folded */
	size_t nwords;
	const char **addrs;		/* lower case */
	size_t naddrs;
};

struct ident_people {
	struct arena *arena;
	struct person *p;
	size_t n;
};

/* Words of folded text: runs of ASCII letters and digits and of
 * non-ASCII bytes; at most max, each at most WORD_MAX bytes (longer ones
 * are skipped).  Returns the count; words are pointers into text with
 * lengths. */
static size_t
split_words(const char *text, const char **w, size_t *wl, size_t max)
{
	const unsigned char *p = (const unsigned char *)text, *s;
	size_t n = 0;

	while (*p != '\0' && n < max) {
		while (*p != '\0' && *p < 0x80 && !((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			p++;
		for (s = p; *p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'); p++)
			;
		if (p > s && (size_t)(p - s) <= WORD_MAX) {
			w[n] = (const char *)s;
			wl[n++] = (size_t)(p - s);
		}
	}
	return n;
}

void
ident_people_free(struct ident_people *pp)
{
	if (pp != NULL)
		arena_free(pp->arena);
}

static char *
lower_dup(struct arena *a, const char *s)
{
	char *d = arena_strdup(a, s), *q;

	for (q = d; q != NULL && *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return d;
}

struct ident_people *
ident_people_new(const struct ident_person *list, size_t n, char *err,
    size_t errlen)
{
	const char *w[IDENT_MAX_WORDS];
	size_t wl[IDENT_MAX_WORDS], i, j, nw;
	char fold[TEXT_BUF];
	struct arena *a;
	struct ident_people *pp;
	struct person *p;

	if ((a = arena_new()) == NULL ||
	    (pp = arena_calloc(a, 1, sizeof(*pp))) == NULL ||
	    (pp->p = arena_calloc(a, n > 0 ? n : 1, sizeof(*pp->p))) == NULL)
		goto oom;
	pp->arena = a;
	for (i = 0; i < n; i++) {
		p = &pp->p[i];
		if (list[i].name == NULL || confusable_fold(list[i].name,
		    strlen(list[i].name), fold, sizeof(fold)) < 0 ||
		    (nw = split_words(fold, w, wl, IDENT_MAX_WORDS)) == 0) {
			snprintf(err, errlen, "person %zu: not a usable name",
			    i + 1);
			arena_free(a);
			return NULL;
		}
		if ((p->words = arena_calloc(a, nw, sizeof(*p->words))) ==
		    NULL || (p->addrs = arena_calloc(a, list[i].naddresses + 1,
		    sizeof(*p->addrs))) == NULL)
			goto oom;
		for (j = 0; j < nw; j++)
			if ((p->words[j] = arena_strndup(a, w[j], wl[j])) ==
			    NULL)
				goto oom;
		p->nwords = nw;
		for (j = 0; j < list[i].naddresses; j++) {
			const char *s = list[i].addresses[j];

			if (s == NULL)
				continue;
			if (*s == '@')
				s++;
			if ((p->addrs[p->naddrs++] = lower_dup(a, s)) == NULL)
				goto oom;
		}
	}
	pp->n = n;
	return pp;
oom:
	snprintf(err, errlen, "ident: out of memory");
	arena_free(a);
	return NULL;
}

const char *
ident_signal_name(enum ident_signal s)
{
	static const char *const names[IDENT_COUNT] = {
		"display_domain", "display_address", "display_brand",
		"display_person", "reply_to", "list", "sender", "resent",
		"forwarder", "display_known",
	};

	return (unsigned)s < IDENT_COUNT ? names[s] : "unknown";
}

/* A printable copy of untrusted text: controls become '?', cut at
 * DETAIL_MAX bytes (not inside a UTF-8 sequence). */
static char *
clean(struct arena *a, const char *s)
{
	size_t n = strlen(s), i;
	char *d;

	if (n > DETAIL_MAX) {
		n = DETAIL_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if ((d = arena_strndup(a, s, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			d[i] = '?';
	return d;
}

/* Sets signal s with a detail built from fmt; -1 when out of memory.
 * The first detail of a signal is kept. */
static int signal_set(struct ident_signals *, enum ident_signal,
    struct arena *, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The short subject of a signal signal_set has just set (first kept). */
static int
signal_about(struct ident_signals *out, enum ident_signal s, struct arena *a,
    const char *about)
{
	if (out->about[s] != NULL || about == NULL)
		return 0;
	return (out->about[s] = clean(a, about)) == NULL ? -1 : 0;
}

static int
signal_set(struct ident_signals *out, enum ident_signal s, struct arena *a,
    const char *fmt, ...)
{
	char buf[4 * DETAIL_MAX];
	va_list ap;

	if (out->flags & (1u << s))
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((out->detail[s] = clean(a, buf)) == NULL)
		return -1;
	out->flags |= 1u << s;
	return 0;
}

/* Organisational domain (A-labels) of a domain in A- or U-labels; the
 * name itself when it is a public suffix; NULL when it is not a domain
 * name (or memory ran out). */
static const char *
org_of(const struct ident_context *ctx, const char *domain, struct arena *a)
{
	char ascii[CONFUSABLE_DOMAIN_MAX + 1];
	const char *o;
	int bad;

	if (domain == NULL || confusable_domain_ascii(domain, strlen(domain),
	    ascii, sizeof(ascii), &bad) < 0)
		return NULL;
	o = orgdomain_get(ctx->orgdomain, ascii, a);
	return o != NULL ? o : arena_strdup(a, ascii);
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}


static int
token_char(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
	    c == '@' || c == '+';
}

/* One domain or address token of a display name. */
static int
display_token(const struct ident_context *ctx, const char *tok,
    const char *from_org, struct arena *a, struct ident_signals *out)
{
	const char *at = strrchr(tok, '@'), *dom = at != NULL ? at + 1 : tok;
	const char *org;
	struct lookalike_match m;
	unsigned flags;

	if (strchr(dom, '.') == NULL || (org = org_of(ctx, dom, a)) == NULL ||
	    same(org, from_org))
		return 0;
	if (at != NULL && at != tok && (signal_set(out, IDENT_DISPLAY_ADDRESS,
	    a, "display name holds %s", tok) == -1 ||
	    signal_about(out, IDENT_DISPLAY_ADDRESS, a, tok) == -1))
		return -1;
	if (ctx->index == NULL)
		return 0;
	flags = lookalike_lookup(ctx->index, dom, a, NULL);
	if (flags != 0 && !(out->flags & (1u << IDENT_DISPLAY_DOMAIN)))
		out->display_flags = flags;
	if (flags != 0)
		return signal_set(out, IDENT_DISPLAY_DOMAIN, a,
		    "display name claims %s (%s)", org,
		    flags & LOOKALIKE_PROTECTED ? "protected" :
		    "known correspondent") == -1 ? -1 :
		    signal_about(out, IDENT_DISPLAY_DOMAIN, a, org);
	if (lookalike_check(ctx->index, dom, a, &m) == -1)
		return -1;
	if (m.kind == LOOKALIKE_CONFUSABLE &&
	    (m.target_flags & LOOKALIKE_PROTECTED) &&
	    !same(m.target, from_org) &&
	    !(out->flags & (1u << IDENT_DISPLAY_DOMAIN)))
		out->display_flags = m.target_flags;
	if (m.kind == LOOKALIKE_CONFUSABLE &&
	    (m.target_flags & LOOKALIKE_PROTECTED) && !same(m.target, from_org))
		return signal_set(out, IDENT_DISPLAY_DOMAIN, a,
		    "display name claims %s (confusable with %s)", org,
		    m.target) == -1 ? -1 :
		    signal_about(out, IDENT_DISPLAY_DOMAIN, a, m.target);
	return 0;
}

/* Domain and address tokens ("ceo@partner.example", "paypal.com") of
 * NFKC-folded display text. */
static int
display_tokens(const struct ident_context *ctx, const char *text,
    const char *from_org, struct arena *a, struct ident_signals *out)
{
	const char *p = text, *s;
	char *tok;
	size_t n, seen = 0;

	while (*p != '\0' && seen < IDENT_MAX_TOKENS) {
		while (*p != '\0' && !token_char((unsigned char)*p))
			p++;
		for (s = p; token_char((unsigned char)*p); p++)
			;
		/* trim what cannot start or end a name */
		while (s < p && (*s == '.' || *s == '-' || *s == '@'))
			s++;
		n = (size_t)(p - s);
		while (n > 0 && (s[n - 1] == '.' || s[n - 1] == '-'))
			n--;
		if (n == 0 || memchr(s, '.', n) == NULL ||
		    n > CONFUSABLE_DOMAIN_MAX + 64)
			continue;
		seen++;
		if ((tok = arena_strndup(a, s, n)) == NULL ||
		    display_token(ctx, tok, from_org, a, out) == -1)
			return -1;
	}
	return 0;
}

static size_t
count_cps(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Protected names (ours and the partners') as one to BRAND_WORDS
 * consecutive words, whatever joined them: "PayPal", "Pay Pal",
 * "Pay-Pal", "Name Audit - Accounts" for name-audit.com.  From a domain
 * that is itself unknown, known correspondents' names too
 * (display_known), from known_min_len code points: a million
 * correspondents hold many short words and first names. */
static int
display_brand(const struct ident_context *ctx, const char **w,
    const size_t *wl, size_t nw, const char *from_org, unsigned from_flags,
    struct arena *a, struct ident_signals *out)
{
	unsigned min = ctx->brand_min_len ? ctx->brand_min_len : 4;
	unsigned kmin = ctx->known_min_len ? ctx->known_min_len : 6;
	int known = !(from_flags & (LOOKALIKE_KNOWN | LOOKALIKE_PROTECTED));
	char buf[WORD_MAX + 1];
	const char *t;
	size_t i, k, len, cps;

	for (i = 0; i < nw; i++) {
		for (k = 0, len = 0; k < BRAND_WORDS && i + k < nw; k++) {
			if (len + wl[i + k] > WORD_MAX)
				break;
			memcpy(buf + len, w[i + k], wl[i + k]);
			len += wl[i + k];
			buf[len] = '\0';
			if ((cps = count_cps(buf, len)) < min)
				continue;
			t = lookalike_find_label(ctx->index, buf,
			    LOOKALIKE_PROTECTED, a);
			if (t != NULL && !same(t, from_org))
				return signal_set(out, IDENT_DISPLAY_BRAND, a,
				    "display name claims %s", t) == -1 ? -1 :
				    signal_about(out, IDENT_DISPLAY_BRAND, a, t);
			/* a correspondent's domain written out is
			 * display_domain's already */
			if (!known || cps < kmin || (out->flags & (1u <<
			    IDENT_DISPLAY_KNOWN | 1u << IDENT_DISPLAY_DOMAIN)))
				continue;
			t = lookalike_find_label(ctx->index, buf,
			    LOOKALIKE_KNOWN, a);
			if (t != NULL && !same(t, from_org) &&
			    (signal_set(out, IDENT_DISPLAY_KNOWN, a,
			    "display name claims %s (known correspondent)",
			    t) == -1 ||
			    signal_about(out, IDENT_DISPLAY_KNOWN, a, t) == -1))
				return -1;
		}
	}
	return 0;
}

/* 1 when the From address is not one the person uses. */
static int
person_elsewhere(const struct ident_context *ctx, const struct person *p,
    const struct addr_mailbox *from, const char *from_org,
    unsigned from_flags, int aligned, struct arena *a)
{
	const char *at;
	size_t i, ll;

	if (p->naddrs == 0)
		return !(from_flags & LOOKALIKE_PROTECTED);
	ll = strlen(from->local);
	for (i = 0; i < p->naddrs; i++) {
		if ((at = strrchr(p->addrs[i], '@')) != NULL) {
			if ((size_t)(at - p->addrs[i]) == ll &&
			    strncasecmp(p->addrs[i], from->local, ll) == 0 &&
			    same(at + 1, from->domain))
				return 0;
			/* another mailbox of the person's organisation,
			 * signed by it: a service sending for the person
			 * ("Jane Doe via HR"), which only holders of the
			 * organisation's key can sign */
			if (aligned && same(org_of(ctx, at + 1, a), from_org))
				return 0;
		} else if (same(org_of(ctx, p->addrs[i], a), from_org))
			return 0;
	}
	return 1;
}

static int
display_people(const struct ident_context *ctx, const char **w,
    const size_t *wl, size_t nw, const struct addr_mailbox *from,
    const char *from_org, unsigned from_flags, int aligned,
    struct arena *a, struct ident_signals *out)
{
	const struct person *p;
	size_t i, j, k, pl;

	for (i = 0; i < ctx->people->n; i++) {
		p = &ctx->people->p[i];
		for (j = 0; j < p->nwords; j++) {
			pl = strlen(p->words[j]);
			for (k = 0; k < nw; k++)
				if (wl[k] == pl && memcmp(w[k], p->words[j],
				    pl) == 0)
					break;
			if (k == nw)
				break;		/* a word of the name missing */
		}
		if (j == p->nwords && person_elsewhere(ctx, p, from, from_org,
		    from_flags, aligned, a))
			return signal_set(out, IDENT_DISPLAY_PERSON, a,
			    "display name is a listed person; address at %s",
			    from->domain) == -1 ? -1 : signal_about(out,
			    IDENT_DISPLAY_PERSON, a, from->domain);
	}
	return 0;
}

/* Folds the start of text with fn: at most DISPLAY_FOLD bytes, fewer
 * when the fold of that many overflows (a character can stand for
 * eighteen), cut between UTF-8 sequences.  Length or -1. */
static int
fold_start(int (*fn)(const char *, size_t, char *, size_t),
    const char *text, char *out, size_t outlen)
{
	size_t n = strlen(text), cap;
	int r;

	for (cap = DISPLAY_FOLD; cap >= DISPLAY_FOLD / 16; cap /= 4) {
		if (n > cap)
			for (n = cap; n > 0 &&
			    ((unsigned char)text[n] & 0xc0) == 0x80; n--)
				;
		if ((r = fn(text, n, out, outlen)) >= 0)
			return r;
	}
	return -1;
}

static int
check_display(const struct ident_context *ctx,
    const struct addr_mailbox *from, const char *from_org, int aligned,
    struct arena *a, struct ident_signals *out)
{
	char text[TEXT_BUF], fold[4 * TEXT_BUF];
	const char *w[IDENT_MAX_WORDS];
	size_t wl[IDENT_MAX_WORDS], nw;
	unsigned from_flags = 0;

	if (from->display == NULL || *from->display == '\0')
		return 0;
	confusable_decode_words(from->display, text, sizeof(text));
	if (fold_start(confusable_casefold, text, fold, sizeof(fold)) >= 0 &&
	    display_tokens(ctx, fold, from_org, a, out) == -1)
		return -1;
	if (fold_start(confusable_fold, text, fold, sizeof(fold)) < 0)
		return 0;
	nw = split_words(fold, w, wl, IDENT_MAX_WORDS);
	if (ctx->index != NULL)
		from_flags = lookalike_lookup(ctx->index, from->domain, a,
		    NULL);
	if (ctx->index != NULL && !(from_flags & LOOKALIKE_PROTECTED) &&
	    display_brand(ctx, w, wl, nw, from_org, from_flags, a, out) == -1)
		return -1;
	if (ctx->people != NULL && display_people(ctx, w, wl, nw, from,
	    from_org, from_flags, aligned, a, out) == -1)
		return -1;
	return 0;
}

static int
check_reply_to(const struct ident_context *ctx, const struct message *msg,
    const char *from_org, struct arena *a, struct ident_signals *out)
{
	const struct header *h;
	struct addr_list l;
	const char *o;
	size_t n, i;

	for (n = 0; n < IDENT_MAX_HEADERS &&
	    (h = message_header(msg, "Reply-To", n)) != NULL; n++) {
		if (addr_parse_list(h->value, a, &l) == -1)
			continue;
		for (i = 0; i < l.count; i++) {
			o = org_of(ctx, l.boxes[i].domain, a);
			if (o != NULL && !same(o, from_org))
				return signal_set(out, IDENT_REPLY_TO, a,
				    "reply-to at %s, from at %s", o,
				    from_org) == -1 ? -1 :
				    signal_about(out, IDENT_REPLY_TO, a, o);
		}
	}
	return 0;
}

/* The value without leading white space. */
static const char *
value_of(const struct header *h)
{
	const char *v = h->value;

	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	return v;
}

/* The domain of a List-Id ("Name <label.namespace>", RFC 2919: the id
 * is a dot-atom whose namespace is a domain) or of a List-Post mailto
 * ("<mailto:list@lists.example>"): its organisational domain, or NULL. */
static const char *
list_claim(const struct ident_context *ctx, const char *v, int post,
    struct arena *a)
{
	const char *lt = strrchr(v, '<'), *p, *end;
	char *dom;

	p = lt != NULL ? lt + 1 : v;
	if (post) {
		if (strncasecmp(p, "mailto:", 7) != 0 ||
		    (p = strchr(p, '@')) == NULL)
			return NULL;
		p++;
	}
	for (end = p; *end != '\0' && *end != '>' && *end != '?' &&
	    *end != ' ' && *end != '\t' && *end != '\r' && *end != '\n';
	    end++)
		;
	if (end == p || (size_t)(end - p) > 253 ||
	    (dom = arena_strndup(a, p, (size_t)(end - p))) == NULL)
		return NULL;
	return org_of(ctx, dom, a);
}

static int
check_lists(const struct ident_context *ctx, const struct message *msg,
    const struct addr_mailbox *from, const char *from_org, struct arena *a,
    struct ident_signals *out)
{
	static const char *const resent[] = { "Resent-From", "Resent-Sender",
	    "Resent-Date", "Resent-To", "Resent-Message-ID" };
	const struct header *h;
	struct addr_list l;
	size_t i;

	if ((h = message_header(msg, "List-Id", 0)) != NULL) {
		if (signal_set(out, IDENT_LIST, a, "list-id %s",
		    value_of(h)) == -1)
			return -1;
		out->claim[IDENT_LIST] = list_claim(ctx, value_of(h), 0, a);
	} else if ((h = message_header(msg, "List-Post", 0)) != NULL) {
		if (signal_set(out, IDENT_LIST, a, "list-post %s",
		    value_of(h)) == -1)
			return -1;
		out->claim[IDENT_LIST] = list_claim(ctx, value_of(h), 1, a);
	}
	if ((h = message_header(msg, "Sender", 0)) != NULL &&
	    addr_parse_list(h->value, a, &l) == 0 && (from == NULL ||
	    strcasecmp(l.boxes[0].local, from->local) != 0 ||
	    !same(l.boxes[0].domain, from->domain))) {
		const char *o = org_of(ctx, l.boxes[0].domain, a);

		if (signal_set(out, IDENT_SENDER, a, "sender %s@%s%s",
		    l.boxes[0].local, l.boxes[0].domain, same(o, from_org) ?
		    "" : " (another organisation)") == -1)
			return -1;
		out->claim[IDENT_SENDER] = o;
	}
	for (i = 0; i < sizeof(resent) / sizeof(resent[0]); i++) {
		if ((h = message_header(msg, resent[i], 0)) == NULL)
			continue;
		if (i < 2 && addr_parse_list(h->value, a, &l) == 0) {
			out->claim[IDENT_RESENT] = org_of(ctx,
			    l.boxes[0].domain, a);
			return signal_set(out, IDENT_RESENT, a, "%s %s@%s",
			    resent[i], l.boxes[0].local, l.boxes[0].domain);
		}
		return signal_set(out, IDENT_RESENT, a, "%s present",
		    resent[i]);
	}
	return 0;
}

static int
check_forwarder(const struct ident_context *ctx, const struct message *msg,
    const struct ident_envelope *env, const char *from_org,
    struct arena *a, struct ident_signals *out)
{
	const char *path, *at, *org, *relay_org = NULL;
	int srs;

	if (env == NULL || env->spf != AUTH_PASS || from_org == NULL)
		return 0;
	path = env->mail_from != NULL ? env->mail_from : msg->mail_from;
	if (path == NULL || (path = addr_path_strip(path, a)) == NULL ||
	    (at = strrchr(path, '@')) == NULL ||
	    (org = org_of(ctx, at + 1, a)) == NULL || same(org, from_org))
		return 0;
	srs = strncasecmp(path, "SRS0=", 5) == 0 ||
	    strncasecmp(path, "SRS1=", 5) == 0;
	if (env->relay_name != NULL)
		relay_org = org_of(ctx, env->relay_name, a);
	if (!srs && !same(relay_org, org))
		return 0;
	out->claim[IDENT_FORWARDER] = org;
	return signal_set(out, IDENT_FORWARDER, a,
	    "envelope %s, spf pass, %s%s", org, srs ? "srs" : "relay ",
	    srs ? "" : env->relay_name);
}

int
ident_check(const struct ident_context *ctx, const struct message *msg,
    const struct addr_mailbox *from, const struct ident_envelope *env,
    struct arena *a, struct ident_signals *out)
{
	const struct header *h;
	struct addr_list l;

	memset(out, 0, sizeof(*out));
	if (from == NULL && (h = message_header(msg, "From", 0)) != NULL &&
	    message_header(msg, "From", 1) == NULL &&
	    addr_parse_list(h->value, a, &l) == 0 && l.count == 1)
		from = &l.boxes[0];
	if (from != NULL)
		out->from_org = org_of(ctx, from->domain, a);
	if (from != NULL && out->from_org != NULL &&
	    (check_display(ctx, from, out->from_org, env != NULL &&
	    env->from_aligned, a, out) == -1 ||
	    check_reply_to(ctx, msg, out->from_org, a, out) == -1))
		return -1;
	if (check_lists(ctx, msg, from, out->from_org, a, out) == -1 ||
	    check_forwarder(ctx, msg, env, out->from_org, a, out) == -1)
		return -1;
	return 0;
}
