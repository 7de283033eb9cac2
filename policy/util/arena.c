/*
 * arena.c - per-message bump allocator with cleanups.
 *
 * Exports arena_*.  Owns its blocks and the cleanup list.  Thread rule: one
 * thread at a time (the arena belongs to one message).  Blocks grow from 4
 * KB; a request larger than a block gets a block of its own.  Size
 * arithmetic is checked before it can wrap.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/decimal.h"

#define ARENA_BLOCK	4096
#define ARENA_ALIGN	(_Alignof(max_align_t))

struct block {
	struct block *next;
	size_t size, used;
	max_align_t data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *arg;
};

struct arena {
	struct block *blocks;
	struct cleanup *cleanups;
	size_t total;
};

struct arena *
arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	struct cleanup *c;
	struct block *b;

	if (a == NULL)
		return;
	/* Newest first: a later object may depend on an earlier one. */
	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->arg);
		free(c);
	}
	while ((b = a->blocks) != NULL) {
		a->blocks = b->next;
		free(b);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b;
	size_t need, bsize;
	void *p;

	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	b = a->blocks;
	if (b == NULL || b->size - b->used < need) {
		bsize = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		if (bsize > SIZE_MAX - sizeof(struct block))
			return NULL;
		if ((b = malloc(sizeof(struct block) + bsize)) == NULL)
			return NULL;
		b->size = bsize;
		b->used = 0;
		/* A big one-off block goes behind the current one so the
		 * current block's free space is not lost. */
		if (need > ARENA_BLOCK && a->blocks != NULL) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if ((p = arena_alloc(a, nmemb * size)) != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || (p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char small[256], *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(small))
		return arena_strndup(a, small, (size_t)n);
	if ((p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char *
arena_ull(struct arena *a, unsigned long long v)
{
	char buf[DECIMAL_ULL_MAX];

	return arena_strndup(a, buf, decimal_ull(buf, v));
}

char *
arena_cat(struct arena *a, const char *first, ...)
{
	const char *s;
	size_t n = 0, k;
	va_list ap;
	char *out, *p;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		if ((k = strlen(s)) > SIZE_MAX - 1 - n) {
			va_end(ap);
			return NULL;
		}
		n += k;
	}
	va_end(ap);
	if ((out = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	p = out;
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		k = strlen(s);
		memcpy(p, s, k);
		p += k;
	}
	va_end(ap);
	*p = '\0';
	return out;
}

int
arena_cleanup(struct arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup *c;

	/* Cleanup records come from malloc, not the arena, so that the
	 * arena's own blocks are freed only after every cleanup ran. */
	if ((c = malloc(sizeof(*c))) == NULL)
		return -1;
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
