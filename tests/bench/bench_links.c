/*
 * bench_links.c - what gathering links costs per message (issue 12).
 * Not a unit test: `make tests/bench/bench_links` and run it (optional
 * argument: rounds, default 200).
 *
 * Bodies, built in memory: the plain-text bodies of tests/bench/run-bench
 * (2 to 150 KB of prose lines, no link), a plain text with 20 URLs, an
 * ESP newsletter in HTML (60 KB, 200 anchors to one click tracker, 20
 * images, a table layout), a 2 MB HTML page with 5000 distinct link
 * hosts (past LINKS_MAX), and a hostile page of 1 MB of nested unclosed
 * tags.  For each it prints the CPU time per call of linktext (plain) or
 * htmllinks_scan (HTML), the time of the whole attach_evaluate of a
 * message carrying that body, and the link records made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attach/attach.h"
#include "attach/htmllinks.h"
#include "attach/links.h"
#include "attach/linktext.h"
#include "attach/spool.h"
#include "config/config.h"
#include "util/arena.h"
#include "util/deadline.h"
#include "verdict/verdict.h"

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void
put(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			exit(2);
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void
prose(struct buf *b, unsigned kb)
{
	char line[160];
	unsigned i, n = kb > 16 ? kb * 8 : kb * 16;

	put(b, "Hello,\n\nplease pay the invoice.\nAmount: 100 EUR\n\n");
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "Line %05u of the benchmark text, "
		    "long enough to look like prose (signed %u KB).\n", i, kb);
		put(b, line);
	}
}

static void
urls(struct buf *b)
{
	char line[160];
	unsigned i;

	prose(b, 4);
	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "Item %u: https://shop%u.example/"
		    "item?id=%u&ref=mail, or www.partner%u.example.\n", i,
		    i % 5, i, i % 3);
		put(b, line);
	}
}

static void
newsletter(struct buf *b)
{
	char line[400];
	unsigned i;

	put(b, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>"
	    "td{font:14px sans-serif}</style></head><body><table width=600>");
	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "<tr><td><a href=\"https://click."
		    "esp-track.example/ls/click?upn=%08x%08x\">Offer %u: the "
		    "best of the season</a>%s</td></tr>\n", i * 2654435761u,
		    i, i, i % 10 == 0 ? "<img src=\"https://img.esp-track."
		    "example/p.gif\" width=1 height=1>" : "");
		put(b, line);
	}
	while (b->len < 60 * 1024)
		put(b, "<tr><td>Unsubscribe at any time. Our address: 1 Main "
		    "Street, Springfield.</td></tr>\n");
	put(b, "</table></body></html>\n");
}

static void
bigpage(struct buf *b)
{
	char line[200];
	unsigned i;

	put(b, "<html><body>");
	for (i = 0; b->len < 2 * 1024 * 1024; i++) {
		snprintf(line, sizeof(line), "<p><a href=\"https://h%u.example/"
		    "p\">www.h%u.example</a> text text text text</p>\n", i % 5000,
		    i % 5000);
		put(b, line);
	}
	put(b, "</body></html>");
}

static void
nested(struct buf *b)
{
	while (b->len < 1024 * 1024)
		put(b, "<div><span><b><i><a href=\"https://x.example/\">");
}

static struct spool *
spool_of(struct arena *a, const char *p, size_t n)
{
	struct spool *sp = spool_new(a, 64 << 20, NULL);
	char err[256];

	if (sp == NULL || spool_write(sp, p, n, err, sizeof(err)) == -1)
		exit(2);
	return sp;
}

static struct spool *
message(struct arena *a, const char *type, const struct buf *body)
{
	struct buf m = { NULL, 0, 0 };
	struct spool *sp;

	put(&m, "From: news@a.example\r\nTo: bench@rcpt.example\r\n"
	    "Subject: bench\r\nMIME-Version: 1.0\r\nContent-Type: ");
	put(&m, type);
	put(&m, "\r\n\r\n");
	put(&m, body->p);
	sp = spool_of(a, m.p, m.len);
	free(m.p);
	return sp;
}

static void
run(const char *name, int html, const struct buf *body,
    struct attach_ctx *ctx, unsigned rounds)
{
	struct attach_results r;
	struct verdict v;
	struct deadline dl;
	struct linktext *t = malloc(sizeof(*t));
	double t0, gather = 0, whole = 0;
	size_t nlinks = 0;
	unsigned i;
	char err[256];

	for (i = 0; i < rounds; i++) {
		struct arena *a = arena_new();
		struct spool *sp = spool_of(a, body->p, body->len);

		memset(&r, 0, sizeof(r));
		deadline_start(&dl, 60000);
		t0 = cpu_us();
		if (html)
			(void)htmllinks_scan(sp, &dl, a, &r, "b", 0, 1);
		else {
			linktext_init(t, &r, a, "b", 0, 1);
			(void)linktext_feed(t, body->p, body->len);
			(void)linktext_end(t);
		}
		gather += cpu_us() - t0;
		nlinks = r.nlinks;
		sp = message(a, html ? "text/html; charset=utf-8" :
		    "text/plain; charset=utf-8", body);
		memset(&v, 0, sizeof(v));
		t0 = cpu_us();
		if (attach_evaluate(ctx, sp, NULL, a, &r, &v, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", name, err);
			exit(2);
		}
		whole += cpu_us() - t0;
		arena_free(a);
	}
	printf("%-22s %8zu B  links %5.0f us  walk %7.0f us  records %zu\n",
	    name, body->len, gather / rounds, whole / rounds, nlinks);
	free(t);
}

int
main(int argc, char **argv)
{
	static const unsigned kbs[] = { 2, 4, 6, 10, 20, 40, 80, 150 };
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 200, i;
	struct config *cfg;
	struct attach_ctx *ctx;
	struct buf b;
	char err[256], name[32];

	if ((cfg = config_default()) == NULL ||
	    (ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_links: %s\n", err);
		return 2;
	}
	printf("# CPU per call, mean of %u rounds\n", rounds);
	for (i = 0; i < sizeof(kbs) / sizeof(kbs[0]); i++) {
		memset(&b, 0, sizeof(b));
		prose(&b, kbs[i]);
		snprintf(name, sizeof(name), "run-bench text %u KB", kbs[i]);
		run(name, 0, &b, ctx, rounds);
		free(b.p);
	}
	memset(&b, 0, sizeof(b));
	urls(&b);
	run("text, 20 URLs", 0, &b, ctx, rounds);
	free(b.p);
	memset(&b, 0, sizeof(b));
	newsletter(&b);
	run("newsletter HTML", 1, &b, ctx, rounds);
	free(b.p);
	memset(&b, 0, sizeof(b));
	bigpage(&b);
	run("2 MB HTML, 5000 hosts", 1, &b, ctx, rounds / 20 + 1);
	free(b.p);
	memset(&b, 0, sizeof(b));
	nested(&b);
	run("1 MB nested tags", 1, &b, ctx, rounds / 20 + 1);
	free(b.p);
	attach_ctx_free(ctx);
	return 0;
}
