/*
 * bench_handoff.c - what handing a message to an attachment worker costs
 * in CPU, against the same walk in the calling process.  Not a unit test
 * (speed targets are checked by benchmarks): `make tests/bench/
 * bench_handoff`, then
 *
 *   tests/bench/bench_handoff [-n ROUNDS] FILE.eml...
 *
 * Each round evaluates every file once in this process (attach_evaluate)
 * and then through a one-worker pool (scanpool_evaluate), from a spool
 * in memory as the milter has it.  CPU time is read from
 * /proc/PID/task/TID/schedstat and /proc/PID/schedstat (nanoseconds on
 * the CPU) for this thread and the worker.  It prints, per message: the
 * walk in process; with the worker, this thread's part (export, request,
 * waiting, decoding, scoring) and the worker's; the hand-off (both parts
 * less the walk in process; a round in which a worker started, once per
 * 1000 messages, is left out); and the verdicts of the two ways compared
 * (exit 1 when any differ).
 */
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/arena.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "attach/attach.h"
#include "attach/spool.h"
#include "scan/scanhost.h"
#include "scan/scanpool.h"

static unsigned long long
oncpu_ns(const char *path)
{
	unsigned long long ns = 0;
	FILE *fp = fopen(path, "r");

	if (fp != NULL) {
		if (fscanf(fp, "%llu", &ns) != 1)
			ns = 0;
		fclose(fp);
	}
	return ns;
}

static unsigned long long
self_ns(void)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/schedstat",
	    (long)syscall(SYS_gettid));
	return oncpu_ns(path);
}

static unsigned long long
worker_ns(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/schedstat", (long)pid);
	return oncpu_ns(path);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "bench_handoff: %s: cannot read\n", path);
		exit(2);
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* One evaluation; the verdict's rules as text into sig. */
static void
run(struct attach_ctx *c, struct scanpool *p, const char *text, size_t len,
    char *sig, size_t siglen)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 1 << 20, NULL);
	struct attach_results r;
	struct verdict v;
	char err[256];
	size_t i, o = 0;
	int rc;

	memset(&v, 0, sizeof(v));
	if (spool_write(sp, text, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_handoff: %s\n", err);
		exit(2);
	}
	rc = c != NULL ? attach_evaluate(c, sp, NULL, a, &r, &v, err,
	    sizeof(err)) : scanpool_evaluate(p, sp, NULL, "bench", a, &r, &v,
	    err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "bench_handoff: %s\n", err);
		exit(2);
	}
	sig[0] = '\0';
	for (i = 0; i < v.nreasons && o < siglen; i++)
		o += (size_t)snprintf(sig + o, siglen - o, "%s=%d ",
		    v.reasons[i].rule, v.reasons[i].score);
	arena_free(a);
}

int
main(int argc, char **argv)
{
	struct scanhost *host;
	struct config *cfg;
	struct attach_ctx *ctx;
	struct scanpool *pool;
	unsigned long long t0, t1, t2, w0, w1, inproc = 0, mine = 0,
	    theirs = 0;
	char err[256], a[1024], b[1024], **text;
	size_t *len, nfiles, i, msgs = 0;
	int rounds = 200, ch, r, differ = 0, skipped = 0;
	pid_t wpid, wpid2;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n' || (rounds = atoi(optarg)) <= 0) {
			fprintf(stderr, "usage: bench_handoff [-n ROUNDS] "
			    "FILE.eml...\n");
			return 2;
		}
	}
	if ((nfiles = (size_t)(argc - optind)) == 0) {
		fprintf(stderr, "usage: bench_handoff [-n ROUNDS] FILE.eml...\n");
		return 2;
	}
	if ((host = scanhost_start(err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_handoff: %s\n", err);
		return 2;
	}
	text = calloc(nfiles, sizeof(*text));
	len = calloc(nfiles, sizeof(*len));
	for (i = 0; i < nfiles; i++)
		text[i] = slurp(argv[optind + (int)i], &len[i]);
	if ((cfg = config_default()) == NULL)
		return 2;
	cfg->attach_workers = 1;
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL ||
	    (pool = scanpool_new(host, cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_handoff: %s\n", err);
		return 2;
	}
	/* Warm up both ways. */
	for (i = 0; i < nfiles; i++) {
		run(ctx, NULL, text[i], len[i], a, sizeof(a));
		run(NULL, pool, text[i], len[i], b, sizeof(b));
		if (strcmp(a, b) != 0) {
			printf("differ: %s: [%s] in process, [%s] in a worker\n",
			    argv[optind + (int)i], a, b);
			differ = 1;
		}
	}
	/* Whole rounds are timed (reading schedstat costs a few us): a
	 * round in which the worker retired (WORKER_MAX_MESSAGES) and its
	 * successor started is left out. */
	for (r = 0; r < rounds; r++) {
		t0 = self_ns();
		for (i = 0; i < nfiles; i++)
			run(ctx, NULL, text[i], len[i], a, sizeof(a));
		t1 = self_ns() - t0;
		while (scanpool_pids(pool, &wpid, 1) == 0)
			run(NULL, pool, text[0], len[0], b, sizeof(b));
		t0 = self_ns();
		w0 = worker_ns(wpid);
		for (i = 0; i < nfiles; i++)
			run(NULL, pool, text[i], len[i], b, sizeof(b));
		t2 = self_ns() - t0;
		w1 = worker_ns(wpid);
		if (scanpool_pids(pool, &wpid2, 1) != 1 || wpid2 != wpid ||
		    w1 < w0) {
			skipped++;
			continue;
		}
		inproc += t1;
		mine += t2;
		theirs += w1 - w0;
		msgs += nfiles;
	}
	printf("# bench_handoff: %zu files x %d rounds (%d left out: a "
	    "worker retired) = %zu messages, one thread, one worker\n",
	    nfiles, rounds, skipped, msgs);
	if (msgs == 0)
		return 2;
	printf("walk in process            %9.1f us/msg\n",
	    inproc / 1e3 / (double)msgs);
	printf("with a worker: this thread %9.1f us/msg\n",
	    mine / 1e3 / (double)msgs);
	printf("with a worker: the worker  %9.1f us/msg\n",
	    theirs / 1e3 / (double)msgs);
	printf("hand-off (both - in process) %7.1f us/msg\n",
	    ((double)mine + (double)theirs - (double)inproc) / 1e3 /
	    (double)msgs);
	printf("verdicts %s\n", differ ? "DIFFER" : "identical");
	scanpool_free(pool);
	attach_ctx_free(ctx);
	config_free(cfg);
	scanhost_stop(host);
	return differ;
}
