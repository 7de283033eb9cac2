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
 * The compiled list the OS ships next to the text one (Debian's
 * publicsuffix: public_suffix_list.dafsa, 54 KB against 1.5 MB of heap
 * parsed) is what the daemon loads, and gives the text list's answer for
 * every rule of it (the rule, one and two labels under it, its TLD and a
 * name under that: registrable domain and known suffix); a compiled list
 * older than its text, or without the compiled header, is not used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/arena.h"
#include "mail/orgdomain.h"

static char path[] = "/tmp/test_orgshare.XXXXXX";
static char dir[] = "/tmp/test_orgshare.d.XXXXXX";
static char text[600], compiled[600], name_of_compiled[600];

/* RW_PSL_FILE with .dat replaced by .dafsa into buf. */
static void
os_compiled(char *buf, size_t len)
{
	size_t n = strlen(RW_PSL_FILE);

	assert_true(n > 4 && n + 3 < len);
	memcpy(buf, RW_PSL_FILE, n - 4);
	memcpy(buf + n - 4, ".dafsa", 7);
}

static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	size_t n;
	FILE *in, *out;

	assert_non_null(in = fopen(from, "rb"));
	assert_non_null(out = fopen(to, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void
set_mtime(const char *file, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, file, ts, 0), 0);
}

static void
write_list(const char *rules)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fputs(rules, fp) >= 0, 1);
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

static void
org_same(const struct orgdomain *a, const struct orgdomain *b,
    const char *name, struct arena *ar)
{
	const char *x = orgdomain_get(a, name, ar), *y = orgdomain_get(b,
	    name, ar);

	if ((x == NULL) != (y == NULL) || (x != NULL && strcmp(x, y) != 0))
		fail_msg("%s: %s (compiled) vs %s (text)", name,
		    x ? x : "-", y ? y : "-");
	if (orgdomain_known_suffix(a, name) != orgdomain_known_suffix(b, name))
		fail_msg("%s: known suffix differs", name);
}

static void
compiled_list_answers_as_the_text_list(void **state)
{
	struct orgdomain *os, *txt;
	char line[1024], name[1100], *r, *top;
	struct arena *ar;
	unsigned rules = 0;
	FILE *fp;

	(void)state;
	os_compiled(compiled, sizeof(compiled));
	if (access(compiled, R_OK) != 0)
		skip();		/* no compiled list here: nothing to compare */
	assert_int_equal(orgdomain_compiled(NULL), 1);
	snprintf(text, sizeof(text), "%s/copy.dat", dir);
	copy_file(RW_PSL_FILE, text);	/* no .dafsa beside it: parsed */
	assert_int_equal(orgdomain_compiled(text), 0);
	os = load(NULL);
	txt = load(text);
	assert_false(orgdomain_shares_list(os, txt));
	assert_non_null(fp = fopen(RW_PSL_FILE, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '\0' || strncmp(line, "//", 2) == 0)
			continue;
		r = line[0] == '!' ? line + 1 : line;
		if (strncmp(r, "*.", 2) == 0)
			r[0] = 'w';
		assert_non_null(ar = arena_new());
		org_same(os, txt, r, ar);
		snprintf(name, sizeof(name), "x.%s", r);
		org_same(os, txt, name, ar);
		snprintf(name, sizeof(name), "y.x.%s", r);
		org_same(os, txt, name, ar);
		top = strrchr(r, '.') != NULL ? strrchr(r, '.') + 1 : r;
		org_same(os, txt, top, ar);
		snprintf(name, sizeof(name), "q.%s", top);
		org_same(os, txt, name, ar);
		arena_free(ar);
		rules++;
	}
	fclose(fp);
	assert_true(rules > 1000);
	orgdomain_free(os);
	orgdomain_free(txt);
	(void)unlink(text);
}

static void
stale_or_damaged_compiled_list_is_not_used(void **state)
{
	struct orgdomain *od;
	FILE *fp;

	(void)state;
	os_compiled(compiled, sizeof(compiled));
	if (access(compiled, R_OK) != 0)
		skip();		/* no compiled list here to copy */
	snprintf(text, sizeof(text), "%s/l.dat", dir);
	assert_non_null(fp = fopen(text, "w"));
	fputs("b.example\n", fp);
	assert_int_equal(fclose(fp), 0);
	set_mtime(text, 1700000000);
	snprintf(name_of_compiled, sizeof(name_of_compiled), "%s/l.dafsa",
	    dir);
	copy_file(compiled, name_of_compiled);
	/* older than the text: the text is read */
	set_mtime(name_of_compiled, 1600000000);
	assert_int_equal(orgdomain_compiled(text), 0);
	od = load(text);
	org_is(od, "a.b.example", "a.b.example");
	orgdomain_free(od);
	/* as new: the compiled one (the OS's rules: no b.example) */
	set_mtime(name_of_compiled, 1700000000);
	assert_int_equal(orgdomain_compiled(text), 1);
	od = load(text);
	org_is(od, "a.b.example", "b.example");
	orgdomain_free(od);
	/* newer but not a compiled list: the text is read */
	assert_non_null(fp = fopen(name_of_compiled, "w"));
	fputs("example\n", fp);
	assert_int_equal(fclose(fp), 0);
	set_mtime(name_of_compiled, 1800000000);
	assert_int_equal(orgdomain_compiled(text), 0);
	od = load(text);
	org_is(od, "a.b.example", "a.b.example");
	orgdomain_free(od);
	(void)unlink(name_of_compiled);
	(void)unlink(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_file_is_loaded_once),
		cmocka_unit_test(changed_file_is_loaded_anew),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(compiled_list_answers_as_the_text_list),
		cmocka_unit_test(stale_or_damaged_compiled_list_is_not_used),
	};
	int fd, rc;

	if ((fd = mkstemp(path)) == -1)
		return 99;
	(void)close(fd);
	if (mkdtemp(dir) == NULL)
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	(void)unlink(path);
	(void)rmdir(dir);
	return rc;
}
