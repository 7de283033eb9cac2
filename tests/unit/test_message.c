/*
 * test_message.c - the message model: envelope copies, header caps (at the
 * limit and one past it), lookup by name and occurrence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "message.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(envelope_is_copied),
		cmocka_unit_test(header_count_cap_at_and_past_limit),
		cmocka_unit_test(header_length_cap_at_and_past_limit),
		cmocka_unit_test(headers_found_by_name_and_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
