/*
 * test_utf8.c - utf8_seq_len, the one UTF-8 validator that hdrout.c,
 * report.c, statekey.c and fname.c share (issue 9 item 6: they had one
 * copy each): every boundary of RFC 3629's table of well-formed
 * sequences, at the limit and one past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/utf8.h"

static const struct {
	const char *behaviour;
	const char *bytes;
	size_t n;			/* bytes left */
	size_t want;
} cases[] = {
	{ "ASCII is one byte", "a", 1, 1 },
	{ "a control is one byte (callers decide)", "\x01", 1, 1 },
	{ "a stray continuation byte is not one", "\x80", 1, 0 },
	{ "C0 and C1 leads are overlong", "\xc1\xbf", 2, 0 },
	{ "lowest two-byte", "\xc2\x80", 2, 2 },
	{ "highest two-byte", "\xdf\xbf", 2, 2 },
	{ "two-byte without its continuation", "\xc2\x41", 2, 0 },
	{ "two-byte cut short", "\xc2", 1, 0 },
	{ "overlong three-byte", "\xe0\x9f\xbf", 3, 0 },
	{ "lowest three-byte", "\xe0\xa0\x80", 3, 3 },
	{ "last before the surrogates", "\xed\x9f\xbf", 3, 3 },
	{ "a surrogate", "\xed\xa0\x80", 3, 0 },
	{ "highest three-byte", "\xef\xbf\xbf", 3, 3 },
	{ "three-byte cut short", "\xe2\x82", 2, 0 },
	{ "three-byte, bad last byte", "\xe2\x82\x41", 3, 0 },
	{ "overlong four-byte", "\xf0\x8f\xbf\xbf", 4, 0 },
	{ "lowest four-byte", "\xf0\x90\x80\x80", 4, 4 },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 4 },
	{ "past U+10FFFF", "\xf4\x90\x80\x80", 4, 0 },
	{ "F5 and up never lead", "\xf5\x80\x80\x80", 4, 0 },
	{ "FF never leads", "\xff", 1, 0 },
	{ "four-byte cut short", "\xf0\x90\x80", 3, 0 },
};

static void
sequence_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].behaviour);
		assert_int_equal(utf8_seq_len((const unsigned char *)
		    cases[i].bytes, cases[i].n), cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sequence_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
