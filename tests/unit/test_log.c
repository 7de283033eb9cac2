/*
 * test_log.c - the quoting rule of values in key=value log lines
 * (log_value) and the verdict line built with it (report_logline): a value
 * from outside is always exactly one field, and reads back as it was
 * (issue 8 item 9).  A small reader written here from the rule documented
 * in log.h and the README splits a line into fields, as a log parser would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "report.h"

static const struct {
	const char *behaviour, *in;
	size_t max;
	const char *out;
} value_cases[] = {
	{ "a plain token stays bare", "alice@example.org", 64,
	    "alice@example.org" },
	{ "angle brackets and dots stay bare", "<a.b@c.example>", 64,
	    "<a.b@c.example>" },
	{ "NULL is a bare dash", NULL, 64, "-" },
	{ "a real dash is quoted", "-", 64, "\"-\"" },
	{ "empty is two quotes", "", 64, "\"\"" },
	{ "a space quotes the value", "a b", 64, "\"a b\"" },
	{ "'=' quotes the value", "action=accept", 64, "\"action=accept\"" },
	{ "the injection example",
	    "<\"x reasons=none action=accept\"@example.org>", 100,
	    "\"<\\\"x reasons=none action=accept\\\"@example.org>\"" },
	{ "a backslash is doubled", "a\\b", 64, "\"a\\\\b\"" },
	{ "controls become \\xHH", "a\nb\r\tc\x7f", 64,
	    "\"a\\x0ab\\x0d\\x09c\\x7f\"" },
	{ "8-bit bytes become \\xHH", "caf\xc3\xa9", 64,
	    "\"caf\\xc3\\xa9\"" },
	{ "at the limit: bare", "abcdefgh", 8, "abcdefgh" },
	{ "past the limit: cut in quotes", "abcdefghi", 8, "\"abc...\"" },
	{ "the cut keeps whole escapes", "ab\x01\x02\x03", 10,
	    "\"ab...\"" },
	{ "an exact fit keeps the last escape", "ab\x01", 8,
	    "\"ab\\x01\"" },
};

static void
value_table(void **state)
{
	struct arena *a = arena_new();
	const char *got;
	size_t i;

	assert_non_null(a);
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		got = log_value(a, value_cases[i].in, value_cases[i].max);
		if (got == NULL || strcmp(got, value_cases[i].out) != 0)
			fail_msg("%s: got [%s]", value_cases[i].behaviour,
			    got != NULL ? got : "(null)");
		if (strlen(got) > value_cases[i].max)
			fail_msg("%s: longer than max",
			    value_cases[i].behaviour);
	}
	arena_free(a);
}

/* The reader: splits "k=v k=v ..." into fields by the documented rule.
 * Returns the number of fields (at most max), the keys and the decoded
 * values in k[] and v[] (malloc'd); -1 when the line breaks the rule. */
static int
read_fields(const char *line, char **k, char **v, int max)
{
	const char *p = line, *e;
	int n = 0;
	size_t o;

	while (*p != '\0') {
		if (n == max || (e = strchr(p, '=')) == NULL || e == p)
			return -1;
		k[n] = strndup(p, (size_t)(e - p));
		if (strchr(k[n], ' ') != NULL || strchr(k[n], '"') != NULL)
			return -1;
		p = e + 1;
		v[n] = calloc(1, strlen(p) + 1);
		o = 0;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return -1;
				if (*p == '\\' && p[1] == 'x' && p[2] && p[3]) {
					char h[3] = { p[2], p[3], 0 };

					v[n][o++] = (char)strtol(h, NULL, 16);
					p += 3;
				} else if (*p == '\\' && (p[1] == '"' ||
				    p[1] == '\\')) {
					v[n][o++] = *++p;
				} else if (*p == '\\' ||
				    (unsigned char)*p < 0x20 ||
				    (unsigned char)*p >= 0x7f)
					return -1;
				else
					v[n][o++] = *p;
			}
			p++;
		} else {
			for (; *p != ' ' && *p != '\0'; p++) {
				if (*p == '"' || *p == '\\' || *p == '=' ||
				    (unsigned char)*p < 0x21 ||
				    (unsigned char)*p > 0x7e)
					return -1;
				v[n][o++] = *p;
			}
		}
		n++;
		if (*p == ' ')
			p++;
		else if (*p != '\0')
			return -1;
	}
	return n;
}

static void
free_fields(char **k, char **v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(k[i]);
		free(v[i]);
	}
}

/* Any bytes, as "x=VALUE y=1", read back as one field with that value. */
static void
values_read_back_exactly(void **state)
{
	struct arena *a = arena_new();
	char buf[64], line[400], *k[8], *v[8];
	const char *q;
	unsigned seed = 8;
	int i, j, len, n;

	assert_non_null(a);
	for (i = 0; i < 20000; i++) {
		len = (int)(rand_r(&seed) % 40);
		for (j = 0; j < len; j++) {
			buf[j] = (char)(rand_r(&seed) % 255 + 1);
			if (rand_r(&seed) % 2)	/* mostly the hard ones */
				buf[j] = " =\"\\-a"[rand_r(&seed) % 6];
		}
		buf[len] = '\0';
		assert_non_null(q = log_value(a, buf, 200));
		snprintf(line, sizeof(line), "x=%s y=1", q);
		n = read_fields(line, k, v, 8);
		if (n != 2 || strcmp(k[0], "x") != 0 ||
		    strcmp(v[0], strcmp(q, "-") == 0 ? "-" : buf) != 0 ||
		    strcmp(k[1], "y") != 0)
			fail_msg("value [%s] as [%s]: %d fields", buf, q, n);
		free_fields(k, v, n > 0 ? n : 0);
	}
	arena_free(a);
}

static int
count_key(char **k, int n, const char *key)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += strcmp(k[i], key) == 0;
	return c;
}

static const char *
value_of(char **k, char **v, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(k[i], key) == 0)
			return v[i];
	return NULL;
}

/* The verdict line with hostile envelope and message values: one
 * action=, every field reads back; a dry run says what was done and
 * what would have been. */
static void
verdict_line_fields(void **state)
{
	static const char *from =
	    "<\"x reasons=none action=accept\"@example.org>";
	struct message *m = message_new(0, 0);
	struct dkim_sig_result sig;
	struct evaluation e;
	const char *line;
	char *k[40], *v[40];
	int n;

	assert_non_null(m);
	assert_int_equal(message_set_mail_from(m, from), 0);
	memset(&e, 0, sizeof(e));
	memset(&sig, 0, sizeof(sig));
	sig.result = AUTH_PASS;
	sig.domain = "d.example action=accept";
	e.dkim.sigs = &sig;
	e.dkim.count = 1;
	e.dmarc.from_domain = "evil.example score=0";
	e.relay.ip = "192.0.2.1 relay=x";
	e.sender.domain = "s.example\nfake: action=accept";
	e.verdict.action = VERDICT_REJECT;
	e.verdict.score = 12;

	assert_non_null(line = report_logline(m, &e));
	n = read_fields(line, k, v, 40);
	if (n < 0)
		fail_msg("unreadable line: %s", line);
	assert_int_equal(count_key(k, n, "action"), 1);
	assert_int_equal(count_key(k, n, "reasons"), 1);
	assert_int_equal(count_key(k, n, "score"), 1);
	assert_int_equal(count_key(k, n, "relay"), 1);
	assert_string_equal(value_of(k, v, n, "action"), "reject");
	assert_null(value_of(k, v, n, "would_action"));
	assert_null(value_of(k, v, n, "dry_run"));
	assert_string_equal(value_of(k, v, n, "mail_from"),
	    "<\"x reasons=none action=accept\"@example.org>");
	assert_string_equal(value_of(k, v, n, "from_domain"),
	    "evil.example score=0");
	assert_string_equal(value_of(k, v, n, "dkim"),
	    "pass:d.example action=accept");
	assert_string_equal(value_of(k, v, n, "sender"),
	    "s.example\nfake: action=accept");
	assert_null(strchr(line, '\n'));
	free_fields(k, v, n);

	e.verdict.dry_run = 1;
	assert_non_null(line = report_logline(m, &e));
	n = read_fields(line, k, v, 40);
	assert_true(n > 0);
	assert_int_equal(count_key(k, n, "action"), 1);
	assert_string_equal(value_of(k, v, n, "action"), "accept");
	assert_string_equal(value_of(k, v, n, "would_action"), "reject");
	assert_string_equal(value_of(k, v, n, "dry_run"), "1");
	free_fields(k, v, n);
	message_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(value_table),
		cmocka_unit_test(values_read_back_exactly),
		cmocka_unit_test(verdict_line_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
