/*
 * message.c - the message model: envelope, headers, body size.
 *
 * Exports message_*.  Owns the message's arena.  Thread rule: one thread at
 * a time.  Caps: max_headers, max_header_length (0 = none); a header past
 * a cap is dropped and `truncated` names the cap, which the verdict
 * reports.  Trace headers (Authentication-Results, X-Relaywarden) are
 * judged as they arrive, before any cap, because the MTA delivers them
 * whether we stored them or not: a forged one past max_headers, or one
 * longer than max_header_length, must still be removed, and the index we
 * remove it by counts every header of its name (RFC 8601 section 5).
 * Memory stays bounded: a dropped header leaves only a counter, or, when
 * forged, one removal record; the removal list is capped at max_headers
 * and what lies past it is only counted (the verdict then rejects).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "mail/authresid.h"
#include "mail/message.h"

#define AUTHRES		"Authentication-Results"
#define VERDICT_HDR	"X-Relaywarden"

struct message *
message_new(unsigned max_headers, unsigned max_header_length)
{
	struct arena *a;
	struct message *m;

	if ((a = arena_new()) == NULL)
		return NULL;
	if ((m = arena_calloc(a, 1, sizeof(*m))) == NULL) {
		arena_free(a);
		return NULL;
	}
	m->arena = a;
	m->max_headers = max_headers;
	m->max_header_length = max_header_length;
	return m;
}

void
message_free(struct message *m)
{
	if (m != NULL)
		arena_free(m->arena);
}

static int
set(struct message *m, const char **field, const char *value)
{
	if (value == NULL) {
		*field = NULL;
		return 0;
	}
	return (*field = arena_strdup(m->arena, value)) == NULL ? -1 : 0;
}

int
message_set_id(struct message *m, const char *id)
{
	return set(m, &m->id, id);
}

int
message_set_client(struct message *m, const char *ip, const char *name)
{
	if (set(m, &m->client_ip, ip) == -1)
		return -1;
	return set(m, &m->client_name, name);
}

int
message_set_helo(struct message *m, const char *helo)
{
	return set(m, &m->helo, helo);
}

int
message_set_mail_from(struct message *m, const char *from)
{
	return set(m, &m->mail_from, from);
}

int
message_set_auth(struct message *m, const char *user)
{
	return set(m, &m->auth_user, user);
}

/* Grows an arena array of elem-sized items to hold one more. */
static int
grow(struct arena *a, void **arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / elem || (p = arena_alloc(a, ncap * elem)) == NULL)
		return -1;
	if (n)
		memcpy(p, *arr, n * elem);
	*arr = p;
	*cap = ncap;
	return 0;
}

int
message_add_rcpt(struct message *m, const char *rcpt)
{
	const char *copy;

	if ((copy = arena_strdup(m->arena, rcpt)) == NULL)
		return -1;
	if (grow(m->arena, (void **)&m->rcpts, m->nrcpts, &m->rcpts_cap,
	    sizeof(*m->rcpts)) == -1)
		return -1;
	m->rcpts[m->nrcpts++] = copy;
	return 0;
}

/* Counts a trace header and says whether it is forged: 1 forged, 0 not
 * (or not a trace header); *occ its occurrence, *canon its name. */
static int
trace_header(struct message *m, const char *name, const char *value,
    unsigned *occ, const char **canon)
{
	*occ = 0;
	if (strcasecmp(name, AUTHRES) == 0) {
		*canon = AUTHRES;
		*occ = ++m->n_authres;
		return m->authserv_id != NULL &&
		    authres_claims_id(value, m->authserv_id);
	}
	if (strcasecmp(name, VERDICT_HDR) == 0) {
		*canon = VERDICT_HDR;
		*occ = ++m->n_verdict;
		return 1;		/* every incoming one is a forgery */
	}
	return 0;
}

static int
add_removal(struct message *m, const char *name, unsigned occ,
    const char *value)
{
	struct removal *r;

	if (m->max_headers && m->nremovals >= m->max_headers) {
		m->removals_lost++;
		return 0;
	}
	if (grow(m->arena, (void **)&m->removals, m->nremovals,
	    &m->removals_cap, sizeof(*m->removals)) == -1)
		return -1;
	r = &m->removals[m->nremovals++];
	r->name = name;
	r->occurrence = occ;
	r->value = value;
	return 0;
}

int
message_add_header(struct message *m, const char *name, const char *value)
{
	struct header *h;
	const char *canon = NULL, *why = NULL;
	size_t nlen, vlen;
	unsigned occ;
	int forged;

	nlen = strlen(name);
	vlen = strlen(value);
	forged = trace_header(m, name, value, &occ, &canon);
	if (m->max_headers && m->nheaders >= m->max_headers)
		why = "max_headers";
	else if (m->max_header_length &&
	    nlen + vlen + 1 > m->max_header_length)
		why = "max_header_length";
	if (why != NULL) {
		m->truncated = why;
		if (forged && add_removal(m, canon, occ, NULL) == -1)
			return -1;
		return 0;
	}
	if (grow(m->arena, (void **)&m->headers, m->nheaders,
	    &m->headers_cap, sizeof(*m->headers)) == -1)
		return -1;
	h = &m->headers[m->nheaders];
	if ((h->name = arena_strndup(m->arena, name, nlen)) == NULL ||
	    (h->value = arena_strndup(m->arena, value, vlen)) == NULL)
		return -1;
	h->len = vlen;
	h->deleted = forged;
	h->occurrence = occ;
	if (forged && add_removal(m, h->name, occ, h->value) == -1)
		return -1;
	m->nheaders++;
	m->header_bytes += nlen + vlen + 1;
	return 1;
}

const struct header *
message_header(const struct message *m, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < m->nheaders; i++)
		if (strcasecmp(m->headers[i].name, name) == 0 && n-- == 0)
			return &m->headers[i];
	return NULL;
}
