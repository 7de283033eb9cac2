/*
 * fuzz_tnef.c - fuzz target for policy/attach/tnef.c: our walk of the
 * TNEF attribute framing, then libytnef's parse of what it found whole,
 * then the attachments handed back as archive members (a TNEF inside
 * one is walked again, as attscan does).
 *
 * Input: a TNEF stream (any bytes; the seeds are written by
 * tests/attach/mktnef.py), held in a memory spool.
 *
 * Invariants: tnef_walk succeeds; every member has a name and a path
 * under its parent's, at most ARCH_HEAD head bytes, the depth it was
 * walked at, and content (second call) of no more bytes than the byte
 * cap; the members and bytes counters stay within their caps; input
 * without the signature is never opened and yields no member.
 */
#include "util/arena.h"
#include "attach/arch.h"
#include "fuzz.h"
#include "attach/spool.h"
#include "attach/tnef.h"

#define MAX_MEMBERS	64
#define MAX_BYTES	(4ULL << 20)

struct ctx {
	struct arch_state *st;
	unsigned depth;
	const char *path;
	unsigned calls;
};

static int
member_cb(void *arg, const struct arch_member *m)
{
	struct ctx *c = arg, sub;
	struct arch_info info;

	c->calls++;
	FUZZ_CHECK(m->name != NULL && m->path != NULL);
	FUZZ_CHECK(strncmp(m->path, c->path, strlen(c->path)) == 0 ||
	    strstr(m->path, "...") != NULL);
	FUZZ_CHECK(m->depth == c->depth);
	FUZZ_CHECK(m->headlen <= ARCH_HEAD);
	FUZZ_CHECK(m->kind == ARCH_REGULAR);
	if (m->content == NULL)
		return tnef_is(m->head, m->headlen) ? ARCH_EXTRACT : ARCH_SKIP;
	FUZZ_CHECK(spool_size(m->content) <= MAX_BYTES);
	memset(&sub, 0, sizeof(sub));
	sub.st = c->st;
	sub.depth = c->depth + 1;
	sub.path = m->path;
	FUZZ_CHECK(tnef_walk(c->st, m->content, m->path, sub.depth,
	    member_cb, &sub, &info) == 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arch_limits lim;
	struct arch_state st;
	struct arch_info info;
	struct spool *sp;
	struct arena *a;
	struct ctx c;
	char err[256];

	if ((a = arena_new()) == NULL)
		return 0;
	memset(&lim, 0, sizeof(lim));
	lim.max_depth = 4;
	lim.max_members = MAX_MEMBERS;
	lim.max_ratio = 100;
	lim.max_bytes = MAX_BYTES;
	lim.spool_mem = 1 << 20;
	memset(&st, 0, sizeof(st));
	st.lim = &lim;
	st.arena = a;
	memset(&c, 0, sizeof(c));
	c.st = &st;
	c.depth = 1;
	c.path = "winmail.dat";
	if ((sp = spool_new(a, size + 1, NULL)) != NULL &&
	    spool_write(sp, data, size, err, sizeof(err)) == 0) {
		FUZZ_CHECK(tnef_walk(&st, sp, c.path, 1, member_cb, &c,
		    &info) == 0);
		FUZZ_CHECK(st.members <= MAX_MEMBERS);
		FUZZ_CHECK(st.bytes <= MAX_BYTES);
		if (!tnef_is(data, size)) {
			FUZZ_CHECK(!info.opened && c.calls == 0);
			FUZZ_CHECK(info.broken == NULL);
		}
	}
	arena_free(a);
	return 0;
}
