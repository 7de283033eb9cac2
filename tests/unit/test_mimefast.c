/*
 * test_mimefast.c - the MIME walk's fast paths (issue 15) keep its
 * answers: the pre-scan (mimescan.c) reads eight bytes at a time for the
 * ':' and '?' it counts and gives up a field name at its first byte that
 * no parsed header has.  Each case sits on the boundary the fast path
 * could get wrong: a counted byte at every place in an eight-byte word,
 * next to the bytes that look like it to the word test (';' and '>'),
 * and names that differ from a parsed one by a single byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "attach/mime.h"
#include "attach/mimescan.h"
#include "attach/spool.h"

static struct mime_limits
limits(void)
{
	struct mime_limits l;

	memset(&l, 0, sizeof(l));
	l.max_depth = 20;
	l.max_parts = 100;
	l.max_header_length = 1 << 20;
	l.max_line = 1 << 20;
	l.max_decoded = 1 << 24;
	l.spool_mem = 1 << 20;
	return l;
}

/* The pre-scan of text: its limits, and whether it hid the field that
 * starts at hidden (a patch 'X' there). */
static unsigned
prescan(const char *text, unsigned long long hidden, int *was_hidden)
{
	struct mime_limits lim = limits();
	struct mimescan_budget b;
	struct mimescan ms;
	struct arena *a = arena_new();
	struct spool *sp;
	char err[128];
	unsigned r;
	size_t i;

	assert_non_null(a);
	assert_non_null(sp = spool_new(a, 1 << 20, NULL));
	assert_int_equal(spool_write(sp, text, strlen(text), err,
	    sizeof(err)), 0);
	mimescan_budget_init(&b, &lim);
	assert_int_equal(mimescan_prepare(sp, &lim, &b, a, &ms), 0);
	*was_hidden = 0;
	for (i = 0; i < ms.npatch; i++)
		if (ms.patch[i].off == hidden && ms.patch[i].byte == 'X')
			*was_hidden = 1;
	r = ms.limits;
	arena_free(a);
	return r;
}

#define OUTER	"Content-Type: message/rfc822\r\n\r\n"

/* A message part whose field name is given, holding colons colons in
 * all (its own included) after shift bytes of padding; with lookalikes,
 * each colon is between a ';' and a '>' so that every word the fast test
 * reads holds look-alikes, else between letters. */
static char *
field_as(const char *name, unsigned colons, unsigned shift, int lookalikes)
{
	size_t cap = strlen(name) + 4 * (size_t)colons + 128, o;
	char *s = malloc(cap);
	unsigned i;

	assert_non_null(s);
	o = (size_t)snprintf(s, cap, OUTER "%s: ", name);
	for (i = 0; i < shift; i++)
		s[o++] = !lookalikes ? 'p' : i % 2 ? ';' : '>';
	for (i = 1; i < colons; i++) {
		memcpy(s + o, lookalikes ? ";:>" : "a:b", 3);
		o += 3;
	}
	snprintf(s + o, cap - o, "x\r\n\r\nbody\r\n");
	return s;
}

static char *
field(const char *name, unsigned colons, unsigned shift)
{
	return field_as(name, colons, shift, 1);
}

/* MIMESCAN_COLONS colons in a parsed header of a message part pass; one
 * more hides it and caps the walk: for a counted byte at each of the 16
 * places of two words, alone and among look-alikes. */
static void
colon_cap_at_every_alignment_among_lookalikes(void **state)
{
	unsigned shift, r;
	int hidden, look;
	char *m;

	(void)state;
	for (look = 0; look < 2; look++)
		for (shift = 0; shift < 16; shift++) {
			m = field_as("From", MIMESCAN_COLONS, shift, look);
			r = prescan(m, strlen(OUTER), &hidden);
			if (r != 0 || hidden)
				fail_msg("shift %u/%d, at the cap: limits %#x "
				    "hidden %d", shift, look, r, hidden);
			free(m);
			m = field_as("From", MIMESCAN_COLONS + 1, shift, look);
			r = prescan(m, strlen(OUTER), &hidden);
			if (r != MIME_LIMIT_HEADER || !hidden)
				fail_msg("shift %u/%d, past the cap: limits "
				    "%#x hidden %d", shift, look, r, hidden);
			free(m);
		}
}

static const struct name_case {
	const char *name;
	int parsed;			/* one GMime parses (mimescan.c) */
} names[] = {
	{ "From", 1 },
	{ "FROM", 1 },
	{ "From ", 1 },			/* blanks before the colon */
	{ "From\t ", 1 },
	{ "Message-ID", 1 },
	{ "reply-to", 1 },
	{ "Fr0m", 0 },			/* a digit */
	{ "From1", 0 },
	{ "Fr om", 0 },			/* a blank inside */
	{ " From", 0 },			/* a continuation */
	{ "From_", 0 },
	{ "Message-ID2", 0 },
	{ "X-From", 0 },
	{ "Resent-From", 0 },
	{ "F\xc3\xb6rom", 0 },		/* 8-bit */
	{ "Fro\x7fm", 0 },
};

/* Only the parsed headers are counted: a name one byte away from one is
 * not, however many colons it holds. */
static void
only_parsed_names_are_counted(void **state)
{
	size_t i;
	unsigned r;
	int hidden;
	char *m;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		m = field(names[i].name, MIMESCAN_COLONS + 1, 3);
		r = prescan(m, strlen(OUTER), &hidden);
		if ((r == MIME_LIMIT_HEADER) != names[i].parsed ||
		    hidden != names[i].parsed)
			fail_msg("\"%s\": limits %#x hidden %d", names[i].name,
			    r, hidden);
		free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colon_cap_at_every_alignment_among_lookalikes),
		cmocka_unit_test(only_parsed_names_are_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
