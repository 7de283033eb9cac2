/*
 * test_hdrout.c - hdrout.c: control bytes and invalid UTF-8 never reach a
 * header, RFC 8601 values are quoted when needed, folding keeps lines
 * short, cuts are reported.
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
#include "mail/hdrout.h"

#define NAME "Authentication-Results"

/* Fails unless v is a well-formed folded header value: valid UTF-8, no
 * control byte except "\n\t" folds, every line (the first with "Name: ")
 * under 998 bytes. */
static void
assert_header_safe(const char *v, size_t namelen)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t col = namelen + 2, i;
	char *copy, *out;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '\n') {
			if (p[i + 1] != '\t')
				fail_msg("LF not followed by TAB at %zu", i);
			col = 0;
			continue;
		}
		if ((p[i] < 0x20 && !(p[i] == '\t' && i > 0 &&
		    p[i - 1] == '\n')) || p[i] == 0x7f)
			fail_msg("control byte 0x%02x at %zu", p[i], i);
		if (++col >= 998)
			fail_msg("line reaches 998 bytes at %zu", i);
	}
	/* valid UTF-8: with folds made spaces, sanitising changes nothing */
	copy = strdup(v);
	out = malloc(i + 1);
	assert_non_null(copy);
	assert_non_null(out);
	for (i = 0; copy[i] != '\0'; i++)
		if (copy[i] == '\n' || copy[i] == '\t')
			copy[i] = ' ';
	if (hdrout_sanitize(out, i + 1, copy) != 0)
		fail_msg("not clean UTF-8");
	free(copy);
	free(out);
}

static const struct {
	const char *behaviour, *in, *out;
	int changed;
} sanitize_cases[] = {
	{ "plain ASCII kept", "mx.example.net", "mx.example.net", 0 },
	{ "CR LF and fold whitespace dropped", "a\r\n\tb", "ab", 1 },
	{ "C0 and DEL dropped", "a\x01\x1b[31mb\x7f", "a[31mb", 1 },
	{ "C1 control dropped", "a\xc2\x85" "b", "ab", 1 },
	{ "valid UTF-8 kept", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
	    "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", 0 },
	{ "stray continuation dropped", "a\x80" "b", "ab", 1 },
	{ "bad second byte dropped", "\xc3\x28", "(", 1 },
	{ "overlong slash dropped", "a\xc0\xaf" "b", "ab", 1 },
	{ "overlong 3-byte dropped", "\xe0\x80\xaf", "", 1 },
	{ "surrogate dropped", "x\xed\xa0\x80y", "xy", 1 },
	{ "past U+10FFFF dropped", "\xf4\x90\x80\x80", "", 1 },
	{ "truncated sequence at end dropped", "ok\xe2\x82", "ok", 1 },
	{ "0xff dropped", "\xff\xfe", "", 1 },
};

/* Issue 13 item 3: items glued to the last (sep '\0') get no space;
 * past column 78 they fold with "\n\t" and nothing else. */
static void
glued_items_fold_only_when_long(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h;
	const char *v, *p;
	int i;

	(void)state;
	h = hdrout_new(a, "X-Relaywarden");
	assert_int_equal(hdrout_add_raw(h, ' ', "reasons=a(x),"), 0);
	assert_int_equal(hdrout_add_raw(h, '\0', "b,"), 0);
	assert_int_equal(hdrout_add_raw(h, '\0', "c"), 0);
	assert_string_equal(hdrout_finish(h), "reasons=a(x),b,c");
	h = hdrout_new(a, "X-Relaywarden");
	assert_int_equal(hdrout_add_raw(h, ' ', "reasons=first,"), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(hdrout_add_raw(h, '\0',
		    "attach_executable(n.exe),"), 0);
	v = hdrout_finish(h);
	assert_non_null(v);
	assert_null(strchr(v, ' '));
	assert_non_null(strstr(v, ",\n\tattach_executable(n.exe),"));
	for (p = v; p != NULL; p = strchr(p, '\n') ? strchr(p, '\n') + 1 :
	    NULL)
		assert_true(strcspn(p, "\n") + (p == v ? 15 : 0) <= 78);
	arena_free(a);
}

static void
sanitize_table(void **state)
{
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sanitize_cases) / sizeof(sanitize_cases[0]);
	    i++) {
		rc = hdrout_sanitize(out, sizeof(out), sanitize_cases[i].in);
		if (strcmp(out, sanitize_cases[i].out) != 0 ||
		    rc != sanitize_cases[i].changed)
			fail_msg("%s: got \"%s\" %d",
			    sanitize_cases[i].behaviour, out, rc);
	}
}

static void
sanitize_cuts_on_character_boundary(void **state)
{
	char out[5];

	/* "a" + e-acute (2) + euro (3): only "a" + e-acute fit in 4 */
	assert_int_equal(hdrout_sanitize(out, sizeof(out),
	    "a\xc3\xa9\xe2\x82\xac"), 1);
	assert_string_equal(out, "a\xc3\xa9");
	assert_int_equal(hdrout_sanitize(out, 1, "abc"), 1);
	assert_string_equal(out, "");
	assert_int_equal(hdrout_sanitize(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "");
}

static const struct {
	const char *behaviour, *value, *item;
} param_cases[] = {
	{ "token bare", "pass", "k=pass" },
	{ "mailbox bare", "user@example.com", "k=user@example.com" },
	{ "at-domain bare", "@example.com", "k=@example.com" },
	{ "dotted local bare", "first.last@mail.example.com",
	    "k=first.last@mail.example.com" },
	{ "space quoted", "a b", "k=\"a b\"" },
	{ "quote and backslash escaped", "x\"y\\z", "k=\"x\\\"y\\\\z\"" },
	{ "empty quoted", "", "k=\"\"" },
	{ "base64 quoted", "AbC+/=", "k=\"AbC+/=\"" },
	{ "semicolon quoted", "a;spf=pass", "k=\"a;spf=pass\"" },
	{ "space in domain quoted", "user@exa mple.com",
	    "k=\"user@exa mple.com\"" },
	{ "double dot local quoted", "a..b@example.com",
	    "k=\"a..b@example.com\"" },
	{ "two ats quoted", "a@b@example.com", "k=\"a@b@example.com\"" },
	{ "empty domain quoted", "user@", "k=\"user@\"" },
	{ "non-ASCII quoted", "caf\xc3\xa9", "k=\"caf\xc3\xa9\"" },
	{ "controls dropped then bare", "pa\r\nss", "k=pass" },
	{ "CRLF header injection neutralised",
	    "x\r\nX-Evil: 1", "k=\"xX-Evil: 1\"" },
};

static void
param_quoting_table(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h;
	const char *v;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(param_cases) / sizeof(param_cases[0]); i++) {
		h = hdrout_new(a, NAME);
		assert_int_equal(hdrout_add_raw(h, ' ', "id"), 0);
		assert_int_equal(hdrout_add_param(h, ' ', "k",
		    param_cases[i].value), 0);
		v = hdrout_finish(h);
		snprintf(want, sizeof(want), "id %s", param_cases[i].item);
		if (strcmp(v, want) != 0)
			fail_msg("%s: got [%s]", param_cases[i].behaviour, v);
	}
	arena_free(a);
}

static void
comment_escapes_parentheses_and_backslash(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h = hdrout_new(a, NAME);

	hdrout_add_raw(h, ' ', "dkim=fail");
	hdrout_add_comment(h, "bad (really) sig\\ \x01");
	hdrout_add_comment(h, "");		/* nothing */
	assert_string_equal(hdrout_finish(h),
	    "dkim=fail (bad \\(really\\) sig\\\\ )");
	assert_int_equal(hdrout_truncated(h), 1);	/* \x01 dropped */
	arena_free(a);
}

static void
semicolon_separator_folds(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h = hdrout_new(a, NAME);

	hdrout_add_raw(h, ' ', "mx.example.net");
	hdrout_add_raw(h, ';', "spf=pass");
	hdrout_add_param(h, ' ', "smtp.mailfrom", "a@example.com");
	hdrout_add_raw(h, ';', "dkim=none");
	assert_string_equal(hdrout_finish(h), "mx.example.net;\n\tspf=pass "
	    "smtp.mailfrom=a@example.com;\n\tdkim=none");
	assert_int_equal(hdrout_truncated(h), 0);
	arena_free(a);
}

static void
long_line_folds_before_78(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h = hdrout_new(a, NAME);
	const char *v, *line, *nl;
	int i;

	hdrout_add_raw(h, ' ', "mx.example.net");
	hdrout_add_raw(h, ';', "dkim=pass");
	for (i = 0; i < 12; i++)
		hdrout_add_param(h, ' ', "header.d", "sub.example.com");
	v = hdrout_finish(h);
	assert_header_safe(v, strlen(NAME));
	for (line = strchr(v, '\n') + 1; line != NULL; line = nl) {
		nl = strchr(line, '\n');
		assert_true((nl ? (size_t)(nl - line) : strlen(line)) <= 78);
		if (nl != NULL)
			nl++;
	}
	assert_int_equal(hdrout_truncated(h), 0);
	arena_free(a);
}

static void
huge_value_is_cut_and_flagged(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h = hdrout_new(a, NAME);
	char *big = malloc(5001);
	const char *v;

	memset(big, 'x', 5000);
	big[5000] = '\0';
	hdrout_add_raw(h, ' ', "id");
	hdrout_add_param(h, ';', "reason", big);
	assert_int_equal(hdrout_truncated(h), 1);
	hdrout_add_comment(h, big);
	hdrout_add_raw(h, ' ', big);
	v = hdrout_finish(h);
	assert_header_safe(v, strlen(NAME));
	assert_non_null(strstr(v, "reason=xxx"));
	free(big);
	arena_free(a);
}

static void
escape_heavy_value_stays_under_998(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h = hdrout_new(a, NAME);
	char big[2000];

	/* every byte doubles when quoted or escaped */
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hdrout_add_param(h, ' ', "reason", big);
	hdrout_add_comment(h, big);
	memset(big, '(', sizeof(big) - 1);
	hdrout_add_comment(h, big);
	assert_header_safe(hdrout_finish(h), strlen(NAME));
	assert_int_equal(hdrout_truncated(h), 1);
	arena_free(a);
}

static void
total_size_is_capped_and_flagged(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h = hdrout_new(a, NAME);
	char val[301];
	const char *v;
	int i;

	memset(val, 'y', 300);
	val[300] = '\0';
	hdrout_add_raw(h, ' ', "id");
	for (i = 0; i < 1000; i++)
		assert_int_equal(hdrout_add_param(h, ';', "dkim", val), 0);
	v = hdrout_finish(h);
	assert_true(strlen(v) <= 32768);
	assert_int_equal(hdrout_truncated(h), 1);
	assert_header_safe(v, strlen(NAME));
	arena_free(a);
}

static void
hostile_bytes_never_escape(void **state)
{
	struct arena *a = arena_new();
	struct hdrout *h;
	unsigned seed = 12345;
	char buf[700];
	size_t j;
	int i;

	for (i = 0; i < 300; i++) {
		for (j = 0; j < sizeof(buf) - 1; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = (char)((seed >> 16) % 255 + 1);
		}
		buf[(seed >> 8) % (sizeof(buf) - 1)] = '\0';
		h = hdrout_new(a, NAME);
		hdrout_add_raw(h, ' ', "mx.example.net");
		hdrout_add_param(h, ';', "smtp.mailfrom", buf);
		hdrout_add_comment(h, buf);
		hdrout_add_raw(h, ' ', buf);
		assert_header_safe(hdrout_finish(h), strlen(NAME));
	}
	arena_free(a);
}

static void
printable_replaces_and_cuts(void **state)
{
	struct arena *a = arena_new();

	assert_string_equal(hdrout_printable(a, "a\nb\x1b" "c", 100),
	    "a?b?c");
	assert_string_equal(hdrout_printable(a, "caf\xc3\xa9\xff", 100),
	    "caf\xc3\xa9?");
	assert_string_equal(hdrout_printable(a, "\xc2\x85", 100), "?");
	assert_string_equal(hdrout_printable(a, "abcdef", 3), "abc...");
	/* the e-acute does not fit in 4 after "abc": cut before it */
	assert_string_equal(hdrout_printable(a, "abc\xc3\xa9", 4), "abc...");
	assert_string_equal(hdrout_printable(a, "abc", 3), "abc");
	assert_string_equal(hdrout_printable(a, NULL, 3), "");
	assert_string_equal(hdrout_printable(a, "abc", 0), "...");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sanitize_table),
		cmocka_unit_test(glued_items_fold_only_when_long),
		cmocka_unit_test(sanitize_cuts_on_character_boundary),
		cmocka_unit_test(param_quoting_table),
		cmocka_unit_test(comment_escapes_parentheses_and_backslash),
		cmocka_unit_test(semicolon_separator_folds),
		cmocka_unit_test(long_line_folds_before_78),
		cmocka_unit_test(huge_value_is_cut_and_flagged),
		cmocka_unit_test(escape_heavy_value_stays_under_998),
		cmocka_unit_test(total_size_is_capped_and_flagged),
		cmocka_unit_test(hostile_bytes_never_escape),
		cmocka_unit_test(printable_replaces_and_cuts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
