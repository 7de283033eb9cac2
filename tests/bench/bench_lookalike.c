/*
 * bench_lookalike.c - the lookalike index at scale: builds an index of
 * DOMAINS synthetic known correspondents (default 1,000,000) plus the
 * protected domains below, then times CHECKS lookalike checks (default
 * 100,000: a third confusables, typos and embeddings of protected names,
 * a third one-letter changes of indexed correspondents, a third fresh
 * names - how many of those are flagged is the false-positive rate
 * against a million correspondents), alone and again while a writer
 * thread adds domains (merges included).
 *
 * Prints build time, index memory (its own count, RSS growth and peak),
 * per-check latency p50/p99/max, and checks the bounds below: exit 1 when
 * one is exceeded, 2 on a setup error.  Not part of `make check` (it
 * needs about a minute and ~300 MB): run `make bench-lookalike` or
 * tests/bench/bench_lookalike [-n DOMAINS] [-c CHECKS] [-k MIN_EDIT_KNOWN]
 * [-t MIN_TLD_KNOWN] [-y MIN_HYPHEN_KNOWN].
 */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "sender/lookalike.h"

/* Bounds asserted (generous for a shared 2-core machine). */
#define MAX_P99_US		500.0	/* per check, idle and under writes */
#define MAX_BYTES_PER_DOMAIN	200	/* the index's own count */
#define MAX_RSS_PER_DOMAIN	250	/* RSS growth after the build */

static const char *const protected[] = {
	"paypal.com", "example.com", "microsoft.com", "amazon.com",
	"bankofexample.co.uk", "acme-industries.example", "partner.example",
	"government.example", "ncsc.example", "github.com",
};

static const char *const tlds[] = {
	"com", "com", "com", "net", "org", "de", "co.uk", "fr", "io", "nl",
	"example", "info", "ch", "com.au",
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	/* xorshift64*: reproducible synthetic names */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

/* A name like real ones: 5-14 letters from syllables, sometimes a
 * hyphen or a digit, under a weighted TLD. */
static void
synth(char *buf, size_t len)
{
	static const char *const syl[] = { "ka", "lo", "mi", "ne", "su", "ta",
	    "ri", "vo", "de", "ba", "go", "pu", "xe", "zi", "fa", "he", "tr",
	    "st", "an", "el", "or", "in", "co", "ma", "sh", "er", "on", "ly",
	    "qu", "wi", "ex", "pl" };
	char label[64];
	size_t o = 0, n = 3 + next() % 5, i;

	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(label + o, sizeof(label) - o, "%s",
		    syl[next() % 32]);
		if (i == 1 && next() % 10 == 0)
			label[o++] = '-';
	}
	if (next() % 4 == 0)
		o += (size_t)snprintf(label + o, sizeof(label) - o, "%u",
		    (unsigned)(next() % 100));
	label[o] = '\0';
	snprintf(buf, len, "%s.%s", label, tlds[next() % 14]);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long
status_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(fp);
	return v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define SAMPLES	10000
static char samples[SAMPLES][80];	/* some indexed names */
static unsigned nsamples;

/* Candidate i: a trick on a protected name, a one-letter change of an
 * indexed name, or a fresh one. */
static void
candidate(unsigned i, char *buf, size_t len)
{
	static const char *const tricks[] = { "paypa1.com", "xn--pypal-4ve.com",
	    "micros0ft.com", "arnazon.co.uk", "paypal.com.evil.net",
	    "example-com.net", "githab.com", "bankofexample.com",
	    "paypal-login.example", "ncsc-example.net" };
	size_t n;

	if (i % 3 == 0) {
		snprintf(buf, len, "%s", tricks[(i / 3) % 10]);
		return;
	}
	if (i % 3 == 2) {
		synth(buf, len);
		return;
	}
	snprintf(buf, len, "%s", samples[(i / 3) % nsamples]);
	if ((n = strcspn(buf, ".")) > 2)
		buf[n / 2] = buf[n / 2] == 'q' ? 'j' : 'q';	/* one edit */
}

struct timing {
	struct lookalike_index *ix;
	unsigned checks, flagged[3];
	unsigned fresh_kind[LOOKALIKE_CONFUSABLE + 1];
	double *lat;
};

static void *
run_checks(void *arg)
{
	struct timing *t = arg;
	struct lookalike_match m;
	struct arena *a;
	char name[128];
	double t0;
	unsigned i;

	for (i = 0; i < t->checks; i++) {
		candidate(i, name, sizeof(name));
		a = arena_new();
		t0 = now_us();
		if (lookalike_check(t->ix, name, a, &m) == -1) {
			fprintf(stderr, "check: out of memory\n");
			exit(2);
		}
		t->lat[i] = now_us() - t0;
		if (m.kind != LOOKALIKE_NONE)
			t->flagged[i % 3]++;
		if (i % 3 == 2)
			t->fresh_kind[m.kind]++;
		arena_free(a);
	}
	return NULL;
}

static void
report(const char *what, struct timing *t, double *p99)
{
	qsort(t->lat, t->checks, sizeof(double), cmp_double);
	*p99 = t->lat[t->checks * 99 / 100];
	printf("%s: %u checks; p50 %.1f us, p99 %.1f us, max %.1f us\n"
	    "  flagged: tricks %u/%u, near misses of correspondents %u/%u, "
	    "fresh names %u/%u\n", what, t->checks, t->lat[t->checks / 2],
	    *p99, t->lat[t->checks - 1], t->flagged[0], (t->checks + 2) / 3,
	    t->flagged[1], (t->checks + 1) / 3, t->flagged[2], t->checks / 3);
	printf("  fresh names flagged as: confusable %u, tld %u, edit %u, "
	    "embedded %u\n", t->fresh_kind[LOOKALIKE_CONFUSABLE],
	    t->fresh_kind[LOOKALIKE_TLD], t->fresh_kind[LOOKALIKE_EDIT],
	    t->fresh_kind[LOOKALIKE_EMBEDDED]);
}

struct writer {
	struct lookalike_index *ix;
	unsigned adds;
	atomic_int stop;
};

static void *
run_writer(void *arg)
{
	struct writer *w = arg;
	char name[128], err[256];

	while (!atomic_load(&w->stop) && w->adds < 200000) {
		snprintf(name, sizeof(name), "late%u-writer.example", w->adds);
		if (lookalike_index_add(w->ix, name, LOOKALIKE_KNOWN, err,
		    sizeof(err)) == 0)
			w->adds++;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct lookalike_index *ix;
	struct lookalike_options lo = { NULL, 0, 0, 0, 0, 0 };
	struct lookalike_stats st, st0;
	struct timing t = { NULL, 100000, { 0, 0, 0 }, { 0 }, NULL };
	struct writer w = { NULL, 0, 0 };
	unsigned ndomains = 1000000, i, refused = 0;
	char name[128], err[256];
	long rss0, rss1;
	double t0, build_s, merge_s, p99, p99w;
	pthread_t th;
	int opt, fail = 0;

	while ((opt = getopt(argc, argv, "n:c:k:t:y:")) != -1) {
		if (opt == 'k')
			lo.min_edit_known = (unsigned)strtoul(optarg, NULL, 10);
		else if (opt == 't')
			lo.min_tld_known = (unsigned)strtoul(optarg, NULL, 10);
		else if (opt == 'y')
			lo.min_hyphen_known = (unsigned)strtoul(optarg, NULL,
			    10);
		else if (opt == 'n')
			ndomains = (unsigned)strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			t.checks = (unsigned)strtoul(optarg, NULL, 10);
		else {
			fprintf(stderr, "usage: %s [-n DOMAINS] [-c CHECKS] "
			    "[-k MIN_EDIT_KNOWN] [-t MIN_TLD_KNOWN] "
			    "[-y MIN_HYPHEN_KNOWN]\n", argv[0]);
			return 2;
		}
	}
	if (ndomains == 0 || t.checks == 0 ||
	    (t.lat = calloc(t.checks, sizeof(double))) == NULL)
		return 2;
	if ((ix = lookalike_index_new(&lo, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	/* ICU and the PSL are loaded: measure from here */
	malloc_trim(0);
	rss0 = status_kb("VmRSS:");
	t0 = now_us();
	for (i = 0; i < sizeof(protected) / sizeof(protected[0]); i++)
		if (lookalike_index_add(ix, protected[i], LOOKALIKE_PROTECTED,
		    err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", protected[i], err);
			return 2;
		}
	for (i = 0; i < ndomains; i++) {
		synth(name, sizeof(name));
		if (i % (ndomains / SAMPLES + 1) == 0)
			snprintf(samples[nsamples++], sizeof(samples[0]),
			    "%.79s", name);
		if (lookalike_index_add(ix, name, LOOKALIKE_KNOWN, err,
		    sizeof(err)) == -1)
			refused++;
	}
	merge_s = now_us();
	if (lookalike_index_merge(ix, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	merge_s = (now_us() - merge_s) / 1e6;
	build_s = (now_us() - t0) / 1e6;
	malloc_trim(0);
	rss1 = status_kb("VmRSS:");
	lookalike_index_stats(ix, &st);
	st0 = st;
	printf("build: %u names added (%u refused), %zu distinct domains in "
	    "%.1f s (%.1f us/add, %u merges, %u full rebuilds; the last "
	    "merge %.2f s)\n", ndomains, refused, st.domains, build_s,
	    build_s * 1e6 / ndomains, st.merges, st.rebuilds, merge_s);
	printf("memory: index %zu keys, %.1f MB = %.0f bytes/domain; RSS "
	    "growth %.1f MB = %.0f bytes/domain; peak RSS %.1f MB\n",
	    st.keys, st.bytes / 1048576.0, (double)st.bytes / st.domains,
	    (rss1 - rss0) / 1024.0, (rss1 - rss0) * 1024.0 / st.domains,
	    status_kb("VmHWM:") / 1024.0);

	t.ix = ix;
	run_checks(&t);
	report("checks, idle", &t, &p99);

	/* the same checks while a writer adds (and merges) */
	memset(t.flagged, 0, sizeof(t.flagged));
	memset(t.fresh_kind, 0, sizeof(t.fresh_kind));
	w.ix = ix;
	if (pthread_create(&th, NULL, run_writer, &w) != 0)
		return 2;
	run_checks(&t);
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	lookalike_index_stats(ix, &st);
	report("checks, writer adding", &t, &p99w);
	printf("writer: %u domains added meanwhile, %u merges in all\n",
	    w.adds, st.merges);

	if (p99 > MAX_P99_US || p99w > MAX_P99_US) {
		printf("FAIL: p99 over %.0f us\n", MAX_P99_US);
		fail = 1;
	}
	if (ndomains >= 100000 &&
	    (double)st0.bytes / st0.domains > MAX_BYTES_PER_DOMAIN) {
		printf("FAIL: index over %d bytes/domain\n",
		    MAX_BYTES_PER_DOMAIN);
		fail = 1;
	}
	if (ndomains >= 100000 &&
	    (rss1 - rss0) * 1024.0 / st0.domains > MAX_RSS_PER_DOMAIN) {
		printf("FAIL: RSS growth over %d bytes/domain\n",
		    MAX_RSS_PER_DOMAIN);
		fail = 1;
	}
	printf("%s (bounds: p99 <= %.0f us, index <= %d B/domain, RSS <= %d "
	    "B/domain)\n", fail ? "FAIL" : "OK", MAX_P99_US,
	    MAX_BYTES_PER_DOMAIN, MAX_RSS_PER_DOMAIN);
	lookalike_index_free(ix);
	free(t.lat);
	return fail;
}
