/*
 * test_bigspool.c - a message read through a descriptor gives the same
 * attachment results as the same message in memory or mapped (issue 15:
 * an attachment worker reads a message larger than attach_spool_memory
 * with pread, 64 KB ahead, instead of mapping it whole).
 *
 * Differential: every message of the attachment corpus
 * (tests/attach/mkcorpus, built in a mkdtemp directory) and of the attach
 * fuzz seeds, as it is and wrapped behind a 300 KB text part (so GMime,
 * the pre-scan, the uuencode scan and the sniffers read across many
 * read-ahead windows), is evaluated three ways: spool in memory, file
 * mapped (spool_from_fd, map_max above its size) and file read
 * (map_max 0), with the time caps off (a slow member's cost depends on
 * the load).  Items, reasons, links, counters and the verdict's reasons
 * must be identical; the read one must not be mapped.  And a policy
 * generation caps the memory of all spools together
 * (attach_spool_memory_total).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/arena.h"
#include "attach/attach.h"
#include "attach/links.h"
#include "attach/spool.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "policy.h"
#include "attfix.h"

#define FILLER	(300 * 1024)

static char dir[512];

static int
setup(void **state)
{
	char cmd[1400];

	if (attfix_tmpdir("bigspool", dir, sizeof(dir)) == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/attach/mkcorpus' '%s' "
	    ">/dev/null", attfix_srcdir(), dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	return attfix_rmdir(dir);
}

/* A growing text (caller frees). */
struct text {
	char *p;
	size_t len, cap;
};

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 256;
		assert_non_null(t->p = realloc(t->p, t->cap));
	}
	t->len += (size_t)n;
}

#define S(x)	((x) != NULL ? (x) : "-")

/* Everything a result says, but its times. */
static char *
describe(const struct attach_results *r, const struct verdict *v)
{
	struct text t = { NULL, 0, 0 };
	size_t i, j;

	assert_non_null(t.p = malloc(t.cap = 4096));
	t.p[0] = '\0';
	put(&t, "action=%s rule=%s parts=%u truncated=%s pw=%u cal=%u "
	    "qr=%u/%u/%u dropped=%u\n", verdict_action_name(r->hard_action),
	    S(r->hard_rule), r->parts, S(r->truncated), r->text_password,
	    r->calendars, r->qr_images, r->qr_codes, r->qr_skipped,
	    r->links_dropped);
	for (i = 0; i < r->nitems; i++) {
		const struct attach_item *it = &r->items[i];

		put(&t, "item %s|%s|%s|%s|%ld|%s|%s|%llu|%u|%x|%s\n",
		    S(it->name), S(it->shown), S(it->ext), S(it->path),
		    it->parent, S(it->declared), S(it->detected), it->size,
		    it->depth, it->flags, verdict_action_name(it->action));
		for (j = 0; j < it->nreasons; j++)
			put(&t, "  %s [%s]\n", it->reasons[j],
			    S(it->details[j]));
	}
	for (i = 0; i < r->nlinks; i++)
		put(&t, "link %s|%s|%s|%u|%x|%u\n", S(r->links[i].host),
		    S(r->links[i].shown), S(r->links[i].where),
		    r->links[i].kind, r->links[i].flags, r->links[i].count);
	for (i = 0; i < v->nreasons; i++)
		put(&t, "reason %s %d [%s] (%s)\n", v->reasons[i].rule,
		    v->reasons[i].score, S(v->reasons[i].detail),
		    S(v->reasons[i].about));
	return t.p;
}

/* how: 0 spool in memory, 1 file mapped, 2 file read. */
static char *
evaluate(struct attach_ctx *ctx, const char *path, int how)
{
	struct attach_results r;
	struct verdict v;
	struct spool *sp;
	struct arena *a = arena_new();
	char err[256], *d;
	int fd;

	assert_non_null(a);
	memset(&v, 0, sizeof(v));
	if (how == 0)
		sp = attfix_load_mem(a, path, 256u << 20);
	else {
		assert_true((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0);
		sp = spool_from_fd(a, fd, how == 1 ? SIZE_MAX : 0, err,
		    sizeof(err));
		assert_non_null(sp);
	}
	assert_int_equal(spool_in_memory(sp), how < 2);
	if (attach_evaluate(ctx, sp, "a@partner.example", a, &r, &v, err,
	    sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	d = describe(&r, &v);
	arena_free(a);
	return d;
}

/* in behind a 300 KB text part: multipart/mixed, the original as a
 * message/rfc822 part. */
static void
wrap(const char *in, const char *out)
{
	FILE *fi, *fo;
	char buf[65536];
	size_t n, i;

	assert_non_null(fi = fopen(in, "rb"));
	assert_non_null(fo = fopen(out, "wb"));
	fputs("From: a@partner.example\r\nTo: b@example.net\r\n"
	    "Subject: wrapped\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"wrap-b\"\r\n\r\n"
	    "--wrap-b\r\nContent-Type: text/plain\r\n\r\n", fo);
	for (i = 0; i < FILLER / 64; i++)
		fprintf(fo, "line %06zu of the filler, see "
		    "https://filler.example/%zu ok\r\n", i, i % 97);
	fputs("--wrap-b\r\nContent-Type: message/rfc822\r\n\r\n", fo);
	while ((n = fread(buf, 1, sizeof(buf), fi)) > 0)
		assert_int_equal(fwrite(buf, 1, n, fo), n);
	fputs("\r\n--wrap-b--\r\n", fo);
	fclose(fi);
	assert_int_equal(fclose(fo), 0);
}

static int
one(struct attach_ctx *ctx, const char *path)
{
	char *mem = evaluate(ctx, path, 0), *map = evaluate(ctx, path, 1),
	    *rd = evaluate(ctx, path, 2);
	int items = strstr(mem, "\nitem ") != NULL;

	if (strcmp(mem, map) != 0 || strcmp(mem, rd) != 0)
		fail_msg("%s differs:\n-- memory:\n%s-- mapped:\n%s"
		    "-- read:\n%s", path, mem, map, rd);
	if (getenv("RW_TEST_VERBOSE") != NULL)
		printf("== %s\n%s", path, mem);
	free(mem);
	free(map);
	free(rd);
	return items;
}

/* Every .eml in d, as it is and wrapped; the count done into *n and of
 * those with items into *withitems. */
static void
walk_dir(struct attach_ctx *ctx, const char *d, int *n, int *withitems)
{
	char path[1200], big[1300];
	struct dirent *e;
	DIR *dp;
	size_t len;

	assert_non_null(dp = opendir(d));
	while ((e = readdir(dp)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".eml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
		snprintf(big, sizeof(big), "%s/wrapped.tmp", dir);
		*withitems += one(ctx, path);
		wrap(path, big);
		*withitems += one(ctx, big);
		*n += 2;
	}
	closedir(dp);
}

static void
read_mapped_and_in_memory_give_the_same_results(void **state)
{
	struct attach_ctx *ctx;
	struct config *cfg;
	char d[800], err[256];
	int n = 0, withitems = 0;

	/* Time caps off: what a slow member costs depends on the machine's
	 * load, and only the reading may differ here. */
	cfg = attfix_config(dir, "attach_max_cpu_ms = 600000;\n"
	    "attach_max_time_ms = 600000;\n");
	assert_non_null(cfg);
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	snprintf(d, sizeof(d), "%s/msg", dir);
	walk_dir(ctx, d, &n, &withitems);
	snprintf(d, sizeof(d), "%s/tests/fuzz/corpus/attach",
	    attfix_srcdir());
	walk_dir(ctx, d, &n, &withitems);
	/* The comparison means something only over many messages with
	 * attachments. */
	assert_true(n >= 60);
	assert_true(withitems >= n / 2);
	attach_ctx_free(ctx);
	config_free(cfg);
}

/* The daemon's generation caps its spools together: a message spool
 * that would pass attach_spool_memory_total goes to its file. */
static void
generation_caps_the_spools_together(void **state)
{
	struct config *cfg = config_default();
	struct policy *pol;
	struct spool *sp;
	struct arena *a = arena_new();
	char err[256], chunk[1000];
	int i;

	assert_non_null(cfg);
	cfg->spf_enable = 0;
	cfg->dmarc_enable = 0;
	cfg->attach_spool_memory_total = 100000;
	if ((pol = policy_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	memset(chunk, 'x', sizeof(chunk));
	sp = spool_new(a, 1 << 20, NULL);
	for (i = 0; i < 200; i++)
		assert_int_equal(spool_write(sp, chunk, sizeof(chunk), err,
		    sizeof(err)), 0);
	assert_int_equal(spool_in_memory(sp), 0);
	assert_int_equal(spool_size(sp), 200000);
	arena_free(a);
	policy_unref(pol);
	spool_set_memory_total(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    read_mapped_and_in_memory_give_the_same_results),
		cmocka_unit_test(generation_caps_the_spools_together),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
