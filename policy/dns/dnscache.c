/*
 * dnscache.c - the resolver's answer cache (see dnscache.h).
 *
 * Exports dnscache_*.  A hash table of chains (power of two buckets)
 * and a doubly linked list in use order; each entry is one allocation
 * holding its name, the record lengths, the record bytes and the whole
 * reply packet (libopendkim reads the packet).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnscache.h"
#include "dns/dnsreply.h"
#include "util/hash.h"

struct centry {
	struct centry *hnext;		/* bucket chain */
	struct centry *prev, *next;	/* use order, newest first */
	unsigned hash;
	long long expires;		/* monotonic seconds */
	size_t size;			/* bytes of this allocation */
	int rrtype;
	enum dns_status status;
	size_t count, datalen, packet_len;
	char *name;			/* all in the same allocation */
	size_t *lens;
	unsigned char *data, *packet;
};

struct dnscache {
	pthread_mutex_t lock;
	struct centry **buckets;
	size_t nbuckets;		/* a power of two */
	struct centry *newest, *oldest;
	size_t entries, bytes, max_entries, max_bytes;
	unsigned long hits;
};

static unsigned
hash(const char *name, int rrtype)
{
	return hash_fnv_str(HASH_FNV_SEED ^ (unsigned)rrtype, name);
}

struct dnscache *
dnscache_new(size_t max_entries, size_t max_bytes)
{
	struct dnscache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	for (c->nbuckets = 64; c->nbuckets < max_entries * 2 &&
	    c->nbuckets < (1u << 20); c->nbuckets *= 2)
		;
	if ((c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))) ==
	    NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	return c;
}

void
dnscache_free(struct dnscache *c)
{
	struct centry *e, *n;

	if (c == NULL)
		return;
	for (e = c->newest; e != NULL; e = n) {
		n = e->next;
		free(e);
	}
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

static void
unlink_use(struct dnscache *c, struct centry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->newest = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->oldest = e->prev;
	e->prev = e->next = NULL;
}

static void
push_newest(struct dnscache *c, struct centry *e)
{
	e->prev = NULL;
	e->next = c->newest;
	if (c->newest != NULL)
		c->newest->prev = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* Takes e out of the table and frees it. */
static void
drop(struct dnscache *c, struct centry *e)
{
	struct centry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	unlink_use(c, e);
	c->entries--;
	c->bytes -= e->size;
	free(e);
}

static struct centry *
find(struct dnscache *c, const char *qname, int rrtype, unsigned h)
{
	struct centry *e;

	for (e = c->buckets[h & (c->nbuckets - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && e->rrtype == rrtype &&
		    strcmp(e->name, qname) == 0)
			return e;
	return NULL;
}

/* A reply of its own made from e (remaining TTL ttl). */
static struct dns_reply *
copy_out(const struct centry *e, unsigned ttl)
{
	size_t i, off = 0;
	struct reply *rp;
	unsigned char *data, *packet;

	rp = malloc(sizeof(*rp) + e->count * sizeof(rp->rr[0]) +
	    e->datalen + e->packet_len);
	if (rp == NULL)
		return NULL;
	data = (unsigned char *)(rp->rr + e->count);
	packet = data + e->datalen;
	memcpy(data, e->data, e->datalen);
	memcpy(packet, e->packet, e->packet_len);
	for (i = 0; i < e->count; i++) {
		rp->rr[i].data = data + off;
		rp->rr[i].len = e->lens[i];
		off += e->lens[i];
	}
	rp->ub = NULL;
	rp->pub.status = e->status;
	rp->pub.rrtype = e->rrtype;
	rp->pub.count = e->count;
	rp->pub.rr = rp->rr;
	rp->pub.packet = e->packet_len > 0 ? packet : NULL;
	rp->pub.packet_len = e->packet_len;
	rp->pub.ttl = ttl;
	return &rp->pub;
}

int
dnscache_get(struct dnscache *c, const char *qname, int rrtype,
    long long now, struct dns_reply **out)
{
	unsigned h = hash(qname, rrtype);
	struct centry *e;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&c->lock);
	if ((e = find(c, qname, rrtype, h)) != NULL) {
		if (e->expires <= now)
			drop(c, e);
		else if ((*out = copy_out(e, (unsigned)(e->expires - now))) ==
		    NULL)
			rc = -1;
		else {
			unlink_use(c, e);
			push_newest(c, e);
			c->hits++;
			rc = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
dnscache_put(struct dnscache *c, const char *qname, int rrtype,
    const struct dns_reply *reply, long long now)
{
	size_t i, nlen = strlen(qname) + 1, datalen = 0, size, off = 0;
	unsigned ttl = reply->ttl, h = hash(qname, rrtype);
	struct centry *e, *old;

	if (reply->status != DNS_OK && reply->status != DNS_NXDOMAIN &&
	    reply->status != DNS_NODATA)
		return;
	if (reply->status != DNS_OK && ttl > DNSCACHE_NEG_TTL_MAX)
		ttl = DNSCACHE_NEG_TTL_MAX;
	if (ttl > DNSCACHE_TTL_MAX)
		ttl = DNSCACHE_TTL_MAX;
	if (ttl == 0)
		return;
	for (i = 0; i < reply->count; i++)
		datalen += reply->rr[i].len;
	size = sizeof(*e) + nlen + reply->count * sizeof(size_t) + datalen +
	    reply->packet_len;
	if (size > c->max_bytes / 16 || (e = malloc(size)) == NULL)
		return;			/* one answer never crowds out all */
	memset(e, 0, sizeof(*e));
	e->lens = (size_t *)(e + 1);
	e->name = (char *)(e->lens + reply->count);
	e->data = (unsigned char *)e->name + nlen;
	e->packet = e->data + datalen;
	memcpy(e->name, qname, nlen);
	for (i = 0; i < reply->count; i++) {
		e->lens[i] = reply->rr[i].len;
		memcpy(e->data + off, reply->rr[i].data, reply->rr[i].len);
		off += reply->rr[i].len;
	}
	if (reply->packet_len > 0)
		memcpy(e->packet, reply->packet, reply->packet_len);
	e->hash = h;
	e->expires = now + ttl;
	e->size = size;
	e->rrtype = rrtype;
	e->status = reply->status;
	e->count = reply->count;
	e->datalen = datalen;
	e->packet_len = reply->packet_len;
	pthread_mutex_lock(&c->lock);
	if ((old = find(c, qname, rrtype, h)) != NULL)
		drop(c, old);
	while (c->oldest != NULL && (c->entries + 1 > c->max_entries ||
	    c->bytes + size > c->max_bytes))
		drop(c, c->oldest);
	e->hnext = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = e;
	push_newest(c, e);
	c->entries++;
	c->bytes += size;
	pthread_mutex_unlock(&c->lock);
}

void
dnscache_stats(struct dnscache *c, struct dnscache_stats *st)
{
	pthread_mutex_lock(&c->lock);
	st->hits = c->hits;
	st->entries = c->entries;
	st->bytes = c->bytes;
	pthread_mutex_unlock(&c->lock);
}
