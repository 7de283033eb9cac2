/*
 * dkimdns.c - libopendkim's DNS query service over our resolver (dns.h).
 *
 * Exports dkimdns_install and dkimdns_budget_enter/leave.  The service
 * handle is the generation's dns_resolver, borrowed.  Thread rule: all
 * per-query state lives in the query handle; the resolver is
 * thread-safe.  The message's DNS budget reaches the hooks through
 * "lent", set by dkimv_finish only for the length of its dkim_eom call on
 * that thread (the hooks have no other per-message channel; see
 * dkimdns.h): each query handle copies it when it starts.
 *
 * libopendkim parses a raw DNS packet.  We hand it one we build from the
 * records dns.c already parsed (question, then each TXT record, names by
 * pointer), after checking every TXT rdata's character-string lengths:
 * libopendkim's own parser trusts them.  This also works when dns.c gives
 * no packet (dns.h allows NULL).  DNS_TEMPFAIL becomes DKIM_DNS_ERROR
 * (libopendkim: KEYFAIL, temperror in dkimv.c), never a wait: dns_query's
 * own deadline bounds each lookup.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <opendkim/dkim.h>

#include "auth/dkimdns.h"
#include "dns/dns.h"

struct dkimv_query {
	struct dns_resolver *dns;
	struct dns_budget *budget;	/* lent at the start, or NULL */
	int type;
	unsigned char *buf;		/* libopendkim's answer buffer */
	size_t buflen;
	char name[];
};

static _Thread_local struct dns_budget *lent;

void
dkimdns_budget_enter(struct dns_budget *b)
{
	lent = b;
}

void
dkimdns_budget_leave(void)
{
	lent = NULL;
}

/* Appends name as DNS labels; 0, or -1 when it is not a valid name or
 * does not fit. */
static int
pack_name(const char *name, unsigned char *out, size_t outlen, size_t *pos)
{
	size_t n = strlen(name), i = 0, start, len;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n > 253)
		return -1;
	while (i < n) {
		start = i;
		while (i < n && name[i] != '.')
			i++;
		len = i - start;
		if (len == 0 || len > 63 || outlen - *pos < len + 1)
			return -1;
		out[(*pos)++] = (unsigned char)len;
		memcpy(out + *pos, name + start, len);
		*pos += len;
		i++;			/* the dot */
	}
	if (outlen - *pos < 1)
		return -1;
	out[(*pos)++] = 0;
	return 0;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

/* A TXT rdata is a run of character-strings, each a length byte and that
 * many bytes, filling the rdata exactly (RFC 1035 3.3.14). */
static int
txt_rdata_ok(const struct dns_rr *rr)
{
	size_t i = 0;

	if (rr->data == NULL || rr->len == 0 || rr->len > 0xffff)
		return 0;
	while (i < rr->len)
		i += 1 + (size_t)rr->data[i];
	return i == rr->len;
}

/* Builds the reply packet libopendkim parses: header, the question, then
 * each TXT record with its owner name as a pointer to the question.
 * Returns its length or 0 when it does not fit or a record is malformed
 * (then the caller reports a lookup error). */
static size_t
pack_reply(const struct dkimv_query *q, const struct dns_reply *r)
{
	unsigned char *p = q->buf;
	size_t pos = 12, i, anc = 0;
	unsigned rcode = 0;

	if (q->buflen < 12)
		return 0;
	memset(p, 0, 12);
	if (r->status == DNS_NXDOMAIN || r->status == DNS_BADNAME)
		rcode = 3;		/* NXDOMAIN: libopendkim -> NOKEY */
	if (pack_name(q->name, p, q->buflen, &pos) == -1) {
		/* Not a name the resolver could ask: answer for the root
		 * name, which libopendkim reads as no key. */
		pos = 12;
		p[pos++] = 0;
		rcode = 3;
	}
	if (q->buflen - pos < 4)
		return 0;
	put16(p + pos, (unsigned)q->type);
	put16(p + pos + 2, 1);		/* class IN */
	pos += 4;
	if (r->status == DNS_OK && r->rrtype == q->type && rcode == 0) {
		for (i = 0; i < r->count; i++) {
			const struct dns_rr *rr = &r->rr[i];

			if (q->type == DNS_T_TXT && !txt_rdata_ok(rr))
				return 0;
			if (rr->len > 0xffff || q->buflen - pos < 12 ||
			    q->buflen - pos - 12 < rr->len)
				return 0;
			put16(p + pos, 0xc00c);	/* the question's name */
			put16(p + pos + 2, (unsigned)q->type);
			put16(p + pos + 4, 1);
			put16(p + pos + 6, (r->ttl >> 16) & 0xffff);
			put16(p + pos + 8, r->ttl & 0xffff);
			put16(p + pos + 10, (unsigned)rr->len);
			memcpy(p + pos + 12, rr->data, rr->len);
			pos += 12 + rr->len;
			anc++;
		}
	}
	if (anc > 0xffff)
		return 0;
	p[2] = 0x81;			/* QR, RD */
	p[3] = 0x80 | rcode;		/* RA, rcode */
	put16(p + 4, 1);
	put16(p + 6, (unsigned)anc);
	return pos;
}

static int
dns_hook_start(void *srv, int type, unsigned char *query, unsigned char *buf,
    size_t buflen, void **qh)
{
	struct dkimv_query *q;
	size_t n;

	if (srv == NULL || query == NULL || buf == NULL || qh == NULL)
		return DKIM_DNS_INVALID;
	n = strlen((const char *)query);
	if ((q = malloc(sizeof(*q) + n + 1)) == NULL)
		return DKIM_DNS_ERROR;
	q->dns = srv;
	q->budget = lent;
	q->type = type;
	q->buf = buf;
	q->buflen = buflen;
	memcpy(q->name, query, n + 1);
	*qh = q;
	return DKIM_DNS_SUCCESS;
}

static int
dns_hook_cancel(void *srv, void *qh)
{
	free(qh);
	return DKIM_DNS_SUCCESS;
}

/* The lookup itself: dns_query waits at most the resolver's deadline and
 * the message's budget, so libopendkim's timeout argument is not
 * needed. */
static int
dns_hook_waitreply(void *srv, void *qh, struct timeval *to, size_t *bytes,
    int *error, int *dnssec)
{
	struct dkimv_query *q = qh;
	struct dns_reply *r = NULL;
	size_t n = 0;

	if (dnssec != NULL)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (error != NULL)
		*error = 0;
	if (q == NULL)
		return DKIM_DNS_INVALID;
	if (dns_query(q->dns, q->budget, q->name, q->type, &r) == -1 ||
	    r->status == DNS_TEMPFAIL)
		goto fail;
	if ((n = pack_reply(q, r)) == 0)
		goto fail;
	dns_reply_free(r);
	if (bytes != NULL)
		*bytes = n;
	return DKIM_DNS_SUCCESS;
fail:
	dns_reply_free(r);
	if (error != NULL)
		*error = 1;
	return DKIM_DNS_ERROR;
}

/* The service (the resolver) belongs to the generation, never to libopendkim: nothing to
 * open or close, and the resolver is configured through dns.h. */
static int
dns_hook_init(void **srv)
{
	return DKIM_DNS_ERROR;
}

static void
dns_hook_close(void *srv)
{
}

static int
dns_hook_config(void *srv, const char *s)
{
	return DKIM_DNS_INVALID;
}

void
dkimdns_install(DKIM_LIB *dl, struct dns_resolver *dns)
{
	/* Every hook is ours: libopendkim's defaults would open a resolver
	 * of their own, or free our service handle in dkim_close. */
	dkim_dns_set_init(dl, dns_hook_init);
	dkim_dns_set_close(dl, dns_hook_close);
	dkim_dns_set_nslist(dl, dns_hook_config);
	dkim_dns_set_config(dl, dns_hook_config);
	dkim_dns_set_trustanchor(dl, dns_hook_config);
	dkim_dns_set_query_start(dl, dns_hook_start);
	dkim_dns_set_query_cancel(dl, dns_hook_cancel);
	dkim_dns_set_query_waitreply(dl, dns_hook_waitreply);
	(void)dkim_dns_set_query_service(dl, dns);
}
