/*
 * dns.c - the shared caching resolver: libunbound plus local data.
 *
 * Exports dns_resolver_new/free, dns_query, dns_reply_free,
 * dns_budget_start, dns_rr_txt, dns_rr_name and dns_resolver_stats.  A
 * dns_budget is the caller's (one message's): no thread-local state.
 * Owns one libunbound context per resolver and a pump thread that reads
 * libunbound's answers and hands each to the query waiting for it, and
 * an answer cache in front of both (dnscache.c: a repeated name costs a
 * hash look-up, not a trip through libunbound's threads).
 * The local-data parser is dnslocal.c
 * (dnslocal_load), called here while a resolver is set up.
 *
 * Thread rule: any number of threads may call dns_query at once.  A query
 * registers a waiter (struct waiter) under the resolver mutex, starts an
 * asynchronous libunbound lookup and sleeps on its own condition variable
 * until the pump delivers the answer or the deadline passes.  On timeout
 * the waiter marks itself abandoned and calls ub_cancel: UB_NOERROR means
 * libunbound will never call back, so the waiter frees itself; UB_NOID
 * means the callback has run or is running, and the callback frees the
 * abandoned waiter.  Waiters still linked when the resolver is freed (their
 * lookups were cancelled or never answered) are freed there.  libunbound
 * runs its worker as a thread (ub_ctx_async 1), never a fork.
 *
 * Caps: names as RFC 1035 2.3.4 (label 1..63 octets, name <= 253 octets
 * in text form); local-data lines <= 64 KB (dnslocal.c); rdata helpers
 * check every length against the record before reading; local-data
 * CNAMEs followed up to 8 times.  No DNSSEC trust anchor: the validator
 * module is not loaded.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "util/deadline.h"
#include "util/metrics.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "dns/dnslocal.h"
#include "dns/dnsreply.h"

#define DNS_NAME_MAX	253		/* text form, no root dot */
#define DNS_LABEL_MAX	63
#define DNS_RCODE_NXDOMAIN	3
#define DNS_CNAME_HOPS	8		/* local-data CNAMEs followed */

struct waiter {
	struct waiter *prev, *next;	/* resolver's list, under lock */
	struct dns_resolver *res;
	pthread_cond_t cond;
	int done;			/* callback delivered the answer */
	int abandoned;			/* timed out: callback frees */
	int err;
	struct ub_result *result;
};

struct dns_resolver {
	struct ub_ctx *ctx;
	unsigned timeout_ms;
	pthread_t pump;
	int pump_started;
	int wake[2];			/* written once to stop the pump */
	pthread_mutex_t lock;		/* guards the waiters */
	struct waiter *waiters;
	atomic_ulong queries, timeouts, failures, sent;
	struct dnscache *cache;		/* answers had (dnscache.h) */
};

/* Checks a query name and writes it in presentation form, every octet
 * outside [A-Za-z0-9_-] escaped as \DDD, with a root dot.  out must hold
 * DNS_NAME_MAX * 4 + 2 bytes.  Returns 0, or -1 when the name is not a
 * valid query name (empty, empty label, label > 63, name > 253). */
static int
name_encode(const char *name, char *out)
{
	size_t len = strlen(name), i, label = 0, o = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
			out[o++] = '.';
			continue;
		}
		if (++label > DNS_LABEL_MAX)
			return -1;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 5, "\\%03u", c);
	}
	if (label == 0)
		return -1;
	out[o++] = '.';
	out[o] = '\0';
	return 0;
}

static void
waiter_unlink(struct dns_resolver *r, struct waiter *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		r->waiters = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
}

static void
waiter_free(struct waiter *w)
{
	pthread_cond_destroy(&w->cond);
	ub_resolve_free(w->result);
	free(w);
}

/* libunbound callback, run by the pump thread without libunbound locks. */
static void
query_done(void *arg, int err, struct ub_result *result)
{
	struct waiter *w = arg;
	struct dns_resolver *r = w->res;

	pthread_mutex_lock(&r->lock);
	if (w->abandoned) {
		waiter_unlink(r, w);
		pthread_mutex_unlock(&r->lock);
		ub_resolve_free(result);
		waiter_free(w);
		return;
	}
	w->err = err;
	w->result = result;
	w->done = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&r->lock);
}

static void
warmup_done(void *arg, int err, struct ub_result *result)
{
	ub_resolve_free(result);
}

static void *
pump_main(void *arg)
{
	struct dns_resolver *r = arg;
	struct pollfd p[2];

	p[0].fd = ub_fd(r->ctx);
	p[0].events = POLLIN;
	p[1].fd = r->wake[0];
	p[1].events = POLLIN;
	for (;;) {
		p[0].revents = p[1].revents = 0;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents != 0)
			break;
		if (p[0].revents != 0 && ub_process(r->ctx) != 0) {
			/* libunbound's pipe broke: queries will time out;
			 * do not spin while waiting to be stopped. */
			if (poll(&p[1], 1, 100) > 0)
				break;
		}
	}
	return NULL;
}

static int
resolver_setup(struct dns_resolver *r, const struct dns_options *o,
    char *err, size_t errlen)
{
	size_t i;
	int e;

	/* Options first: the first zone or data call finalizes the
	 * context, after which libunbound refuses them. */
	if ((e = ub_ctx_async(r->ctx, 1)) != 0 ||
	    (e = ub_ctx_debugout(r->ctx, NULL)) != 0 ||
	    (e = ub_ctx_set_option(r->ctx, "module-config:", "iterator"))
	    != 0 ||
	    /* answers in the order the data gives (tests, RFC 7208 4.6.4
	     * "the first 10 PTR names" reproducible) */
	    (e = ub_ctx_set_option(r->ctx, "rrset-roundrobin:", "no")) != 0) {
		snprintf(err, errlen, "resolver setup: %s", ub_strerror(e));
		return -1;
	}
	for (i = 0; i < o->nforwarders; i++) {
		if ((e = ub_ctx_set_fwd(r->ctx, o->forwarders[i])) != 0) {
			snprintf(err, errlen, "bad forwarder \"%.100s\": %s",
			    o->forwarders[i], ub_strerror(e));
			return -1;
		}
	}
	if (o->nforwarders == 0 &&
	    (e = ub_ctx_resolvconf(r->ctx, o->resolv_conf)) != 0) {
		snprintf(err, errlen, "%s: %s", o->resolv_conf != NULL ?
		    o->resolv_conf : "/etc/resolv.conf", ub_strerror(e));
		return -1;
	}
	if (o->local_data != NULL &&
	    dnslocal_load(r->ctx, o->local_data, err, errlen) < 0)
		return -1;
	return 0;
}

/* Starts the pump, and libunbound's worker with a throw-away lookup, both
 * with every signal blocked so that signals go to the daemon's own
 * handling thread. */
static int
resolver_start(struct dns_resolver *r, char *err, size_t errlen)
{
	sigset_t all, old;
	int e, id;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&r->pump, NULL, pump_main, r);
	if (e == 0) {
		r->pump_started = 1;
		e = ub_resolve_async(r->ctx, "localhost.", DNS_T_A, 1, NULL,
		    warmup_done, &id);
		if (e != 0)
			snprintf(err, errlen, "resolver start: %s",
			    ub_strerror(e));
	} else
		snprintf(err, errlen, "resolver start: cannot create thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return e == 0 ? 0 : -1;
}

struct dns_resolver *
dns_resolver_new(const struct dns_options *o, char *err, size_t errlen)
{
	struct dns_resolver *r;

	if (o->timeout_ms == 0) {
		snprintf(err, errlen, "DNS timeout must be > 0");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->timeout_ms = o->timeout_ms;
	r->wake[0] = r->wake[1] = -1;
	atomic_init(&r->queries, 0);
	atomic_init(&r->timeouts, 0);
	atomic_init(&r->failures, 0);
	atomic_init(&r->sent, 0);
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((r->cache = dnscache_new(DNSCACHE_ENTRIES, DNSCACHE_BYTES)) ==
	    NULL || pipe(r->wake) < 0 || (r->ctx = ub_ctx_create()) == NULL) {
		snprintf(err, errlen, "cannot create the resolver");
		dns_resolver_free(r);
		return NULL;
	}
	if (resolver_setup(r, o, err, errlen) < 0 ||
	    resolver_start(r, err, errlen) < 0) {
		dns_resolver_free(r);
		return NULL;
	}
	return r;
}

void
dns_resolver_free(struct dns_resolver *r)
{
	struct waiter *w;

	if (r == NULL)
		return;
	if (r->pump_started) {
		ssize_t n;

		do
			n = write(r->wake[1], "x", 1);
		while (n < 0 && errno == EINTR);
		pthread_join(r->pump, NULL);
	}
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	dnscache_free(r->cache);
	/* No callback can run now: what is left was abandoned. */
	while ((w = r->waiters) != NULL) {
		waiter_unlink(r, w);
		waiter_free(w);
	}
	if (r->wake[0] >= 0)
		close(r->wake[0]);
	if (r->wake[1] >= 0)
		close(r->wake[1]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static struct reply *
reply_new(enum dns_status status, int rrtype, struct ub_result *ub)
{
	size_t n = 0, i;
	struct reply *rp;

	if (ub != NULL && status == DNS_OK)
		while (ub->data[n] != NULL)
			n++;
	rp = calloc(1, sizeof(*rp) + n * sizeof(rp->rr[0]));
	if (rp == NULL)
		return NULL;
	rp->ub = ub;
	rp->pub.status = status;
	rp->pub.rrtype = rrtype;
	rp->pub.count = n;
	rp->pub.rr = rp->rr;
	for (i = 0; i < n; i++) {
		rp->rr[i].data = (const unsigned char *)ub->data[i];
		rp->rr[i].len = ub->len[i] > 0 ? (size_t)ub->len[i] : 0;
	}
	if (ub != NULL) {
		rp->pub.packet = ub->answer_packet;
		rp->pub.packet_len = ub->answer_len > 0 ?
		    (size_t)ub->answer_len : 0;
		rp->pub.ttl = ub->ttl > 0 ? (unsigned)ub->ttl : 0;
	}
	return rp;
}

/* Builds the reply in *out; on failure frees ub and returns -1. */
static int
reply_out(enum dns_status status, int rrtype, struct ub_result *ub,
    struct dns_reply **out)
{
	struct reply *rp = reply_new(status, rrtype, ub);

	if (rp == NULL) {
		ub_resolve_free(ub);
		return -1;
	}
	*out = &rp->pub;
	return 0;
}

/* Waits for w's answer until deadline.  Returns 1 with the answer taken
 * out of w (w is then freed), or 0 on timeout (w then belongs to the
 * callback or was freed here). */
static int
query_wait(struct dns_resolver *r, struct waiter *w, int id,
    const struct timespec *deadline, int *err, struct ub_result **result)
{
	pthread_mutex_lock(&r->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &r->lock, deadline) ==
		    ETIMEDOUT)
			break;
	}
	if (w->done) {
		waiter_unlink(r, w);
		pthread_mutex_unlock(&r->lock);
		*err = w->err;
		*result = w->result;
		w->result = NULL;
		waiter_free(w);
		return 1;
	}
	w->abandoned = 1;
	pthread_mutex_unlock(&r->lock);
	if (ub_cancel(r->ctx, id) == UB_NOERROR) {
		/* libunbound dropped it: no callback will come. */
		pthread_mutex_lock(&r->lock);
		waiter_unlink(r, w);
		pthread_mutex_unlock(&r->lock);
		waiter_free(w);
	}
	return 0;
}

/* One libunbound lookup of the presentation name qname.  Returns -1 when
 * out of memory, else 0 with *status and *result (may be NULL) set. */
static int
query_once(struct dns_resolver *r, const char *qname, int rrtype,
    const struct timespec *deadline, enum dns_status *status,
    struct ub_result **result)
{
	struct waiter *w;
	pthread_condattr_t ca;
	int id, err = 0;

	*result = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->res = r;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&w->cond, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		free(w);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&r->lock);
	w->next = r->waiters;
	if (w->next != NULL)
		w->next->prev = w;
	r->waiters = w;
	pthread_mutex_unlock(&r->lock);

	atomic_fetch_add(&r->sent, 1);
	if (ub_resolve_async(r->ctx, qname, rrtype, 1, w, query_done, &id)
	    != 0) {
		pthread_mutex_lock(&r->lock);
		waiter_unlink(r, w);
		pthread_mutex_unlock(&r->lock);
		waiter_free(w);
		atomic_fetch_add(&r->failures, 1);
		*status = DNS_TEMPFAIL;
	} else if (!query_wait(r, w, id, deadline, &err, result)) {
		atomic_fetch_add(&r->timeouts, 1);
		*status = DNS_TEMPFAIL;
	} else if (err != 0 || *result == NULL) {
		atomic_fetch_add(&r->failures, 1);
		*status = DNS_TEMPFAIL;
	} else if ((*result)->rcode == 0)
		*status = (*result)->havedata ? DNS_OK : DNS_NODATA;
	else if ((*result)->rcode == DNS_RCODE_NXDOMAIN)
		*status = DNS_NXDOMAIN;
	else {
		atomic_fetch_add(&r->failures, 1);
		*status = DNS_TEMPFAIL;
	}
	return 0;
}

/* The CNAME target to ask next, into qname: libunbound answers a CNAME
 * held in local data without following it (a recursive answer arrives
 * already followed, and its target then answers the same).  0 when there
 * is one, -1 when the chain ends here. */
static int
cname_next(const struct ub_result *res, char *qname, size_t len)
{
	const char *c = res->canonname;
	size_t n;

	if (c == NULL || strcasecmp(c, qname) == 0)
		return -1;
	n = strlen(c);
	if (n == 0 || n + 2 > len)
		return -1;
	memcpy(qname, c, n + 1);
	if (c[n - 1] != '.')
		strcpy(qname + n, ".");
	return strcasecmp(qname, ".") == 0 ? -1 : 0;
}

void
dns_budget_start(struct dns_budget *b, unsigned ms)
{
	b->spent = 0;
	b->end_ns = ms > 0 ? deadline_now_ns() + (long long)ms * 1000000LL :
	    0;
}

static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec &&
	    a->tv_nsec < b->tv_nsec);
}

/* The query's deadline under the budget b (NULL: none); 0, or -1 when
 * it is spent. */
static int
budget_clip(struct dns_budget *b, struct timespec *deadline, int *clipped)
{
	struct timespec until;

	*clipped = 0;
	if (b == NULL || b->end_ns == 0)
		return 0;
	until.tv_sec = (time_t)(b->end_ns / 1000000000LL);
	until.tv_nsec = (long)(b->end_ns % 1000000000LL);
	if (b->spent || deadline_now_ns() >= b->end_ns) {
		b->spent = 1;
		return -1;
	}
	if (ts_before(&until, deadline)) {
		*deadline = until;
		*clipped = 1;
	}
	return 0;
}

int
dns_query(struct dns_resolver *r, struct dns_budget *budget,
    const char *name, int rrtype, struct dns_reply **out)
{
	char qname[DNS_NAME_MAX * 4 + 2], key[DNS_NAME_MAX * 4 + 2];
	struct ub_result *result = NULL;
	struct timespec deadline;
	enum dns_status status;
	int hop, clipped, hit;
	long long t0;

	*out = NULL;
	if (name == NULL || name_encode(name, qname) < 0)
		return reply_out(DNS_BADNAME, rrtype, NULL, out);
	atomic_fetch_add(&r->queries, 1);
	t0 = metrics_now_us();
	deadline = deadline_mono_after(r->timeout_ms);
	if (budget_clip(budget, &deadline, &clipped) == -1) {
		atomic_fetch_add(&r->timeouts, 1);
		metrics_count_dns_error();
		return reply_out(DNS_TEMPFAIL, rrtype, NULL, out);
	}
	memcpy(key, qname, strlen(qname) + 1);
	if ((hit = dnscache_get(r->cache, key, rrtype,
	    deadline_now_ms() / 1000, out)) != 0) {
		metrics_observe_us(METRICS_H_DNS, metrics_now_us() - t0);
		return hit == 1 ? 0 : -1;
	}
	for (hop = 0;; hop++) {
		if (query_once(r, qname, rrtype, &deadline, &status,
		    &result) < 0)
			return -1;
		if (status != DNS_NODATA || hop == DNS_CNAME_HOPS ||
		    cname_next(result, qname, sizeof(qname)) < 0)
			break;
		ub_resolve_free(result);
	}
	if (clipped && status == DNS_TEMPFAIL && result == NULL)
		budget->spent = 1;
	metrics_observe_us(METRICS_H_DNS, metrics_now_us() - t0);
	if (status == DNS_TEMPFAIL)
		metrics_count_dns_error();
	if (reply_out(status, rrtype, result, out) == -1)
		return -1;
	dnscache_put(r->cache, key, rrtype, *out, deadline_now_ms() / 1000);
	return 0;
}

void
dns_reply_free(struct dns_reply *reply)
{
	struct reply *rp = (struct reply *)reply;

	if (rp == NULL)
		return;
	ub_resolve_free(rp->ub);
	free(rp);
}

int
dns_rr_txt(const struct dns_rr *rr, char *buf, size_t buflen)
{
	size_t off = 0, o = 0;

	if (buflen == 0)
		return -1;
	while (off < rr->len) {
		size_t n = rr->data[off++];

		if (n > rr->len - off || n >= buflen - o)
			return -1;
		memcpy(buf + o, rr->data + off, n);
		o += n;
		off += n;
	}
	buf[o] = '\0';
	return o > (size_t)0x7fffffff ? -1 : (int)o;
}

int
dns_rr_name(const struct dns_rr *rr, size_t offset, char *buf,
    size_t buflen)
{
	size_t off = offset, o = 0, wire = 1;

	if (buflen == 0 || offset > rr->len)
		return -1;
	for (;;) {
		size_t n;

		if (off >= rr->len)
			return -1;
		n = rr->data[off++];
		if (n == 0)
			break;
		/* Compression pointers (0xc0) and the obsolete label types
		 * have no place in uncompressed rdata. */
		if (n > DNS_LABEL_MAX || n > rr->len - off)
			return -1;
		wire += n + 1;
		if (wire > 255 || o + n + 1 >= buflen)
			return -1;
		if (memchr(rr->data + off, '.', n) != NULL ||
		    memchr(rr->data + off, '\0', n) != NULL)
			return -1;
		if (o > 0)
			buf[o++] = '.';
		memcpy(buf + o, rr->data + off, n);
		o += n;
		off += n;
	}
	buf[o] = '\0';
	return (int)o;
}

void
dns_resolver_stats(const struct dns_resolver *r, struct dns_stats *st)
{
	struct dnscache_stats cs;

	st->queries = atomic_load(&r->queries);
	st->timeouts = atomic_load(&r->timeouts);
	st->failures = atomic_load(&r->failures);
	st->sent = atomic_load(&r->sent);
	dnscache_stats(r->cache, &cs);
	st->cache_hits = cs.hits;
	st->cache_entries = cs.entries;
}
