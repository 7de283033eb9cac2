/*
 * test_rar.c - RAR 4 and RAR 5 archives through the attachment policy,
 * in-process (relaywarden-check runs the same messages through the
 * sandboxed workers: tests/cli/test_rar.sh).
 *
 * Real archives written by WinRAR/rar: tests/attach/rar (libarchive's
 * test data, see its README); hostile stored ones written at test time
 * by tests/attach/mkrar.py (an MZ named invoice.pdf.exe, a zip holding
 * another, a path out of the directory, an encrypted secret.exe), each
 * wrapped in a message in a mkdtemp directory removed afterwards.
 * Valid archives are walked, every member seen, and raise nothing of
 * their own; encrypted data or headers raise attach_encrypted_archive
 * and, when the headers are readable, every member is still listed;
 * RAR is never read as a zip stored inside it (rarhdr.h).
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
#include "attach/attach.h"
#include "attach/rarhdr.h"
#include "attach/spool.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "attfix.h"

static char corpus[512];

#define HOSTILE	"invoice.pdf.exe=:mz notes.txt=:text inner.zip=:zip " \
	"../../etc/cron.d/x=:text -e secret.exe=:mz"

static int
setup(void **state)
{
	char cmd[3000];

	(void)state;
	if (attfix_tmpdir("rar", corpus, sizeof(corpus)) == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd '%s' && m='%s/tests/attach/mkrar.py' "
	    "&& python3 \"$m\" 4 h4.rar " HOSTILE " && "
	    "python3 \"$m\" 5 h5.rar " HOSTILE " && "
	    "for f in '%s'/tests/attach/rar/*.rar h4.rar h5.rar; do "
	    "b=$(basename \"$f\" .rar); "
	    "python3 \"$m\" eml \"$f\" \"$b.eml\" \"$b.rar\" || exit 1; done",
	    corpus, attfix_srcdir(), attfix_srcdir());
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return attfix_rmdir(corpus);
}

static void
evaluate(const char *name, struct attfix_result *res)
{
	char file[800];

	snprintf(file, sizeof(file), "%s/%s.eml", corpus, name);
	attfix_evaluate(NULL, file, name, res);
}

/* What no readable archive may raise: a member went unseen. */
static void
fully_seen(const char *name, const struct attfix_result *res)
{
	if (attfix_verdict_has(&res->v, "attach_truncated") ||
	    attfix_verdict_has(&res->v, "attach_malformed") || res->r.truncated)
		fail_msg("%s: not fully walked (%s)", name, res->r.truncated ?
		    res->r.truncated : "malformed");
}

static const struct real {
	const char *eml;
	const char *members[5];		/* paths that must be items */
	int encrypted;
} reals[] = {
	{ "rar", { "rar.rar/test.txt", "rar.rar/testdir/test.txt" }, 0 },
	{ "rar5_compressed", { "rar5_compressed.rar/test.bin" }, 0 },
	{ "rar5_multiple_files_solid", { "rar5_multiple_files_solid.rar/"
	    "test1.bin", "rar5_multiple_files_solid.rar/test4.bin" }, 0 },
	{ "rar4_encrypted", { "rar4_encrypted.rar/a.txt",
	    "rar4_encrypted.rar/b.txt", "rar4_encrypted.rar/c.txt",
	    "rar4_encrypted.rar/d.txt" }, 1 },
	{ "rar5_encrypted", { "rar5_encrypted.rar/a.txt",
	    "rar5_encrypted.rar/b.txt", "rar5_encrypted.rar/c.txt",
	    "rar5_encrypted.rar/d.txt" }, 1 },
	{ "rar_encryption_header", { NULL }, 1 },
	{ "rar5_encrypted_filenames", { NULL }, 1 },
	{ "rar5_zip_in_rar", { "rar5_zip_in_rar.rar/payload/inner.zip",
	    "rar5_zip_in_rar.rar/payload/real_after.txt",
	    "rar5_zip_in_rar.rar/payload/inner.zip/"
	    "THIS_IS_INSIDE_THE_ZIP.txt" },
	    0 },
};

/* Archives written by WinRAR/rar: every member listed, nothing unseen;
 * encrypted data or headers raise attach_encrypted_archive, and the
 * other members of a RAR 5 with encrypted files are still read (the
 * walk used to stop at the first one, libarchive not flagging it). */
static void
real_rar_archives_are_walked(void **state)
{
	const struct attach_item *it;
	struct attfix_result res;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		const struct real *c = &reals[i];

		evaluate(c->eml, &res);
		fully_seen(c->eml, &res);
		for (j = 0; j < 5 && c->members[j] != NULL; j++) {
			it = attfix_item_path(&res, c->members[j]);
			if (strstr(it->path, ".txt") != NULL &&
			    it->nreasons != 0)
				fail_msg("%s raised %s", it->path,
				    it->reasons[0]);
		}
		if (attfix_verdict_has(&res.v, "attach_encrypted_archive") !=
		    c->encrypted)
			fail_msg("%s: attach_encrypted_archive %s", c->eml,
			    c->encrypted ? "missing" : "raised");
		if (!c->encrypted && attfix_verdict_has(&res.v, "attach_executable"))
			fail_msg("%s: attach_executable", c->eml);
		arena_free(res.a);
	}
}

/* Our stored RAR 4 and RAR 5: a program named invoice.pdf.exe, one in a
 * zip in the RAR (the zip hid every RAR member when libarchive read the
 * file as that zip), a path out of the directory, an encrypted .exe. */
static void
hostile_rar_members_are_caught(void **state)
{
	static const char *const names[] = { "h4", "h5" };
	const struct attach_item *it;
	struct attfix_result res;
	char p[64];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		evaluate(names[i], &res);
		fully_seen(names[i], &res);
		assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
		assert_true(attfix_verdict_has(&res.v, "attach_encrypted_archive"));
		snprintf(p, sizeof(p), "%s.rar/invoice.pdf.exe", names[i]);
		it = attfix_item_path(&res, p);
		assert_true(attfix_item_has(it, "attach_executable"));
		assert_true(attfix_item_has(it, "attach_banned_member"));
		snprintf(p, sizeof(p), "%s.rar/inner.zip/invoice.pdf.exe",
		    names[i]);
		assert_true(attfix_item_has(attfix_item_path(&res, p), "attach_executable"));
		snprintf(p, sizeof(p), "%s.rar/../../etc/cron.d/x", names[i]);
		assert_true(attfix_item_has(attfix_item_path(&res, p),
		    "attach_hostile_name"));
		snprintf(p, sizeof(p), "%s.rar/secret.exe", names[i]);
		it = attfix_item_path(&res, p);
		assert_true(attfix_item_has(it, "attach_banned_member"));
		snprintf(p, sizeof(p), "%s.rar/notes.txt", names[i]);
		assert_int_equal(attfix_item_path(&res, p)->nreasons, 0);
		arena_free(res.a);
	}
}

/* rarhdr on every fixture and on every cut of a RAR 5 with encrypted
 * members: the signature is told apart, the encrypted file headers
 * found, and a cut never read past (ASan). */
static void
rarhdr_reads_signatures_and_encryption(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp, *cut;
	unsigned char buf[4096];
	char path[700];
	uint64_t mask;
	ssize_t n, k;

	(void)state;
	assert_non_null(a);
	snprintf(path, sizeof(path), "%s/tests/attach/rar/rar.rar",
	    attfix_srcdir());
	assert_int_equal(rarhdr_version(attfix_load(a, path)), 4);
	assert_int_equal(rarhdr_encrypted(attfix_load(a, path), 100, &mask), 0);
	snprintf(path, sizeof(path), "%s/tests/attach/rar/rar5_encrypted.rar",
	    attfix_srcdir());
	sp = attfix_load(a, path);
	assert_int_equal(rarhdr_version(sp), 5);
	assert_int_equal(rarhdr_encrypted(sp, 100, &mask), 2);
	assert_true(mask == 0xa);		/* b.txt and d.txt */
	assert_int_equal(rarhdr_encrypted(sp, 1, &mask), 0);
	snprintf(path, sizeof(path), "%s/h5.rar", corpus);
	sp = attfix_load(a, path);
	assert_int_equal(rarhdr_encrypted(sp, 100, &mask), 1);
	assert_true(mask == 0x10);		/* secret.exe, the 5th */
	n = spool_pread(sp, buf, sizeof(buf), 0);
	assert_true(n > 0 && n < (ssize_t)sizeof(buf));
	for (k = 0; k < n; k++) {
		cut = spool_from_memory(a, buf, (size_t)k);
		assert_non_null(cut);
		(void)rarhdr_encrypted(cut, 100, &mask);
		assert_true((mask & ~0x10ULL) == 0);
	}
	assert_int_equal(rarhdr_version(spool_from_memory(a, "PK\3\4", 4)),
	    0);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_rar_archives_are_walked),
		cmocka_unit_test(hostile_rar_members_are_caught),
		cmocka_unit_test(rarhdr_reads_signatures_and_encryption),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
