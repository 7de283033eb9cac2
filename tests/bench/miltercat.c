/*
 * miltercat.c - drives a milter over the milter protocol as an MTA would,
 * for the benchmark and protocol-level tests.
 *
 *   miltercat -s SOCKET [-c CONNS] [-n MSGS | -t SECONDS] [-m PER_CONN]
 *             [-i CLIENT_IP] [-N CLIENT_NAME] [-H HELO] [-f MAIL_FROM]
 *             [-r RCPT]... [-b CHUNK] [-T TIMEOUT_MS] [-E MAX_ERRORS]
 *             [-A ABORT_EVERY] [-R RATE] [-v] [-q] FILE...
 *
 * Sends the FILEs in turn (MSGS messages in all, default one each, or for
 * SECONDS) over CONNS concurrent connections, PER_CONN messages per
 * connection (0: keep it).  With -v prints per message its modification
 * actions and verdict ("msg N insheader 0 Name: value", "msg N result
 * accept").  Last line (unless -q): key=value figures: messages, verdicts,
 * errors, msgs_per_s, latency p50/p90/p99/max in ms (a message's time
 * from its first byte, including the connection setup when it opens one,
 * to its verdict), and this client's own CPU time.
 *
 * -R RATE paces the run open-loop: message k (from 0) is due k / RATE
 * seconds after the start (RATE messages per second over all
 * connections), whatever the milter's answers; a connection waits for a
 * message's due time, and its latency counts from that time, not from
 * when a free connection got to send it: a milter that stalls cannot
 * hide the messages queued behind it (coordinated omission).  lag_max_ms
 * in the last line is the longest a message started after its due time.
 * With -t the run ends with the last message due before SECONDS.
 * Exit: 0 every message got a verdict, 1 some failed, 2 usage.
 *
 * Threads: one per connection; shared only the message counter and the
 * error count (atomics) and stdout (one locked write per message).
 */
#include <sys/resource.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "mclient.h"

#define MAX_CONNS	1024
#define MAX_RCPTS	100

struct worker {
	pthread_t tid;
	unsigned id;
	uint64_t *lat;			/* ns per message */
	size_t nlat, cap;
	unsigned long verdicts[128];
	unsigned long errors;
	double lag_max;			/* paced: latest start after due, s */
};

static struct mclient_conf conf;
static struct mclient_msg **msgs;
static size_t nmsgs;
static unsigned long total;		/* 0: run for seconds */
static double seconds;
static unsigned per_conn;
static unsigned long max_errors = 100;
static double rate;			/* -R: messages due per second; 0: as
					   fast as the milter answers */
static int verbose, quiet;
static atomic_ulong next_msg;
static atomic_ulong nerrors;
static atomic_int stop;
static double t_start;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: miltercat -s SOCKET [-c CONNS] [-n MSGS | "
	    "-t SECONDS] [-m PER_CONN]\n"
	    "    [-i CLIENT_IP] [-N CLIENT_NAME] [-H HELO] [-f MAIL_FROM] "
	    "[-r RCPT]...\n"
	    "    [-b CHUNK] [-T TIMEOUT_MS] [-E MAX_ERRORS] [-A N] [-R RATE]\n"
	    "    [-v] [-q] FILE...\n");
	exit(2);
}

/* The next message number to send, or -1 when the run is over. */
static long
take_msg(void)
{
	unsigned long k;

	if (atomic_load(&stop))
		return -1;
	if (total == 0 && rate == 0 && now_s() - t_start >= seconds) {
		atomic_store(&stop, 1);
		return -1;
	}
	k = atomic_fetch_add(&next_msg, 1);
	if (total != 0 && k >= total)
		return -1;
	if (total == 0 && rate > 0 && (double)k / rate >= seconds) {
		atomic_store(&stop, 1);
		return -1;
	}
	return (long)k;
}

/* Paced runs: waits for message k's due time and returns it (the start
 * its latency counts from), noting how late the start was.  Unpaced:
 * now. */
static double
due_start(struct worker *w, long k)
{
	struct timespec ts;
	double due, now;

	now = now_s();
	if (rate == 0)
		return now;
	due = t_start + (double)k / rate;
	if (due > now) {
		ts.tv_sec = (time_t)due;
		ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) == EINTR)
			;
	} else if (now - due > w->lag_max) {
		w->lag_max = now - due;
	}
	return due;
}

static void
record(struct worker *w, double t0)
{
	uint64_t *nl;
	size_t cap;

	if (w->nlat == w->cap) {
		cap = w->cap == 0 ? 4096 : w->cap * 2;
		if ((nl = realloc(w->lat, cap * sizeof(*nl))) == NULL)
			return;		/* figures lose a sample, no more */
		w->lat = nl;
		w->cap = cap;
	}
	w->lat[w->nlat++] = (uint64_t)((now_s() - t0) * 1e9);
}

static void
fail(struct worker *w, long k, const char *what, const char *err)
{
	w->errors++;
	if (!quiet)
		fprintf(stderr, "miltercat: msg %ld: %s: %s\n", k, what,
		    err);
	if (atomic_fetch_add(&nerrors, 1) + 1 >= max_errors) {
		if (!atomic_exchange(&stop, 1))
			fprintf(stderr, "miltercat: %lu errors, stopping\n",
			    max_errors);
	}
}

static void
print_msg(long k, const struct mclient_msg *m, const struct mclient *mc,
    const struct mclient_result *res, int opened)
{
	const char *p, *nl;
	uint32_t v, a, pr;

	pthread_mutex_lock(&out_lock);
	if (opened) {
		mclient_negotiated(mc, &v, &a, &pr);
		printf("msg %ld negotiated version %u actions 0x%x "
		    "protocol 0x%x\n", k, v, a, pr);
	}
	printf("msg %ld file %s\n", k, m->label);
	for (p = res->text; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		printf("msg %ld %.*s\n", k, (int)(nl - p), p);
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void *
run_worker(void *arg)
{
	struct worker *w = arg;
	struct mclient_result res;
	struct mclient *mc = NULL;
	unsigned on_conn = 0;
	char err[512], qid[32];
	int opened;
	double t0;
	long k;

	memset(&res, 0, sizeof(res));
	while ((k = take_msg()) >= 0) {
		const struct mclient_msg *m = msgs[(size_t)k % nmsgs];

		t0 = due_start(w, k);
		opened = 0;
		if (mc == NULL) {
			if ((mc = mclient_open(&conf, err, sizeof(err))) ==
			    NULL) {
				fail(w, k, "connection", err);
				usleep(10000);	/* a dead milter: no spin */
				continue;
			}
			opened = 1;
			on_conn = 0;
		}
		snprintf(qid, sizeof(qid), "4M%02X%07lX", w->id & 0xff,
		    (unsigned long)k & 0xfffffff);
		if (mclient_send(mc, m, qid, &res, err, sizeof(err)) == -1) {
			fail(w, k, m->label, err);
			mclient_close(mc);
			mc = NULL;
			mclient_result_clear(&res);
			continue;
		}
		record(w, t0);
		w->verdicts[(unsigned char)res.verdict & 127]++;
		if (verbose)
			print_msg(k, m, mc, &res, opened);
		mclient_result_clear(&res);
		if (per_conn != 0 && ++on_conn >= per_conn) {
			mclient_close(mc);
			mc = NULL;
		}
	}
	mclient_close(mc);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

/* The summary line: every figure the benchmark script reads. */
static void
summary(struct worker *ws, unsigned nw, double elapsed)
{
	static const char codes[] = { SMFIR_ACCEPT, SMFIR_CONTINUE,
	    SMFIR_REJECT, SMFIR_TEMPFAIL, SMFIR_DISCARD, SMFIR_REPLYCODE };
	unsigned long vc[sizeof(codes)] = { 0 }, errs = 0;
	uint64_t *all;
	size_t n = 0, i, j;
	struct rusage ru;
	double cpu, lag = 0;

	for (i = 0; i < nw; i++) {
		n += ws[i].nlat;
		if (ws[i].lag_max > lag)
			lag = ws[i].lag_max;
	}
	if ((all = malloc((n + 1) * sizeof(*all))) == NULL) {
		fprintf(stderr, "miltercat: out of memory\n");
		return;
	}
	for (n = 0, i = 0; i < nw; i++) {
		if (ws[i].nlat > 0)
			memcpy(all + n, ws[i].lat, ws[i].nlat * sizeof(*all));
		n += ws[i].nlat;
		errs += ws[i].errors;
		for (j = 0; j < sizeof(codes); j++)
			vc[j] += ws[i].verdicts[(unsigned char)codes[j]];
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	printf("miltercat: messages=%zu errors=%lu accept=%lu "
	    "continue=%lu reject=%lu tempfail=%lu discard=%lu "
	    "replycode=%lu seconds=%.3f msgs_per_s=%.1f p50_ms=%.3f "
	    "p90_ms=%.3f p99_ms=%.3f max_ms=%.3f client_cpu_s=%.3f "
	    "lag_max_ms=%.3f\n",
	    n, errs, vc[0], vc[1], vc[2], vc[3], vc[4], vc[5], elapsed,
	    elapsed > 0 ? (double)n / elapsed : 0, pct(all, n, 0.5),
	    pct(all, n, 0.9), pct(all, n, 0.99), n ? (double)all[n - 1] /
	    1e6 : 0, cpu, lag * 1000);
	free(all);
}

static unsigned long
num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v > max || s[0] == '-')
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	static const char *rcpts[MAX_RCPTS];
	const char *mail_from = NULL;
	unsigned nconns = 1, i;
	struct worker *ws;
	char err[512];
	int ch, rc = 0;
	double elapsed;

	conf.timeout_ms = 10000;
	conf.helo = "mail.miltercat.example";
	conf.chunk = MILTER_CHUNK_SIZE;
	while ((ch = getopt(argc, argv, "s:c:n:t:m:i:N:H:f:r:b:T:E:A:R:vq")) !=
	    -1) {
		switch (ch) {
		case 's': conf.socket = optarg; break;
		case 'c': nconns = (unsigned)num(optarg, MAX_CONNS); break;
		case 'n': total = num(optarg, 1000000000UL); break;
		case 't': seconds = (double)num(optarg, 86400); break;
		case 'm': per_conn = (unsigned)num(optarg, 1000000); break;
		case 'i': conf.client_ip = optarg; break;
		case 'N': conf.client_name = optarg; break;
		case 'H': conf.helo = optarg; break;
		case 'f': mail_from = optarg; break;
		case 'r':
			if (conf.nrcpts >= MAX_RCPTS)
				usage();
			rcpts[conf.nrcpts++] = optarg;
			break;
		case 'b': conf.chunk = num(optarg, MILTER_CHUNK_SIZE); break;
		case 'T': conf.timeout_ms = (unsigned)num(optarg, 3600000);
			break;
		case 'E': max_errors = num(optarg, 1000000000UL); break;
		case 'A': conf.abort_every = (unsigned)num(optarg, 1000000);
			break;
		case 'R': rate = (double)num(optarg, 10000000);
			if (rate == 0)
				usage();
			break;
		case 'v': verbose = 1; break;
		case 'q': quiet = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (conf.socket == NULL || argc == 0 || nconns == 0 ||
	    conf.chunk == 0 || conf.timeout_ms == 0 || max_errors == 0 ||
	    (total != 0 && seconds > 0))
		usage();
	if (conf.nrcpts == 0)
		rcpts[conf.nrcpts++] = "bench@rcpt.example";
	conf.rcpts = rcpts;
	conf.verbose = verbose;
	/* Everything an MTA can offer (Postfix offers the same); the
	 * milter picks. */
	conf.actions = SMFI_CURR_ACTS;
	conf.protocol = SMFI_CURR_PROT;
	if ((msgs = calloc((size_t)argc, sizeof(*msgs))) == NULL)
		return 1;
	for (nmsgs = 0; nmsgs < (size_t)argc; nmsgs++)
		if ((msgs[nmsgs] = mclient_msg_load(argv[nmsgs], mail_from,
		    err, sizeof(err))) == NULL) {
			fprintf(stderr, "miltercat: %s\n", err);
			return 2;
		}
	if (total == 0 && seconds == 0)
		total = nmsgs;
	if (total != 0 && nconns > total)
		nconns = (unsigned)total;
	if ((ws = calloc(nconns, sizeof(*ws))) == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	t_start = now_s();
	for (i = 0; i < nconns; i++) {
		ws[i].id = i;
		if (pthread_create(&ws[i].tid, NULL, run_worker, &ws[i]) !=
		    0) {
			fprintf(stderr, "miltercat: cannot start thread %u\n",
			    i);
			atomic_store(&stop, 1);
			nconns = i;
			rc = 1;
			break;
		}
	}
	for (i = 0; i < nconns; i++)
		pthread_join(ws[i].tid, NULL);
	elapsed = now_s() - t_start;
	if (!quiet)
		summary(ws, nconns, elapsed);
	if (atomic_load(&nerrors) > 0)
		rc = 1;
	if (total != 0 && atomic_load(&next_msg) < total && !rc)
		rc = 1;		/* stopped early */
	for (i = 0; i < nconns; i++)
		free(ws[i].lat);
	free(ws);
	for (i = 0; i < nmsgs; i++)
		mclient_msg_free(msgs[i]);
	free(msgs);
	return rc;
}
