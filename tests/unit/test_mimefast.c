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
 * The header fields the walk leaves out of GMime's sight (mimetop.c):
 * which go, and that every flag a field could raise is still raised.
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
#include "attach/mimetop.h"
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
	{ "Sender", 1 },		/* every first letter of parsed[] */
	{ "bcc", 1 },
	{ "Cc", 1 },
	{ "To", 1 },
	{ "date", 1 },
	{ "Subject", 1 },
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

/* --- mimetop.c ------------------------------------------------------ */

struct walked {
	unsigned n;
	char name[4][64], declared[4][64], content[4][64];
	unsigned long long size[4];
};

static int
collect(void *arg, const struct mime_part *mp)
{
	struct walked *w = arg;
	ssize_t r;

	if (w->n < 4) {
		snprintf(w->name[w->n], 64, "%s", mp->name.name ?
		    mp->name.name : "");
		snprintf(w->declared[w->n], 64, "%s", mp->declared);
		w->size[w->n] = mp->size;
		r = spool_pread(mp->content, w->content[w->n], 63, 0);
		w->content[w->n][r > 0 ? r : 0] = '\0';
	}
	w->n++;
	return 0;
}

static void
walk(const char *text, struct walked *w, struct mime_stats *st)
{
	struct mime_limits lim = limits();
	struct arena *a = arena_new();
	struct spool *sp;
	char err[128];

	lim.max_header_length = 16384;
	memset(w, 0, sizeof(*w));
	assert_non_null(sp = spool_new(a, 1 << 20, NULL));
	assert_int_equal(spool_write(sp, text, strlen(text), err,
	    sizeof(err)), 0);
	if (mime_walk(sp, &lim, a, collect, w, st, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	arena_free(a);
}

/* How many bytes of text mimetop leaves out. */
static unsigned long long
left_out(const char *text)
{
	struct mime_limits lim = limits();
	struct mimescan_budget b;
	struct mimescan ms;
	struct spool_hole *h;
	struct arena *a = arena_new();
	struct spool *sp;
	unsigned long long n = 0;
	char err[128];
	size_t nh, i;

	assert_non_null(sp = spool_new(a, 1 << 20, NULL));
	assert_int_equal(spool_write(sp, text, strlen(text), err,
	    sizeof(err)), 0);
	mimescan_budget_init(&b, &lim);
	assert_int_equal(mimescan_prepare(sp, &lim, &b, a, &ms), 0);
	assert_int_equal(mimetop_holes(sp, &ms, NULL, a, &h, &nh), 0);
	for (i = 0; i < nh; i++)
		n += h[i].len;
	arena_free(a);
	return n;
}

#define RCVD	"Received: from a by b; Mon, 3 Jun 2024 10:00:00 +0000\r\n"
#define FOLDED	"X-Folded: one\r\n\ttwo\r\n"
#define TAIL	"Content-Type: text/plain\r\n\r\nhello\r\n"

static const struct top_case {
	const char *what, *text;
	const char *gone;		/* the bytes left out, together */
} tops[] = {
	{ "fields nobody reads go, the last one stays",
	    RCVD FOLDED "X-Last: v\r\n\r\nhello\r\n", RCVD FOLDED },
	{ "leading fields go when a valid field follows",
	    RCVD FOLDED TAIL, RCVD FOLDED },
	{ "Content-*, MIME-Version and once-only fields stay",
	    "MIME-Version: 1.0\r\nIn-Reply-To: <a@b>\r\n"
	    "References: <a@b>\r\nContent-ID: <c@d>\r\n" TAIL, "" },
	{ "From, Subject and the like go (hidden as X... already)",
	    "From: a@b\r\nSubject: hi\r\nMessage-ID: <a@b>\r\n" TAIL,
	    "From: a@b\r\nSubject: hi\r\nMessage-ID: <a@b>\r\n" },
	{ "an encoded word stays", RCVD "Subject: =?utf-8?q?x?=\r\n" TAIL,
	    RCVD },
	{ "an encoded word on a folded line stays",
	    RCVD "X-F: a\r\n =?utf-8?q?x?=\r\n" TAIL, RCVD },
	{ "'=' and '?' apart go",
	    RCVD "X-Q: a=b?c= ?d\r\n" TAIL, RCVD "X-Q: a=b?c= ?d\r\n" },
	{ "8-bit stays", RCVD "X-E: caf\xc3\xa9\r\n" TAIL, RCVD },
	{ "DEL stays", RCVD "X-E: a\x7f\r\n" TAIL, RCVD },
	{ "a control byte stays", RCVD "X-C: a\x01b\r\n" TAIL, RCVD },
	{ "a lone CR stays", RCVD "X-C: a\rb\r\n" TAIL, RCVD },
	{ "a name GMime may judge otherwise stays",
	    "Content-ID: <c@d>\r\n" RCVD "X_U: v\r\nX.D: v\r\n"
	    "X-B :v\r\n" TAIL, RCVD },
	{ "fields before a bad line stay",
	    RCVD FOLDED "bad line\r\n" TAIL, "" },
	{ "after a shown field, fields before a bad line go",
	    "Content-ID: <c@d>\r\n" RCVD "bad line\r\n" TAIL, RCVD },
	{ "a bad first line: fields after it stay until a valid one",
	    "From nobody Mon Jun  3 2024\r\n" RCVD FOLDED TAIL, FOLDED },
	{ "a lone field stays", RCVD "\r\nhello\r\n", "" },
	{ "no blank line: leading fields stay (the last may be cut)",
	    RCVD FOLDED "X-Last: v", "" },
	{ "no blank line: fields after a shown one go",
	    "Content-ID: <c@d>\r\n" RCVD FOLDED "X-Last: v", RCVD FOLDED },
};

/* The fields left out are exactly the expected ones. */
static void
header_fields_left_out(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		if (left_out(tops[i].text) != strlen(tops[i].gone))
			fail_msg("%s: %llu bytes left out, want %zu",
			    tops[i].what, left_out(tops[i].text),
			    strlen(tops[i].gone));
}

/* Every flag a header of the message can raise is raised with fields
 * left out around it, and parts keep their types, names and bytes. */
static void
header_flags_and_parts_survive(void **state)
{
	struct walked w;
	struct mime_stats st;

	(void)state;
	/* A bad encoded word in a field of no interest. */
	walk(RCVD "X-E: =?utf-8?q?a b?=\r\n" RCVD TAIL, &w, &st);
	assert_int_equal(st.bad, MIME_BAD_HEADER);
	/* A repeated once-only field. */
	walk(RCVD "In-Reply-To: <a@b>\r\n" RCVD "In-Reply-To: <c@d>\r\n"
	    RCVD TAIL, &w, &st);
	assert_int_equal(st.bad, MIME_BAD_DUPLICATE);
	assert_string_equal(st.duplicate, "In-Reply-To");
	/* A bad line after leading fields: a bad header, not a broken
	 * message (GMime gives up on a bad first line). */
	walk(RCVD FOLDED "bad line\r\n" TAIL, &w, &st);
	assert_int_equal(st.bad, MIME_BAD_HEADER);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.content[0], "hello\r\n");
	/* Parts after many fields left out: the offsets hold. */
	walk(RCVD RCVD FOLDED "MIME-Version: 1.0\r\n" RCVD
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n" RCVD
	    "\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
	    "--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
	    "--b--\r\n", &w, &st);
	assert_int_equal(st.bad, 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.content[0], "hi");
	assert_string_equal(w.name[1], "r.pdf");
	assert_string_equal(w.declared[1], "application/pdf");
	assert_string_equal(w.content[1], "%PDF-1.4\n");
}

/* Many runs of fields, past MIMETOP_MAX_HOLES and across the stream's
 * reads: the walk still finds the attachment whole. */
static void
many_runs_of_fields(void **state)
{
	size_t cap = 400 * 96 + 512, o = 0;
	char *m = malloc(cap);
	struct walked w;
	struct mime_stats st;
	unsigned i;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < 400; i++)
		o += (size_t)snprintf(m + o, cap - o, "%s", i % 2 ? RCVD :
		    "In-Reply-To: <same@x>\r\n");
	snprintf(m + o, cap - o, "Content-Type: application/octet-stream; "
	    "name=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	    "aGVsbG8gd29ybGQ=\r\n");
	assert_true(left_out(m) > 0);
	walk(m, &w, &st);
	assert_int_equal(st.bad, 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.name[0], "a.bin");
	assert_string_equal(w.content[0], "hello world");
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colon_cap_at_every_alignment_among_lookalikes),
		cmocka_unit_test(only_parsed_names_are_counted),
		cmocka_unit_test(base64_decodes_as_gmime_does),
		cmocka_unit_test(header_fields_left_out),
		cmocka_unit_test(header_flags_and_parts_survive),
		cmocka_unit_test(many_runs_of_fields),
	};

	g_mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
