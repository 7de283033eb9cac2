/*
 * test_mimefast.c - the MIME walk's fast paths (issue 15) keep its
 * answers: the pre-scan (mimescan.c) reads eight bytes at a time for the
 * ':' and '?' it counts and gives up a field name at its first byte that
 * no parsed header has.  Each case sits on the boundary the fast path
 * could get wrong: a counted byte at every place in an eight-byte word,
 * next to the bytes that look like it to the word test (';' and '>'),
 * and names that differ from a parsed one by a single byte.  The base64
 * decoder (b64.c) against GMime's own, which the walk used before, on
 * random input cut into random pieces: the same bytes, and "unclean"
 * exactly when a byte is outside the alphabet, '=', CR, LF, space, tab.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "util/arena.h"
#include "attach/b64.h"
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

/* A small deterministic generator: the same cases on every run. */
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned
next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Input of len bytes: mostly encoded lines; by mode, junk bytes, '=' in
 * odd places, blanks, any byte at all, or junk only after an '='
 * (still unclean: the check reads past the end). */
static void
fill(unsigned char *in, size_t len, unsigned mode)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned r = next(1000);

		if (mode == 3)
			in[i] = (unsigned char)next(256);
		else if (mode == 4 && i > 0 && in[i - 1] == '=')
			in[i] = "=!\x00"[next(3)];
		else if (i % 78 == 76)
			in[i] = '\r';
		else if (i % 78 == 77)
			in[i] = '\n';
		else if (mode == 1 && r < 8)
			in[i] = "\x00!-.:\x7f\x80\xff"[next(8)];
		else if ((mode == 2 && r < 3) || (mode == 4 && r < 2))
			in[i] = '=';
		else if (mode >= 1 && r < 20)
			in[i] = " \t\r\n"[next(4)];
		else
			in[i] = (unsigned char)alphabet[next(64)];
	}
}

static int
clean_ref(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memchr(alphabet, p[i], 64) == NULL &&
		    memchr("=\r\n \t", p[i], 5) == NULL)
			return 0;
	return 1;
}

/* Random inputs in random pieces (1 byte to all of it; a piece may end
 * inside a quartet, on '=' or after it): b64_decode gives GMime's
 * bytes and flags exactly the unclean inputs. */
static void
base64_decodes_as_gmime_does(void **state)
{
	static unsigned char in[5000], want[5000], got[5000 + 8];
	unsigned trial, mode;
	size_t len, off, piece, wn, gn;
	struct b64 b;
	int gstate, unclean;
	guint32 gsave;

	(void)state;
	for (trial = 0; trial < 4000; trial++) {
		mode = trial % 5;
		len = trial < 200 ? trial : next(sizeof(in));
		fill(in, len, mode);
		if (trial % 7 == 0 && len > 2)	/* padding at the end */
			in[len - 1 - next(2)] = '=';
		gstate = 0;
		gsave = 0;
		wn = g_mime_encoding_base64_decode_step(in, len, want, &gstate,
		    &gsave);
		memset(&b, 0, sizeof(b));
		unclean = 0;
		for (off = 0, gn = 0; off < len; off += piece) {
			piece = 1 + next(trial % 3 == 0 ? 6 : 1200);
			if (piece > len - off)
				piece = len - off;
			gn += b64_decode(&b, (const char *)in + off, piece,
			    (char *)got + gn, &unclean);
		}
		if (gn != wn || memcmp(got, want, wn) != 0)
			fail_msg("trial %u (mode %u, %zu bytes): %zu bytes, "
			    "GMime %zu", trial, mode, len, gn, wn);
		if (unclean != !clean_ref(in, len))
			fail_msg("trial %u: unclean %d", trial, unclean);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colon_cap_at_every_alignment_among_lookalikes),
		cmocka_unit_test(only_parsed_names_are_counted),
		cmocka_unit_test(base64_decodes_as_gmime_does),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
