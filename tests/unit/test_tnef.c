/*
 * test_tnef.c - attachments inside TNEF (winmail.dat, issue 12) through
 * the attachment policy, in-process (relaywarden-check runs the same
 * messages through the sandboxed workers: tests/cli/test_tnef.sh).
 *
 * The corpus: tests/attach/mkcorpus (payloads: a PE, a PDF, a .docx, a
 * zip) and tests/attach/mktnefmsgs, which writes the TNEF streams with
 * tests/attach/mktnef.py, in a mkdtemp directory removed afterwards.
 * A program in a winmail.dat, at any depth, raises what it raises as an
 * archive member; a damaged or cut stream, or one past a cap, is an
 * incomplete check (quarantine, never milder); Outlook's everyday
 * winmail.dat (rich text, a .docx) raises nothing.
 * RW_TEST_VERBOSE=1 prints every result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "attach/arch.h"
#include "attach/attach.h"
#include "attach/spool.h"
#include "attach/tnef.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "attfix.h"

static char corpus[512];

static int
setup(void **state)
{
	char cmd[2400];

	(void)state;
	if (attfix_tmpdir("tnef", corpus, sizeof(corpus)) == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/attach/mkcorpus' '%s' && "
	    "sh '%s/tests/attach/mktnefmsgs' '%s'", attfix_srcdir(), corpus,
	    attfix_srcdir(), corpus);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return attfix_rmdir(corpus);
}

static void
evaluate(const struct config *cfg, const char *name, struct attfix_result *res)
{
	char file[800];

	snprintf(file, sizeof(file), "%s/msg/%s.eml", corpus, name);
	attfix_evaluate(cfg, file, name, res);
}

/* The winmail.dat part itself. */
static const struct attach_item *
top(const struct attfix_result *res)
{
	size_t i;

	for (i = 0; i < res->r.nitems; i++)
		if (strcmp(res->r.items[i].name, "winmail.dat") == 0 &&
		    res->r.items[i].depth == 1 &&
		    res->r.items[i].parent == -1)
			return &res->r.items[i];
	fail_msg("no winmail.dat item");
	return NULL;
}

static const struct hit {
	const char *eml, *path, *rule1, *rule2;
	const char *clean;		/* a member that must raise nothing */
} hits[] = {
	{ "r-tnef-exe", "winmail.dat/invoice.exe", "attach_executable",
	    "attach_banned_member", "winmail.dat/report.pdf" },
	{ "r-tnef-longname", "winmail.dat/invoice.pdf", "attach_executable",
	    "attach_type_mismatch", NULL },
	{ "r-tnef-zip", "winmail.dat/files.zip/invoice.exe",
	    "attach_executable", "attach_banned_member",
	    "winmail.dat/files.zip" },
	{ "r-tnef-nested", "winmail.dat/forwarded.msg/invoice.exe",
	    "attach_executable", "attach_banned_member",
	    "winmail.dat/forwarded.msg" },
	{ "r-tnef-head", "winmail.dat/attachment-1", "attach_executable",
	    NULL, "winmail.dat/report.pdf" },
	{ "r-tnef-many", "winmail.dat/invoice.exe", "attach_executable",
	    "attach_banned_member", "winmail.dat/part-11.txt" },
};

/* A program in a winmail.dat: in an attachment, behind an 8.3 title, in
 * a zip in it, in an attached message's own TNEF, in data before the
 * first attachment opens.  The benign members next to it raise
 * nothing. */
static void
tnef_attachments_are_checked_at_any_depth(void **state)
{
	struct config *c = config_default();
	const struct attach_item *it;
	struct attfix_result res;
	size_t i;

	for (i = 0; i < sizeof(hits) / sizeof(hits[0]); i++) {
		const struct hit *h = &hits[i];

		evaluate(c, h->eml, &res);
		it = attfix_item_path(&res, h->path);
		if (!attfix_item_has(it, h->rule1) || (h->rule2 != NULL &&
		    !attfix_item_has(it, h->rule2)))
			fail_msg("%s: %s lacks %s %s", h->eml, h->path,
			    h->rule1, h->rule2 ? h->rule2 : "");
		assert_true(attfix_verdict_has(&res.v, h->rule1));
		if (h->clean != NULL)
			assert_int_equal(attfix_item_path(&res, h->clean)->nreasons,
			    0);
		assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
		assert_null(res.r.truncated);
		arena_free(res.a);
	}
	config_free(c);
}

/* Cut, a bad checksum, a second data attribute libytnef would drop: the
 * check is incomplete (attach_truncated, quarantine), and what was read
 * is still judged. */
static void
damaged_tnef_is_an_incomplete_check(void **state)
{
	static const char *const emls[] = { "m-tnef-cut", "m-tnef-badsum",
	    "m-tnef-twodata" };
	struct config *c = config_default();
	struct attfix_result res;
	size_t i;

	for (i = 0; i < sizeof(emls) / sizeof(emls[0]); i++) {
		evaluate(c, emls[i], &res);
		if (!attfix_verdict_has(&res.v, "attach_truncated") ||
		    res.r.hard_action != VERDICT_QUARANTINE)
			fail_msg("%s: %s", emls[i],
			    verdict_action_name(res.r.hard_action));
		assert_true(attfix_item_has(top(&res), "attach_truncated"));
		arena_free(res.a);
	}
	evaluate(c, "m-tnef-cut", &res);
	assert_int_equal(attfix_item_path(&res, "winmail.dat/report.pdf")->nreasons,
	    0);
	arena_free(res.a);
	evaluate(c, "m-tnef-twodata", &res);
	assert_true(attfix_item_has(attfix_item_path(&res, "winmail.dat/invoice.pdf"),
	    "attach_executable"));
	arena_free(res.a);
	config_free(c);
}

static const struct cap {
	const char *setting, *eml, *limit;
} caps[] = {
	{ "attach_archive_max_members = 5;", "r-tnef-many",
	    "archive_members" },
	{ "attach_archive_max_depth = 1;", "r-tnef-nested", "archive_depth" },
	{ "attach_archive_max_bytes = 1024;", "r-tnef-exe", "archive_bytes" },
	{ "attach_archive_max_members = 100000;", "r-tnef-flood",
	    "archive_members" },
};

/* The archive caps hold inside TNEF, and a cap hit is never milder than
 * the finished check (the program is past the cap in each). */
static void
archive_caps_hold_inside_tnef(void **state)
{
	struct config *c;
	struct attfix_result res;
	size_t i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		c = attfix_config(corpus, caps[i].setting);
		evaluate(c, caps[i].eml, &res);
		if (res.r.truncated == NULL ||
		    strstr(res.r.truncated, caps[i].limit) == NULL ||
		    res.r.hard_action != VERDICT_QUARANTINE)
			fail_msg("%s: truncated %s action %s", caps[i].setting,
			    res.r.truncated ? res.r.truncated : "-",
			    verdict_action_name(res.r.hard_action));
		arena_free(res.a);
		config_free(c);
	}
}

/* Outlook's everyday winmail.dat: a rich-text body, a .docx without
 * macros. */
static void
benign_winmail_raises_nothing(void **state)
{
	static const char *const emls[] = { "b-tnef-rtf", "b-tnef-rtfonly" };
	struct config *c = config_default();
	struct attfix_result res;
	size_t i;

	for (i = 0; i < sizeof(emls) / sizeof(emls[0]); i++) {
		evaluate(c, emls[i], &res);
		if (res.v.nreasons != 0 || res.r.hard_action != VERDICT_ACCEPT)
			fail_msg("%s: %zu reasons, first %s", emls[i],
			    res.v.nreasons, res.v.nreasons ?
			    res.v.reasons[0].rule : "-");
		arena_free(res.a);
	}
	evaluate(c, "b-tnef-rtf", &res);
	assert_int_equal(attfix_item_path(&res, "winmail.dat/report.docx")->nreasons,
	    0);
	arena_free(res.a);
	config_free(c);
}

static int
count_cb(void *arg, const struct arch_member *m)
{
	(*(unsigned *)arg)++;
	return m->content == NULL ? ARCH_SKIP : 0;
}

/* tnef_walk alone: a stream past TNEF_MAX_INPUT is not parsed (a bytes
 * limit), garbage after the signature is broken, not TNEF is not
 * opened. */
static void
tnef_walk_bounds_its_input(void **state)
{
	struct arena *a = arena_new();
	struct arch_limits lim;
	struct arch_state st;
	struct arch_info info;
	struct spool *sp = spool_new(a, 1 << 20, NULL);
	static unsigned char junk[65536];
	unsigned long long n;
	unsigned calls = 0;
	char err[128];

	memset(&lim, 0, sizeof(lim));
	lim.max_depth = 4;
	lim.max_members = 1000;
	lim.max_ratio = 100;
	lim.max_bytes = 1ULL << 31;
	lim.spool_mem = 1 << 20;
	memset(&st, 0, sizeof(st));
	st.lim = &lim;
	st.arena = a;
	memcpy(junk, "\x78\x9f\x3e\x22\x01\x00", 6);
	memset(junk + 6, 0xff, sizeof(junk) - 6);
	assert_true(tnef_is(junk, 6));
	assert_int_equal(spool_write(sp, junk, sizeof(junk), err,
	    sizeof(err)), 0);
	assert_int_equal(tnef_walk(&st, sp, "w.dat", 1, count_cb, &calls,
	    &info), 0);
	assert_non_null(info.broken);
	assert_int_equal(calls, 0);
	for (n = sizeof(junk); n <= TNEF_MAX_INPUT; n += sizeof(junk))
		assert_int_equal(spool_write(sp, junk, sizeof(junk), err,
		    sizeof(err)), 0);
	memset(&st, 0, sizeof(st));
	st.lim = &lim;
	st.arena = a;
	assert_int_equal(tnef_walk(&st, sp, "w.dat", 1, count_cb, &calls,
	    &info), 0);
	assert_true(st.limits & ARCH_LIMIT_BYTES);
	assert_null(info.broken);
	spool_reset(sp);
	assert_int_equal(spool_write(sp, "PK\3\4", 4, err, sizeof(err)), 0);
	assert_false(tnef_is((const unsigned char *)"PK\3\4", 4));
	memset(&st, 0, sizeof(st));
	st.lim = &lim;
	st.arena = a;
	assert_int_equal(tnef_walk(&st, sp, "w.dat", 1, count_cb, &calls,
	    &info), 0);
	assert_int_equal(info.opened, 0);
	assert_int_equal(st.limits, 0);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tnef_attachments_are_checked_at_any_depth),
		cmocka_unit_test(damaged_tnef_is_an_incomplete_check),
		cmocka_unit_test(archive_caps_hold_inside_tnef),
		cmocka_unit_test(benign_winmail_raises_nothing),
		cmocka_unit_test(tnef_walk_bounds_its_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
