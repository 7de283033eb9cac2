/*
 * test_resp.c - the Redis commands relaywarden formats itself
 * (stateio_format, issue 15) are byte for byte what hiredis's
 * redisFormatCommandArgv makes: random argument vectors (empty, binary
 * with CR, LF and NUL, long, none at all), with lengths and as strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hiredis/hiredis.h>

#include "state/stateio.h"

#define MAXARGS	80

static unsigned long long seed = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

/* One vector both ways; strings: every argument NUL-free and argvlen
 * NULL. */
static void
compare(int argc, const char **argv, const size_t *argvlen)
{
	char *ours, *theirs;
	size_t len;
	int tlen;

	ours = stateio_format(argc, argv, argvlen, &len);
	assert_non_null(ours);
	tlen = redisFormatCommandArgv(&theirs, argc, argv, argvlen);
	assert_true(tlen >= 0);
	assert_int_equal(len, (size_t)tlen);
	assert_memory_equal(ours, theirs, len);
	free(ours);
	redisFreeCommand(theirs);
}

static void
random_vectors_match_hiredis(void **state)
{
	static char store[MAXARGS][4096];
	const char *argv[MAXARGS];
	size_t argvlen[MAXARGS];
	int round, argc, i, strings;
	size_t j;

	(void)state;
	for (round = 0; round < 3000; round++) {
		argc = (int)rnd(MAXARGS + 1);
		strings = round % 2;
		for (i = 0; i < argc; i++) {
			argvlen[i] = rnd(8) == 0 ? rnd(4096) : rnd(40);
			if (strings && argvlen[i] == 4096)
				argvlen[i]--;
			for (j = 0; j < argvlen[i]; j++)
				store[i][j] = strings ? (char)('a' + rnd(26)) :
				    rnd(2) ? "\r\n\0 $*9"[rnd(7)] :
				    (char)rnd(256);
			if (strings)
				store[i][argvlen[i]] = '\0';
			argv[i] = store[i];
		}
		compare(argc, argv, strings ? NULL : argvlen);
	}
}

/* The lookup's own shape: EVALSHA, the SHA, a key count, numbers. */
static void
lookup_shape_matches_hiredis(void **state)
{
	const char *argv[] = { "EVALSHA",
	    "0123456789abcdef0123456789abcdef01234567", "5", "rw:{a.example}",
	    "rw:known", "", "1733590000", "10000000000", "0" };

	(void)state;
	compare((int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
	compare(0, argv, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_vectors_match_hiredis),
		cmocka_unit_test(lookup_shape_matches_hiredis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
