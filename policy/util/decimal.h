/*
 * decimal.h - an unsigned number in decimal without printf (hot paths:
 * the Redis lookup writes some 40 numbers and lengths per message).
 */
#ifndef RW_DECIMAL_H
#define RW_DECIMAL_H

#include <stddef.h>

#define DECIMAL_ULL_MAX	20	/* digits of the largest unsigned long long */

/* v in decimal at buf (at least DECIMAL_ULL_MAX bytes), no NUL; the
 * number of digits written. */
size_t decimal_ull(char *buf, unsigned long long v);

#endif
