/*
 * test_sevenz.c - a 7z whose header would unpack to a huge file list is
 * refused before libarchive unpacks it (policy/attach/sevenz.c, arch.c).
 *
 * Crafted signature and encoded headers (the declared unpacked size is
 * read, every cut of the bytes parses without reading past them), and
 * real archives made at test time by 7z (p7zip-full): 3000 empty files
 * with 200-character names, whose LZMA header unpacks to over 1 MB,
 * is an incomplete check (archive_unread) with no member handed out;
 * an ordinary small 7z, with an encoded or a plain header, walks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attach/arch.h"
#include "attach/sevenz.h"
#include "attach/spool.h"
#include "util/arena.h"

/* Signature header (CRCs unchecked here) and an encoded header: one
 * pack stream of 16 bytes, one LZMA folder unpacking to 50 MB. */
static const unsigned char bomb[] = {
	'7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,			/* next header offset */
	36, 0, 0, 0, 0, 0, 0, 0,		/* next header size */
	0, 0, 0, 0,
	0x17, 0x06, 0x00, 0x01, 0x09, 0x10, 0x00,
	0x07, 0x0b, 0x01, 0x00,
	0x01, 0x23, 0x03, 0x01, 0x01, 0x05, 0x5d, 0x00, 0x00, 0x10, 0x00,
	0x0c, 0xf0, 0x00, 0x00, 0x20, 0x03,	/* 52428800 */
	0x0a, 0x01, 0, 0, 0, 0, 0x00, 0x00,
};

/* The same, its folder unpacking to 1000 bytes. */
static const unsigned char small[] = {
	'7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	33, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0,
	0x17, 0x06, 0x00, 0x01, 0x09, 0x10, 0x00,
	0x07, 0x0b, 0x01, 0x00,
	0x01, 0x23, 0x03, 0x01, 0x01, 0x05, 0x5d, 0x00, 0x00, 0x10, 0x00,
	0x0c, 0x83, 0xe8,			/* 1000 */
	0x0a, 0x01, 0, 0, 0, 0, 0x00, 0x00,
};

static struct spool *
bytes_spool(struct arena *a, const void *p, size_t n)
{
	struct spool *sp = spool_new(a, 1 << 20, NULL);
	char err[256];

	assert_non_null(sp);
	assert_int_equal(spool_write(sp, p, n, err, sizeof(err)), 0);
	return sp;
}

static struct spool *
file_spool(struct arena *a, const char *path)
{
	struct spool *sp = spool_new(a, 1 << 20, NULL);
	char buf[65536], err[256];
	FILE *fp;
	size_t n;

	assert_non_null(sp);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		assert_int_equal(spool_write(sp, buf, n, err, sizeof(err)), 0);
	fclose(fp);
	return sp;
}

static int
count_cb(void *arg, const struct arch_member *m)
{
	(void)m;
	++*(unsigned *)arg;
	return ARCH_SKIP;
}

struct walked {
	struct arch_info info;
	unsigned limits, calls;
};

static struct walked
walk(struct arena *a, struct spool *sp)
{
	struct arch_limits lim = { 3, 1000, 100, 1ULL << 30, 1 << 20, NULL,
	    NULL };
	struct arch_state st;
	struct walked w;

	memset(&st, 0, sizeof(st));
	memset(&w, 0, sizeof(w));
	st.lim = &lim;
	st.arena = a;
	assert_int_equal(arch_walk(&st, sp, "x.7z", 1, count_cb, &w.calls,
	    &w.info), 0);
	w.limits = st.limits;
	return w;
}

static void
encoded_header_size_is_read_and_bounded(void **state)
{
	struct arena *a = arena_new();
	unsigned char cut[sizeof(bomb)];
	struct walked w;
	size_t n;

	(void)state;
	assert_non_null(a);
	assert_true(sevenz_header_size(bytes_spool(a, bomb, sizeof(bomb)))
	    == 52428800ULL);
	w = walk(a, bytes_spool(a, bomb, sizeof(bomb)));
	assert_true(w.limits & ARCH_LIMIT_UNREAD);
	assert_non_null(w.info.broken);
	assert_non_null(strstr(w.info.broken, "7z header unpacks to "
	    "52428800"));
	assert_int_equal(w.calls, 0);
	/* Every cut of the header: no read past the bytes (ASan), and a
	 * header we cannot read through is never taken as small. */
	for (n = 0; n < sizeof(bomb); n++) {
		memcpy(cut, bomb, n);
		memset(cut + n, 0, sizeof(cut) - n);
		(void)sevenz_header_size(bytes_spool(a, cut, n));
		(void)sevenz_header_size(bytes_spool(a, cut, sizeof(cut)));
	}
	/* The same header declaring 1000 bytes is let through. */
	assert_true(sevenz_header_size(bytes_spool(a, small, sizeof(small)))
	    == 1000ULL);
	/* Not a 7z: 0. */
	assert_true(sevenz_header_size(bytes_spool(a, "PK\3\4", 4)) == 0);
	arena_free(a);
}

static int
run(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

static void
real_7z_file_list_bomb_is_refused_small_7z_walks(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], cmd[2400], path[600];
	struct arena *a = arena_new();
	struct walked w;
	clock_t t0;

	(void)state;
	assert_non_null(a);
	snprintf(dir, sizeof(dir), "%s/rw-7z-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir many one && "
	    "n=$(printf '%%0190d' 0) && i=0 && while [ $i -lt 3000 ]; do "
	    ": > many/$n$i; i=$((i+1)); done && echo hello > one/notes.txt && "
	    "(cd many && 7z a -bd -bso0 ../many.7z . >/dev/null) && "
	    "(cd one && 7z a -bd -bso0 ../one.7z notes.txt >/dev/null && "
	    "7z a -bd -bso0 -mhc=off ../plain.7z notes.txt >/dev/null)",
	    dir);
	assert_int_equal(run(cmd), 0);

	snprintf(path, sizeof(path), "%s/many.7z", dir);
	t0 = clock();
	w = walk(a, file_spool(a, path));
	assert_true(w.limits & ARCH_LIMIT_UNREAD);
	assert_false(w.limits & ARCH_LIMIT_MEMBERS);
	assert_int_equal(w.calls, 0);
	assert_non_null(w.info.broken);
	assert_non_null(strstr(w.info.broken, "7z header"));
	assert_true(clock() - t0 < CLOCKS_PER_SEC / 10);

	snprintf(path, sizeof(path), "%s/one.7z", dir);
	w = walk(a, file_spool(a, path));
	assert_int_equal(w.limits, 0);
	assert_null(w.info.broken);
	assert_int_equal(w.calls, 1);
	snprintf(path, sizeof(path), "%s/plain.7z", dir);
	w = walk(a, file_spool(a, path));
	assert_int_equal(w.limits, 0);
	assert_int_equal(w.calls, 1);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(run(cmd), 0);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encoded_header_size_is_read_and_bounded),
		cmocka_unit_test(
		    real_7z_file_list_bomb_is_refused_small_7z_walks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
