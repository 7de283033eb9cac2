/*
 * relay.c - which host handed the message to our network: the SMTP
 * client, or behind internal relays the first external hop recorded in
 * the Received headers they added (RFC 5321 4.4 trace fields).
 *
 * Exports relay_find and relay_parse_received.  Pure; results in the
 * caller's arena; any thread.  Caps: at most max_walk Received headers
 * are read; one value is scanned once (linear, comments by a depth
 * counter).
 *
 * Trust: a Received header is only as honest as the host that added it.
 * The walk starts at the SMTP client; while the host is internal, the
 * next header down was written by it and names the host before it.  The
 * first external address is the relay; headers below it (which that
 * external host could have forged) are never read.  Loopback is always
 * internal: a message from 127.0.0.1 or ::1 was handed over by a process
 * on this host (a content filter, a local submission), and libspf2 would
 * pass any loopback client (FIELD-NOTES).
 *
 * The from clause, as the MTAs write it:
 *   Postfix   from HELO (NAME [IP]) by ...    NAME "unknown" without rDNS
 *   sendmail  from HELO (NAME [IP]) ...       also "(user@NAME [IP])",
 *             "([IP])", "(NAME [IP] (may be forged))"
 *   Exim      from NAME ([IP]:PORT helo=HELO) by ..., "from [IP] (helo=X)"
 *   Exchange  from NAME (IP) by ...; qmail "from X (HELO h) (IP)"
 * IPv6 as "[IPv6:2001:db8::1]".  HELO is chosen by the sender and some
 * MTAs copy it with spaces and parentheses, so: within one comment the
 * first address literal counts (the MTA writes it before any HELO), across
 * comments the last one before "by" (the MTA's comment follows the HELO),
 * and a from clause with two "by" words - a HELO pretending to end the
 * clause - is ambiguous: the relay is then unknown, never a forged one.
 */
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util/arena.h"
#include "mail/message.h"
#include "util/net.h"
#include "mail/relay.h"

#define RELAY_NAME_MAX	255

struct span {
	const char *p;
	size_t len;
};

struct hop {
	struct span word;	/* the word after "from" */
	struct span helo;	/* helo= (Exim) or HELO x (qmail) */
	struct span name;	/* text before the literal */
	struct span ip;		/* address text */
	int helo_in_comment;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
span_is(const struct span *s, const char *word)
{
	return s->len == strlen(word) && strncasecmp(s->p, word, s->len) == 0;
}

/* An arena copy of s when it is a plausible host word (printable ASCII,
 * no space, 1..255 bytes, not "unknown"), else NULL. */
static const char *
host_word(const struct span *s, struct arena *a, int *oom)
{
	size_t i;
	const char *c;

	if (s->p == NULL || s->len == 0 || s->len > RELAY_NAME_MAX ||
	    span_is(s, "unknown"))
		return NULL;
	for (i = 0; i < s->len; i++)
		if ((unsigned char)s->p[i] <= 0x20 ||
		    (unsigned char)s->p[i] >= 0x7f)
			return NULL;
	if ((c = arena_strndup(a, s->p, s->len)) == NULL)
		*oom = 1;
	return c;
}

/* The address in ip (with "IPv6:", brackets already removed), as text in
 * arena memory; an IPv4-mapped IPv6 address becomes its IPv4 form, as
 * SPF wants it.  NULL when it is not an address. */
static const char *
addr_text(const char *p, size_t len, struct arena *a, struct net_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (len == 0 || len >= sizeof(buf))
		return NULL;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (net_parse_addr(buf, out) == -1)
		return NULL;
	if (out->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&out->u.v6)) {
		memcpy(&out->u.v4, out->u.v6.s6_addr + 12, 4);
		out->family = AF_INET;
	}
	net_addr_format(out, buf, sizeof(buf));
	return arena_strdup(a, buf);
}

/* End of the comment opening at p: the byte after its ')', or the end of
 * the string when it never closes. */
static const char *
comment_end(const char *p)
{
	size_t depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return p;
}

/* The word after "key" (helo= or "HELO ") inside a comment. */
static int
find_helo(const char *p, const char *end, struct span *helo)
{
	const char *q;

	for (q = p; q < end; q++) {
		if (q > p && !is_space(q[-1]) && q[-1] != '(')
			continue;
		if ((size_t)(end - q) > 5 && strncasecmp(q, "helo=", 5) == 0)
			q += 5;
		else if ((size_t)(end - q) > 5 &&
		    strncasecmp(q, "HELO ", 5) == 0)
			q += 5;
		else
			continue;
		helo->p = q;
		while (q < end && !is_space(*q) && *q != ')')
			q++;
		helo->len = (size_t)(q - helo->p);
		return 1;
	}
	return 0;
}

/* 1 when [p, p + len) is an IP address, "IPv6:" tag allowed. */
static int
is_addr(const char *p, size_t len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct net_addr a;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return net_parse_addr(buf, &a) == 0;
}

/* Looks at one from-clause comment [p, end): its first address literal,
 * with at most one word before it (NAME, "unknown", sendmail's
 * "user@NAME"), or a bare address as its only first word (Exchange,
 * qmail); a HELO given inside (Exim helo=, qmail HELO).  1 when it names
 * an address.  "(Authenticated sender: x [..])" and other prose do not. */
static int
read_comment(const char *p, const char *end, struct hop *h)
{
	const char *lb, *rb, *q, *at;
	struct span helo = { NULL, 0 };

	p++;				/* '(' */
	if (end > p && end[-1] == ')')
		end--;
	if (find_helo(p, end, &helo)) {
		h->helo = helo;
		h->helo_in_comment = 1;
	}
	for (q = p; q < end && is_space(*q); q++)
		;
	h->name.p = q;
	while (q < end && !is_space(*q) && *q != '[' && *q != '(')
		q++;
	h->name.len = (size_t)(q - h->name.p);
	for (lb = q; lb < end && is_space(*lb); lb++)
		;
	if (lb < end && *lb == '[') {
		for (rb = lb; rb < end && *rb != ']'; rb++)
			;
		if (rb == end)
			return 0;
		h->ip.p = lb + 1;
		h->ip.len = (size_t)(rb - lb - 1);
		if (h->ip.len > 5 && strncasecmp(h->ip.p, "IPv6:", 5) == 0) {
			h->ip.p += 5;
			h->ip.len -= 5;
		}
		at = memchr(h->name.p, '@', h->name.len);
		if (at != NULL) {
			h->name.len -= (size_t)(at + 1 - h->name.p);
			h->name.p = at + 1;
		}
		return is_addr(h->ip.p, h->ip.len);
	}
	/* Exchange "(10.1.1.1)", qmail "(192.0.2.1)": the first word */
	h->ip = h->name;
	h->name.p = NULL;
	h->name.len = 0;
	return is_addr(h->ip.p, h->ip.len);
}

/* 0 with the hop filled, 1 when the value has no from clause (a local
 * submission: "by host (Postfix, from userid 0)"), -1 when the from
 * clause is unreadable or ambiguous. */
static int
read_received(const char *v, struct hop *h)
{
	struct hop best, cur;
	const char *p = v, *end;
	int in_from = 1, nby = 0, found = 0, words = 0;

	memset(h, 0, sizeof(*h));
	memset(&best, 0, sizeof(best));
	while (is_space(*p))
		p++;
	if (strncasecmp(p, "from", 4) != 0 || !is_space(p[4]))
		return 1;
	p += 4;
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '(') {
			end = comment_end(p);
			memset(&cur, 0, sizeof(cur));
			if (in_from && read_comment(p, end, &cur)) {
				best = cur;	/* the last one counts */
				found = 1;
			} else if (in_from && cur.helo_in_comment) {
				h->helo = cur.helo;	/* qmail (HELO x) */
				h->helo_in_comment = 1;
			}
			p = end;
			continue;
		}
		/* A word.  Past "by", <...> and "..." are single units (for
		 * <rcpt>); before it, HELO text could open a quote to hide
		 * the MTA's own comment, so they are plain characters. */
		end = p;
		if (!in_from && (*end == '<' || *end == '"')) {
			char close = *end == '<' ? '>' : '"';

			for (end++; *end != '\0' && *end != close; end++)
				if (*end == '\\' && end[1] != '\0')
					end++;
			if (*end != '\0')
				end++;
		} else
			while (*end != '\0' && !is_space(*end) && *end != '(')
				end++;
		if ((size_t)(end - p) == 2 && strncasecmp(p, "by", 2) == 0) {
			nby++;
			in_from = 0;
		} else if (in_from && words++ == 0) {
			h->word.p = p;
			h->word.len = (size_t)(end - p);
		}
		p = end;
	}
	if (nby > 1)
		return -1;
	if (found) {
		h->ip = best.ip;
		h->name = best.name;
		if (best.helo_in_comment) {
			h->helo = best.helo;
			h->helo_in_comment = 1;
		}
		return 0;
	}
	/* Exim without rDNS: "from [192.0.2.1]:port (helo=x)" */
	if (h->word.len > 2 && h->word.p[0] == '[') {
		end = memchr(h->word.p, ']', h->word.len);
		if (end == NULL)
			return -1;
		h->ip.p = h->word.p + 1;
		h->ip.len = (size_t)(end - h->ip.p);
		if (h->ip.len > 5 && strncasecmp(h->ip.p, "IPv6:", 5) == 0) {
			h->ip.p += 5;
			h->ip.len -= 5;
		}
		return 0;
	}
	return -1;
}

/* Fills helo, name, ip from a parsed hop; -1 when the address is not
 * one, -2 when out of memory. */
static int
hop_strings(const struct hop *h, struct arena *a, const char **helo,
    const char **name, const char **ip, struct net_addr *addr)
{
	int oom = 0;

	*helo = *name = *ip = NULL;
	if ((*ip = addr_text(h->ip.p, h->ip.len, a, addr)) == NULL)
		return -1;
	if (h->helo_in_comment) {
		/* Exim and qmail: the word after "from" is the host name */
		*helo = host_word(&h->helo, a, &oom);
		if (h->word.len > 0 && h->word.p[0] != '[')
			*name = host_word(&h->word, a, &oom);
	} else {
		*helo = host_word(&h->word, a, &oom);
		*name = host_word(&h->name, a, &oom);
	}
	return oom ? -2 : 0;
}

int
relay_parse_received(const char *value, struct arena *a, const char **helo,
    const char **name, const char **ip)
{
	struct net_addr addr;
	struct hop h;

	*helo = *name = *ip = NULL;
	if (value == NULL || read_received(value, &h) != 0)
		return -1;
	if (hop_strings(&h, a, helo, name, ip, &addr) != 0) {
		*helo = *name = *ip = NULL;
		return -1;
	}
	return 0;
}

static int
is_internal(const struct net_addr *a, const struct net_cidr *internal,
    size_t n)
{
	return net_is_loopback(a) || net_cidr_list_match(internal, n, a);
}

int
relay_find(const struct message *m, const struct net_cidr *internal,
    size_t ninternal, unsigned max_walk, struct arena *a,
    struct relay *out)
{
	const char *helo, *name, *ip;
	struct net_addr addr;
	struct hop h;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (m->client_ip == NULL ||
	    (ip = addr_text(m->client_ip, strlen(m->client_ip), a,
	    &addr)) == NULL)
		return 0;		/* no usable client address: unknown */
	out->ip = ip;
	out->helo = m->helo;
	out->name = m->client_name;
	if (!is_internal(&addr, internal, ninternal))
		return 0;
	for (i = 0; i < m->nheaders; i++) {
		if (strcasecmp(m->headers[i].name, "Received") != 0)
			continue;
		if (out->hops >= max_walk) {
			/* No external hop within the cap: unknown, not
			 * "internal only" - raise max_received_walk. */
			out->ip = out->helo = out->name = NULL;
			return 0;
		}
		out->hops++;
		if ((rc = read_received(m->headers[i].value, &h)) == 1)
			break;		/* made inside: local submission */
		if (rc == 0)
			rc = hop_strings(&h, a, &helo, &name, &ip, &addr);
		if (rc == -2)
			return -1;
		if (rc == -1) {
			/* an internal host wrote a from clause we cannot
			 * read: the relay is unknown */
			out->ip = out->helo = out->name = NULL;
			return 0;
		}
		out->ip = ip;
		out->helo = helo;
		out->name = name;
		if (!is_internal(&addr, internal, ninternal))
			return 0;
	}
	/* every hop was internal: the message was made inside; ip, helo
	 * and name are the oldest internal hop's */
	out->internal_only = 1;
	return 0;
}
