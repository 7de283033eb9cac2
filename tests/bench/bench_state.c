/*
 * bench_state.c - what the sender state costs Redis: memory per tracked
 * sender and commands per message.  Starts its own redis-server on a
 * free loopback port (tests/state/redisfix.c; killed at the end, and by
 * the kernel if this program dies), then feeds state_lookup (learn=1)
 * SENDERS authenticated senders (default 10000; names of 7 to 25 bytes),
 * each with MESSAGES-2 to MESSAGES+2 messages (default 6 on average)
 * over 3 relay infrastructures (its hoster "org:mailhostNN.example", its
 * own "net:198.51.X.0/24", an ESP "org:ESP") and 2 DKIM signers (its own
 * domain, the ESP's), then SENDERS/10 unauthenticated first contacts
 * (one message each, an unaligned signer).  Prints used_memory growth
 * per sender of each kind (the sender key, its TTL, its known-index
 * entry, Redis's dict overhead), MEMORY USAGE of a sample of SAMPLE keys
 * of each kind (min/median/max), the known index's size, every INFO
 * commandstats line divided by the messages (Redis 7 counts the calls
 * the script makes too) and state_lookup wall time p50/p99/max.  Exit 0;
 * 1 when a lookup was not exactly one EVALSHA or memory per
 * authenticated sender exceeds MAX_BYTES_PER_SENDER (from BOUND_SENDERS
 * senders on); 2 on a setup error.
 * Not run by `make check`: `make bench-state` (BENCH_STATE_ARGS="-n
 * 100000"), or tests/bench/bench_state [-n SENDERS] [-m MESSAGES]
 * [-s SAMPLE].  10000 senders: about 10 s, 6 MB of Redis.
 * Issue 11: every lookup carries the sending profile (aligned DKIM on
 * authenticated mail, 5 messages / 14 days), the shared-infrastructure
 * counter (threshold 50: the ESPs and hosters pass it, the /24s do not)
 * and the From address (one per sender, counted in field x of its
 * domain's hash); then SENDERS/10 addresses on a listed shared mailbox domain
 * (one authenticated message each, a hash per address).  Prints the
 * infrastructure counters (keys, MEMORY USAGE) and the per-address
 * keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "config/config.h"
#include "util/log.h"
#include "state/state.h"
#include "../state/redisfix.h"

/* used_memory growth per authenticated sender, checked from
 * BOUND_SENDERS on: below, Redis's fixed costs (a main dict doubling in
 * the middle of a phase) outweigh the senders. */
#define MAX_BYTES_PER_SENDER	700
#define BOUND_SENDERS		5000
#define MAX_STATS		64	/* cmdstat_ lines kept */

struct stat_line {
	char name[64];
	long long calls;
};

static redisContext *adm;	/* our own connection, for INFO and MEMORY */
#define SHARED_INFRA	50	/* shared_infra_domains default */
#define SHARED_MAILBOX	100	/* shared_mailbox_senders default */
#define MAILBOX_DOMAIN	"mailbox.example"

/* ESPs: the relay's organisation and the domain it signs with. */
static const char *const esps[][2] = {
	{ "org:google.com", "gappssmtp.com" },
	{ "org:outlook.com", "onmicrosoft.com" },
	{ "org:sendgrid.net", "sendgrid.net" },
	{ "org:amazonses.com", "amazonses.com" },
	{ "org:mailgun.org", "mailgun.org" },
	{ "org:mimecast.com", "mimecast.com" },
	{ "org:mcsv.net", "mcsv.net" },
	{ "org:pphosted.com", "pphosted.com" },
};
#define NESPS	(sizeof(esps) / sizeof(esps[0]))

static const char *const tlds[] = {
	"com", "com", "com", "net", "org", "de", "co.uk", "fr", "nl",
	"example", "ch", "com.au",
};

/* The name of sender i (first: an unauthenticated first contact): 1 to
 * 4 syllables, i in base 36 (a hyphen before it for first contacts, so
 * the two sets never meet), a TLD.  The same i gives the same name. */
static void
sender_name(size_t i, int first, char *buf, size_t len)
{
	static const char *const syl[] = { "ka", "lo", "mi", "ne", "sun",
	    "ta", "ri", "vo", "del", "ba", "go", "pu", "tra", "zi", "fa",
	    "hen", "bri", "co", "mar", "is" };
	unsigned long long h = (i + 1) * 0x9e3779b97f4a7c15ULL;
	size_t n = 0, k, nsyl = 1 + (h >> 60) % 4;
	char b36[16];
	size_t j = sizeof(b36) - 1;

	b36[j] = '\0';
	k = i;
	do {
		b36[--j] = "0123456789abcdefghijklmnopqrstuvwxyz"[k % 36];
		k /= 36;
	} while (k > 0);
	buf[0] = '\0';
	for (k = 0; k < nsyl && n + 4 < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s",
		    syl[(h >> (8 * k)) % 20]);
	snprintf(buf + n, len - n, "%s%s.%s", first ? "-" : "", b36 + j,
	    tlds[(h >> 40) % (sizeof(tlds) / sizeof(tlds[0]))]);
}

/* Messages of authenticated sender i: m-2 .. m+2, m on average. */
static size_t
messages_of(size_t i, size_t m)
{
	return m - 2 + i % 5;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *x, const void *y)
{
	const double *a = x, *b = y;

	return *a < *b ? -1 : *a > *b;
}

static int
cmp_ll(const void *x, const void *y)
{
	const long long *a = x, *b = y;

	return *a < *b ? -1 : *a > *b;
}

static int
cmp_calls(const void *x, const void *y)
{
	const struct stat_line *a = x, *b = y;

	return a->calls > b->calls ? -1 : a->calls < b->calls;
}

/* A numeric field of INFO section ("used_memory"); -1 when absent. */
static long long
info_num(const char *section, const char *field)
{
	redisReply *r = redisfix_cmd(adm, "INFO", section, NULL);
	size_t n = strlen(field);
	long long v = -1;
	const char *p;

	for (p = r->type == REDIS_REPLY_STRING ? r->str : NULL; p != NULL;
	    p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncmp(p, field, n) == 0 && p[n] == ':') {
			v = atoll(p + n + 1);
			break;
		}
	}
	freeReplyObject(r);
	return v;
}

/* Every "cmdstat_NAME:calls=N,..." of INFO commandstats; the count. */
static size_t
info_cmdstats(struct stat_line *st, size_t max)
{
	redisReply *r = redisfix_cmd(adm, "INFO", "commandstats", NULL);
	const char *p, *colon, *calls;
	size_t n = 0, len;

	for (p = r->type == REDIS_REPLY_STRING ? r->str : NULL;
	    p != NULL && n < max; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncmp(p, "cmdstat_", 8) != 0 ||
		    (colon = strchr(p, ':')) == NULL ||
		    (calls = strstr(colon, "calls=")) == NULL)
			continue;
		p += 8;
		len = (size_t)(colon - p);
		if (len >= sizeof(st[n].name))
			len = sizeof(st[n].name) - 1;
		memcpy(st[n].name, p, len);
		st[n].name[len] = '\0';
		st[n].calls = atoll(calls + 6);
		n++;
	}
	freeReplyObject(r);
	return n;
}

static long long
memory_usage(const char *key)
{
	redisReply *r = redisfix_cmd(adm, "MEMORY", "USAGE", key, "SAMPLES",
	    "0", NULL);
	long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;

	freeReplyObject(r);
	return v;
}

/* MEMORY USAGE of the keys of senders 0, step, 2 * step ... (n keys,
 * first contacts or not): min/median/max. */
static void
print_sample(const char *what, int first, size_t n, size_t step)
{
	char key[128], name[96];
	long long *v;
	size_t i;

	if (n == 0 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		sender_name(i * step, first, name, sizeof(name));
		snprintf(key, sizeof(key), "rw:{%s}", name);
		v[i] = memory_usage(key);
	}
	qsort(v, n, sizeof(*v), cmp_ll);
	printf("MEMORY USAGE %s (%zu keys): min %lld  median %lld  max %lld "
	    "bytes\n", what, n, v[0], v[n / 2], v[n - 1]);
	free(v);
}

static void
print_latency(const char *what, double *v, size_t n)
{
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	printf("state_lookup %s (%zu): p50 %.0f us  p99 %.0f us  max %.0f "
	    "us\n", what, n, v[n / 2], v[n * 99 / 100], v[n - 1]);
}

/* A pool for srv through config_load, from a scratch file. */
static struct state_pool *
pool_for(int port)
{
	char dir[256], path[300], err[512];
	struct state_pool *p = NULL;
	struct config *cfg;
	const char *tmp = getenv("TMPDIR");
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/rwbench.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_state: mkdtemp %s failed\n", dir);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/state.conf", dir);
	if ((fp = fopen(path, "w")) == NULL) {
		fprintf(stderr, "bench_state: cannot write %s\n", path);
		rmdir(dir);
		return NULL;
	}
	/* One connection (one thread); deadlines that a loaded 2-core
	 * machine or a sanitizer build never hits. */
	fprintf(fp, "redis_port = %d;\nredis_pool_size = 1;\n"
	    "redis_timeout_ms = 5000;\nredis_slow_ms = 5000;\n", port);
	fclose(fp);
	if (config_load(path, &cfg, err, sizeof(err)) == -1)
		fprintf(stderr, "bench_state: config: %s\n", err);
	else {
		if ((p = state_pool_new(cfg, err, sizeof(err))) == NULL)
			fprintf(stderr, "bench_state: pool: %s\n", err);
		config_free(cfg);
	}
	unlink(path);
	rmdir(dir);
	return p;
}

/* One lookup, learn=1; its wall time in *us.  -1 when not available. */
static int
look(struct state_pool *p, struct arena *a, const char *domain,
    const char *infra, const char *const *signers, size_t nsigners,
    int auth, time_t now, double *us)
{
	struct state_query q;
	struct state_answer ans;
	double t0;

	memset(&q, 0, sizeof(q));
	/* issue 11, as sender.c fills it with the default settings */
	q.dkim_aligned = auth;
	q.profile_messages = 5;
	q.profile_seconds = 14 * 86400UL;
	q.shared_infra = SHARED_INFRA;
	q.shared_mailbox = SHARED_MAILBOX;
	if (infra != NULL)
		q.infra_id = arena_printf(a, "%s/dkim:%s", infra, auth ||
		    nsigners == 0 ? domain : signers[0]);
	q.address = strchr(domain, '@') != NULL ? domain :
	    arena_printf(a, "info@%s", domain);
	if (q.address == domain) {
		q.domain = MAILBOX_DOMAIN;
		q.address_listed = 1;
	}
	if (q.domain == NULL)
		q.domain = domain;
	q.infra = infra;
	q.signers = signers;
	q.nsigners = nsigners;
	q.authenticated = auth;
	q.learn = 1;
	q.now = now;
	t0 = now_us();
	if (state_lookup(p, &q, a, &ans) == -1 || !ans.available) {
		fprintf(stderr, "bench_state: %s: %s\n", domain,
		    ans.error != NULL ? ans.error : "out of memory");
		return -1;
	}
	*us = now_us() - t0;
	return 0;
}

/* The history: n senders, m messages each on average, then n/10 first
 * contacts; used_memory before, between and after in mem. */
static int
feed(struct state_pool *p, size_t n, size_t m, double *lat, size_t *nlat,
    long long *mem)
{
	char dom[96], infra[3][64];
	const char *sig[2];
	time_t t = time(NULL) - (time_t)(m + 2) * 3600;
	struct arena *a;
	size_t i, j, k = 0;

	mem[0] = info_num("memory", "used_memory");
	for (i = 0; i < n; i++) {
		sender_name(i, 0, dom, sizeof(dom));
		snprintf(infra[0], sizeof(infra[0]),
		    "org:mailhost%02zu.example", i % 100);
		snprintf(infra[1], sizeof(infra[1]), "net:198.51.%zu.0/24",
		    i % 256);
		snprintf(infra[2], sizeof(infra[2]), "%s", esps[i % NESPS][0]);
		if ((a = arena_new()) == NULL)
			return -1;
		for (j = 0; j < messages_of(i, m); j++) {
			/* its own relays sign with its domain, the ESP
			 * with both */
			sig[0] = dom;
			sig[1] = esps[i % NESPS][1];
			if (look(p, a, dom, infra[j % 3], sig, j % 3 == 2 ? 2 :
			    1, 1, t + (time_t)j * 3600, &lat[k++]) == -1) {
				arena_free(a);
				return -1;
			}
		}
		arena_free(a);
	}
	mem[1] = info_num("memory", "used_memory");
	for (i = 0; i < n / 10; i++) {
		sender_name(i, 1, dom, sizeof(dom));
		sig[0] = esps[i % NESPS][1];
		if ((a = arena_new()) == NULL)
			return -1;
		if (look(p, a, dom, "net:203.0.113.0/24", sig, 1, 0,
		    t + (time_t)(m + 2) * 3600, &lat[k++]) == -1) {
			arena_free(a);
			return -1;
		}
		arena_free(a);
	}
	mem[2] = info_num("memory", "used_memory");
	/* issue 11: addresses on a shared mailbox domain */
	for (i = 0; i < n / 10; i++) {
		snprintf(dom, sizeof(dom), "person%zu@" MAILBOX_DOMAIN, i);
		sig[0] = MAILBOX_DOMAIN;
		if ((a = arena_new()) == NULL)
			return -1;
		if (look(p, a, dom, "org:" MAILBOX_DOMAIN, sig, 1, 1,
		    t + (time_t)(m + 2) * 3600, &lat[k++]) == -1) {
			arena_free(a);
			return -1;
		}
		arena_free(a);
	}
	mem[3] = info_num("memory", "used_memory");
	*nlat = k;
	return 0;
}

/* Issue 11: the keys of one kind (SCAN MATCH pattern): how many and
 * their MEMORY USAGE in all. */
static void
print_kind(const char *what, const char *pattern)
{
	char cursor[32] = "0";
	long long n = 0, bytes = 0, max = 0, u;
	redisReply *r;
	size_t i;

	do {
		r = redisfix_cmd(adm, "SCAN", cursor, "MATCH", pattern,
		    "COUNT", "1000", NULL);
		if (r == NULL || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2) {
			freeReplyObject(r);
			return;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements; i++) {
			u = memory_usage(r->element[1]->element[i]->str);
			n++;
			bytes += u;
			if (u > max)
				max = u;
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	printf("%s (%s): %lld keys, MEMORY USAGE %lld bytes in all, %.0f "
	    "per key, max %lld\n", what, pattern, n, bytes,
	    n > 0 ? (double)bytes / n : 0.0, max);
}

/* The commandstats since RESETSTAT, per message; our own INFO, CONFIG
 * and MEMORY calls are listed apart.  1 when a lookup was not exactly
 * one EVALSHA. */
static int
print_commands(size_t messages)
{
	struct stat_line st[MAX_STATS];
	long long total = 0, evalsha = 0, eval = 0;
	size_t i, n = info_cmdstats(st, MAX_STATS);

	qsort(st, n, sizeof(*st), cmp_calls);
	for (i = 0; i < n; i++) {
		if (strcmp(st[i].name, "info") == 0 ||
		    strncmp(st[i].name, "config", 6) == 0)
			continue;
		total += st[i].calls;
		if (strcmp(st[i].name, "evalsha") == 0)
			evalsha = st[i].calls;
		if (strcmp(st[i].name, "eval") == 0)
			eval = st[i].calls;
	}
	printf("Redis commands per message (INFO commandstats calls / %zu "
	    "messages): %.2f in all\n", messages, (double)total / messages);
	for (i = 0; i < n; i++)
		printf("  %-16s %9lld calls  %6.3f per message%s\n",
		    st[i].name, st[i].calls, (double)st[i].calls / messages,
		    strcmp(st[i].name, "info") == 0 ||
		    strncmp(st[i].name, "config", 6) == 0 ?
		    "  (the benchmark's own, not counted)" : "");
	printf("round trips per message: %.3f (EVALSHA %lld, EVAL %lld)\n",
	    (double)(evalsha + eval) / messages, evalsha, eval);
	if (evalsha != (long long)messages || eval != 0) {
		printf("FAIL: expected exactly one EVALSHA per message\n");
		return 1;
	}
	return 0;
}

static void
print_known(size_t n)
{
	redisReply *enc = redisfix_cmd(adm, "OBJECT", "ENCODING", "rw:known",
	    NULL);
	redisReply *card = redisfix_cmd(adm, "ZCARD", "rw:known", NULL);
	redisReply *keys;
	char key[128], name[96];
	long long bytes = memory_usage("rw:known");

	printf("known index rw:known: %lld members, MEMORY USAGE %lld bytes "
	    "(%.0f per member), encoding %s\n",
	    card->type == REDIS_REPLY_INTEGER ? card->integer : -1, bytes,
	    card->type == REDIS_REPLY_INTEGER && card->integer > 0 ?
	    (double)bytes / card->integer : 0.0,
	    enc->type == REDIS_REPLY_STRING ? enc->str : "?");
	freeReplyObject(enc);
	freeReplyObject(card);
	sender_name(0, 0, name, sizeof(name));
	snprintf(key, sizeof(key), "rw:{%s}", name);
	enc = redisfix_cmd(adm, "OBJECT", "ENCODING", key, NULL);
	card = redisfix_cmd(adm, "HLEN", key, NULL);
	keys = redisfix_cmd(adm, "DBSIZE", NULL);
	printf("%s: %lld fields, encoding %s; keys in db0: %lld "
	    "(%zu + %zu senders and the index)\n", key,
	    card->type == REDIS_REPLY_INTEGER ? card->integer : -1,
	    enc->type == REDIS_REPLY_STRING ? enc->str : "?",
	    keys->type == REDIS_REPLY_INTEGER ? keys->integer : -1, n, n / 10);
	freeReplyObject(enc);
	freeReplyObject(card);
	freeReplyObject(keys);
}

static int
run(struct redisfix *srv, size_t n, size_t m, size_t sample)
{
	size_t nlat = 0, messages = n / 10 + n / 10, nauth = 0, nu = n / 10, i;
	struct state_pool *p;
	double *lat, t0, secs, dummy;
	long long mem[4], per_auth;
	struct arena *a = NULL;
	int rc = 2;

	if ((adm = redisfix_connect(srv, NULL, NULL)) == NULL)
		return 2;
	if ((p = pool_for(srv->port)) == NULL) {
		redisFree(adm);
		return 2;
	}
	for (i = 0; i < n; i++)
		nauth += messages_of(i, m);
	messages += nauth;
	if ((lat = calloc(messages, sizeof(*lat))) == NULL ||
	    (a = arena_new()) == NULL)
		goto out;
	/* Connect and load the script, then start from an empty db. */
	if (look(p, a, "warm.example", NULL, NULL, 0, 1, 0, &dummy) == -1)
		goto out;
	freeReplyObject(redisfix_cmd(adm, "FLUSHALL", "SYNC", NULL));
	freeReplyObject(redisfix_cmd(adm, "CONFIG", "RESETSTAT", NULL));
	t0 = now_us();
	if (feed(p, n, m, lat, &nlat, mem) == -1)
		goto out;
	secs = (now_us() - t0) / 1e6;
	rc = print_commands(messages);
	per_auth = (mem[1] - mem[0]) / (long long)n;
	printf("%zu authenticated senders x %zu messages on average + %zu "
	    "unauthenticated first contacts = %zu lookups in %.1f s\n", n, m,
	    nu, messages, secs);
	printf("used_memory: %lld -> %lld -> %lld bytes; per authenticated "
	    "sender %lld; per unauthenticated %lld; all growth / %zu = %lld\n",
	    mem[0], mem[1], mem[2], per_auth, nu > 0 ? (mem[2] - mem[1]) /
	    (long long)nu : 0, n, (mem[2] - mem[0]) / (long long)n);
	print_sample("authenticated sender", 0,
	    sample < n ? sample : n, n / (sample < n ? sample : n));
	if (nu > 0)
		print_sample("unauthenticated sender", 1,
		    sample < nu ? sample : nu,
		    nu / (sample < nu ? sample : nu));
	print_known(n);
	printf("issue 11: per address on a shared mailbox domain %lld bytes "
	    "of used_memory (%zu addresses)\n", nu > 0 ? (mem[3] - mem[2]) /
	    (long long)nu : 0, nu);
	print_kind("infrastructure counters", "rw:infra:*");
	print_kind("per-address histories", "rw:{#*}");
	print_latency("authenticated (learns relays, signers)", lat, nauth);
	print_latency("unauthenticated first contact", lat + nauth, nu);
	print_latency("shared-mailbox address (per-address history)",
	    lat + nauth + nu, nu);
	print_latency("all", lat, nlat);
	if (n >= BOUND_SENDERS && per_auth > MAX_BYTES_PER_SENDER) {
		printf("FAIL: %lld bytes per sender, bound %d\n", per_auth,
		    MAX_BYTES_PER_SENDER);
		rc = 1;
	}
out:
	arena_free(a);
	free(lat);
	state_pool_unref(p);
	redisFree(adm);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t n = 10000, m = 6, sample = 100;
	struct redisfix srv;
	int opt, rc;

	while ((opt = getopt(argc, argv, "n:m:s:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			m = strtoul(optarg, NULL, 10);
			break;
		case 's':
			sample = strtoul(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || n < 10 || n > 1000000 || m < 3 || m > 100 ||
	    sample < 1)
		goto usage;
	log_open("bench_state", 0, 1);
	log_set_level(LOG_L_ERR);
	memset(&srv, 0, sizeof(srv));
	if (redisfix_start(&srv, 0, NULL) == -1) {
		redisfix_cleanup();
		return 2;
	}
	printf("redis-server on 127.0.0.1:%d\n", srv.port);
	rc = run(&srv, n, m, sample);
	redisfix_kill(&srv);
	redisfix_cleanup();
	return rc;
usage:
	fprintf(stderr, "usage: bench_state [-n SENDERS (10..1000000)] "
	    "[-m MESSAGES (3..100)] [-s SAMPLE]\n");
	return 2;
}
