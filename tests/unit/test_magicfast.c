/*
 * test_magicfast.c - attype_known (policy/attach/attype.c), the answer
 * given instead of asking libmagic, against libmagic itself with
 * attscan.h's flags and byte limit: every sample the fast path answers
 * must get the very string libmagic gives (issue 15 item 1).  Samples:
 * minimal real headers, every truncation of them, the signatures on
 * random bytes, zeros, text, markup, scripts, programs and archives, and
 * polyglots: other formats' signatures written at every offset after
 * the fast path's prefix.  Any divergence fails, and so does a fast path
 * that never fires.  Also attype_is_texty's table, byte by byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attscan.h"
#include "attach/attype.h"

#define BUF	6000

static magic_t mg;
static unsigned long fired, compared;

/* The fast path's answer for buf, compared with libmagic's. */
static void
same(const unsigned char *buf, size_t len, const char *what, size_t off)
{
	const char *k = attype_known(buf, len), *t;

	compared++;
	if (k == NULL)
		return;
	fired++;
	t = magic_buffer(mg, buf, len < ATTSCAN_MAGIC_BYTES ? len :
	    ATTSCAN_MAGIC_BYTES);
	if (t == NULL || strcmp(k, t) != 0)
		fail_msg("%s (len %zu, at %zu): fast path \"%s\", libmagic "
		    "\"%s\"", what, len, off, k, t != NULL ? t : "(null)");
}

/* A literal and its length, NULs included. */
#define H(nm, lit)	{ nm, lit, sizeof(lit) - 1 }
#define O(lit)		{ lit, sizeof(lit) - 1 }

/* The starts the fast path knows, as whole minimal headers. */
static const struct {
	const char *name;
	const char *bytes;
	size_t n;
} heads[] = {
	H("pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"),
	H("pdf-bare", "%PDF-"),
	H("png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06"
	    "\0\0\0\x1f\xf3\xff" "a"),
	H("jpeg-jfif", "\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01"
	    "\0\0"),
	H("jpeg-exif", "\xff\xd8\xff\xe1\0\x18" "Exif\0\0II*\0"),
	H("jpeg-raw", "\xff\xd8\xff\xdb\0\x43\0"),
	H("gif89", "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01"
	    "\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;"),
	H("gif87", "GIF87a\x10\0\x10\0"),
	/* near misses: libmagic is asked, the fast path must not fire */
	H("png-cgbi", "\x89PNG\r\n\x1a\n\0\0\0\x04" "CgBI"),
	H("png-sig-only", "\x89PNG\r\n\x1a\n"),
	H("jpeg-short", "\xff\xd8\xff"),
	H("jpeg-nomarker", "\xff\xd8\0\xe0"),
	H("pdf-nodash", "%PDF1.4"),
};

/* Other formats' signatures, written into the samples (polyglots). */
static const struct {
	const char *bytes;
	size_t n;
} others[] = {
	O("MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"),
	O("PE\0\0L\x01"),
	O("\x7f" "ELF\x02\x01\x01"),
	O("\xca\xfe\xba\xbe\0\0\0\x02"),
	O("PK\3\4\x14\0\0\0\x08\0"),
	O("PK\5\6\0\0\0\0"),
	O("Rar!\x1a\x07\0"),
	O("7z\xbc\xaf\x27\x1c"),
	O("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
	O("ustar\0" "00"),
	O("ustar  \0"),
	O("BOOKMOBI"),
	O("ftypisom"),
	O("CD001\x01"),
	O("<html><script>"),
	O("<?xml version=\"1.0\"?><svg "),
	O("#!/bin/sh\n"),
	O("%!PS-Adobe-3.0"),
	O("{\\rtf1\\ansi"),
	O("\x1f\x8b\x08\0"),
	O("-lh5-"),
	O("RIFF\0\0\0\0WEBPVP8 "),
	O("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
	O("%PDF-1.4\n"),
	O("GIF89a"),
	O("\xff\xd8\xff\xe0"),
};

#define NHEADS	(sizeof(heads) / sizeof(heads[0]))
#define NOTHERS	(sizeof(others) / sizeof(others[0]))

/* Fills buf past n with one kind of tail. */
static void
tail(unsigned char *buf, size_t n, int kind, unsigned *seed)
{
	static const char text[] = "Dear customer, the invoice is attached."
	    "\n<html><body><a href=\"https://x.example/\">x</a></body>\n";
	size_t i;

	for (i = n; i < BUF; i++)
		switch (kind) {
		case 0:
			buf[i] = (unsigned char)(rand_r(seed) >> 7);
			break;
		case 1:
			buf[i] = 0;
			break;
		case 2:
			buf[i] = (unsigned char)text[i % (sizeof(text) - 1)];
			break;
		default:
			buf[i] = (unsigned char)(i * 31 + 7);
			break;
		}
}

static void
test_heads(void **state)
{
	unsigned char buf[BUF];
	unsigned seed = 15;
	size_t h, l;
	int kind;

	(void)state;
	for (h = 0; h < NHEADS; h++) {
		/* every truncation of the header alone */
		for (l = 1; l <= heads[h].n; l++)
			same((const unsigned char *)heads[h].bytes, l,
			    heads[h].name, 0);
		for (kind = 0; kind < 4; kind++) {
			memcpy(buf, heads[h].bytes, heads[h].n);
			tail(buf, heads[h].n, kind, &seed);
			for (l = 1; l < 40; l++)
				same(buf, l, heads[h].name, 0);
			same(buf, 512, heads[h].name, 0);
			same(buf, BUF, heads[h].name, 0);
		}
	}
	assert_true(fired > 100);
}

/* Polyglots: each other signature at each offset after the header,
 * on random and on text tails. */
static void
test_polyglots(void **state)
{
	unsigned char buf[BUF];
	unsigned seed = 42;
	unsigned long before = fired;
	size_t h, o, off;
	int kind;

	(void)state;
	for (h = 0; h < NHEADS; h++)
		for (o = 0; o < NOTHERS; o++)
			for (kind = 0; kind < 3; kind += 2)
				for (off = heads[h].n; off < 700; off +=
				    off < 80 ? 1 : 13) {
					memcpy(buf, heads[h].bytes,
					    heads[h].n);
					tail(buf, heads[h].n, kind, &seed);
					memcpy(buf + off, others[o].bytes,
					    others[o].n);
					same(buf, BUF, heads[h].name, off);
				}
	assert_true(fired - before > 1000);
}

/* The hostile ones the issue names, each spelled out. */
static void
test_hostile(void **state)
{
	static const char gifjs[] = "GIF89a/*\x01\0\x01\0*/=1;alert(1);//";
	unsigned char buf[BUF];
	unsigned seed = 7;
	size_t n;

	(void)state;
	/* a PDF signature, then a whole PE */
	n = 9;
	memcpy(buf, "%PDF-1.7\n", n);
	memset(buf + n, 0, BUF - n);
	memcpy(buf + n, "MZ", 2);
	buf[n + 0x3c] = 0x80;
	memcpy(buf + n + 0x80, "PE\0\0\x4c\x01", 6);
	same(buf, BUF, "pdf+pe", n);
	/* a PE whose DOS stub carries "%PDF-": libmagic's question */
	memmove(buf, buf + n, BUF - n);
	memcpy(buf + 0x40, "%PDF-1.7", 8);
	same(buf, BUF - n, "pe+pdf", 0x40);
	assert_null(attype_known(buf, BUF - n));
	/* a PNG header on garbage */
	memcpy(buf, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
	tail(buf, 16, 0, &seed);
	same(buf, BUF, "png+garbage", 16);
	/* GIF carrying script (the GIF/JavaScript polyglot) */
	memcpy(buf, gifjs, sizeof(gifjs) - 1);
	tail(buf, sizeof(gifjs) - 1, 3, &seed);
	same(buf, BUF, "gif+js", 6);
	/* a JPEG with a zip after it */
	memcpy(buf, "\xff\xd8\xff\xe0\0\x10JFIF", 10);
	tail(buf, 10, 0, &seed);
	memcpy(buf + 1000, "PK\3\4\x14\0\0\0\x08\0", 10);
	same(buf, BUF, "jpeg+zip", 1000);
	assert_string_equal(attype_known(buf, BUF), "image/jpeg");
	/* what the fast path must leave to libmagic */
	assert_null(attype_known((const unsigned char *)"\xff\xd8\xff", 3));
	assert_null(attype_known((const unsigned char *)"%PDF", 4));
	assert_null(attype_known((const unsigned char *)"GIF", 3));
	assert_null(attype_known((const unsigned char *)
	    "\x89PNG\r\n\x1a\n\0\0\0\rIHD", 15));
	assert_null(attype_known((const unsigned char *)"", 0));
}

/* attype_is_texty's table against its rule, byte by byte: control
 * bytes fail but TAB, LF, FF, CR and ESC; every other byte passes. */
static void
test_texty(void **state)
{
	unsigned char b[3];
	unsigned c;
	int want;

	(void)state;
	for (c = 0; c < 256; c++) {
		want = c >= 0x20 || c == '\t' || c == '\n' || c == '\f' ||
		    c == '\r' || c == 0x1b;
		b[0] = 'a';
		b[1] = (unsigned char)c;
		b[2] = 'z';
		if (attype_is_texty(b, 3) != want)
			fail_msg("byte %#x: texty %d", c, !want);
	}
	assert_int_equal(attype_is_texty(b, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_polyglots),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_texty),
	};
	size_t bytes = ATTSCAN_MAGIC_BYTES;
	int rc;

	if ((mg = magic_open(ATTSCAN_MAGIC_FLAGS)) == NULL ||
	    magic_load(mg, NULL) != 0 ||
	    magic_setparam(mg, MAGIC_PARAM_BYTES_MAX, &bytes) != 0) {
		fprintf(stderr, "test_magicfast: no libmagic database\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("# %lu samples, %lu answered by the fast path, all as "
	    "libmagic\n", compared, fired);
	magic_close(mg);
	return rc;
}
