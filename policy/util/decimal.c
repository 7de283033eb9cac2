/*
 * decimal.c - an unsigned number in decimal (see decimal.h).
 *
 * Exports decimal_ull.  No state.
 */
#include "util/decimal.h"

size_t
decimal_ull(char *buf, unsigned long long v)
{
	char tmp[DECIMAL_ULL_MAX];
	size_t k = 0, n;

	do
		tmp[k++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	for (n = 0; n < k; n++)
		buf[n] = tmp[k - 1 - n];
	return k;
}
