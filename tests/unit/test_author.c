/*
 * test_author.c - author.c and idna.c: the From header's author domains
 * (one, none, several headers, several addresses, groups, unparsable,
 * invalid IDN), and the libidn2 A-label conversion with hostile input
 * (overlong labels and names at 63/253 and one past, invalid UTF-8,
 * bidi, joiners, mixed scripts, empty labels, broken punycode).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mail/author.h"
#include "mail/message.h"
#include "util/arena.h"
#include "util/confusable.h"
#include "util/idna.h"

/* want: the A-label, or NULL when the name must be refused. */
static const struct {
	const char *behaviour, *in, *want;
} idna_cases[] = {
	{ "ASCII is lower-cased", "Example.COM", "example.com" },
	{ "trailing dot dropped", "example.com.", "example.com" },
	{ "U-label to A-label", "bücher.example", "xn--bcher-kva.example" },
	{ "upper-case U-label maps (UTS 46)", "BÜCHER.Example",
	    "xn--bcher-kva.example" },
	{ "NFD input is normalised to NFC", "bu\xcc\x88" "cher.example",
	    "xn--bcher-kva.example" },
	{ "A-label kept", "xn--bcher-kva.example", "xn--bcher-kva.example" },
	{ "nontransitional: sharp s encodes", "faß.example",
	    "xn--fa-hia.example" },
	{ "ideographic full stop separates", "bücher\xe3\x80\x82" "example",
	    "xn--bcher-kva.example" },
	{ "fullwidth full stop separates", "bücher\xef\xbc\x8e" "example",
	    "xn--bcher-kva.example" },
	{ "Cyrillic homoglyph gets its own A-label", "p\xd0\xb0ypal.example",
	    "xn--pypal-4ve.example" },
	{ "underscore in an ASCII label", "a_b.bücher.example",
	    "a_b.xn--bcher-kva.example" },
	{ "double hyphen ASCII label beside a U-label",
	    "r3---sn-x.bücher.example", "r3---sn-x.xn--bcher-kva.example" },
	{ "RTL label", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d.example",
	    "xn--9dbne9b.example" },
	{ "broken punycode", "xn--zzzz.example", NULL },
	{ "empty xn-- label", "a.xn--.example", NULL },
	{ "bidi rule: RTL then digit-letter", "x.\xd7\xa9\xd7\x9c\xd7\x95"
	    "\xd7\x9d" "1a.example", NULL },
	{ "bidi override is disallowed", "a\xe2\x80\xae" "b.example", NULL },
	{ "zero width joiner without context", "a\xe2\x80\x8d" "b.example",
	    NULL },
	{ "invalid UTF-8", "\xff\xfe.example", NULL },
	{ "truncated UTF-8", "b\xc3.example", NULL },
	{ "overlong UTF-8 '/'", "a\xc0\xaf" "b.example", NULL },
	{ "UTF-8 surrogate", "a\xed\xa0\x80" "b.example", NULL },
	{ "empty label", "a..example", NULL },
	{ "leading dot", ".example", NULL },
	{ "empty", "", NULL },
	{ "only a dot", ".", NULL },
	{ "space", "a b.example", NULL },
	{ "at sign", "a@b.example", NULL },
	{ "symbol disallowed by IDNA 2008", "\xe2\x98\x83.example", NULL },
	{ "emoji disallowed", "\xf0\x9f\x92\xa9.example", NULL },
	/* ASCII specials inside a U-label (libidn2 alone passes them) */
	{ "specials in a U-label", "a<b\xef\xbd\x8e" ".example", NULL },
	{ "space and @ in a U-label", "e l@\xc3\xbc.example", NULL },
	{ "fullwidth < maps to <", "a\xef\xbc\x9c" "b\xc3\xbc.example", NULL },
};

static void
idna_table(void **state)
{
	char out[IDNA_DOMAIN_MAX + 1];
	const char *why;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(idna_cases) / sizeof(idna_cases[0]); i++) {
		n = idna_domain_ascii(idna_cases[i].in,
		    strlen(idna_cases[i].in), out, sizeof(out), &why);
		if (idna_cases[i].want == NULL) {
			if (n >= 0 || why == NULL)
				fail_msg("%s: got %s", idna_cases[i].behaviour,
				    out);
			continue;
		}
		if (n < 0)
			fail_msg("%s: refused (%s)", idna_cases[i].behaviour,
			    why);
		if (strcmp(out, idna_cases[i].want) != 0 ||
		    (size_t)n != strlen(out))
			fail_msg("%s: %s, want %s", idna_cases[i].behaviour,
			    out, idna_cases[i].want);
	}
}

/* 63 bytes per label and 253 per name, counted on the A-label: at the
 * limit and one past, for ASCII and for U-labels that grow. */
static void
idna_length_limits(void **state)
{
	char in[1200], out[IDNA_DOMAIN_MAX + 1];
	const char *why;
	size_t i, o;

	(void)state;
	memset(in, 'a', 63);
	strcpy(in + 63, ".example");
	assert_int_equal(idna_domain_ascii(in, strlen(in), out, sizeof(out),
	    &why), 63 + 8);
	memset(in, 'a', 64);
	strcpy(in + 64, ".example");
	assert_int_equal(idna_domain_ascii(in, strlen(in), out, sizeof(out),
	    &why), -1);
	/* 40 x "ü" is 80 bytes of UTF-8 and 46 of A-label: fine; 60 x "ü"
	 * is short in code points but 66 bytes encoded: refused. */
	for (o = 0, i = 0; i < 40; i++)
		o += (size_t)sprintf(in + o, "\xc3\xbc");
	strcpy(in + o, ".example");
	assert_true(idna_domain_ascii(in, strlen(in), out, sizeof(out),
	    &why) > 0);
	for (o = 0, i = 0; i < 60; i++)
		o += (size_t)sprintf(in + o, "\xc3\xbc");
	strcpy(in + o, ".example");
	assert_int_equal(idna_domain_ascii(in, strlen(in), out, sizeof(out),
	    &why), -1);
	/* 253 bytes: 3 x 63 + 62 + 3 dots = 253; one more is 254. */
	for (o = 0, i = 0; i < 4; i++) {
		memset(in + o, 'a' + (char)i, i < 3 ? 63 : 61);
		o += i < 3 ? 63 : 61;
		in[o++] = '.';
	}
	in[o - 1] = '\0';		/* 3 * 64 + 61 = 253 */
	assert_int_equal(strlen(in), 253);
	assert_int_equal(idna_domain_ascii(in, 253, out, sizeof(out), &why),
	    253);
	strcpy(in + 253, "b");
	assert_int_equal(idna_domain_ascii(in, 254, out, sizeof(out), &why),
	    -1);
	/* A U-label that pushes the encoded name past 253. */
	in[240] = '\0';
	strcat(in, ".\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc");
	assert_int_equal(idna_domain_ascii(in, strlen(in), out, sizeof(out),
	    &why), -1);
	/* Input past IDNA_INPUT_MAX is refused, not looped over. */
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(idna_domain_ascii(in, strlen(in), out, sizeof(out),
	    &why), -1);
}

/* The lookalike index and the config compare names through confusable;
 * its ToASCII must give the From's A-label. */
static void
confusable_agrees_with_idna(void **state)
{
	static const char *names[] = { "bücher.example", "BÜCHER.example",
	    "faß.example", "p\xd0\xb0ypal.example", "δοκιμή.example" };
	char a[IDNA_DOMAIN_MAX + 1], b[CONFUSABLE_DOMAIN_MAX + 1];
	const char *why;
	size_t i;
	int err;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(idna_domain_ascii(names[i], strlen(names[i]), a,
		    sizeof(a), &why) > 0);
		assert_true(confusable_domain_ascii(names[i], strlen(names[i]),
		    b, sizeof(b), &err) > 0);
		assert_string_equal(a, b);
	}
}

/* want: problem word, then the author domains joined by ","; one From
 * header per '\n'-separated line of from (NULL: none). */
static const struct {
	const char *behaviour, *from, *problem, *domains, *single;
} author_cases[] = {
	{ "one mailbox", "Alice <alice@example.com>", "ok", "example.com",
	    "example.com" },
	{ "display name with commas and quotes",
	    "\"Doe, John \\\"JD\\\", Accounts\" <jd@example.com>", "ok",
	    "example.com", "example.com" },
	{ "raw UTF-8 domain is its A-label", "Bob <bob@bücher.example>",
	    "ok", "xn--bcher-kva.example", "xn--bcher-kva.example" },
	{ "UTF-8 local part and domain (RFC 6532)",
	    "\"Jörg\" <jörg@BÜCHER.example>", "ok", "xn--bcher-kva.example",
	    "xn--bcher-kva.example" },
	{ "no From", NULL, "no_from", "", NULL },
	{ "two From headers", "a@one.example\nb@two.example",
	    "several_headers", "one.example,two.example", NULL },
	{ "two From headers, same domain", "a@one.example\nb@one.example",
	    "several_headers", "one.example", NULL },
	{ "two addresses in one From",
	    "CEO <ceo@partner.example>, x@evil.example", "several_addresses",
	    "partner.example,evil.example", NULL },
	{ "UTF-8 and A-label of one domain are one domain",
	    "a@bücher.example, b@xn--bcher-kva.example",
	    "several_addresses", "xn--bcher-kva.example", NULL },
	{ "group syntax", "Team: a@one.example;", "group", "one.example",
	    NULL },
	{ "obs-route colon is not a group", "<@relay.example:a@one.example>",
	    "ok", "one.example", "one.example" },
	{ "colon in quoted display is not a group",
	    "\"Re: invoice\" <a@one.example>", "ok", "one.example",
	    "one.example" },
	{ "empty group only", "undisclosed-recipients:;", "group", "",
	    NULL },
	{ "unparsable (FIELD-NOTES '>')", "user@example.net>", "unparsable",
	    "", NULL },
	{ "invalid U-label", "x@a\xe2\x80\xae" "b.example", "bad_domain", "",
	    NULL },
	{ "broken A-label", "x@xn--zzzz.example", "bad_domain", "", NULL },
	{ "invalid UTF-8 domain", "x@\xff.example", "bad_domain", "", NULL },
	{ "single label", "x@localhost", "bad_domain", "", NULL },
	{ "domain literal", "x@[192.0.2.1]", "bad_domain", "", NULL },
	{ "bad IDN beside a good one", "x@\xf0\x9f\x92\xa9.example, "
	    "y@good.example", "several_addresses", "good.example", NULL },
};

static void
author_table(void **state)
{
	char buf[512], got[512];
	struct message *m;
	struct author au;
	char *line, *save;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(author_cases) / sizeof(author_cases[0]); i++) {
		assert_non_null(m = message_new(0, 0));
		assert_true(message_add_header(m, "Subject", "x") == 1);
		if (author_cases[i].from != NULL) {
			snprintf(buf, sizeof(buf), "%s", author_cases[i].from);
			for (line = strtok_r(buf, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save))
				assert_true(message_add_header(m, "From",
				    line) == 1);
		}
		assert_int_equal(author_parse(m, m->arena, &au), 0);
		got[0] = '\0';
		for (k = 0; k < au.ndomains; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%s", k ? "," : "", au.boxes[k].domain);
		if (strcmp(author_problem_name(au.problem),
		    author_cases[i].problem) != 0 ||
		    strcmp(got, author_cases[i].domains) != 0)
			fail_msg("%s: %s [%s] (%s)", author_cases[i].behaviour,
			    author_problem_name(au.problem), got,
			    au.detail ? au.detail : "-");
		if (author_cases[i].single == NULL) {
			assert_null(au.domain);
			assert_non_null(au.detail);
		} else {
			assert_non_null(au.domain);
			assert_string_equal(au.domain, author_cases[i].single);
			assert_null(au.detail);
		}
		message_free(m);
	}
}

/* More distinct domains than the cap: counted, the detail says how
 * many; a flood of From headers stays bounded. */
static void
author_caps(void **state)
{
	char v[64];
	struct message *m;
	struct author au;
	int i;

	(void)state;
	assert_non_null(m = message_new(0, 0));
	for (i = 0; i < 50; i++) {
		snprintf(v, sizeof(v), "a@d%d.example", i);
		assert_true(message_add_header(m, "From", v) == 1);
	}
	assert_int_equal(author_parse(m, m->arena, &au), 0);
	assert_int_equal(au.problem, AUTHOR_SEVERAL_HEADERS);
	assert_int_equal(au.ndomains, AUTHOR_MAX_DOMAINS);
	assert_int_equal(au.more_domains, 50 - AUTHOR_MAX_DOMAINS);
	assert_int_equal(au.nheaders, 50);
	assert_non_null(strstr(au.detail, "50 From headers"));
	assert_non_null(strstr(au.detail, "50 author domains"));
	message_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idna_table),
		cmocka_unit_test(idna_length_limits),
		cmocka_unit_test(confusable_agrees_with_idna),
		cmocka_unit_test(author_table),
		cmocka_unit_test(author_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
