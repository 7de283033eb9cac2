/*
 * arena.h - per-message memory arena.
 *
 * Everything derived from one message is allocated from its arena and
 * released at once by arena_free().  Library objects (DKIM handles, GMime
 * objects, spool files) register a cleanup that runs, newest first, before
 * the memory goes.  An arena is used by one thread at a time (the thread
 * running the connection's callbacks); it has no lock.
 */
#ifndef RW_ARENA_H
#define RW_ARENA_H

#include <stddef.h>

struct arena;

/* Returns a new arena, or NULL when out of memory. */
struct arena *arena_new(void);

/* Runs the cleanups, then frees all memory. arena_free(NULL) does nothing. */
void arena_free(struct arena *);

/* Returns arena memory, suitably aligned for any type, or NULL when the
 * request would overflow or memory is exhausted. */
void *arena_alloc(struct arena *, size_t);
void *arena_calloc(struct arena *, size_t nmemb, size_t size);

/* NUL-terminated copies in arena memory; NULL on failure. */
char *arena_strdup(struct arena *, const char *);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_printf(struct arena *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same as arena_printf("%llu", v) and as "%s%s..." of the strings up
 * to the NULL, without printf's cost (hot paths: a Redis lookup builds
 * ~20 such arguments per message). */
char *arena_ull(struct arena *, unsigned long long v);
char *arena_cat(struct arena *, const char *, ...)
    __attribute__((sentinel));

/* Registers fn(arg) to run when the arena is freed; -1 when out of memory
 * (fn is then NOT called: the caller cleans up itself). */
int arena_cleanup(struct arena *, void (*fn)(void *), void *arg);

/* Bytes handed out so far (for limits and the benchmark). */
size_t arena_used(const struct arena *);

#endif
