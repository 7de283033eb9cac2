/*
 * test_mime.c - the MIME walk: every file name encoding (RFC 2231
 * charsets and continuations, RFC 2047 words in quotes, raw 8-bit),
 * message/rfc822 depth, uuencoded blocks, each cap at the limit and one
 * past it (depth, parts, header length, line length, decoded bytes,
 * boundary lines), the deadline, and malformed input flagged; messages
 * inside messages in every form a reader opens (issue 8 item 4), and
 * the nested-groups From that overflowed GMime's stack (item 1).
 * Messages are built here as text; uuencode is computed by uu() below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "attach/mime.h"
#include "attach/mimescan.h"
#include "attach/spool.h"
#include "msgfix.h"

#define MAXP	8

struct seen {
	unsigned n;
	struct {
		char name[256], alt[256], declared[128];
		unsigned depth, flags;
		int attachment, uuencoded, truncated;
		unsigned long long size;
		char content[64];
	} p[MAXP];
};

static int
collect(void *arg, const struct mime_part *mp)
{
	struct seen *s = arg;
	ssize_t n;

	if (s->n < MAXP) {
		snprintf(s->p[s->n].name, sizeof(s->p[0].name), "%s",
		    mp->name.name ? mp->name.name : "");
		snprintf(s->p[s->n].alt, sizeof(s->p[0].alt), "%s",
		    mp->alt.name ? mp->alt.name : "");
		snprintf(s->p[s->n].declared, sizeof(s->p[0].declared), "%s",
		    mp->declared);
		s->p[s->n].depth = mp->depth;
		s->p[s->n].flags = mp->name.flags;
		s->p[s->n].attachment = mp->attachment;
		s->p[s->n].uuencoded = mp->uuencoded;
		s->p[s->n].truncated = mp->truncated;
		s->p[s->n].size = mp->size;
		n = spool_pread(mp->content, s->p[s->n].content,
		    sizeof(s->p[0].content) - 1, 0);
		s->p[s->n].content[n > 0 ? n : 0] = '\0';
	}
	s->n++;
	return 0;
}

static struct mime_limits
limits(void)
{
	struct mime_limits l;

	memset(&l, 0, sizeof(l));
	l.max_depth = 20;
	l.max_parts = 100;
	l.max_header_length = 16384;
	l.max_line = 1 << 20;
	l.max_decoded = 1 << 24;
	l.spool_mem = 4096;
	return l;
}

/* Walks text with lim; fills *seen and *st. */
static void
walk(const char *text, size_t len, const struct mime_limits *lim,
    struct seen *seen, struct mime_stats *st)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 1 << 20, NULL);
	char err[256];

	memset(seen, 0, sizeof(*seen));
	assert_int_equal(spool_write(sp, text, len, err, sizeof(err)), 0);
	if (mime_walk(sp, lim, a, collect, seen, st, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	arena_free(a);
}

static void
walk_str(const char *text, const struct mime_limits *lim,
    struct seen *seen, struct mime_stats *st)
{
	walk(text, strlen(text), lim, seen, st);
}

#define HEAD	"From: a@example.net\r\nMIME-Version: 1.0\r\n"
#define MIXED	"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"

static const struct name_case {
	const char *what;
	const char *headers;		/* of the attachment part */
	const char *name, *alt;
} names[] = {
	{ "plain quoted filename",
	    "Content-Disposition: attachment; filename=\"a.pdf\"",
	    "a.pdf", "" },
	{ "RFC 2231 UTF-8 percent-encoded",
	    "Content-Disposition: attachment; "
	    "filename*=utf-8''%E2%82%AC%20rate.pdf",
	    "\xe2\x82\xac rate.pdf", "" },
	{ "RFC 2231 with a language",
	    "Content-Disposition: attachment; "
	    "filename*=utf-8'en'a%20b.txt", "a b.txt", "" },
	{ "RFC 2231 ISO-8859-1",
	    "Content-Disposition: attachment; "
	    "filename*=iso-8859-1''r%E9sum%E9.pdf",
	    "r\xc3\xa9sum\xc3\xa9.pdf", "" },
	{ "RFC 2231 continuations, plain",
	    "Content-Disposition: attachment; filename*0=\"in\";\r\n"
	    " filename*1=\"voice.exe\"", "invoice.exe", "" },
	{ "RFC 2231 continuations, encoded and out of order",
	    "Content-Disposition: attachment;\r\n"
	    " filename*1*=%2Eexe; filename*0*=utf-8''evil",
	    "evil.exe", "" },
	{ "RFC 2047 B word in quotes",
	    "Content-Disposition: attachment; "
	    "filename=\"=?utf-8?B?cmVjaG51bmcuZXhl?=\"",
	    "rechnung.exe", "" },
	{ "RFC 2047 Q word in ISO-8859-1",
	    "Content-Disposition: attachment; "
	    "filename=\"=?iso-8859-1?Q?r=E9sum=E9.scr?=\"",
	    "r\xc3\xa9sum\xc3\xa9.scr", "" },
	{ "RFC 2047 split over two words",
	    "Content-Disposition: attachment; "
	    "filename=\"=?utf-8?Q?in?= =?utf-8?Q?voice.js?=\"",
	    "invoice.js", "" },
	{ "raw UTF-8 in quotes",
	    "Content-Disposition: attachment; filename=\"\xc3\x9c" "ber.pdf\"",
	    "\xc3\x9c" "ber.pdf", "" },
	{ "raw ISO-8859-1 in quotes (GMime's fallback charsets)",
	    "Content-Disposition: attachment; filename=\"r\xe9sum\xe9.pdf\"",
	    "r\xc3\xa9sum\xc3\xa9.pdf", "" },
	{ "two apostrophes that name no charset",
	    "Content-Disposition: attachment; filename=\"it''s.txt\"",
	    "it''s.txt", "" },
	{ "Content-Type name only",
	    "Content-Type: application/octet-stream; name=\"run.vbs\"",
	    "run.vbs", "" },
	{ "disposition and type names differ",
	    "Content-Type: application/pdf; name=\"x.exe\"\r\n"
	    "Content-Disposition: attachment; filename=\"x.pdf\"",
	    "x.pdf", "x.exe" },
	{ "unquoted name with a space (loose)",
	    "Content-Disposition: attachment; filename=a b.exe",
	    "a b.exe", "" },
	{ "right-to-left override survives decoding",
	    "Content-Disposition: attachment; "
	    "filename*=utf-8''a%E2%80%AEfdp.exe", "afdp.exe", "" },
};

static void
every_name_encoding_is_decoded(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char msg[2048];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(msg, sizeof(msg), HEAD MIXED "--b\r\n"
		    "Content-Type: text/plain\r\n\r\nhi\r\n--b\r\n%s\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
		    "--b--\r\n", names[i].headers);
		walk_str(msg, &lim, &seen, &st);
		if (seen.n != 2 || strcmp(seen.p[1].name, names[i].name) != 0 ||
		    strcmp(seen.p[1].alt, names[i].alt) != 0)
			fail_msg("%s: %u parts, name \"%s\" alt \"%s\"",
			    names[i].what, seen.n, seen.p[1].name,
			    seen.p[1].alt);
		assert_int_equal(seen.p[1].attachment, 1);
		assert_string_equal(seen.p[1].content, "hello");
	}
}

static void
rfc822_parts_are_walked_one_level_deeper(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;

	walk_str(HEAD MIXED "--b\r\nContent-Type: text/plain\r\n\r\nfwd\r\n"
	    "--b\r\nContent-Type: message/rfc822\r\n\r\n"
	    "From: c@example.net\r\nSubject: in\r\n"
	    "Content-Type: multipart/mixed; boundary=\"c\"\r\n\r\n"
	    "--c\r\nContent-Type: application/pdf; name=\"in.pdf\"\r\n\r\n"
	    "%PDF-1.4\r\n--c--\r\n--b--\r\n", &lim, &seen, &st);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.p[1].name, "in.pdf");
	assert_int_equal(seen.p[1].depth, 3);
	assert_int_equal(st.limits, 0);
	assert_int_equal(st.bad, 0);
}

static void
plain_message_is_one_text_part(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;

	walk_str("From: a@example.net\r\nSubject: x\r\n\r\nhello\r\n", &lim,
	    &seen, &st);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.p[0].declared, "text/plain");
	assert_int_equal(seen.p[0].attachment, 0);
	assert_int_equal(seen.p[0].depth, 0);
	walk("", 0, &lim, &seen, &st);		/* empty: no crash */
}

/* uuencode of data as uuencode(1) writes it (61-byte lines). */
static void
uu(char *out, size_t outlen, const char *name, const unsigned char *d,
    size_t n)
{
	size_t o, i, k, len;

#define ENC(c)	((c) ? ((c) & 077) + ' ' : '`')
	o = (size_t)snprintf(out, outlen, "begin 644 %s\r\n", name);
	for (i = 0; i < n; i += 45) {
		len = n - i < 45 ? n - i : 45;
		out[o++] = (char)ENC(len);
		for (k = 0; k < len; k += 3) {
			unsigned c1 = d[i + k];
			unsigned c2 = k + 1 < len ? d[i + k + 1] : 0;
			unsigned c3 = k + 2 < len ? d[i + k + 2] : 0;

			out[o++] = (char)ENC(c1 >> 2);
			out[o++] = (char)ENC(((c1 << 4) & 060) | (c2 >> 4));
			out[o++] = (char)ENC(((c2 << 2) & 074) | (c3 >> 6));
			out[o++] = (char)ENC(c3 & 077);
		}
		out[o++] = '\r';
		out[o++] = '\n';
	}
	snprintf(out + o, outlen - o, "`\r\nend\r\n");
#undef ENC
}

static void
uuencoded_blocks_become_parts(void **state)
{
	struct mime_limits lim = limits();
	const char *data = "The quick brown fox jumps over the lazy dog, "
	    "twice: the quick brown fox.";
	struct mime_stats st;
	struct seen seen;
	char block[1024], msg[4096];

	uu(block, sizeof(block), "fox.txt", (const unsigned char *)data,
	    strlen(data));
	snprintf(msg, sizeof(msg), "Subject: uu\r\n\r\nSee:\r\n\r\n%s"
	    "bye\r\n", block);
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.p[1].uuencoded, 1);
	assert_string_equal(seen.p[1].name, "fox.txt");
	assert_int_equal(seen.p[1].size, strlen(data));
	assert_int_equal(seen.p[1].truncated, 0);
	assert_int_equal(strncmp(seen.p[1].content, data, 60), 0);
	/* No "end" line: handed over, marked truncated. */
	*strstr(msg, "`\r\nend") = '\0';
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.p[1].truncated, 1);
	/* "begin" followed by prose is not uuencode. */
	walk_str("Subject: x\r\n\r\nbegin 644 a.exe\r\nthis is text\r\nend\r\n",
	    &lim, &seen, &st);
	assert_int_equal(seen.n, 1);
}

/* A message whose single text leaf sits at depth d. */
static char *
nested(unsigned d)
{
	size_t cap = 200 + 80 * (size_t)d, o = 0;
	char *s = malloc(cap);
	unsigned i;

	assert_non_null(s);
	o += (size_t)snprintf(s + o, cap - o, HEAD);
	for (i = 0; i < d; i++)
		o += (size_t)snprintf(s + o, cap - o, "Content-Type: "
		    "multipart/mixed; boundary=\"n%u\"\r\n\r\n--n%u\r\n", i, i);
	o += (size_t)snprintf(s + o, cap - o, "Content-Type: text/plain\r\n"
	    "\r\nleaf\r\n");
	for (i = d; i-- > 0;)
		o += (size_t)snprintf(s + o, cap - o, "--n%u--\r\n", i);
	return s;
}

static void
depth_cap_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char *m = nested(5);

	lim.max_depth = 5;
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(seen.n, 1);
	assert_int_equal(st.limits, 0);
	assert_int_equal(st.depth, 5);
	lim.max_depth = 4;
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(seen.n, 0);
	assert_int_equal(st.limits, MIME_LIMIT_DEPTH);
	free(m);
	/* 2000 levels: GMime stops at 1024, we at our cap; no crash. */
	m = nested(2000);
	lim.max_depth = 100;
	walk_str(m, &lim, &seen, &st);
	assert_true(st.limits & MIME_LIMIT_DEPTH);
	free(m);
}

static void
parts_cap_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char msg[4096];
	size_t o;
	int i;

	o = (size_t)snprintf(msg, sizeof(msg), HEAD MIXED);
	for (i = 0; i < 10; i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o,
		    "--b\r\nContent-Type: text/plain\r\n\r\np%d\r\n", i);
	snprintf(msg + o, sizeof(msg) - o, "--b--\r\n");
	lim.max_parts = 10;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(seen.n, 10);
	assert_int_equal(st.limits, 0);
	lim.max_parts = 9;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(seen.n, 9);
	assert_int_equal(st.limits, MIME_LIMIT_PARTS);
}

static void
boundary_lines_are_capped_before_gmime(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t cap = 4 * 2 + 64, n, o, len = 16 * (cap + 2) + 200;
	char *msg = malloc(len);

	/* 4 x max_parts + 64 lines starting "--" pass, one more does not */
	assert_non_null(msg);
	lim.max_parts = 2;
	o = (size_t)snprintf(msg, len, HEAD "Subject: x\r\n\r\n");
	for (n = 0; n < cap; n++)
		o += (size_t)snprintf(msg + o, len - o, "-- dash line\r\n");
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, 0);
	assert_true(strstr(seen.p[0].content, "-- dash") != NULL);
	snprintf(msg + o, len - o, "--x\r\n");
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, MIME_LIMIT_PARTS);
	free(msg);
}

/* GMime and readers take "Content-Disposition :" (blanks before the
 * colon) as the header: past the cut it is read as well. */
static void
tail_names_allow_blanks_before_the_colon(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t len = 100000, o, i;
	char *msg = malloc(len);

	assert_non_null(msg);
	lim.max_parts = 2;
	o = (size_t)snprintf(msg, len, HEAD MIXED "--b\r\nContent-Type: "
	    "text/plain\r\n\r\n");
	for (i = 0; i < 80; i++)
		o += (size_t)snprintf(msg + o, len - o, "--x\r\n");
	snprintf(msg + o, len - o, "--b\r\nContent-Type \t: application/"
	    "x-msdownload\r\nContent-Disposition : attachment;\r\n "
	    "filename=\"invoice.exe\"\r\n\r\nTVo=\r\n--b--\r\n");
	walk_str(msg, &lim, &seen, &st);
	assert_true(st.limits & MIME_LIMIT_PARTS);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.p[1].name, "invoice.exe");
	assert_string_equal(seen.p[1].declared, "application/x-msdownload");
	free(msg);
}

static void
names_past_the_boundary_cap_are_still_read(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t len = 100000, o, i;
	char *msg = malloc(len);

	/* 80 "--x" lines in a text body pass the cap (4 x 2 + 64) and hide
	 * the next part from GMime; its name is read all the same. */
	assert_non_null(msg);
	lim.max_parts = 2;
	o = (size_t)snprintf(msg, len, HEAD MIXED "--b\r\nContent-Type: "
	    "text/plain\r\n\r\n");
	for (i = 0; i < 80; i++)
		o += (size_t)snprintf(msg + o, len - o, "--x\r\n");
	snprintf(msg + o, len - o, "--b\r\nContent-Type: application/"
	    "octet-stream;\r\n name=\"=?utf-8?Q?in?= =?utf-8?Q?voice.exe?=\""
	    "\r\nContent-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--b--\r\n");
	walk_str(msg, &lim, &seen, &st);
	assert_true(st.limits & MIME_LIMIT_PARTS);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.p[1].name, "invoice.exe");
	assert_string_equal(seen.p[1].declared, "application/octet-stream");
	assert_int_equal(seen.p[1].truncated, 1);
	assert_int_equal(seen.p[1].size, 0);
	free(msg);
}

static void
folded_header_flood_is_broken_not_kept(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t len = 400000, o, i;
	char *msg = malloc(len);

	/* 200 KB of folded header, then an attachment that must be seen. */
	assert_non_null(msg);
	lim.max_header_length = 4096;
	o = (size_t)snprintf(msg, len, HEAD MIXED "--b\r\nContent-Type: "
	    "text/plain\r\nX-Flood: a\r\n");
	for (i = 0; i < 3000; i++)
		o += (size_t)snprintf(msg + o, len - o, " %066u\r\n", 0U);
	snprintf(msg + o, len - o, "\r\nbody\r\n--b\r\nContent-Type: "
	    "application/octet-stream; name=\"after.exe\"\r\n\r\nMZ\r\n"
	    "--b--\r\n");
	walk_str(msg, &lim, &seen, &st);
	assert_true(st.limits & MIME_LIMIT_HEADER);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.p[1].name, "after.exe");
	free(msg);
}

static void
header_length_cap_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char msg[4096], val[2001];

	/* A part header counts its name and its raw value (from after the
	 * colon, folding kept, line end not). */
	memset(val, 'v', 2000);
	val[2000] = '\0';
	snprintf(msg, sizeof(msg), HEAD MIXED "--b\r\nX-Long:%s\r\n"
	    "Content-Type: text/plain\r\n\r\nx\r\n--b--\r\n", val);
	lim.max_header_length = 6 + 2000;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, 0);
	lim.max_header_length = 6 + 1999;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, MIME_LIMIT_HEADER);
	assert_int_equal(seen.n, 1);		/* still walked */
}

static void
line_cap_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char *msg = malloc(70000);
	size_t o;

	/* The bytes before the LF count (a CR included). */
	assert_non_null(msg);
	o = (size_t)snprintf(msg, 70000, "Subject: x\r\n\r\nshort\r\n");
	memset(msg + o, 'x', 65535);
	memcpy(msg + o + 65535, "\r\nafter\r\n", 10);
	lim.max_line = 65536;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, 0);
	lim.max_line = 65535;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, MIME_LIMIT_LINE);
	/* Broken (its byte 65535, the CR, reads as LF), not cut: the text
	 * after it is still seen. */
	assert_int_equal(seen.p[0].size, o + 65535 + 9 - 14);
	free(msg);
}

static void
decoded_cap_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	const char *msg = HEAD "Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "MDEyMzQ1Njc4OQ==\r\n";	/* "0123456789" */

	lim.max_decoded = 10;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, 0);
	assert_int_equal(seen.p[0].size, 10);
	assert_int_equal(seen.p[0].truncated, 0);
	lim.max_decoded = 9;
	walk_str(msg, &lim, &seen, &st);
	assert_int_equal(st.limits, MIME_LIMIT_DECODED);
	assert_int_equal(seen.p[0].size, 9);
	assert_int_equal(seen.p[0].truncated, 1);
}

static void
deadline_stops_the_walk(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	struct deadline dl;

	deadline_start(&dl, 1);
	usleep(5000);
	lim.dl = &dl;
	walk_str(HEAD MIXED "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
	    "--b--\r\n", &lim, &seen, &st);
	assert_true(st.limits & MIME_LIMIT_TIME);
	assert_int_equal(seen.n, 0);
}

static const struct bad_case {
	const char *what;
	const char *msg;
	unsigned bad;
} bad[] = {
	{ "missing final boundary", HEAD MIXED "--b\r\nContent-Type: "
	    "text/plain\r\n\r\nx\r\n", MIME_BAD_STRUCTURE },
	{ "multipart without boundary", HEAD "Content-Type: "
	    "multipart/mixed\r\n\r\nx\r\n", MIME_BAD_STRUCTURE },
	{ "broken base64", HEAD "Content-Type: application/pdf\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nJVBER!!i0xLjQK\r\n",
	    MIME_BAD_ENCODING },
	{ "well-formed", HEAD MIXED "--b\r\nContent-Type: text/plain\r\n"
	    "\r\nx\r\n--b--\r\n", 0 },
};

static void
malformed_input_is_flagged(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		walk_str(bad[i].msg, &lim, &seen, &st);
		if (st.bad != bad[i].bad)
			fail_msg("%s: bad %#x, want %#x", bad[i].what, st.bad,
			    bad[i].bad);
	}
}

/* The index of the part called name in *s, or -1. */
static int
find(const struct seen *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->n && i < MAXP; i++)
		if (strcmp(s->p[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
forwarded_messages_are_walked_in_every_form(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char *m, *block, *msg;
	unsigned f;
	int i;

	for (f = 0; f < MSGFIX_NFORMS; f++) {
		m = msgfix_chain(f, 1, NULL);
		walk_str(m, &lim, &seen, &st);
		i = find(&seen, "invoice.pdf");
		if (i < 0 || seen.p[i].depth != 3 || st.limits != 0 ||
		    strncmp(seen.p[i].content, "MZ", 2) != 0)
			fail_msg("%s: invoice.pdf %s, limits %#x",
			    msgfix_form_name(f), i < 0 ? "not seen" :
			    "wrong", st.limits);
		free(m);
	}
	/* A uuencoded .eml in a text body. */
	m = msgfix_inner(NULL);
	block = malloc(4 * strlen(m) + 200);
	msg = malloc(4 * strlen(m) + 300);
	assert_non_null(block);
	assert_non_null(msg);
	uu(block, 4 * strlen(m) + 200, "fwd.eml", (unsigned char *)m,
	    strlen(m));
	sprintf(msg, "Subject: uu\r\n\r\nSee:\r\n\r\n%sbye\r\n", block);
	walk_str(msg, &lim, &seen, &st);
	i = find(&seen, "invoice.pdf");
	assert_true(i >= 0);
	assert_int_equal(seen.p[i].depth, 2);
	assert_int_equal(st.limits, 0);
	free(m);
	free(block);
	free(msg);
}

static void
forwarded_depth_cap_at_the_limit_and_one_past(void **state)
{
	static const enum msgfix_form forms[] = { MSGFIX_PLAIN,
	    MSGFIX_BASE64, MSGFIX_QP, MSGFIX_GLOBAL_BASE64, MSGFIX_EML };
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t k;
	char *m;

	/* Three wraps: the executable sits at depth 3 + 2 + 2. */
	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		m = msgfix_chain(forms[k], 3, NULL);
		lim.max_depth = 7;
		walk_str(m, &lim, &seen, &st);
		if (find(&seen, "invoice.pdf") < 0 || st.limits != 0)
			fail_msg("%s at the cap: limits %#x",
			    msgfix_form_name(forms[k]), st.limits);
		lim.max_depth = 6;
		walk_str(m, &lim, &seen, &st);
		if (find(&seen, "invoice.pdf") >= 0 ||
		    st.limits != MIME_LIMIT_DEPTH)
			fail_msg("%s past the cap: limits %#x",
			    msgfix_form_name(forms[k]), st.limits);
		/* Each level decodes its message again: all of it counts
		 * against one decoded-bytes budget. */
		lim.max_depth = 20;
		lim.max_decoded = 2000;
		walk_str(m, &lim, &seen, &st);
		if (forms[k] != MSGFIX_PLAIN &&
		    !(st.limits & MIME_LIMIT_DECODED))
			fail_msg("%s: decoded budget not spent",
			    msgfix_form_name(forms[k]));
		lim.max_decoded = 1 << 24;
		free(m);
	}
}

static void
nested_groups_never_reach_gmime(void **state)
{
	static const enum msgfix_form forms[] = { MSGFIX_PLAIN,
	    MSGFIX_NEWS, MSGFIX_GLOBAL, MSGFIX_BASE64, MSGFIX_EML };
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char *g = msgfix_groups(50000), *m;
	unsigned levels;
	size_t k;
	int i;

	/* 50,000 nested groups (100 KB) overflowed the stack in GMime's
	 * address parser: in each message form, one level deep and three,
	 * the walk ends and still finds the executable next to it. */
	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++)
		for (levels = 1; levels <= 3; levels += 2) {
			m = msgfix_chain(forms[k], levels, g);
			walk_str(m, &lim, &seen, &st);
			i = find(&seen, "invoice.pdf");
			if (i < 0 || seen.p[i].depth != 1 + 2 * levels)
				fail_msg("%s, %u deep: executable not seen",
				    msgfix_form_name(forms[k]), levels);
			/* Parsed inside a message part: too long, and the
			 * walk says so.  The header block of a message we
			 * decode ourselves is always hidden: no limit. */
			if ((forms[k] == MSGFIX_BASE64 || forms[k] ==
			    MSGFIX_EML) != !(st.limits & MIME_LIMIT_HEADER))
				fail_msg("%s, %u deep: limits %#x",
				    msgfix_form_name(forms[k]), levels,
				    st.limits);
			free(m);
		}
	/* The message's own From. */
	m = malloc(strlen(g) + 64);
	assert_non_null(m);
	sprintf(m, "%s\r\nSubject: x\r\n\r\nhi\r\n", g);
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(seen.n, 1);
	assert_int_equal(st.limits, 0);
	free(m);
	free(g);
}

static void
group_nesting_cap_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char *g, *m;

	/* "From:" and MIMESCAN_COLONS - 1 groups: the cap. */
	g = msgfix_groups(MIMESCAN_COLONS - 1);
	m = msgfix_chain(MSGFIX_PLAIN, 1, g);
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(st.limits, 0);
	free(m);
	free(g);
	g = msgfix_groups(MIMESCAN_COLONS);
	m = msgfix_chain(MSGFIX_PLAIN, 1, g);
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(st.limits, MIME_LIMIT_HEADER);
	assert_true(find(&seen, "invoice.pdf") >= 0);
	free(m);
	free(g);
}

/* A part whose headers hold n encoded words, alternating charsets,
 * after a header of pad bytes (pad > 0) that moves every word against
 * the pre-scan's 16 KB blocks. */
static char *
words_pad(unsigned n, size_t pad)
{
	size_t cap = 64 * (size_t)n + 400 + pad, o;
	char *s = malloc(cap);
	unsigned i;

	assert_non_null(s);
	o = (size_t)snprintf(s, cap, HEAD MIXED "--b\r\n");
	if (pad > 0) {
		o += (size_t)snprintf(s + o, cap - o, "X-Pad: ");
		memset(s + o, 'p', pad);
		o += pad;
		o += (size_t)snprintf(s + o, cap - o, "\r\n");
	}
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o, "%s=?iso-8859-%u?q?a?=%s",
		    i % 64 == 0 ? "X-W: " : " ", 1 + i % 2,
		    i % 64 == 63 || i == n - 1 ? "\r\n" : "");
	snprintf(s + o, cap - o, "Content-Type: text/plain\r\n\r\nx\r\n"
	    "--b\r\nContent-Type: application/octet-stream; "
	    "name=\"after.exe\"\r\n\r\nMZ\r\n--b--\r\n");
	return s;
}

static char *
words(unsigned n)
{
	return words_pad(n, 0);
}

/* The pre-scan reads 16 KB blocks: an "=?charset?" cut anywhere by a
 * block's end still counts (its '=' is the last byte of one block, its
 * '?' the first of the next, and so on for every byte of the word). */
static void
encoded_words_split_across_blocks_still_count(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	size_t pad;
	char *m;

	(void)state;
	for (pad = 1; pad <= 22; pad++) {
		m = words_pad(MIMESCAN_SWITCHES + 1, pad);
		walk_str(m, &lim, &seen, &st);
		if (st.limits != MIME_LIMIT_WORDS)
			fail_msg("pad %zu: limits %#x", pad, st.limits);
		free(m);
		m = words_pad(MIMESCAN_SWITCHES, pad);
		walk_str(m, &lim, &seen, &st);
		if (st.limits != 0 || seen.n != 2)
			fail_msg("pad %zu: limits %#x, %u parts", pad,
			    st.limits, seen.n);
		free(m);
	}
}

/* The uuencode scan reads 16 KB chunks: a block whose "begin" line, data
 * lines or "end" line is cut by a chunk's end is found all the same, and
 * a line too long for uuencode stays one when cut there. */
static void
uuencoded_lines_split_across_chunks(void **state)
{
	struct mime_limits lim = limits();
	const char *data = "The quick brown fox jumps over the lazy dog, "
	    "twice: the quick brown fox, and a third time for luck.";
	struct mime_stats st;
	struct seen seen;
	char block[1024], *msg, *o, *cut;
	size_t body, shift, cap = 40000, hl;
	static const char head[] = "Subject: uu\r\n\r\n";

	(void)state;
	uu(block, sizeof(block), "fox.txt", (const unsigned char *)data,
	    strlen(data));
	assert_non_null(msg = malloc(cap));
	hl = sizeof(head) - 1;
	for (shift = 0; shift < strlen(block); shift++) {
		/* body text before the block: 16384 - shift bytes, so the
		 * chunk ends shift bytes into the block */
		body = 16384 - shift;
		memcpy(msg, head, hl);
		o = msg + hl;
		memset(o, 'a', body);
		for (cut = o + 70; cut < o + body - 2; cut += 72) {
			cut[0] = '\r';
			cut[1] = '\n';
		}
		o[body - 2] = '\r';
		o[body - 1] = '\n';
		snprintf(o + body, cap - hl - body, "%sbye\r\n", block);
		walk_str(msg, &lim, &seen, &st);
		if (seen.n != 2 || strcmp(seen.p[1].name, "fox.txt") != 0 ||
		    seen.p[1].size != strlen(data) || seen.p[1].truncated)
			fail_msg("cut %zu bytes into the block: %u parts",
			    shift, seen.n);
		assert_int_equal(strncmp(seen.p[1].content, data, 60), 0);
	}
	/* a 200-byte line inside the block, cut by the chunk's end: not
	 * uuencode after all, as when it is not cut */
	for (shift = 0; shift < 220; shift += 7) {
		body = 16384 - shift;
		memcpy(msg, head, hl);
		o = msg + hl;
		memset(o, 'a', body);
		o[body - 2] = '\r';
		o[body - 1] = '\n';
		o += body;
		o += sprintf(o, "begin 644 long.exe\r\nM");
		memset(o, 'A', 200);
		o += 200;
		sprintf(o, "\r\n`\r\nend\r\n");
		walk_str(msg, &lim, &seen, &st);
		if (seen.n != 1)
			fail_msg("long line cut at %zu: %u parts", shift,
			    seen.n);
	}
	free(msg);
}

static void
encoded_word_budget_at_the_limit_and_one_past(void **state)
{
	struct mime_limits lim = limits();
	struct mime_stats st;
	struct seen seen;
	char *m;

	/* Each change of charset cost GMime's decoder a gconv reload. */
	m = words(MIMESCAN_SWITCHES);
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(st.limits, 0);
	assert_int_equal(seen.n, 2);
	free(m);
	m = words(MIMESCAN_SWITCHES + 1);
	walk_str(m, &lim, &seen, &st);
	assert_int_equal(st.limits, MIME_LIMIT_WORDS);
	/* Cut there; the name after it is still read. */
	assert_true(find(&seen, "after.exe") >= 0);
	free(m);
}

static int
setup(void **state)
{
	g_mime_init();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_name_encoding_is_decoded),
		cmocka_unit_test(rfc822_parts_are_walked_one_level_deeper),
		cmocka_unit_test(plain_message_is_one_text_part),
		cmocka_unit_test(uuencoded_blocks_become_parts),
		cmocka_unit_test(depth_cap_at_the_limit_and_one_past),
		cmocka_unit_test(parts_cap_at_the_limit_and_one_past),
		cmocka_unit_test(boundary_lines_are_capped_before_gmime),
		cmocka_unit_test(names_past_the_boundary_cap_are_still_read),
		cmocka_unit_test(folded_header_flood_is_broken_not_kept),
		cmocka_unit_test(tail_names_allow_blanks_before_the_colon),
		cmocka_unit_test(header_length_cap_at_the_limit_and_one_past),
		cmocka_unit_test(line_cap_at_the_limit_and_one_past),
		cmocka_unit_test(decoded_cap_at_the_limit_and_one_past),
		cmocka_unit_test(deadline_stops_the_walk),
		cmocka_unit_test(malformed_input_is_flagged),
		cmocka_unit_test(forwarded_messages_are_walked_in_every_form),
		cmocka_unit_test(forwarded_depth_cap_at_the_limit_and_one_past),
		cmocka_unit_test(nested_groups_never_reach_gmime),
		cmocka_unit_test(group_nesting_cap_at_the_limit_and_one_past),
		cmocka_unit_test(encoded_word_budget_at_the_limit_and_one_past),
		cmocka_unit_test(encoded_words_split_across_blocks_still_count),
		cmocka_unit_test(uuencoded_lines_split_across_chunks),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
