/*
 * test_fname.c - file names as users see them: logical name, display
 * order after a right-to-left override, extensions, every trick flag,
 * invalid UTF-8, the length cap at the limit and one past it, and the
 * escaped form used in reasons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "attach/fname.h"

static const struct name_case {
	const char *what;
	const char *raw;
	const char *name;		/* logical */
	const char *shown;		/* NULL: same as name */
	const char *ext, *ext2;
	unsigned flags;
} cases[] = {
	{ "plain name", "report.pdf", "report.pdf", NULL, "pdf", "", 0 },
	{ "upper case extension is lowered", "EVIL.EXE", "EVIL.EXE", NULL,
	    "exe", "", 0 },
	{ "double extension", "invoice.pdf.exe", "invoice.pdf.exe", NULL,
	    "exe", "pdf", 0 },
	{ "blanks hide the real extension", "invoice.pdf      .exe",
	    "invoice.pdf      .exe", NULL, "exe", "pdf", 0 },
	{ "trailing dots and blanks are cut", "evil.exe. . .", "evil.exe",
	    NULL, "exe", "", FNAME_TRIMMED },
	{ "leading blanks are cut", "  a.txt", "a.txt", NULL, "txt", "", 0 },
	{ "right-to-left override reverses the display",
	    "invoice\xe2\x80\xae" "fdp.exe", "invoicefdp.exe",
	    "invoiceexe.pdf", "exe", "", FNAME_BIDI },
	{ "override closed by PDF", "a\xe2\x80\xae" "cba\xe2\x80\xac.exe",
	    "acba.exe", "aabc.exe", "exe", "", FNAME_BIDI },
	/* UAX #9: cd at level 2 inside ab at level 1 reads "cdba". */
	{ "left-to-right override nested in right-to-left",
	    "\xe2\x80\xae" "ab\xe2\x80\xad" "cd", "abcd", "cdba", "", "",
	    FNAME_BIDI },
	{ "isolate closes the override it contains",
	    "\xe2\x81\xa7" "\xe2\x80\xae" "ab\xe2\x81\xa9" "cd.js",
	    "abcd.js", "bacd.js", "js", "", FNAME_BIDI },
	{ "embedding alone does not reorder Latin",
	    "\xe2\x80\xab" "abc.exe", "abc.exe", NULL, "exe", "", FNAME_BIDI },
	{ "isolate alone does not reorder", "\xe2\x81\xa7x.js", "x.js",
	    NULL, "js", "", FNAME_BIDI },
	{ "zero-width space inside the extension", "a.e\xe2\x80\x8bxe",
	    "a.exe", NULL, "exe", "", FNAME_INVISIBLE },
	{ "byte order mark", "\xef\xbb\xbf" "a.exe", "a.exe", NULL, "exe",
	    "", FNAME_INVISIBLE },
	{ "soft hyphen", "a.e\xc2\xadxe", "a.exe", NULL, "exe", "",
	    FNAME_INVISIBLE },
	{ "control characters", "a\x01\x7f.exe", "a.exe", NULL, "exe", "",
	    FNAME_CONTROL },
	{ "C1 control", "a\xc2\x85.exe", "a.exe", NULL, "exe", "",
	    FNAME_CONTROL },
	{ "Windows path keeps the last component", "..\\..\\evil.exe",
	    "evil.exe", NULL, "exe", "", FNAME_PATH },
	{ "Unix path keeps the last component", "dir/sub/evil.scr",
	    "evil.scr", NULL, "scr", "", FNAME_PATH },
	{ "invalid UTF-8 becomes U+FFFD", "r\xe9sum\xe9.pdf",
	    "r\xef\xbf\xbdsum\xef\xbf\xbd.pdf", NULL, "pdf", "",
	    FNAME_BADUTF8 },
	{ "overlong encoding is invalid", "\xc0\xae" "exe",
	    "\xef\xbf\xbd\xef\xbf\xbd" "exe", NULL, "", "", FNAME_BADUTF8 },
	{ "valid UTF-8 is kept", "Bericht M\xc3\xa4rz.pdf",
	    "Bericht M\xc3\xa4rz.pdf", NULL, "pdf", "", 0 },
	{ "non-ASCII extension is no extension", "a.\xc3\xa9xe",
	    "a.\xc3\xa9xe", NULL, "", "", 0 },
	{ "extension longer than the cap", "a.abcdefghijklmnop",
	    "a.abcdefghijklmnop", NULL, "", "", 0 },
	{ "no extension", "README", "README", NULL, "", "", 0 },
	{ "dot file", ".bashrc", ".bashrc", NULL, "bashrc", "", 0 },
	{ "empty name", "", "", NULL, "", "", 0 },
	{ "only dots", "...", "", NULL, "", "", FNAME_TRIMMED },
};

static void
names_are_normalised_as_a_user_sees_them(void **state)
{
	struct arena *a = arena_new();
	struct fname fn;
	size_t i;

	assert_non_null(a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct name_case *c = &cases[i];

		assert_int_equal(fname_parse(a, c->raw, &fn), 0);
		if (strcmp(fn.name, c->name) != 0 ||
		    (c->shown == NULL) != (fn.shown == NULL) ||
		    (c->shown != NULL && strcmp(fn.shown, c->shown) != 0) ||
		    strcmp(fn.ext, c->ext) != 0 ||
		    strcmp(fn.ext2, c->ext2) != 0 || fn.flags != c->flags)
			fail_msg("%s: got name \"%s\" shown \"%s\" ext \"%s\" "
			    "ext2 \"%s\" flags %#x", c->what, fn.name,
			    fn.shown ? fn.shown : "(null)", fn.ext, fn.ext2,
			    fn.flags);
		assert_string_equal(fn.raw, c->raw);
	}
	arena_free(a);
}

static void
name_cap_at_the_limit_and_one_past(void **state)
{
	struct arena *a = arena_new();
	char raw[FNAME_MAX + 2];
	struct fname fn;

	memset(raw, 'a', FNAME_MAX);
	memcpy(raw + FNAME_MAX - 4, ".exe", 4);
	raw[FNAME_MAX] = '\0';
	assert_int_equal(fname_parse(a, raw, &fn), 0);
	assert_int_equal(fn.flags & FNAME_CUT, 0);
	assert_string_equal(fn.ext, "exe");
	raw[FNAME_MAX] = 'x';
	raw[FNAME_MAX + 1] = '\0';
	assert_int_equal(fname_parse(a, raw, &fn), 0);
	assert_int_equal(fn.flags & FNAME_CUT, FNAME_CUT);
	assert_int_equal(strlen(fn.name), FNAME_MAX);
	/* The cut name is what was kept, not the hidden tail. */
	assert_string_equal(fn.ext, "exe");
	arena_free(a);
}

static void
deep_override_nesting_is_bounded(void **state)
{
	struct arena *a = arena_new();
	char raw[FNAME_MAX + 1];
	struct fname fn;
	size_t i;

	/* 300 RLO marks (3 bytes each): deeper than the tracked stack. */
	for (i = 0; i + 3 <= 900; i += 3)
		memcpy(raw + i, "\xe2\x80\xae", 3);
	memcpy(raw + 900, "abc.exe", 8);
	assert_int_equal(fname_parse(a, raw, &fn), 0);
	assert_string_equal(fn.name, "abc.exe");
	assert_string_equal(fn.shown, "exe.cba");
	assert_int_equal(fn.flags, FNAME_BIDI);
	arena_free(a);
}

static void
escape_shows_hidden_characters(void **state)
{
	struct arena *a = arena_new();

	assert_string_equal(fname_escape(a, "invoice\xe2\x80\xae" "fdp.exe",
	    100), "invoice<U+202E>fdp.exe");
	assert_string_equal(fname_escape(a, "a\nb\"c", 100),
	    "a<U+000A>b\"c");
	assert_string_equal(fname_escape(a, "\xff", 100), "<U+FFFD>");
	assert_string_equal(fname_escape(a, "abcdefgh", 5), "abcde...");
	assert_string_equal(fname_escape(a, "ab\xe2\x80\xae", 5), "ab...");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_normalised_as_a_user_sees_them),
		cmocka_unit_test(name_cap_at_the_limit_and_one_past),
		cmocka_unit_test(deep_override_nesting_is_bounded),
		cmocka_unit_test(escape_shows_hidden_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
