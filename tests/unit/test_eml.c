/*
 * test_eml.c - reading a message file as an MTA would hand it to the
 * milter: folded headers, LF or CRLF, an mbox "From " line, a missing
 * blank line, a line that ends the headers early, a header over the cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "eml.h"
#include "mail/message.h"
#include "policy.h"

static struct policy *pol;

static int
setup(void **state)
{
	struct config *cfg = config_default();
	char err[256];

	if (cfg == NULL)
		return -1;
	/* No check that needs DNS: this is about reading the file. */
	cfg->spf_enable = 0;
	cfg->dmarc_enable = 0;
	cfg->max_header_length = 2000;
	pol = policy_new(cfg, err, sizeof(err));
	return pol == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	policy_unref(pol);
	return 0;
}

/* Feeds text; returns the scan (caller frees) with its message. */
static struct scan *
feed(const char *text)
{
	struct message *m = message_new(1000, 2000);
	struct scan *s;
	char err[256];
	FILE *fp;

	assert_non_null(m);
	s = policy_scan_new(pol, m);
	assert_non_null(s);
	fp = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(fp);
	assert_int_equal(eml_feed(s, fp, err, sizeof(err)), 0);
	fclose(fp);
	return s;
}

static void
folded_headers_keep_their_bytes(void **state)
{
	struct scan *s = feed("Subject: one\r\n two\r\n\tthree\r\n"
	    "X-Empty:\r\nFrom : a@b.example\r\n\r\nbody\r\n");
	struct message *m = policy_scan_message(s);

	assert_int_equal(m->nheaders, 3);
	assert_string_equal(m->headers[0].name, "Subject");
	assert_string_equal(m->headers[0].value, " one\n two\n\tthree");
	assert_string_equal(m->headers[1].value, "");
	/* Obsolete white space before the colon is not part of the name. */
	assert_string_equal(m->headers[2].name, "From");
	assert_int_equal(m->body_len, 6);
	policy_scan_free(s);
}

static void
lf_only_file_gets_crlf_body(void **state)
{
	struct scan *s = feed("From: a@b.example\n\nline1\nline2\n");
	struct message *m = policy_scan_message(s);

	assert_int_equal(m->nheaders, 1);
	assert_int_equal(m->body_len, strlen("line1\r\nline2\r\n"));
	policy_scan_free(s);
}

static void
mbox_from_line_is_skipped(void **state)
{
	struct scan *s = feed("From someone@x Mon Jan  1 00:00:00 2024\n"
	    "From: a@b.example\n\nx\n");

	assert_int_equal(policy_scan_message(s)->nheaders, 1);
	assert_string_equal(policy_scan_message(s)->headers[0].value,
	    " a@b.example");
	policy_scan_free(s);
}

static void
non_header_line_starts_the_body(void **state)
{
	struct scan *s = feed("From: a@b.example\nthis is not a header\n"
	    "To: c@d.example\n");
	struct message *m = policy_scan_message(s);

	assert_int_equal(m->nheaders, 1);
	assert_int_equal(m->body_len, strlen("this is not a header\r\n"
	    "To: c@d.example\r\n"));
	policy_scan_free(s);
}

static void
headers_only_without_blank_line(void **state)
{
	struct scan *s = feed("From: a@b.example\nSubject: x");
	struct message *m = policy_scan_message(s);

	assert_int_equal(m->nheaders, 2);
	assert_string_equal(m->headers[1].value, " x");
	assert_int_equal(m->body_len, 0);
	policy_scan_free(s);
}

static void
oversized_header_is_dropped_and_flagged(void **state)
{
	char *text = malloc(5000);
	struct scan *s;

	assert_non_null(text);
	strcpy(text, "X-Big: ");
	memset(text + 7, 'a', 4000);
	strcpy(text + 4007, "\nFrom: a@b.example\n\nx\n");
	s = feed(text);
	assert_int_equal(policy_scan_message(s)->nheaders, 1);
	assert_string_equal(policy_scan_message(s)->truncated,
	    "max_header_length");
	policy_scan_free(s);
	free(text);
}

static void
empty_file_is_no_error(void **state)
{
	struct scan *s = feed("");

	assert_int_equal(policy_scan_message(s)->nheaders, 0);
	policy_scan_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folded_headers_keep_their_bytes),
		cmocka_unit_test(lf_only_file_gets_crlf_body),
		cmocka_unit_test(mbox_from_line_is_skipped),
		cmocka_unit_test(non_header_line_starts_the_body),
		cmocka_unit_test(headers_only_without_blank_line),
		cmocka_unit_test(oversized_header_is_dropped_and_flagged),
		cmocka_unit_test(empty_file_is_no_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
