/*
 * hash.c - FNV-1a (see hash.h).
 */
#include "util/hash.h"

unsigned
hash_fnv_str(unsigned h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

unsigned
hash_fnv_bytes(unsigned h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * 16777619u;
	return h;
}
