/*
 * test_addr.c - addr.c: RFC 5322 mailbox lists (comments, quoted strings,
 * groups, obsolete forms, the malformed-From cases), envelope paths,
 * domain syntax, and hostile sizes (deep comments, huge lists) in linear
 * time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/addr.h"
#include "util/arena.h"

/* want: mailboxes as "display|local|domain" joined by "; " ("-" for no
 * display), or NULL when the value must be rejected. */
static const struct {
	const char *behaviour, *value, *want;
} list_cases[] = {
	{ "bare addr-spec", "user@example.com", "-|user|example.com" },
	{ "name-addr, domain lower-cased", "John Doe <john@Example.COM>",
	    "John Doe|john|example.com" },
	{ "quoted display with comma", "\"Doe, John\" <john@example.com>",
	    "Doe, John|john|example.com" },
	{ "FIELD-NOTES: trailing '>' is malformed", "user@example.net>",
	    NULL },
	{ "unclosed angle", "<user@example.net", NULL },
	{ "text after angle-addr", "John <a@example.com> trailing", NULL },
	{ "two mailboxes", "a@b.example, C <c@d.example>",
	    "-|a|b.example; C|c|d.example" },
	{ "one bad mailbox spoils the list",
	    "a@b.example, user@evil.example>", NULL },
	{ "group", "Friends: a@b.example, \"C\" <c@d.example>;",
	    "-|a|b.example; C|c|d.example" },
	{ "group then mailbox", "G: a@b.example; , e@f.example",
	    "-|a|b.example; -|e|f.example" },
	{ "empty group only", "undisclosed-recipients:;", NULL },
	{ "empty group and a mailbox", "undisclosed-recipients:;, x@y.example",
	    "-|x|y.example" },
	{ "unclosed group", "G: a@b.example", NULL },
	{ "nested group", "G: H: a@b.example;;", NULL },
	{ "comments everywhere",
	    "(c1) user(c2)@(c3)example.com (trailing)", "-|user|example.com" },
	{ "nested comments and escaped paren",
	    "a@b.example (x (y (z)) \\) w)", "-|a|b.example" },
	{ "comment is not a display name", "a@b.example (Real Name)",
	    "-|a|b.example" },
	{ "unclosed comment", "a@b.example (x", NULL },
	{ "stray close paren", "a@b.example )", NULL },
	{ "quoted local part", "\"john smith\"@example.com",
	    "-|john smith|example.com" },
	{ "quoted-pair in local part", "\"a\\\"b\"@example.com",
	    "-|a\"b|example.com" },
	{ "at sign inside quotes", "\"a@evil.example\"@example.com",
	    "-|a@evil.example|example.com" },
	{ "unclosed quote", "\"abc@example.com", NULL },
	{ "obs-route skipped",
	    "<@hop1.example,@hop2.example:user@example.com>",
	    "-|user|example.com" },
	{ "route without colon", "<@hop1.example user@example.com>", NULL },
	{ "domain literal kept with brackets", "user@[192.0.2.1]",
	    "-|user|[192.0.2.1]" },
	{ "IPv6 literal lower-cased", "u@[IPv6:2001:DB8::1]",
	    "-|u|[ipv6:2001:db8::1]" },
	{ "trailing dot stripped", "user@example.com.",
	    "-|user|example.com" },
	{ "obs CFWS around dots", "john . doe @ example . com",
	    "-|john.doe|example.com" },
	{ "obs-phrase with dot", "John Q. Public <jqp@example.com>",
	    "John Q. Public|jqp|example.com" },
	{ "encoded-word kept raw", "=?utf-8?q?J=C3=B6rg?= <j@example.de>",
	    "=?utf-8?q?J=C3=B6rg?=|j|example.de" },
	{ "empty list elements", ",a@b.example,,c@d.example,",
	    "-|a|b.example; -|c|d.example" },
	{ "UTF-8 display and domain", "J\xc3\xb6rg <j@EX\xc3\xa4mple.de>",
	    "J\xc3\xb6rg|j|ex\xc3\xa4mple.de" },
	{ "folded header value", "John\r\n Doe\r\n\t<john@example.com>",
	    "John Doe|john|example.com" },
	{ "empty value", "", NULL },
	{ "blank value", " \t ", NULL },
	{ "word only", "undisclosed", NULL },
	{ "two words before at", "John Smith@example.com", NULL },
	{ "empty domain", "user@", NULL },
	{ "empty local part", "@example.com", NULL },
	{ "two at signs", "a@b@c.example", NULL },
	{ "null path in a header", "<>", NULL },
	{ "space in domain", "user@exa mple.com", NULL },
	{ "control byte", "a@b.example\x01", NULL },
	{ "empty label", "user@example..com", NULL },
	{ "leading dot in domain", "user@.example.com", NULL },
	{ "display name only dots", ". <a@b.example>", NULL },
	{ "angle inside angle", "<<a@b.example>>", NULL },
	{ "unclosed domain literal", "a@[192.0.2.1", NULL },
	{ "semicolon outside group", "a@b.example;", NULL },
};

static char *
render(const struct addr_list *l)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < l->count; i++)
		len += strlen(l->boxes[i].display ? l->boxes[i].display : "-") +
		    strlen(l->boxes[i].local) + strlen(l->boxes[i].domain) + 4;
	s = calloc(1, len);
	for (i = 0; i < l->count; i++) {
		if (i)
			strcat(s, "; ");
		strcat(s, l->boxes[i].display ? l->boxes[i].display : "-");
		strcat(s, "|");
		strcat(s, l->boxes[i].local);
		strcat(s, "|");
		strcat(s, l->boxes[i].domain);
	}
	return s;
}

static void
mailbox_list_table(void **state)
{
	struct arena *a = arena_new();
	struct addr_list l;
	char *got;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		rc = addr_parse_list(list_cases[i].value, a, &l);
		if (list_cases[i].want == NULL) {
			if (rc != -1 || l.count != 0)
				fail_msg("%s: accepted", list_cases[i].behaviour);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: rejected", list_cases[i].behaviour);
		got = render(&l);
		if (strcmp(got, list_cases[i].want) != 0)
			fail_msg("%s: got [%s]", list_cases[i].behaviour, got);
		free(got);
	}
	assert_int_equal(addr_parse_list(NULL, a, &l), -1);
	arena_free(a);
}

static char *
repeat(const char *piece, size_t n, const char *tail)
{
	size_t plen = strlen(piece), tlen = strlen(tail), i;
	char *s = malloc(plen * n + tlen + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * plen, piece, plen);
	memcpy(s + n * plen, tail, tlen + 1);
	return s;
}

static void
ten_thousand_nested_comments_parse(void **state)
{
	struct arena *a = arena_new();
	struct addr_list l;
	char *open = repeat("(", 10000, "x"), *close, *v;
	size_t olen = strlen(open);

	close = repeat(")", 10000, " a@b.example");
	v = malloc(olen + strlen(close) + 1);
	memcpy(v, open, olen);
	strcpy(v + olen, close);
	assert_int_equal(addr_parse_list(v, a, &l), 0);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.boxes[0].domain, "b.example");
	/* one parenthesis short: unclosed */
	v[olen + 9999] = ' ';
	assert_int_equal(addr_parse_list(v, a, &l), -1);
	free(open);
	free(close);
	free(v);
	arena_free(a);
}

static void
huge_inputs_take_linear_time(void **state)
{
	struct arena *a = arena_new();
	struct addr_list l;
	clock_t t0 = clock();
	char *v;

	/* 100,000 mailboxes (1.6 MB) */
	v = repeat("N <a@b.example>, ", 100000, "z@y.example");
	assert_int_equal(addr_parse_list(v, a, &l), 0);
	assert_int_equal(l.count, 100001);
	free(v);
	/* 1 MB of dots (a lenient local part), of '@', of an unclosed
	 * quote, of open angles */
	v = repeat(".", 1000000, "a@b.example");
	assert_int_equal(addr_parse_list(v, a, &l), 0);
	assert_string_equal(l.boxes[0].domain, "b.example");
	free(v);
	v = repeat("@", 1000000, "");
	assert_int_equal(addr_parse_list(v, a, &l), -1);
	free(v);
	v = repeat("x", 1000000, "@b.example");
	v[0] = '"';
	assert_int_equal(addr_parse_list(v, a, &l), -1);
	free(v);
	v = repeat("<", 1000000, "a@b.example");
	assert_int_equal(addr_parse_list(v, a, &l), -1);
	free(v);
	v = repeat("a ", 500000, "<a@b.example>");
	assert_int_equal(addr_parse_list(v, a, &l), 0);
	free(v);
	if ((double)(clock() - t0) / CLOCKS_PER_SEC > 5.0)
		fail_msg("took %.1f s", (double)(clock() - t0) /
		    CLOCKS_PER_SEC);
	arena_free(a);
}

static void
hostile_bytes_never_crash(void **state)
{
	struct arena *a = arena_new();
	struct addr_list l;
	const char alphabet[] = "a@.<>()\"\\[]:;, \t\r\n\x01\xc3";
	unsigned seed = 42;
	char buf[200];
	size_t i, j;

	for (i = 0; i < 20000; i++) {
		for (j = 0; j < sizeof(buf) - 1; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		buf[(seed >> 8) % sizeof(buf)] = '\0';
		if (addr_parse_list(buf, a, &l) == 0) {
			assert_true(l.count > 0);
			for (j = 0; j < l.count; j++) {
				assert_non_null(l.boxes[j].local);
				assert_non_null(l.boxes[j].domain);
				assert_null(strchr(l.boxes[j].domain, '>'));
			}
		}
		(void)addr_path_domain(buf, a);
		(void)addr_path_strip(buf, a);
		(void)addr_domain_valid(buf);
	}
	arena_free(a);
}

/* want_strip NULL: malformed (both functions NULL). */
static const struct {
	const char *behaviour, *path, *want_strip, *want_domain;
} path_cases[] = {
	{ "bracketed path", "<user@Example.COM>", "user@Example.COM",
	    "example.com" },
	{ "bare path", "user@example.com", "user@example.com",
	    "example.com" },
	{ "null path", "<>", "", "" },
	{ "source route dropped", "<@hop.example,@b.example:u@example.com>",
	    "u@example.com", "example.com" },
	{ "quoted local part with at", "<\"a@b\"@example.com>",
	    "\"a@b\"@example.com", "example.com" },
	{ "address literal", "<user@[192.0.2.1]>", "user@[192.0.2.1]",
	    "[192.0.2.1]" },
	{ "trailing dot", "<user@example.com.>", "user@example.com.",
	    "example.com" },
	{ "SMTPUTF8 local part", "<j\xc3\xb6rg@example.de>",
	    "j\xc3\xb6rg@example.de", "example.de" },
	{ "unclosed bracket", "<user@example.com", NULL, NULL },
	{ "stray close bracket", "user@example.com>", NULL, NULL },
	{ "no domain", "<user>", NULL, NULL },
	{ "route without colon", "<@example.com>", NULL, NULL },
	{ "empty domain", "<user@>", NULL, NULL },
	{ "space in domain", "<user@exa mple.com>", NULL, NULL },
	{ "space in local part", "<us er@example.com>", NULL, NULL },
	{ "empty label", "<user@example..com>", NULL, NULL },
	{ "two at signs", "<a@b@example.com>", NULL, NULL },
	{ "control in quotes", "<\"a\x01\"@example.com>", NULL, NULL },
	{ "lone bracket", "<", NULL, NULL },
	{ "empty", "", NULL, NULL },
};

static void
envelope_path_table(void **state)
{
	struct arena *a = arena_new();
	const char *s, *d;
	size_t i;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		s = addr_path_strip(path_cases[i].path, a);
		d = addr_path_domain(path_cases[i].path, a);
		if (path_cases[i].want_strip == NULL) {
			if (s != NULL || d != NULL)
				fail_msg("%s: accepted", path_cases[i].behaviour);
			continue;
		}
		if (s == NULL || d == NULL ||
		    strcmp(s, path_cases[i].want_strip) != 0 ||
		    strcmp(d, path_cases[i].want_domain) != 0)
			fail_msg("%s: got [%s] [%s]", path_cases[i].behaviour,
			    s ? s : "(null)", d ? d : "(null)");
	}
	assert_null(addr_path_domain(NULL, a));
	assert_null(addr_path_strip(NULL, a));
	arena_free(a);
}

static const struct {
	const char *domain;
	int valid;
} domain_cases[] = {
	{ "example.com", 1 }, { "a-b.example.co.uk", 1 },
	{ "xn--bcher-kva.example", 1 }, { "123.example", 1 },
	{ "localhost", 0 }, { "example..com", 0 }, { ".example.com", 0 },
	{ "example.com.", 0 }, { "-a.example", 0 }, { "a-.example", 0 },
	{ "a_b.example", 0 }, { "192.0.2.1", 0 }, { "[192.0.2.1]", 0 },
	{ "ex ample.com", 0 }, { "", 0 }, { "b\xc3\xbc" "cher.example", 0 },
};

static void
domain_validity_table(void **state)
{
	char label[80], long_name[300];
	size_t i;

	for (i = 0; i < sizeof(domain_cases) / sizeof(domain_cases[0]); i++)
		if (addr_domain_valid(domain_cases[i].domain) !=
		    domain_cases[i].valid)
			fail_msg("%s", domain_cases[i].domain);
	assert_int_equal(addr_domain_valid(NULL), 0);
	/* label of 63 is fine, 64 is not */
	memset(label, 'a', 63);
	strcpy(label + 63, ".example");
	assert_int_equal(addr_domain_valid(label), 1);
	memset(label, 'a', 64);
	strcpy(label + 64, ".example");
	assert_int_equal(addr_domain_valid(label), 0);
	/* 253 in all is fine, 254 is not */
	memset(long_name, 'a', 253);
	for (i = 63; i < 253; i += 64)
		long_name[i] = '.';
	long_name[253] = '\0';
	assert_int_equal(addr_domain_valid(long_name), 1);
	long_name[253] = 'a';
	long_name[254] = '\0';
	assert_int_equal(addr_domain_valid(long_name), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mailbox_list_table),
		cmocka_unit_test(ten_thousand_nested_comments_parse),
		cmocka_unit_test(huge_inputs_take_linear_time),
		cmocka_unit_test(hostile_bytes_never_crash),
		cmocka_unit_test(envelope_path_table),
		cmocka_unit_test(domain_validity_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
