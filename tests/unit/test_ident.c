/*
 * test_ident.c - ident.c: display names that claim a protected brand or
 * domain, a correspondent's address or a listed person (accents, case,
 * confusables, RFC 2047); Reply-To at another organisation; List-Id,
 * List-Post, Sender, Resent-*, forwarders (SPF-passing envelope linked to
 * the relay, SRS); hostile header sizes in bounded time.
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
#include "util/deadline.h"
#include "mail/orgdomain.h"
#include "sender/ident.h"
#include "sender/lookalike.h"
#include "mail/message.h"

#define B(s)	(1u << IDENT_##s)
#define DISPLAY	(B(DISPLAY_DOMAIN) | B(DISPLAY_ADDRESS) | B(DISPLAY_BRAND) | \
		 B(DISPLAY_PERSON) | B(DISPLAY_KNOWN))
#define PARTNER	(LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER)

struct fixture {
	struct orgdomain *psl;
	struct lookalike_index *ix;
	struct ident_people *people;
	struct ident_context ctx;
};

static const char *const anna_addrs[] = { "Anna@Gmail.com",
    "@schmidt-consult.example" };
static const char *const jane_addrs[] = { "jane.doe@acme.example" };

static int
setup(void **state)
{
	static const struct ident_person people[] = {
		{ "Jos\xc3\xa9 N\xc3\xba\xc3\xb1""ez", NULL, 0 },
		{ "Anna Schmidt", anna_addrs, 2 },
		{ "Jane Doe", jane_addrs, 1 },
	};
	static const struct {
		const char *d;
		unsigned f;
	} seed[] = {
		{ "paypal.com", LOOKALIKE_PROTECTED },
		{ "acme.example", LOOKALIKE_PROTECTED },
		{ "partner.example", LOOKALIKE_PROTECTED },
		{ "supplier.example", LOOKALIKE_KNOWN },
		{ "github.com", LOOKALIKE_KNOWN },
		/* issue 11 item 6 */
		{ "name-audit.example", PARTNER },
		{ "fabrikam-group-holdings.example", PARTNER },
		{ "northwind-traders.example", LOOKALIKE_KNOWN },
		{ "contoso.example", LOOKALIKE_KNOWN },
		{ "zeta.example", LOOKALIKE_KNOWN },
	};
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	size_t i;

	assert_non_null(f);
	f->psl = orgdomain_new(NULL, err, sizeof(err));
	f->ix = lookalike_index_new(NULL, err, sizeof(err));
	f->people = ident_people_new(people, 3, err, sizeof(err));
	assert_non_null(f->psl);
	assert_non_null(f->ix);
	assert_non_null(f->people);
	for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++)
		assert_int_equal(lookalike_index_add(f->ix, seed[i].d,
		    seed[i].f, err, sizeof(err)), 0);
	f->ctx.orgdomain = f->psl;
	f->ctx.index = f->ix;
	f->ctx.people = f->people;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ident_people_free(f->people);
	lookalike_index_free(f->ix);
	orgdomain_free(f->psl);
	free(f);
	return 0;
}

/* A message from "Name: value" lines (NULL-terminated). */
static struct message *
build(const char *const *hdrs)
{
	struct message *m = message_new(0, 0);
	char name[64];
	const char *colon;

	assert_non_null(m);
	for (; *hdrs != NULL; hdrs++) {
		colon = strchr(*hdrs, ':');
		assert_non_null(colon);
		snprintf(name, sizeof(name), "%.*s", (int)(colon - *hdrs),
		    *hdrs);
		assert_int_equal(message_add_header(m, name, colon + 1), 1);
	}
	return m;
}

/* want: the display and Reply-To signals exactly; detail: a substring of
 * the detail of the lowest wanted signal (enum order). */
static const struct {
	const char *behaviour;
	const char *from, *reply_to;
	unsigned want;
	const char *detail;
} display_cases[] = {
	{ "brand in display name, address elsewhere",
	    "PayPal <x@evil.example>", NULL, B(DISPLAY_BRAND),
	    "claims paypal.com" },
	{ "brand from its own domain", "PayPal <service@paypal.com>", NULL,
	    0, NULL },
	{ "brand from its own subdomain", "PayPal <s@mail.paypal.com>",
	    NULL, 0, NULL },
	{ "brand split in words", "Pay Pal Service <x@evil.example>", NULL,
	    B(DISPLAY_BRAND), "paypal.com" },
	{ "brand with a digit for a letter", "PAYPA1 <x@evil.example>",
	    NULL, B(DISPLAY_BRAND), "paypal.com" },
	{ "brand in Cyrillic letters", "P\xd0\xb0yP\xd0\xb0l <x@evil.example>",
	    NULL, B(DISPLAY_BRAND), "paypal.com" },
	{ "brand as an encoded-word", "=?utf-8?B?UGF5UGFs?= <x@evil.example>",
	    NULL, B(DISPLAY_BRAND), "paypal.com" },
	{ "our own short name", "ACME Billing <x@evil.example>", NULL,
	    B(DISPLAY_BRAND), "acme.example" },
	{ "a protected From may use any name", "PayPal <x@acme.example>",
	    NULL, 0, NULL },
	{ "correspondent's address quoted in display name",
	    "\"ceo@partner.example\" <x@evil.example>", NULL,
	    B(DISPLAY_ADDRESS) | B(DISPLAY_DOMAIN) | B(DISPLAY_BRAND),
	    "claims partner.example (protected)" },
	{ "known correspondent's address in display name",
	    "\"sales@supplier.example\" <x@evil.example>", NULL,
	    B(DISPLAY_ADDRESS) | B(DISPLAY_DOMAIN),
	    "claims supplier.example (known correspondent)" },
	{ "known correspondent's domain in display name",
	    "github.com <x@evil.example>", NULL, B(DISPLAY_DOMAIN),
	    "claims github.com (known correspondent)" },
	{ "confusable protected domain in display name",
	    "paypa1.com <x@evil.example>", NULL,
	    B(DISPLAY_DOMAIN) | B(DISPLAY_BRAND),
	    "confusable with paypal.com" },
	{ "fullwidth at sign and letters",
	    "\"ceo\xef\xbc\xa0partner.example\" <x@evil.example>", NULL,
	    B(DISPLAY_ADDRESS) | B(DISPLAY_DOMAIN) | B(DISPLAY_BRAND),
	    "claims partner.example" },
	{ "own address in display name", "\"x@evil.example\" <x@evil.example>",
	    NULL, 0, NULL },
	{ "unknown other address in display name",
	    "\"boss@other.example\" <x@evil.example>", NULL,
	    B(DISPLAY_ADDRESS), "boss@other.example" },
	{ "no display name", "x@evil.example", NULL, 0, NULL },
	{ "plain name", "Jane Roe <jane@evil.example>", NULL, 0, NULL },
	{ "listed person from elsewhere", "Jose Nunez <jose@gmail.com>",
	    NULL, B(DISPLAY_PERSON), "listed person; address at gmail.com" },
	{ "listed person with accents, encoded",
	    "=?utf-8?q?Jos=C3=A9_N=C3=BA=C3=B1ez?= <ceo@evil.example>", NULL,
	    B(DISPLAY_PERSON), "evil.example" },
	{ "listed person in upper case, latin-1",
	    "=?iso-8859-1?q?JOS=C9_N=DA=D1EZ?= <ceo@evil.example>", NULL,
	    B(DISPLAY_PERSON), "evil.example" },
	{ "listed person, name reversed",
	    "\"N\xc3\xba\xc3\xb1""ez, Jos\xc3\xa9\" <j@evil.example>", NULL,
	    B(DISPLAY_PERSON), NULL },
	{ "listed person from a protected domain",
	    "Jos\xc3\xa9 N\xc3\xba\xc3\xb1""ez <jose@acme.example>", NULL, 0,
	    NULL },
	{ "first name alone is not the person", "Jos\xc3\xa9 <j@evil.example>",
	    NULL, 0, NULL },
	{ "person at a listed address", "Anna Schmidt <anna@gmail.com>",
	    NULL, 0, NULL },
	{ "person at a listed domain",
	    "Anna Schmidt <a@mail.schmidt-consult.example>", NULL, 0, NULL },
	{ "person with listed addresses, from another",
	    "Anna Schmidt <anna@acme.example>", NULL, B(DISPLAY_PERSON),
	    NULL },
	{ "Reply-To at another organisation", "x@paypal.com",
	    "a@evil.example", B(REPLY_TO),
	    "reply-to at evil.example, from at paypal.com" },
	{ "Reply-To in a subdomain of From", "x@paypal.com",
	    "a@support.paypal.com", 0, NULL },
	{ "Reply-To list with one elsewhere", "x@paypal.com",
	    "a@paypal.com, b@evil.example", B(REPLY_TO), "evil.example" },
	{ "malformed Reply-To is ignored", "x@paypal.com", "a@evil.example>",
	    0, NULL },
	/* a partner's or correspondent's name in any spelling (issue 11
	 * item 6) */
	{ "partner's name and a department", "Partner Finance "
	    "<partner.finance@freemail.example>", NULL, B(DISPLAY_BRAND),
	    "claims partner.example" },
	{ "hyphenated partner as two words", "Name Audit <x@freemail.example>",
	    NULL, B(DISPLAY_BRAND), "claims name-audit.example" },
	{ "hyphenated partner with its hyphen", "Name-Audit "
	    "<x@freemail.example>", NULL, B(DISPLAY_BRAND),
	    "name-audit.example" },
	{ "hyphenated partner as one word", "NameAudit <x@freemail.example>",
	    NULL, B(DISPLAY_BRAND), "name-audit.example" },
	{ "hyphenated partner and a department",
	    "Name Audit - Accounts <x@freemail.example>", NULL,
	    B(DISPLAY_BRAND), "name-audit.example" },
	{ "partner with two hyphens as words",
	    "Fabrikam Group Holdings <x@evil.example>", NULL,
	    B(DISPLAY_BRAND), "fabrikam-group-holdings.example" },
	{ "partner's name from the partner", "Name Audit "
	    "<x@name-audit.example>", NULL, 0, NULL },
	{ "a word of a partner's name alone is not the partner",
	    "Audit Team <x@evil.example>", NULL, 0, NULL },
	{ "known correspondent's name from an unknown domain",
	    "Northwind Traders <billing@evil.example>", NULL,
	    B(DISPLAY_KNOWN), "claims northwind-traders.example" },
	{ "known correspondent's name with a department",
	    "Contoso Billing <x@freemail.example>", NULL, B(DISPLAY_KNOWN),
	    "contoso.example" },
	{ "known correspondent's name from another known one",
	    "Contoso <x@github.com>", NULL, 0, NULL },
	{ "a short known name is a common word",
	    "Zeta <x@evil.example>", NULL, 0, NULL },
	{ "listed person from another mailbox of her organisation, unsigned",
	    "Jane Doe via HR <hr@acme.example>", NULL, B(DISPLAY_PERSON),
	    NULL },
};

/* A listed person's name from another mailbox of her own organisation,
 * signed by it (a SaaS sending as her "via" the service, for us): not
 * elsewhere.  Signed by anyone else's domain it still is. */
static void
person_via_service_signed_by_her_organisation(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *from;
		int aligned;
		unsigned want;
	} c[] = {
		{ "From: Jane Doe via HR <hr@acme.example>", 1, 0 },
		{ "From: Jane Doe via HR <hr@acme.example>", 0,
		    B(DISPLAY_PERSON) },
		{ "From: Jane Doe <jane@evil.example>", 1, B(DISPLAY_PERSON) },
		{ "From: Jane Doe <jane.doe@acme.example>", 0, 0 },
	};
	struct ident_envelope env;
	struct ident_signals s;
	struct message *m;
	const char *hdrs[2];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&env, 0, sizeof(env));
		env.spf = AUTH_NONE;
		env.from_aligned = c[i].aligned;
		hdrs[0] = c[i].from;
		hdrs[1] = NULL;
		m = build(hdrs);
		assert_int_equal(ident_check(&f->ctx, m, NULL, &env,
		    m->arena, &s), 0);
		if ((s.flags & DISPLAY) != c[i].want)
			fail_msg("%s aligned %d: signals %#x, want %#x",
			    c[i].from, c[i].aligned, s.flags & DISPLAY,
			    c[i].want);
		message_free(m);
	}
}

static void
display_and_reply_to_table(void **state)
{
	struct fixture *f = *state;
	const char *hdrs[3];
	struct ident_signals s;
	struct message *m;
	size_t i;
	unsigned got, first;

	for (i = 0; i < sizeof(display_cases) / sizeof(display_cases[0]);
	    i++) {
		char from[512], rt[512];

		snprintf(from, sizeof(from), "From: %s", display_cases[i].from);
		hdrs[0] = from;
		hdrs[1] = NULL;
		if (display_cases[i].reply_to != NULL) {
			snprintf(rt, sizeof(rt), "Reply-To: %s",
			    display_cases[i].reply_to);
			hdrs[1] = rt;
		}
		hdrs[2] = NULL;
		m = build(hdrs);
		if (ident_check(&f->ctx, m, NULL, NULL, m->arena, &s) != 0)
			fail_msg("%s: error", display_cases[i].behaviour);
		got = s.flags & (DISPLAY | B(REPLY_TO));
		if (got != display_cases[i].want)
			fail_msg("%s: signals %#x, want %#x (%s)",
			    display_cases[i].behaviour, got,
			    display_cases[i].want,
			    s.detail[__builtin_ctz(got | 0x100)] ?
			    s.detail[__builtin_ctz(got | 0x100)] : "-");
		if (display_cases[i].detail != NULL) {
			first = (unsigned)__builtin_ctz(display_cases[i].want);
			if (s.detail[first] == NULL || strstr(s.detail[first],
			    display_cases[i].detail) == NULL)
				fail_msg("%s: detail [%s]",
				    display_cases[i].behaviour,
				    s.detail[first] ? s.detail[first] : "-");
		}
		message_free(m);
	}
}

static const char *const list_id[] = { "From: a@partner.example",
    "List-Id: Developers <dev.lists.example>", NULL };
static const char *const list_post[] = { "From: a@partner.example",
    "List-Post: <mailto:dev@lists.example>", NULL };
static const char *const sender_other[] = { "From: a@partner.example",
    "Sender: dev-bounces@lists.example", NULL };
static const char *const sender_same[] = { "From: A <a@partner.example>",
    "Sender: a@PARTNER.example", NULL };
static const char *const sender_colleague[] = { "From: a@partner.example",
    "Sender: assistant@partner.example", NULL };
static const char *const resent_from[] = { "From: a@partner.example",
    "Resent-From: helpdesk@acme.example", "Resent-Date: x", NULL };
static const char *const resent_date[] = { "From: a@partner.example",
    "Resent-Date: Mon, 1 Jan 2024 00:00:00 +0000", NULL };
static const char *const plain[] = { "From: a@partner.example",
    "Subject: hi", NULL };
static const char *const two_froms[] = { "From: a@partner.example",
    "From: b@evil.example", "List-Id: <x.lists.example>", NULL };

static const struct {
	const char *behaviour;
	const char *const *hdrs;
	const char *mail_from;
	enum auth_result spf;
	const char *relay;
	unsigned want;
	const char *detail;
} list_cases[] = {
	{ "List-Id", list_id, NULL, AUTH_NONE, NULL, B(LIST),
	    "list-id Developers <dev.lists.example>" },
	{ "List-Post alone", list_post, NULL, AUTH_NONE, NULL, B(LIST),
	    "list-post <mailto:dev@lists.example>" },
	{ "Sender at another organisation", sender_other, NULL, AUTH_NONE,
	    NULL, B(SENDER),
	    "sender dev-bounces@lists.example (another organisation)" },
	{ "Sender equal to From", sender_same, NULL, AUTH_NONE, NULL, 0,
	    NULL },
	{ "Sender a colleague", sender_colleague, NULL, AUTH_NONE, NULL,
	    B(SENDER), "sender assistant@partner.example" },
	{ "Resent-From", resent_from, NULL, AUTH_NONE, NULL, B(RESENT),
	    "Resent-From helpdesk@acme.example" },
	{ "Resent-Date alone", resent_date, NULL, AUTH_NONE, NULL, B(RESENT),
	    "Resent-Date present" },
	{ "forwarder: envelope and relay in one organisation", plain,
	    "<bounce@lists.example>", AUTH_PASS, "mx1.lists.example",
	    B(FORWARDER), "envelope lists.example, spf pass, relay "
	    "mx1.lists.example" },
	{ "forwarder: SRS address", plain,
	    "<SRS0=HHH=TT=partner.example=a@fwd.example>", AUTH_PASS, NULL,
	    B(FORWARDER), "envelope fwd.example, spf pass, srs" },
	{ "no forwarder when SPF did not pass", plain,
	    "<bounce@lists.example>", AUTH_SOFTFAIL, "mx1.lists.example", 0,
	    NULL },
	{ "no forwarder when the envelope is From's organisation", plain,
	    "<bounce@mail.partner.example>", AUTH_PASS, "mx.partner.example",
	    0, NULL },
	{ "no forwarder when the relay is a third party", plain,
	    "<bounce@lists.example>", AUTH_PASS, "smtp.hoster.example", 0,
	    NULL },
	{ "no forwarder without a relay name or SRS", plain,
	    "<bounce@lists.example>", AUTH_PASS, NULL, 0, NULL },
	{ "no forwarder for the null sender", plain, "<>", AUTH_PASS,
	    "mx1.lists.example", 0, NULL },
	{ "nothing on a plain message", plain, NULL, AUTH_NONE, NULL, 0,
	    NULL },
	{ "two From headers: lists still seen", two_froms, NULL, AUTH_NONE,
	    NULL, B(LIST), NULL },
};

static void
lists_and_forwarders_table(void **state)
{
	struct fixture *f = *state;
	struct ident_envelope env;
	struct ident_signals s;
	struct message *m;
	size_t i;
	unsigned got, first;

	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		m = build(list_cases[i].hdrs);
		if (list_cases[i].mail_from != NULL)
			message_set_mail_from(m, list_cases[i].mail_from);
		env.mail_from = NULL;
		env.spf = list_cases[i].spf;
		env.relay_name = list_cases[i].relay;
		if (ident_check(&f->ctx, m, NULL, &env, m->arena, &s) != 0)
			fail_msg("%s: error", list_cases[i].behaviour);
		got = s.flags & ~(DISPLAY | B(REPLY_TO));
		if (got != list_cases[i].want)
			fail_msg("%s: signals %#x, want %#x",
			    list_cases[i].behaviour, got, list_cases[i].want);
		if (list_cases[i].detail != NULL) {
			first = (unsigned)__builtin_ctz(list_cases[i].want);
			if (s.detail[first] == NULL ||
			    strcmp(s.detail[first], list_cases[i].detail))
				fail_msg("%s: detail [%s]",
				    list_cases[i].behaviour,
				    s.detail[first] ? s.detail[first] : "-");
		}
		message_free(m);
	}
}

static void
caller_given_from_and_names(void **state)
{
	struct fixture *f = *state;
	static const char *const hdrs[] = { "From: nobody@acme.example",
	    NULL };
	struct addr_mailbox from = { "PayPal", "x", "evil.example" };
	struct ident_envelope env = { "<b@lists.example>", AUTH_PASS,
	    "mx.lists.example", 0 };
	struct ident_signals s;
	struct message *m = build(hdrs);

	/* the caller's From wins over the header; env's path over the
	 * message's */
	assert_int_equal(ident_check(&f->ctx, m, &from, &env, m->arena, &s),
	    0);
	assert_int_equal(s.flags, B(DISPLAY_BRAND) | B(FORWARDER));
	assert_string_equal(s.from_org, "evil.example");
	assert_string_equal(ident_signal_name(IDENT_DISPLAY_BRAND),
	    "display_brand");
	assert_string_equal(ident_signal_name(IDENT_FORWARDER), "forwarder");
	assert_string_equal(ident_signal_name(IDENT_COUNT), "unknown");
	message_free(m);
}

static void
no_index_no_people_still_works(void **state)
{
	struct fixture *f = *state;
	struct ident_context ctx = { f->psl, NULL, NULL, 0, 0 };
	static const char *const hdrs[] = {
	    "From: \"ceo@partner.example\" PayPal <x@evil.example>",
	    "Reply-To: y@evil2.example", NULL };
	struct ident_signals s;
	struct message *m = build(hdrs);

	assert_int_equal(ident_check(&ctx, m, NULL, NULL, m->arena, &s), 0);
	assert_int_equal(s.flags, B(DISPLAY_ADDRESS) | B(REPLY_TO));
	message_free(m);
}

static void
people_list_rejects_empty_names(void **state)
{
	static const struct ident_person bad[] = { { "--", NULL, 0 } };
	static const struct ident_person none[] = { { NULL, NULL, 0 } };
	char err[128];

	assert_null(ident_people_new(bad, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "person 1"));
	assert_null(ident_people_new(none, 1, err, sizeof(err)));
	ident_people_free(NULL);
}

static void
hostile_headers_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct ident_signals s;
	struct message *m;
	size_t big = 200000, i, o;
	char *v = malloc(big + 64);
	long long t0 = deadline_cpu_ms();

	assert_non_null(v);
	/* a 200 KB display name of encoded-words and address tokens */
	m = message_new(0, 0);
	for (o = 0, i = 0; o + 64 < big; i++)
		o += (size_t)sprintf(v + o, i % 2 ? "=?utf-8?q?Pay=50al?= " :
		    "a%zu@x%zu.example ", i, i);
	strcpy(v + o, "<x@evil.example>");
	memmove(v + 1, v, strlen(v) + 1);
	v[0] = '"';
	o = strcspn(v, "<");
	v[o - 1] = '"';
	assert_int_equal(message_add_header(m, "From", v), 1);
	for (i = 0; i < 50; i++)
		assert_int_equal(message_add_header(m, "Reply-To",
		    "a@paypal.com"), 1);
	assert_int_equal(ident_check(&f->ctx, m, NULL, NULL, m->arena, &s),
	    0);
	assert_true(s.flags & B(DISPLAY_ADDRESS));
	message_free(m);
	/* a display name whose fold grows (m -> rn, U+FDFA -> 18 letters)
	 * is still compared on its start */
	for (i = 0; i < 2; i++) {
		m = message_new(0, 0);
		o = (size_t)sprintf(v, "\"PayPal ");
		while (o < 3000)
			o += (size_t)sprintf(v + o, "%s", i ? "\xef\xb7\xba" :
			    "m");
		strcpy(v + o, "\" <x@evil.example>");
		assert_int_equal(message_add_header(m, "From", v), 1);
		assert_int_equal(ident_check(&f->ctx, m, NULL, NULL, m->arena,
		    &s), 0);
		assert_true(s.flags & B(DISPLAY_BRAND));
		message_free(m);
	}
	/* control bytes in a List-Id stay out of the detail */
	m = message_new(0, 0);
	assert_int_equal(message_add_header(m, "From", "a@b.example"), 1);
	memset(v, 'x', 1000);
	memcpy(v, "<a\r\n\tb\x01>", 9);
	v[1000] = '\0';
	assert_int_equal(message_add_header(m, "List-Id", v), 1);
	assert_int_equal(ident_check(&f->ctx, m, NULL, NULL, m->arena, &s),
	    0);
	assert_true(strlen(s.detail[IDENT_LIST]) <= 100);
	assert_null(strpbrk(s.detail[IDENT_LIST], "\r\n\t\x01"));
	message_free(m);
	/* This thread's CPU time, not the wall clock: a loaded machine
	 * does not move it, and 2 s is many times what it takes, enough
	 * for ASan too, while a quadratic walk would pass it. */
	assert_true(deadline_cpu_ms() - t0 < 2000);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(display_and_reply_to_table),
		cmocka_unit_test(person_via_service_signed_by_her_organisation),
		cmocka_unit_test(lists_and_forwarders_table),
		cmocka_unit_test(caller_given_from_and_names),
		cmocka_unit_test(no_index_no_people_still_works),
		cmocka_unit_test(people_list_rejects_empty_names),
		cmocka_unit_test(hostile_headers_are_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
