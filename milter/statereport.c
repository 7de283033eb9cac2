/*
 * statereport.c - relaywarden-state report --since DURATION: what changed
 * in the sender history in the window, as text for a cron mail or JSON
 * (issue 14 item 3).
 *
 * Exports statereport_run (statereport.h).  Reads the history with
 * state_walk_senders (one SCAN of the sender hashes) and the lookalike
 * index as the daemon builds it (known_new + known_load: protected and
 * partner domains from the configuration, the known index from Redis).
 * Lists (the rest past opt->limit counted as "more"):
 *  - new senders: first seen (field f) in the window, authenticated or
 *    not (k in the window: became a known correspondent);
 *  - new roads: a sender known before the window (k before it) with a
 *    relay, signer or link organisation whose "COUNT:LAST" has LAST in
 *    the window and COUNT <= opt->new_count, or a relay or signer an
 *    admin trusted in the window (R / S).  The history keeps a count and
 *    the last time per relay, not the first: a relay first seen in the
 *    window that already carried more than new_count authenticated
 *    messages is not listed (a relay that is new for a known sender is
 *    held, so it is learned only after an admin trusts it, listed, or
 *    from mail that scored below the hold threshold, one at a time);
 * Each list keeps the opt->limit newest (sorted, newest first).
 *  - lookalikes: the new senders kept (so at most limit are checked)
 *    that resemble a protected, partner or known
 *    domain by today's index (held lookalikes are counted in f too: any
 *    message counts there);
 *  - counts by action and reason: the daily counters the daemon adds
 *    (statestats.h), summed over the UTC days the window touches (whole
 *    days: statecount.c);
 *  - held messages: with opt->postfix_config, the hold queue as
 *    postqueue -j lists it (pfqueue.c), oldest first; without it, or
 *    when postqueue fails, the output says they were not read and why.
 * Names are printable already (statewalk.c); JSON escapes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "config/config.h"
#include "report.h"
#include "sender/known.h"
#include "sender/lookalike.h"
#include "state/statewalk.h"
#include "pfqueue.h"
#include "statecount.h"
#include "statereport.h"

#define PROG	"relaywarden-state"

struct item {
	char *sender, *name, *target;	/* malloc'd */
	char kind;			/* new roads: r s w R S; new
					   senders: 'k' known, 'u' not */
	unsigned long long messages;
	unsigned long count;
	time_t when, known_since;
	const char *how;		/* lookalike kind */
};

struct list {
	struct item *v;
	size_t n, cap, more;
};

struct ctx {
	const struct statereport_options *opt;
	time_t since;
	struct list senders, roads, looks;
	unsigned long scanned;
	int oom;
	struct {
		struct pfqueue_item *v;	/* oldest first */
		size_t n;
		unsigned long more;	/* past PFQUEUE_MAX_HELD */
	} held;
	int held_read;
	char held_err[300];
	struct statecount counts;	/* the daily counters */
	char counts_err[300];		/* why not read, or "" */
};

static int by_time(const void *, const void *);

/* Keeps the limit newest: past twice the limit, sorts and cuts. */
static void
trim(struct list *l, size_t limit)
{
	size_t i;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), by_time);
	for (i = limit; i < l->n; i++) {
		free(l->v[i].sender);
		free(l->v[i].name);
		free(l->v[i].target);
	}
	if (l->n > limit) {
		l->more += l->n - limit;
		l->n = limit;
	}
}

static struct item *
add(struct ctx *c, struct list *l)
{
	struct item *nv;

	if (l->n == 2 * c->opt->limit)
		trim(l, c->opt->limit);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL) {
			c->oom = 1;
			return NULL;
		}
		l->v = nv;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int
one(const struct state_walk_sender *w, void *arg)
{
	struct ctx *c = arg;
	struct item *it;
	size_t i;

	c->scanned++;
	if (w->first_seen >= c->since && w->first_seen != 0) {
		if ((it = add(c, &c->senders)) != NULL) {
			it->sender = strdup(w->name);
			it->kind = w->known_since >= c->since ? 'k' : 'u';
			it->messages = w->messages;
			it->when = w->first_seen;
			it->known_since = w->known_since;
			if (it->sender == NULL)
				c->oom = 1;
		}
		return c->oom ? -1 : 0;
	}
	if (w->known_since == 0 || w->known_since >= c->since)
		return 0;
	for (i = 0; i < w->nfields; i++) {
		const struct state_walk_field *f = &w->fields[i];

		if (f->last < c->since || ((f->kind == 'r' || f->kind == 's' ||
		    f->kind == 'w') && f->count > c->opt->new_count))
			continue;
		if ((it = add(c, &c->roads)) == NULL) {
			if (c->oom)
				return -1;
			continue;
		}
		it->sender = strdup(w->name);
		it->name = strdup(f->name);
		it->kind = f->kind;
		it->count = f->count;
		it->when = f->last;
		it->known_since = w->known_since;
		if (it->sender == NULL || it->name == NULL) {
			c->oom = 1;
			return -1;
		}
	}
	return 0;
}

static int
by_time(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int r;

	if (a->when != b->when)
		return a->when > b->when ? -1 : 1;
	if ((r = strcmp(a->sender, b->sender)) != 0)
		return r;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* The new senders that look like a domain we know. */
static int
lookalikes(struct state_pool *pool, const struct config *cfg,
    struct ctx *c, char *err, size_t errlen)
{
	struct lookalike_match m;
	struct known *k;
	struct arena *a;
	struct item *it;
	size_t i;
	int rc = -1;

	if ((k = known_new(cfg, pool, err, errlen)) == NULL)
		return -1;
	if (known_load(k, err, errlen) == -1 || (a = arena_new()) == NULL) {
		known_unref(k);
		return -1;
	}
	for (i = 0; i < c->senders.n; i++) {
		const struct item *s = &c->senders.v[i];

		if (strchr(s->sender, '@') != NULL || s->sender[0] == '#')
			continue;	/* an address's history, a digest */
		if (lookalike_check(known_index(k), s->sender, a, &m) == -1) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (m.kind == LOOKALIKE_NONE || (it = add(c, &c->looks)) ==
		    NULL) {
			if (c->oom)
				goto out;
			continue;
		}
		it->sender = strdup(s->sender);
		it->target = strdup(m.target ? m.target : "");
		it->how = lookalike_kind_name(m.kind);
		it->when = s->when;
		if (it->sender == NULL || it->target == NULL) {
			c->oom = 1;
			goto out;
		}
	}
	rc = 0;
out:
	if (c->oom)
		snprintf(err, errlen, "out of memory");
	arena_free(a);
	known_unref(k);
	return rc;
}

static const char *
iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return "never";
	return buf;
}

static const char *
road_word(char kind)
{
	switch (kind) {
	case 'r': return "relay";
	case 's': return "signer";
	case 'w': return "link";
	case 'R': return "trusted_relay";
	default: return "trusted_signer";
	}
}

#define NOTE_HELD	"not read: give --postfix-config DIR (the Postfix " \
			"instance's configuration directory)"

static void
json_time(const char *key, time_t t)
{
	char b[32];

	printf(",\"%s\":", key);
	report_json_str(stdout, t ? iso(t, b, sizeof(b)) : NULL);
}

/* Oldest first, then by id. */
static int
by_arrival(const void *x, const void *y)
{
	const struct pfqueue_item *a = x, *b = y;

	if (a->arrival != b->arrival)
		return a->arrival < b->arrival ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* The daily counters: {"days":[first,last],"action":{..},"reason":{..}}
 * or null with counts_note. */
static void
json_counts(const struct ctx *c)
{
	const char *kinds[] = { "action", "reason" };
	size_t i, k, n;

	if (c->counts_err[0] != '\0') {
		printf("\"counts\":null,\"counts_note\":");
		report_json_str(stdout, c->counts_err);
		putchar(',');
		return;
	}
	printf("\"counts\":{\"days\":[\"%s\",\"%s\"]",
	    c->counts.first_day, c->counts.last_day);
	for (k = 0; k < 2; k++) {
		printf(",\"%s\":{", kinds[k]);
		for (i = n = 0; i < c->counts.n; i++) {
			const char *name = c->counts.names[i];
			size_t l = strlen(kinds[k]);

			if (strncmp(name, kinds[k], l) != 0 || name[l] != ':')
				continue;
			printf("%s", n++ ? "," : "");
			report_json_str(stdout, name + l + 1);
			printf(":%llu", c->counts.values[i]);
		}
		putchar('}');
	}
	printf("},");
}

static void
text_counts(const struct ctx *c)
{
	const char *kinds[] = { "action", "reason" };
	size_t i, k, n;

	if (c->counts_err[0] != '\0') {
		printf("Counts by action and reason:\n  %s.\n\n",
		    c->counts_err);
		return;
	}
	printf("Counts by action and reason (UTC days %s to %s, whole "
	    "days):\n", c->counts.first_day, c->counts.last_day);
	for (k = 0; k < 2; k++) {
		printf("  %s:", kinds[k]);
		for (i = n = 0; i < c->counts.n; i++) {
			const char *name = c->counts.names[i];
			size_t l = strlen(kinds[k]);

			if (strncmp(name, kinds[k], l) != 0 || name[l] != ':')
				continue;
			printf("%s %s %llu", n++ ? "," : "", name + l + 1,
			    c->counts.values[i]);
		}
		printf("%s\n", n ? "" : " none");
	}
	putchar('\n');
}

static void
print_json(const struct ctx *c)
{
	char b[32];
	size_t i;

	printf("{\"since\":\"%s\",\"senders_scanned\":%lu,",
	    iso(c->since, b, sizeof(b)), c->scanned);
	json_counts(c);
	printf("\"new_senders\":[");
	for (i = 0; i < c->senders.n; i++) {
		const struct item *it = &c->senders.v[i];

		printf("%s{\"sender\":", i ? "," : "");
		report_json_str(stdout, it->sender);
		json_time("first_seen", it->when);
		printf(",\"messages\":%llu,\"authenticated\":%s", it->messages,
		    report_json_bool(it->kind == 'k'));
		putchar('}');
	}
	printf("],\"new_senders_more\":%zu,\"new_roads\":[", c->senders.more);
	for (i = 0; i < c->roads.n; i++) {
		const struct item *it = &c->roads.v[i];

		printf("%s{\"sender\":", i ? "," : "");
		report_json_str(stdout, it->sender);
		printf(",\"what\":\"%s\",\"name\":", road_word(it->kind));
		report_json_str(stdout, it->name);
		printf(",\"count\":%lu", it->count);
		json_time(it->kind == 'R' || it->kind == 'S' ?
		    "trusted_since" : "last_seen", it->when);
		json_time("known_since", it->known_since);
		putchar('}');
	}
	printf("],\"new_roads_more\":%zu,\"lookalikes\":[", c->roads.more);
	for (i = 0; i < c->looks.n; i++) {
		const struct item *it = &c->looks.v[i];

		printf("%s{\"sender\":", i ? "," : "");
		report_json_str(stdout, it->sender);
		printf(",\"kind\":\"%s\",\"resembles\":", it->how);
		report_json_str(stdout, it->target);
		json_time("first_seen", it->when);
		putchar('}');
	}
	printf("],\"lookalikes_more\":%zu,", c->looks.more);
	if (!c->held_read) {
		printf("\"held\":null,\"held_note\":");
		report_json_str(stdout, c->held_err[0] ? c->held_err :
		    NOTE_HELD);
		printf("}\n");
		return;
	}
	printf("\"held\":[");
	for (i = 0; i < c->held.n; i++) {
		const struct pfqueue_item *h = &c->held.v[i];

		printf("%s{\"queue_id\":", i ? "," : "");
		report_json_str(stdout, h->id);
		json_time("arrival", h->arrival);
		printf(",\"sender\":");
		report_json_str(stdout, h->sender);
		printf(",\"recipients\":%zu,\"first_recipient\":",
		    h->nrcpts);
		report_json_str(stdout, h->recipient);
		putchar('}');
	}
	printf("],\"held_more\":%lu}\n", c->held.more);
}

static void
print_text(const struct ctx *c)
{
	char b[2][32];
	size_t i;

	printf("relaywarden: what changed since %s (%lu senders in the "
	    "history)\n\n", iso(c->since, b[0], 32), c->scanned);
	text_counts(c);
	printf("New senders (first seen in the window): %zu\n",
	    c->senders.n + c->senders.more);
	for (i = 0; i < c->senders.n; i++) {
		const struct item *it = &c->senders.v[i];

		printf("  %s %s messages=%llu %s\n", iso(it->when, b[0], 32),
		    it->sender, it->messages, it->kind == 'k' ?
		    "authenticated, now known" : "not authenticated");
	}
	if (c->senders.more)
		printf("  ... %zu more (--limit)\n", c->senders.more);
	printf("\nKnown senders on a new relay, signer or link: %zu\n",
	    c->roads.n + c->roads.more);
	for (i = 0; i < c->roads.n; i++) {
		const struct item *it = &c->roads.v[i];

		if (it->kind == 'R' || it->kind == 'S')
			printf("  %s %s %s %s by an admin (known since %s)\n",
			    iso(it->when, b[0], 32), it->sender,
			    road_word(it->kind), it->name,
			    iso(it->known_since, b[1], 32));
		else
			printf("  %s %s new %s %s count=%lu (known since "
			    "%s)\n", iso(it->when, b[0], 32), it->sender,
			    road_word(it->kind), it->name, it->count,
			    iso(it->known_since, b[1], 32));
	}
	if (c->roads.more)
		printf("  ... %zu more (--limit)\n", c->roads.more);
	printf("\nLookalikes among the new senders: %zu\n",
	    c->looks.n + c->looks.more);
	for (i = 0; i < c->looks.n; i++)
		printf("  %s %s %s of %s\n", iso(c->looks.v[i].when, b[0], 32),
		    c->looks.v[i].sender, c->looks.v[i].how,
		    c->looks.v[i].target);
	if (c->looks.more)
		printf("  ... %zu more (--limit)\n", c->looks.more);
	if (!c->held_read) {
		printf("\nHeld messages still waiting:\n  %s.\n",
		    c->held_err[0] ? c->held_err : NOTE_HELD);
		return;
	}
	printf("\nHeld messages still waiting: %lu\n",
	    (unsigned long)c->held.n + c->held.more);
	for (i = 0; i < c->held.n; i++) {
		const struct pfqueue_item *h = &c->held.v[i];

		printf("  %s %s from <%s> to %s", iso(h->arrival, b[0], 32),
		    h->id, h->sender, h->recipient ? h->recipient :
		    "(none)");
		if (h->nrcpts > 1)
			printf(" (+%zu more)", h->nrcpts - 1);
		putchar('\n');
	}
	if (c->held.more)
		printf("  ... %lu more\n", c->held.more);
}

static void
list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].sender);
		free(l->v[i].name);
		free(l->v[i].target);
	}
	free(l->v);
}

int
statereport_run(struct state_pool *pool, const struct config *cfg,
    const struct statereport_options *opt)
{
	struct arena *ca = NULL;
	struct ctx c;
	char err[512];
	int rc = 2;

	memset(&c, 0, sizeof(c));
	c.opt = opt;
	c.since = time(NULL) - (time_t)opt->since_s;
	if (state_walk_senders(pool, one, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": report: %s\n", c.oom ? "out of memory"
		    : err);
		goto out;
	}
	trim(&c.senders, opt->limit);
	trim(&c.roads, opt->limit);
	if (lookalikes(pool, cfg, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": report: lookalikes: %s\n", err);
		goto out;
	}
	trim(&c.looks, opt->limit);
	if ((ca = arena_new()) == NULL || statecount_read(pool, c.since,
	    time(NULL), ca, &c.counts, err, sizeof(err)) == -1)
		snprintf(c.counts_err, sizeof(c.counts_err), "not read: %.200s",
		    ca == NULL ? "out of memory" : err);
	if (opt->postfix_config != NULL) {
		char herr[256];

		if (pfqueue_held(opt->postfix_config, &c.held.v, &c.held.n,
		    &c.held.more, herr, sizeof(herr)) == 0) {
			c.held_read = 1;
			qsort(c.held.v, c.held.n, sizeof(*c.held.v),
			    by_arrival);
		} else
			snprintf(c.held_err, sizeof(c.held_err), "not read: "
			    "%s", herr);
	}
	if (opt->json)
		print_json(&c);
	else
		print_text(&c);
	rc = 0;
out:
	list_free(&c.senders);
	list_free(&c.roads);
	list_free(&c.looks);
	pfqueue_items_free(c.held.v, c.held.n);
	arena_free(ca);
	return rc;
}
