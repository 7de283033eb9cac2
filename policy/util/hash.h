/*
 * hash.h - FNV-1a over bytes, for the small in-memory tables (the DNS
 * answer cache, the link records, the DKIM key cache).  Not for anything an attacker could
 * aim collisions at to exhaust memory: each table bounds itself.
 */
#ifndef RW_HASH_H
#define RW_HASH_H

#include <stddef.h>

#define HASH_FNV_SEED	2166136261u

/* h continued over the NUL-terminated s. */
unsigned hash_fnv_str(unsigned h, const char *s);
/* h continued over n bytes at p. */
unsigned hash_fnv_bytes(unsigned h, const void *p, size_t n);

#endif
