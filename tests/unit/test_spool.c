/*
 * test_spool.c - the memory-then-file spool: the switch at the memory
 * limit (at it and one past it), reads across the switch, header lines,
 * reset and free, a temporary directory that does not exist, a file size
 * limit standing in for a full disk (an error, never a crash), and the
 * GMime stream over it (reads, seeks, part streams, the deadline); a
 * handed-over file over map_max read through the 64 KB read-ahead, not
 * mapped (issue 15: a worker's memory must not grow with the message),
 * reads between writes, and the memory of all spools together under
 * spool_set_memory_total (the daemon's attach_spool_memory_total).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <gmime/gmime.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "attach/spool.h"

static void
write_ok(struct spool *sp, const void *p, size_t n)
{
	char err[256];

	if (spool_write(sp, p, n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
memory_limit_at_and_one_past(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 100, NULL);
	unsigned char buf[200], back[200];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)i;
	write_ok(sp, buf, 60);
	write_ok(sp, buf + 60, 40);
	assert_int_equal(spool_in_memory(sp), 1);	/* exactly 100 */
	assert_int_equal(spool_size(sp), 100);
	write_ok(sp, buf + 100, 1);			/* one past */
	assert_int_equal(spool_in_memory(sp), 0);
	write_ok(sp, buf + 101, 99);
	assert_int_equal(spool_size(sp), 200);
	/* Reads see memory and file bytes alike, pending writes too. */
	assert_int_equal(spool_pread(sp, back, sizeof(back), 0), 200);
	assert_memory_equal(back, buf, 200);
	assert_int_equal(spool_pread(sp, back, 10, 95), 10);
	assert_memory_equal(back, buf + 95, 10);
	assert_int_equal(spool_pread(sp, back, 10, 195), 5);
	assert_int_equal(spool_pread(sp, back, 10, 200), 0);
	assert_int_equal(spool_pread(sp, back, 10, 1000), 0);
	arena_free(a);
}

static void
zero_memory_limit_goes_to_a_file_at_once(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 0, NULL);
	char back[4];

	write_ok(sp, "", 0);
	assert_int_equal(spool_in_memory(sp), 1);
	write_ok(sp, "abc", 3);
	assert_int_equal(spool_in_memory(sp), 0);
	assert_int_equal(spool_pread(sp, back, 3, 0), 3);
	assert_memory_equal(back, "abc", 3);
	arena_free(a);
}

static void
large_writes_cross_the_write_buffer(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 1000, NULL);
	size_t n = 300000, i;
	unsigned char *big = malloc(n), *back = malloc(n);

	assert_non_null(big);
	assert_non_null(back);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 7);
	write_ok(sp, big, 500);
	write_ok(sp, big + 500, n - 500);
	assert_int_equal(spool_pread(sp, back, n, 0), (ssize_t)n);
	assert_memory_equal(back, big, n);
	free(big);
	free(back);
	arena_free(a);
}

static void
header_lines_get_crlf(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 4096, NULL);
	char err[128], back[128];
	const char *want = "Subject: a\r\n\tb\r\nX:\r\n\r\nbody";

	assert_int_equal(spool_write_header(sp, "Subject", " a\n\tb", err,
	    sizeof(err)), 0);
	assert_int_equal(spool_write_header(sp, "X", "", err, sizeof(err)),
	    0);
	assert_int_equal(spool_end_headers(sp, err, sizeof(err)), 0);
	write_ok(sp, "body", 4);
	assert_int_equal(spool_pread(sp, back, sizeof(back), 0),
	    (ssize_t)strlen(want));
	assert_memory_equal(back, want, strlen(want));
	/* CRLF in a value stays one CRLF. */
	spool_reset(sp);
	assert_int_equal(spool_write_header(sp, "A", "x\r\n y", err,
	    sizeof(err)), 0);
	assert_int_equal(spool_pread(sp, back, sizeof(back), 0), 9);
	assert_memory_equal(back, "A:x\r\n y\r\n", 9);
	arena_free(a);
}

static void
reset_and_free_are_safe_twice(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 10, NULL);
	char back[4];

	write_ok(sp, "0123456789abc", 13);
	spool_reset(sp);
	assert_int_equal(spool_size(sp), 0);
	assert_int_equal(spool_in_memory(sp), 1);
	write_ok(sp, "xyz", 3);
	assert_int_equal(spool_pread(sp, back, 3, 0), 3);
	assert_memory_equal(back, "xyz", 3);
	spool_free(sp);
	spool_free(sp);
	spool_free(NULL);
	assert_int_equal(spool_size(sp), 0);
	arena_free(a);		/* the cleanup runs on a freed spool */
}

static void
missing_tmpdir_is_an_error(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 4, "/nonexistent/relaywarden");
	char err[256];

	assert_int_equal(spool_write(sp, "abc", 3, err, sizeof(err)), 0);
	assert_int_equal(spool_write(sp, "defg", 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "temporary file"));
	/* It stays failed, with the same reason. */
	err[0] = '\0';
	assert_int_equal(spool_write(sp, "h", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "temporary file"));
	arena_free(a);
}

static void
full_disk_is_an_error_not_a_crash(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 0, NULL);
	struct rlimit old, small = { 100000, 100000 };
	char chunk[65536], err[256];
	int i, rc = 0;

	/* RLIMIT_FSIZE makes write() fail with EFBIG once the file is 100
	 * KB, as ENOSPC would on a full disk. */
	memset(chunk, 'x', sizeof(chunk));
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	for (i = 0; i < 10 && rc == 0; i++)
		rc = spool_write(sp, chunk, sizeof(chunk), err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "write"));
	arena_free(a);
}

static void
gmime_stream_reads_seeks_and_substreams(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 8, NULL);
	GMimeStream *s, *sub;
	char buf[64];
	int stopped = 0;

	g_mime_init();
	write_ok(sp, "0123456789abcdefghij", 20);
	s = spool_stream_new(sp, NULL, &stopped);
	assert_non_null(s);
	assert_int_equal(g_mime_stream_length(s), 20);
	assert_int_equal(g_mime_stream_read(s, buf, 5), 5);
	assert_memory_equal(buf, "01234", 5);
	assert_int_equal(g_mime_stream_tell(s), 5);
	assert_int_equal(g_mime_stream_seek(s, -3, GMIME_STREAM_SEEK_END),
	    17);
	assert_int_equal(g_mime_stream_read(s, buf, 10), 3);
	assert_true(g_mime_stream_eos(s));
	assert_int_equal(g_mime_stream_seek(s, 21, GMIME_STREAM_SEEK_SET),
	    -1);
	assert_int_equal(g_mime_stream_write(s, "x", 1), -1);
	sub = g_mime_stream_substream(s, 10, 15);
	assert_non_null(sub);
	assert_int_equal(g_mime_stream_length(sub), 5);
	assert_int_equal(g_mime_stream_read(sub, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "abcde", 5);
	assert_int_equal(g_mime_stream_reset(sub), 0);
	assert_int_equal(g_mime_stream_read(sub, buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	g_object_unref(sub);
	g_object_unref(s);
	assert_int_equal(stopped, 0);
	arena_free(a);
}

static void
gmime_stream_ends_at_the_deadline(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 1024, NULL);
	struct deadline dl;
	GMimeStream *s;
	char buf[8];
	int stopped = 0;

	g_mime_init();
	write_ok(sp, "0123456789", 10);
	deadline_start(&dl, 1);
	usleep(5000);
	s = spool_stream_new(sp, &dl, &stopped);
	assert_int_equal(g_mime_stream_read(s, buf, sizeof(buf)), 0);
	assert_int_equal(stopped, 1);
	assert_true(g_mime_stream_eos(s));
	g_object_unref(s);
	arena_free(a);
}

/* A memfd named name holding n bytes of a pattern (into *data, caller
 * frees), rewound. */
static int
pattern_fd(const char *name, size_t n, unsigned char **data)
{
	unsigned char *d = malloc(n > 0 ? n : 1);
	size_t i;
	int fd;

	assert_non_null(d);
	for (i = 0; i < n; i++)
		d[i] = (unsigned char)(i * 131 + (i >> 9));
	assert_true((fd = memfd_create(name, MFD_CLOEXEC)) >= 0);
	assert_int_equal(write(fd, d, n), (ssize_t)n);
	*data = d;
	return fd;
}

/* 1 when /proc/self/maps has a mapping of the memfd called name. */
static int
mapped_here(const char *name)
{
	char line[512], want[128];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	assert_non_null(f);
	snprintf(want, sizeof(want), "/memfd:%s ", name);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL)
			found = 1;
	fclose(f);
	return found;
}

/* Reads at offsets and lengths that start, end and straddle the 64 KB
 * read-ahead, the end of the file and past it: all as written. */
static void
reads_match(struct spool *sp, const unsigned char *d, size_t n)
{
	static const size_t lens[] = { 1, 7, 4096, 65535, 65536, 65537,
	    200000 };
	unsigned char *back = malloc(n + 10);
	unsigned long long off;
	size_t i, want;
	ssize_t r;

	assert_non_null(back);
	for (off = 0; off <= n + 1; off += off < 70000 ? 4093 : 65521)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			want = off >= n ? 0 : n - off < lens[i] ?
			    n - (size_t)off : lens[i];
			r = spool_pread(sp, back, lens[i], off);
			assert_int_equal(r, (ssize_t)want);
			if (want > 0)
				assert_memory_equal(back, d + off, want);
		}
	/* Backwards, 4 KB at a time, as a seeking reader does. */
	for (off = n; off >= 4096; off -= 4096) {
		assert_int_equal(spool_pread(sp, back, 4096, off - 4096),
		    4096);
		assert_memory_equal(back, d + off - 4096, 4096);
	}
	free(back);
}

static void
handed_over_file_over_map_max_is_read_not_mapped(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp;
	unsigned char *d;
	size_t n = 700001;
	char err[128];
	int fd = pattern_fd("rw-test-big", n, &d);

	/* Over map_max: the worker's memory must not grow with the
	 * message, so no mapping of it, and every read still exact. */
	sp = spool_from_fd(a, fd, n - 1, err, sizeof(err));
	assert_non_null(sp);
	assert_int_equal(spool_size(sp), n);
	assert_int_equal(spool_in_memory(sp), 0);
	assert_false(mapped_here("rw-test-big"));
	reads_match(sp, d, n);
	assert_false(mapped_here("rw-test-big"));
	arena_free(a);
	free(d);
}

static void
handed_over_file_at_map_max_is_mapped(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp;
	unsigned char *d;
	size_t n = 300000;
	char err[128];
	int fd = pattern_fd("rw-test-small", n, &d);

	sp = spool_from_fd(a, fd, n, err, sizeof(err));
	assert_non_null(sp);
	assert_int_equal(spool_in_memory(sp), 1);
	assert_true(mapped_here("rw-test-small"));
	reads_match(sp, d, n);
	arena_free(a);
	assert_false(mapped_here("rw-test-small"));
	free(d);
	/* Empty: nothing to map, reads end at once. */
	a = arena_new();
	fd = pattern_fd("rw-test-empty", 0, &d);
	sp = spool_from_fd(a, fd, 0, err, sizeof(err));
	assert_non_null(sp);
	assert_int_equal(spool_pread(sp, err, 1, 0), 0);
	arena_free(a);
	free(d);
}

static void
reads_between_writes_see_every_byte_written(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp = spool_new(a, 0, NULL);
	size_t n = 400000, at = 0, step;
	unsigned char *d, back[5000];
	int fd = pattern_fd("rw-test-src", n, &d);

	/* A file spool read while it grows: bytes read ahead must never
	 * hide a later write (the buffer takes writes again). */
	(void)close(fd);
	for (step = 1; at < n; step = step * 3 % 9001 + 1) {
		if (step > n - at)
			step = n - at;
		write_ok(sp, d + at, step);
		/* What the last round read ahead, again. */
		if (at >= 4096) {
			assert_int_equal(spool_pread(sp, back, 4096,
			    at - 4096), 4096);
			assert_memory_equal(back, d + at - 4096, 4096);
		}
		at += step;
		assert_int_equal(spool_pread(sp, back, 4096, at > 4096 ?
		    at - 4096 : 0), (ssize_t)(at > 4096 ? 4096 : at));
		assert_memory_equal(back, d + (at > 4096 ? at - 4096 : 0),
		    at > 4096 ? 4096 : at);
		assert_int_equal(spool_pread(sp, back, 100, at), 0);
	}
	reads_match(sp, d, n);
	write_ok(sp, "tail", 4);
	assert_int_equal(spool_pread(sp, back, 10, n - 6), 10);
	assert_memory_equal(back, d + n - 6, 6);
	assert_memory_equal(back + 6, "tail", 4);
	spool_reset(sp);
	write_ok(sp, "again", 5);
	assert_int_equal(spool_pread(sp, back, 10, 0), 5);
	assert_memory_equal(back, "again", 5);
	arena_free(a);
	free(d);
}

static void
spools_together_stay_under_the_memory_total(void **state)
{
	struct arena *a = arena_new();
	struct spool *one, *two, *three;
	unsigned char *d, back[4096];
	size_t n = 80000;
	int fd = pattern_fd("rw-test-total", n, &d);

	(void)close(fd);
	/* 200 KB for all: the first takes 128 KB of buffer (doubling from
	 * 4 KB), the second would pass the total and goes to its file. */
	spool_set_memory_total(200000);
	one = spool_new(a, 1 << 20, NULL);
	two = spool_new(a, 1 << 20, NULL);
	write_ok(one, d, n);
	assert_int_equal(spool_in_memory(one), 1);
	write_ok(two, d, 10);
	write_ok(two, d + 10, n - 10);
	assert_int_equal(spool_in_memory(two), 0);
	assert_int_equal(spool_pread(two, back, sizeof(back), n - 5000),
	    sizeof(back));
	assert_memory_equal(back, d + n - 5000, sizeof(back));
	/* Freed, its share is back. */
	spool_free(one);
	three = spool_new(a, 1 << 20, NULL);
	write_ok(three, d, n);
	assert_int_equal(spool_in_memory(three), 1);
	/* No cap: memory up to mem_limit again. */
	spool_set_memory_total(0);
	spool_reset(two);
	write_ok(two, d, n);
	assert_int_equal(spool_in_memory(two), 1);
	arena_free(a);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memory_limit_at_and_one_past),
		cmocka_unit_test(zero_memory_limit_goes_to_a_file_at_once),
		cmocka_unit_test(large_writes_cross_the_write_buffer),
		cmocka_unit_test(header_lines_get_crlf),
		cmocka_unit_test(reset_and_free_are_safe_twice),
		cmocka_unit_test(missing_tmpdir_is_an_error),
		cmocka_unit_test(full_disk_is_an_error_not_a_crash),
		cmocka_unit_test(gmime_stream_reads_seeks_and_substreams),
		cmocka_unit_test(gmime_stream_ends_at_the_deadline),
		cmocka_unit_test(
		    handed_over_file_over_map_max_is_read_not_mapped),
		cmocka_unit_test(handed_over_file_at_map_max_is_mapped),
		cmocka_unit_test(reads_between_writes_see_every_byte_written),
		cmocka_unit_test(spools_together_stay_under_the_memory_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
