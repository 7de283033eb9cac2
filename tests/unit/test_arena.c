/*
 * test_arena.c - the per-message arena: alignment, growth, big blocks,
 * overflow refusal, cleanups newest first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"

static void
allocations_are_aligned_and_distinct(void **state)
{
	struct arena *a = arena_new();
	char *p[100];
	int i;

	assert_non_null(a);
	for (i = 0; i < 100; i++) {
		p[i] = arena_alloc(a, (size_t)i * 7 + 1);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
		memset(p[i], i, (size_t)i * 7 + 1);
	}
	for (i = 0; i < 100; i++)
		assert_int_equal((unsigned char)p[i][i * 7], i);
	arena_free(a);
}

static void
big_request_gets_its_own_block(void **state)
{
	struct arena *a = arena_new();
	char *small, *big, *after;

	small = arena_alloc(a, 16);
	big = arena_alloc(a, 1 << 20);
	after = arena_alloc(a, 16);
	assert_non_null(small);
	assert_non_null(big);
	assert_non_null(after);
	memset(big, 0xab, 1 << 20);
	/* The small block's free space is still used after a big one. */
	assert_ptr_equal(after, small + (16 > _Alignof(max_align_t) ? 16 :
	    _Alignof(max_align_t)));
	assert_true(arena_used(a) >= (1 << 20) + 32);
	arena_free(a);
}

static void
overflowing_requests_are_refused(void **state)
{
	struct arena *a = arena_new();

	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 3));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 3));
	assert_non_null(arena_calloc(a, 0, 5));
	arena_free(a);
}

static void
strings_and_printf_copy(void **state)
{
	struct arena *a = arena_new();
	char big[1000];

	assert_string_equal(arena_strdup(a, "abc"), "abc");
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(arena_printf(a, "%s=%d", "x", 42), "x=42");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_string_equal(arena_printf(a, "<%s>", big) + 1 + 998, "q>");
	arena_free(a);
}

static int order[3], norder;

static void
record(void *arg)
{
	order[norder++] = *(int *)arg;
}

static void
cleanups_run_newest_first(void **state)
{
	static int one = 1, two = 2, three = 3;
	struct arena *a = arena_new();

	norder = 0;
	assert_int_equal(arena_cleanup(a, record, &one), 0);
	assert_int_equal(arena_cleanup(a, record, &two), 0);
	assert_int_equal(arena_cleanup(a, record, &three), 0);
	arena_free(a);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[2], 1);
	arena_free(NULL);
}

/* arena_ull and arena_cat write what arena_printf would. */
static void
numbers_and_joins_match_printf(void **state)
{
	static const unsigned long long v[] = { 0, 1, 9, 10, 99, 4294967295ULL,
	    4294967296ULL, 18446744073709551615ULL };
	struct arena *a = arena_new();
	char *big, *p;
	size_t i;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_string_equal(arena_ull(a, v[i]),
		    arena_printf(a, "%llu", v[i]));
	for (i = 0; i < 100000; i += 997)
		assert_string_equal(arena_ull(a, i * 7919ULL),
		    arena_printf(a, "%llu", i * 7919ULL));
	assert_string_equal(arena_cat(a, "rw:", "{", "a.example", "}", NULL),
	    "rw:{a.example}");
	assert_string_equal(arena_cat(a, "", NULL), "");
	assert_string_equal(arena_cat(a, "x", "", "y", NULL), "xy");
	big = arena_alloc(a, 5001);
	assert_non_null(big);
	memset(big, 'b', 5000);
	big[5000] = '\0';
	p = arena_cat(a, "<", big, ">", NULL);
	assert_int_equal(strlen(p), 5002);
	assert_int_equal(p[0], '<');
	assert_int_equal(p[5001], '>');
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allocations_are_aligned_and_distinct),
		cmocka_unit_test(big_request_gets_its_own_block),
		cmocka_unit_test(overflowing_requests_are_refused),
		cmocka_unit_test(strings_and_printf_copy),
		cmocka_unit_test(numbers_and_joins_match_printf),
		cmocka_unit_test(cleanups_run_newest_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
