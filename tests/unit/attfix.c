/*
 * attfix.c - the attachment tests' shared fixture (see attfix.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attfix.h"
#include "attach/spool.h"
#include "config/config.h"
#include "util/arena.h"

const char *
attfix_srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d != NULL ? d : ".";
}

int
attfix_tmpdir(const char *name, char *dir, size_t dirlen)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, dirlen, "%s/rw-%s-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name);
	return mkdtemp(dir) != NULL ? 0 : -1;
}

int
attfix_rmdir(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct spool *
attfix_load(struct arena *a, const char *path)
{
	return attfix_load_mem(a, path, 1 << 20);
}

struct spool *
attfix_load_mem(struct arena *a, const char *path, size_t mem)
{
	char buf[65536], err[256];
	struct spool *sp = spool_new(a, mem, NULL);
	FILE *fp;
	size_t n;

	assert_non_null(sp);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (spool_write(sp, buf, n, err, sizeof(err)) != 0)
			fail_msg("%s", err);
	fclose(fp);
	return sp;
}

struct config *
attfix_config(const char *dir, const char *text)
{
	char path[600], err[512];
	struct config *c;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/test.conf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

static void
dump(const char *label, const struct attfix_result *res)
{
	size_t i, j;

	if (getenv("RW_TEST_VERBOSE") == NULL)
		return;
	printf("== %s: action=%s truncated=%s\n", label,
	    verdict_action_name(res->r.hard_action),
	    res->r.truncated ? res->r.truncated : "-");
	for (i = 0; i < res->r.nitems; i++) {
		const struct attach_item *it = &res->r.items[i];

		printf("   item %s detected=%s depth=%u flags=%x\n",
		    it->path ? it->path : it->name,
		    it->detected ? it->detected : "-", it->depth, it->flags);
		for (j = 0; j < it->nreasons; j++)
			printf("      %s [%s]\n", it->reasons[j],
			    it->details[j]);
	}
}

void
attfix_evaluate(const struct config *cfg, const char *file,
    const char *label, struct attfix_result *res)
{
	struct config *own = NULL;
	struct attach_ctx *ctx;
	char err[256];

	if (cfg == NULL)
		assert_non_null(cfg = own = config_default());
	memset(res, 0, sizeof(*res));
	res->a = arena_new();
	assert_non_null(res->a);
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	if (attach_evaluate(ctx, attfix_load(res->a, file),
	    "a@partner.example", res->a, &res->r, &res->v, err,
	    sizeof(err)) != 0)
		fail_msg("%s: %s", label, err);
	attach_ctx_free(ctx);
	config_free(own);
	dump(label, res);
}

void
attfix_done(struct attfix_result *res)
{
	arena_free(res->a);
	res->a = NULL;
}

const struct attach_item *
attfix_item_path(const struct attfix_result *res, const char *path)
{
	size_t i;

	for (i = 0; i < res->r.nitems; i++)
		if (res->r.items[i].path != NULL &&
		    strcmp(res->r.items[i].path, path) == 0)
			return &res->r.items[i];
	fail_msg("no item %s", path);
	return NULL;
}

int
attfix_item_has(const struct attach_item *it, const char *rule)
{
	size_t i;

	for (i = 0; i < it->nreasons; i++)
		if (strcmp(it->reasons[i], rule) == 0)
			return 1;
	return 0;
}

int
attfix_verdict_has(const struct verdict *v, const char *rule)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i].rule, rule) == 0)
			return 1;
	return 0;
}
