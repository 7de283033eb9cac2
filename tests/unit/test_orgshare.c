/*
 * test_orgshare.c - one loaded public suffix list per file (issue 15,
 * memory: the text list costs about 1.5 MB of heap per load, and the
 * daemon loaded it twice per generation, for DMARC and for the lookalike
 * index).
 *
 * Two orgdomains made from one file share its list, and both answer; a
 * file changed in between (a list updated by the OS before a reload) is
 * loaded anew, while a holder of the old one keeps answering from it;
 * once every holder of a list is freed, the next load reads the file
 * again; a file that is not a list is an error, as before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/arena.h"
#include "mail/orgdomain.h"

static char path[] = "/tmp/test_orgshare.XXXXXX";

static void
write_list(const char *text)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static struct orgdomain *
load(const char *file)
{
	struct orgdomain *od;
	char err[256];

	if ((od = orgdomain_new(file, err, sizeof(err))) == NULL)
		fail_msg("orgdomain_new: %s", err);
	return od;
}

static void
org_is(const struct orgdomain *od, const char *name, const char *want)
{
	struct arena *a = arena_new();
	const char *o;

	assert_non_null(a);
	o = orgdomain_get(od, name, a);
	if (want == NULL)
		assert_null(o);
	else {
		assert_non_null(o);
		assert_string_equal(o, want);
	}
	arena_free(a);
}

static void
one_file_is_loaded_once(void **state)
{
	struct orgdomain *a, *b;

	(void)state;
	a = load(NULL);		/* the build's list, as the daemon loads it */
	b = load(NULL);
	assert_true(orgdomain_shares_list(a, b));
	org_is(a, "mail.example.co.uk", "example.co.uk");
	orgdomain_free(a);
	org_is(b, "mail.example.co.uk", "example.co.uk");
	orgdomain_free(b);
}

static void
changed_file_is_loaded_anew(void **state)
{
	struct orgdomain *old, *cur, *again;

	(void)state;
	write_list("example\n");
	old = load(path);
	org_is(old, "a.b.example", "b.example");
	write_list("example\nb.example\n");
	cur = load(path);
	assert_false(orgdomain_shares_list(old, cur));
	org_is(cur, "a.b.example", "a.b.example");
	org_is(old, "a.b.example", "b.example");
	orgdomain_free(old);
	again = load(path);
	assert_true(orgdomain_shares_list(cur, again));
	orgdomain_free(cur);
	orgdomain_free(again);
	/* every holder gone: the next load reads the file again */
	write_list("example\n");
	again = load(path);
	org_is(again, "a.b.example", "b.example");
	orgdomain_free(again);
}

static void
missing_file_is_an_error(void **state)
{
	char err[256];

	(void)state;
	assert_null(orgdomain_new("/nonexistent/psl.dat", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/psl.dat"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_file_is_loaded_once),
		cmocka_unit_test(changed_file_is_loaded_anew),
		cmocka_unit_test(missing_file_is_an_error),
	};
	int fd, rc;

	if ((fd = mkstemp(path)) == -1)
		return 99;
	(void)close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	(void)unlink(path);
	return rc;
}
