/*
 * author.c - the author domains of a message (author.h).
 *
 * Exports author_parse, author_problem_name.  Pure; arena memory; any
 * thread.  Caps: AUTHOR_MAX_DOMAINS distinct domains kept (the rest only
 * counted); From headers are those the message stored (max_headers).
 *
 * RFC 5322 section 3.6.2 (From is a mailbox-list: no groups; several
 * mailboxes need a Sender), 3.6 (one From field), RFC 6532 (UTF-8
 * domains), RFC 7489 section 6.6.1 (a message without exactly one author
 * domain cannot be evaluated).  Domains are converted to A-labels
 * (idna_domain_ascii) before anything compares them, so that "bücher"
 * written in UTF-8 and "xn--bcher-kva" are the same sender everywhere.
 *
 * Why every domain is kept: an attacker who writes two From headers, or
 * two addresses in one, chooses which one a mail reader shows; the
 * checks after us run over all of them (authors.c) and keep the worst.
 */
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/idna.h"
#include "mail/author.h"
#include "mail/message.h"

const char *
author_problem_name(enum author_problem p)
{
	switch (p) {
	case AUTHOR_OK:
		return "ok";
	case AUTHOR_NO_FROM:
		return "no_from";
	case AUTHOR_SEVERAL_HEADERS:
		return "several_headers";
	case AUTHOR_SEVERAL_ADDRESSES:
		return "several_addresses";
	case AUTHOR_GROUP:
		return "group";
	case AUTHOR_UNPARSABLE:
		return "unparsable";
	case AUTHOR_BAD_DOMAIN:
		return "bad_domain";
	}
	return "unparsable";
}

/* 1 when the value uses group syntax: a ':' outside quoted strings,
 * comments, domain literals and angle brackets (where an obs-route's
 * ':' lives).  addr_parse_list accepts groups, as Reply-To may hold
 * them; From may not. */
static int
has_group(const char *v)
{
	int depth = 0, angle = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && (depth > 0 || v[1] != '\0')) {
			if (v[1] != '\0')
				v++;
			continue;
		}
		if (*v == '(') {
			depth++;
			continue;
		}
		if (depth > 0) {
			if (*v == ')')
				depth--;
			continue;
		}
		if (*v == '"') {
			for (v++; *v != '\0' && *v != '"'; v++)
				if (*v == '\\' && v[1] != '\0')
					v++;
			if (*v == '\0')
				return 0;
			continue;
		}
		if (*v == '[') {
			while (v[1] != '\0' && v[1] != ']')
				v++;
			continue;
		}
		if (*v == '<')
			angle = 1;
		else if (*v == '>')
			angle = 0;
		else if (*v == ':' && !angle)
			return 1;
	}
	return 0;
}

static void
note(struct author *out, enum author_problem p)
{
	if (out->problem == AUTHOR_OK || p < out->problem)
		out->problem = p;
}

/* Keeps box with its A-label domain, once per domain. */
static int
keep(struct author *out, const struct addr_mailbox *box, const char *dom,
    struct arena *a)
{
	size_t i;

	for (i = 0; i < out->ndomains; i++)
		if (strcmp(out->boxes[i].domain, dom) == 0)
			return 0;
	if (out->ndomains >= AUTHOR_MAX_DOMAINS) {
		out->more_domains++;
		return 0;
	}
	out->boxes[out->ndomains] = *box;
	if ((out->boxes[out->ndomains].domain = arena_strdup(a, dom)) ==
	    NULL)
		return -1;
	out->ndomains++;
	return 0;
}

/* Appends one clause to the detail line (bounded). */
static void
say(char *buf, size_t len, const char *part)
{
	size_t used = strlen(buf);

	if (used + 3 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s", used ? "; " : "", part);
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* The domain for the detail: printable ASCII only, short. */
static const char *
shown(const char *d, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; d[i] != '\0' && o + 1 < len && i < 60; i++)
		buf[o++] = (unsigned char)d[i] > 0x20 &&
		    (unsigned char)d[i] < 0x7f ? d[i] : '?';
	buf[o] = '\0';
	return buf;
}

static int
one_header(const char *value, struct arena *a, struct author *out,
    char *detail, size_t dlen)
{
	char dom[IDNA_DOMAIN_MAX + 1], show[64], part[160];
	struct addr_list l;
	const char *why;
	size_t i, len;
	int n;

	if (has_group(value)) {
		note(out, AUTHOR_GROUP);
		say(detail, dlen, "group syntax in From");
	}
	if (addr_parse_list(value, a, &l) == -1 || l.count == 0) {
		note(out, AUTHOR_UNPARSABLE);
		say(detail, dlen, "unparsable From");
		return 0;
	}
	out->naddresses += (unsigned)l.count;
	for (i = 0; i < l.count; i++) {
		len = strlen(l.boxes[i].domain);
		n = idna_domain_ascii(l.boxes[i].domain, len, dom,
		    sizeof(dom), &why);
		/* RFC 5322 wants a dot-atom; at least two labels, as
		 * addr_domain_valid asks of an author domain. */
		if (n < 0 || strchr(dom, '.') == NULL) {
			note(out, AUTHOR_BAD_DOMAIN);
			snprintf(part, sizeof(part), "From domain %s is not "
			    "a name%s%s", shown(l.boxes[i].domain, show,
			    sizeof(show)), n < 0 && why != NULL ? ": " : "",
			    n < 0 && why != NULL ? why : "");
			say(detail, dlen, part);
			continue;
		}
		if (!addr_domain_valid(dom)) {
			note(out, AUTHOR_BAD_DOMAIN);
			snprintf(part, sizeof(part), "From domain %s is not "
			    "a name", shown(dom, show, sizeof(show)));
			say(detail, dlen, part);
			continue;
		}
		if (!ascii(l.boxes[i].domain))
			out->idn = 1;
		if (keep(out, &l.boxes[i], dom, a) == -1)
			return -1;
	}
	return 0;
}

int
author_parse(const struct message *m, struct arena *a, struct author *out)
{
	const struct header *h;
	char detail[400], part[64];
	size_t i;

	memset(out, 0, sizeof(*out));
	detail[0] = '\0';
	for (i = 0; (h = message_header(m, "From", i)) != NULL; i++) {
		out->nheaders++;
		if (one_header(h->value, a, out, detail, sizeof(detail)) == -1)
			return -1;
	}
	if (out->nheaders == 0) {
		note(out, AUTHOR_NO_FROM);
		say(detail, sizeof(detail), "no From header");
	}
	if (out->nheaders > 1) {
		note(out, AUTHOR_SEVERAL_HEADERS);
		snprintf(part, sizeof(part), "%u From headers", out->nheaders);
		say(detail, sizeof(detail), part);
	}
	if (out->naddresses > 1) {
		note(out, AUTHOR_SEVERAL_ADDRESSES);
		snprintf(part, sizeof(part), "%u addresses in From",
		    out->naddresses);
		say(detail, sizeof(detail), part);
	}
	if (out->ndomains > 1 || out->more_domains > 0)
	{
		snprintf(part, sizeof(part), "%zu author domains",
		    out->ndomains + out->more_domains);
		say(detail, sizeof(detail), part);
	}
	if (out->problem == AUTHOR_OK && out->ndomains == 1) {
		out->domain = out->boxes[0].domain;
		return 0;
	}
	if (out->problem == AUTHOR_OK)	/* no usable domain left */
		note(out, AUTHOR_BAD_DOMAIN);
	return (out->detail = arena_strdup(a, detail)) == NULL ? -1 : 0;
}
