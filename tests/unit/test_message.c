/*
 * test_message.c - the message model: envelope copies, header caps (at the
 * limit and one past it), lookup by name and occurrence; forged trace
 * headers (Authentication-Results with our authserv-id, X-Relaywarden)
 * listed for removal with the MTA's occurrence index whether stored or
 * dropped by a cap, in bounded memory (issue 8 item 2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "mail/message.h"

#define OURS	"mx.ours.example"

static void
envelope_is_copied(void **state)
{
	struct message *m = message_new(0, 0);
	char from[] = "<a@b.example>";

	assert_non_null(m);
	assert_int_equal(message_set_mail_from(m, from), 0);
	from[1] = 'X';
	assert_string_equal(m->mail_from, "<a@b.example>");
	assert_int_equal(message_set_client(m, "192.0.2.1", NULL), 0);
	assert_null(m->client_name);
	assert_int_equal(message_add_rcpt(m, "<r1@x.example>"), 0);
	assert_int_equal(message_add_rcpt(m, "<r2@x.example>"), 0);
	assert_int_equal(m->nrcpts, 2);
	assert_string_equal(m->rcpts[1], "<r2@x.example>");
	message_free(m);
	message_free(NULL);
}

static void
header_count_cap_at_and_past_limit(void **state)
{
	struct message *m = message_new(3, 0);
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(message_add_header(m, "X-A", " v"), 1);
	assert_null(m->truncated);
	assert_int_equal(message_add_header(m, "X-A", " v"), 0);
	assert_string_equal(m->truncated, "max_headers");
	assert_int_equal(m->nheaders, 3);
	message_free(m);
}

static void
header_length_cap_at_and_past_limit(void **state)
{
	struct message *m = message_new(0, 10);

	/* name + ':' + value: 3 + 1 + 6 = 10 is at the limit. */
	assert_int_equal(message_add_header(m, "Abc", " 12345"), 1);
	assert_int_equal(message_add_header(m, "Abc", " 123456"), 0);
	assert_string_equal(m->truncated, "max_header_length");
	message_free(m);
}

static void
headers_found_by_name_and_index(void **state)
{
	struct message *m = message_new(0, 0);
	int i;

	/* Enough headers to make the array grow several times. */
	for (i = 0; i < 100; i++)
		assert_int_equal(message_add_header(m, i % 2 ? "Received" :
		    "X-Other", i == 99 ? " last" : " x"), 1);
	assert_int_equal(message_add_header(m, "From", " a@b.example"), 1);
	assert_string_equal(message_header(m, "from", 0)->value,
	    " a@b.example");
	assert_null(message_header(m, "From", 1));
	assert_string_equal(message_header(m, "RECEIVED", 49)->value,
	    " last");
	assert_null(message_header(m, "Received", 50));
	message_free(m);
}


/* A header list, the caps, and the removals expected (name's first
 * letter 'A' or 'X', occurrence, 1 when the header was stored). */
struct trace_case {
	const char *behaviour;
	unsigned max_headers, max_header_length;
	const char *hdrs[12][2];
	struct {
		char kind;
		unsigned occ;
		int stored;
	} want[6];
	unsigned long lost;
};

#define AR	"Authentication-Results"
#define FORGED	" " OURS "; dkim=pass header.d=bank.example"
#define UPSTREAM " mx.upstream.example; spf=pass smtp.mailfrom=a@b.example;" \
	" dkim=pass header.d=b.example header.s=s1 header.b=AbCdEfGhIjKl"

static const struct trace_case trace_cases[] = {
	{ "forged A-R past max_headers is still removed", 3, 0,
	    { { "Received", " x" }, { AR, UPSTREAM }, { "From", " a@b" },
	    { AR, FORGED } },
	    { { 'A', 2, 0 } }, 0 },
	{ "X-Relaywarden past max_headers is still removed", 2, 0,
	    { { "X-A", " 1" }, { "X-Relaywarden", " action=accept" },
	    { "X-B", " 2" }, { "x-relaywarden", " action=accept" } },
	    { { 'X', 1, 1 }, { 'X', 2, 0 } }, 0 },
	{ "a long upstream A-R dropped by max_header_length still counts: "
	    "the forged one is #2, not #1", 0, 80,
	    { { AR, UPSTREAM }, { AR, FORGED } },
	    { { 'A', 2, 1 } }, 0 },
	{ "a forged A-R too long to store is judged on its whole value",
	    0, 40,
	    { { AR, FORGED }, { AR, " other.example; none" } },
	    { { 'A', 1, 0 } }, 0 },
	{ "names are counted case-insensitively", 0, 0,
	    { { "authentication-results", UPSTREAM },
	    { "AUTHENTICATION-RESULTS", FORGED } },
	    { { 'A', 2, 1 } }, 0 },
	{ "removals past max_headers are counted, not listed", 2, 0,
	    { { AR, FORGED }, { AR, FORGED }, { AR, UPSTREAM },
	    { AR, FORGED }, { "X-Relaywarden", " x" } },
	    { { 'A', 1, 1 }, { 'A', 2, 1 } }, 2 },
	{ "a foreign A-R and ordinary headers: nothing to remove", 1, 0,
	    { { AR, UPSTREAM }, { AR, " other.example; none" },
	    { "Subject", " hi" } },
	    { { 0, 0, 0 } }, 0 },
};

static void
trace_headers_table(void **state)
{
	size_t i, j, n;

	for (i = 0; i < sizeof(trace_cases) / sizeof(trace_cases[0]); i++) {
		const struct trace_case *c = &trace_cases[i];
		struct message *m = message_new(c->max_headers,
		    c->max_header_length);

		assert_non_null(m);
		m->authserv_id = OURS;
		for (j = 0; j < 12 && c->hdrs[j][0] != NULL; j++)
			assert_int_not_equal(message_add_header(m,
			    c->hdrs[j][0], c->hdrs[j][1]), -1);
		for (n = 0; n < 6 && c->want[n].kind != 0; n++)
			;
		if (m->nremovals != n || m->removals_lost != c->lost)
			fail_msg("%s: %zu removals, %lu lost", c->behaviour,
			    m->nremovals, m->removals_lost);
		for (j = 0; j < n; j++) {
			const struct removal *r = &m->removals[j];

			if (r->name[0] != c->want[j].kind &&
			    r->name[0] != c->want[j].kind + 32)
				fail_msg("%s: #%zu is %s", c->behaviour, j,
				    r->name);
			if (r->occurrence != c->want[j].occ ||
			    (r->value != NULL) != c->want[j].stored)
				fail_msg("%s: #%zu occurrence %u stored %d",
				    c->behaviour, j, r->occurrence,
				    r->value != NULL);
		}
		message_free(m);
	}
}

/* A million headers past the cap cost counters, not memory: forged ones
 * too (one record each up to max_headers, then a count). */
static void
header_flood_memory_is_bounded(void **state)
{
	struct message *m = message_new(1000, 998);
	size_t used;
	long i;

	assert_non_null(m);
	m->authserv_id = OURS;
	for (i = 0; i < 1000; i++)
		assert_int_equal(message_add_header(m, "X-F", " v"), 1);
	used = arena_used(m->arena);
	for (i = 0; i < 1000000; i++)
		assert_int_equal(message_add_header(m, "X-F", " v"), 0);
	assert_true(arena_used(m->arena) == used);
	for (i = 0; i < 1000000; i++)
		assert_int_equal(message_add_header(m, AR, FORGED), 0);
	assert_int_equal(m->nremovals, 1000);
	assert_int_equal(m->removals_lost, 1000000 - 1000);
	assert_int_equal(m->n_authres, 1000000);
	assert_true(arena_used(m->arena) < used + 1000 * 64);
	message_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(envelope_is_copied),
		cmocka_unit_test(header_count_cap_at_and_past_limit),
		cmocka_unit_test(header_length_cap_at_and_past_limit),
		cmocka_unit_test(headers_found_by_name_and_index),
		cmocka_unit_test(trace_headers_table),
		cmocka_unit_test(header_flood_memory_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
