/*
 * spool.c - memory-then-file spool of a message or a decoded part (see
 * spool.h; spoolstream.c is the GMime stream that reads it back).
 *
 * Exports spool_*.  Owns one memory buffer (at most mem_limit bytes), an
 * 8 KB write buffer, a 64 KB read-ahead buffer and a file descriptor per
 * spool, released by spool_free or the arena cleanup.  Writes of 8 KB or
 * more (libmilter's body chunks) go straight to the file: a daemon with
 * hundreds of messages on file keeps 8 KB each, not 64.  Reads of less
 * than 64 KB come from the read-ahead (allocated at the first read): a
 * GMime walk reads 4 KB at a time, so a file spool costs one pread per
 * 64 KB, and a handed-over message larger than map_max is read so
 * instead of mapped (a mapping's page cache counts in the worker's
 * memory, PSS, page by page up to the whole message).
 * Thread rule: one spool, one thread.
 * Caps: mem_limit bytes in memory per spool, and all spools of the
 * process together at most the total spool_set_memory_total gives (the
 * daemon: attach_spool_memory_total, so 200 connections do not hold
 * 200 x attach_spool_memory); map_max bytes mapped.
 * Every write and read result is checked: a full disk is an error return.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/fdio.h"
#include "attach/spool.h"

#define SPOOL_WBUF	8192		/* pending small writes */
#define SPOOL_RBUF	65536		/* read ahead */

/* Set once, before any spool exists, in a worker process (spool.h). */
static int scratch_mode, scratch_dir = -1;

/* The memory buffers of this process's spools: their total (every
 * thread's) and its cap (0: none), C11 atomics. */
static atomic_size_t mem_held, mem_total;

struct spool {
	unsigned char *mem;		/* memory mode: the data */
	size_t len, cap, mem_limit;
	size_t held;			/* of cap, counted in mem_held */
	int fd;				/* file mode: >= 0 */
	int mapped;			/* mem is a read-only mapping of
					   a handed-over file (len bytes) */
	int borrowed;			/* mem is the caller's (read-only) */
	unsigned char *wbuf;		/* file mode: pending writes */
	size_t wlen;
	unsigned char *rbuf;		/* file mode: the file's bytes */
	unsigned long long ra_off;	/* [ra_off, ra_off + ra_len), read */
	size_t ra_len;			/* ahead (the file only grows) */
	unsigned long long size;	/* bytes written */
	const char *tmpdir;
	int failed;
	char why[128];			/* the failure, for later writes */
};

/* Counts more bytes of buffer for sp: -1 (nothing counted) when that
 * would pass the process's cap. */
static int
reserve(struct spool *sp, size_t more)
{
	size_t total = atomic_load_explicit(&mem_total, memory_order_relaxed);
	size_t was = atomic_fetch_add_explicit(&mem_held, more,
	    memory_order_relaxed);

	if (total != 0 && (was > total || more > total - was)) {
		atomic_fetch_sub_explicit(&mem_held, more,
		    memory_order_relaxed);
		return -1;
	}
	sp->held += more;
	return 0;
}

static void
give_back(struct spool *sp, size_t n)
{
	atomic_fetch_sub_explicit(&mem_held, n, memory_order_relaxed);
	sp->held -= n;
}

static void
release(struct spool *sp)
{
	give_back(sp, sp->held);
	if (sp->mapped && sp->mem != NULL)
		(void)munmap(sp->mem, sp->len);
	else if (!sp->borrowed)
		free(sp->mem);
	sp->mapped = sp->borrowed = 0;
	free(sp->wbuf);
	free(sp->rbuf);
	sp->mem = sp->wbuf = sp->rbuf = NULL;
	sp->len = sp->cap = sp->wlen = sp->ra_len = 0;
	if (sp->fd >= 0)
		(void)close(sp->fd);
	sp->fd = -1;
}

static void
cleanup(void *arg)
{
	release(arg);
}

struct spool *
spool_new(struct arena *a, size_t mem_limit, const char *tmpdir)
{
	struct spool *sp;
	const char *dir = tmpdir;

	if (dir == NULL || *dir == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((sp = arena_calloc(a, 1, sizeof(*sp))) == NULL ||
	    (sp->tmpdir = arena_strdup(a, dir)) == NULL)
		return NULL;
	sp->fd = -1;
	sp->mem_limit = mem_limit;
	if (arena_cleanup(a, cleanup, sp) == -1)
		return NULL;
	return sp;
}

void
spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	release(sp);
	sp->size = 0;
}

static int
fail(struct spool *sp, char *err, size_t errlen, const char *what)
{
	/* %m is formatted by the caller's errno, right after the call. */
	if (!sp->failed)
		snprintf(sp->why, sizeof(sp->why), "spool: %.100s", what);
	sp->failed = 1;
	snprintf(err, errlen, "%s", sp->why);
	return -1;
}

static int
flush(struct spool *sp)
{
	if (sp->fd < 0 || sp->wlen == 0)
		return 0;
	if (fdio_write_all(sp->fd, sp->wbuf, sp->wlen) == -1)
		return -1;
	sp->wlen = 0;
	return 0;
}

/* A file nobody else can open: O_TMPFILE has no name at all; else
 * mkstemp and unlink at once.  -1 with errno. */
static int
open_temp(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if (scratch_mode) {
		if (scratch_dir >= 0 && (fd = openat(scratch_dir, ".",
		    O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
			return fd;
		return memfd_create("relaywarden-spool", MFD_CLOEXEC);
	}
#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/relaywarden-XXXXXX",
	    dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return -1;
	(void)unlink(path);
	return fd;
}

static int
to_file(struct spool *sp, char *err, size_t errlen)
{
	char what[128];

	if ((sp->wbuf = malloc(SPOOL_WBUF)) == NULL)
		return fail(sp, err, errlen, "out of memory");
	if ((sp->fd = open_temp(sp->tmpdir)) < 0) {
		snprintf(what, sizeof(what), "cannot create a temporary file "
		    "in %.60s: %m", sp->tmpdir);
		return fail(sp, err, errlen, what);
	}
	if (sp->len > 0 && fdio_write_all(sp->fd, sp->mem, sp->len) == -1) {
		snprintf(what, sizeof(what), "write: %m");
		return fail(sp, err, errlen, what);
	}
	free(sp->mem);
	give_back(sp, sp->held);
	sp->mem = NULL;
	sp->len = sp->cap = 0;
	return 0;
}

int
spool_write(struct spool *sp, const void *buf, size_t n, char *err,
    size_t errlen)
{
	const unsigned char *p = buf;
	unsigned char *np;
	char what[128];
	size_t ncap;

	if (sp->failed) {
		snprintf(err, errlen, "%s", sp->why);
		return -1;
	}
	if (sp->mapped || sp->borrowed)
		return fail(sp, err, errlen, "read-only");
	if (n > ULLONG_MAX - sp->size)
		return fail(sp, err, errlen, "too large");
	if (sp->fd < 0 && sp->len <= sp->mem_limit &&
	    n <= sp->mem_limit - sp->len) {
		if (sp->len + n > sp->cap) {
			ncap = sp->cap ? sp->cap : 4096;
			while (ncap < sp->len + n)
				ncap = ncap > sp->mem_limit / 2 ?
				    sp->mem_limit : ncap * 2;
			/* Past the process's cap: to the file, as past
			 * mem_limit. */
			if (reserve(sp, ncap - sp->cap) == -1)
				goto file;
			if ((np = realloc(sp->mem, ncap)) == NULL) {
				give_back(sp, ncap - sp->cap);
				return fail(sp, err, errlen, "out of memory");
			}
			sp->mem = np;
			sp->cap = ncap;
		}
		if (n > 0)
			memcpy(sp->mem + sp->len, p, n);
		sp->len += n;
		sp->size += n;
		return 0;
	}
file:
	if (sp->fd < 0 && to_file(sp, err, errlen) == -1)
		return -1;
	sp->size += n;
	if (n > SPOOL_WBUF - sp->wlen && flush(sp) == -1) {
		snprintf(what, sizeof(what), "write: %m");
		return fail(sp, err, errlen, what);
	}
	if (n >= SPOOL_WBUF) {		/* big: no copy */
		if (fdio_write_all(sp->fd, p, n) == -1) {
			snprintf(what, sizeof(what), "write: %m");
			return fail(sp, err, errlen, what);
		}
		return 0;
	}
	memcpy(sp->wbuf + sp->wlen, p, n);
	sp->wlen += n;
	return 0;
}

int
spool_write_header(struct spool *sp, const char *name, const char *value,
    char *err, size_t errlen)
{
	const char *p, *nl;

	if (spool_write(sp, name, strlen(name), err, errlen) == -1 ||
	    spool_write(sp, ":", 1, err, errlen) == -1)
		return -1;
	/* Folded values arrive with bare LF (libmilter) or CRLF. */
	for (p = value; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (spool_write(sp, p, (size_t)(nl - p) -
		    (nl > p && nl[-1] == '\r'), err, errlen) == -1 ||
		    spool_write(sp, "\r\n", 2, err, errlen) == -1)
			return -1;
	}
	if (spool_write(sp, p, strlen(p), err, errlen) == -1)
		return -1;
	return spool_write(sp, "\r\n", 2, err, errlen);
}

int
spool_end_headers(struct spool *sp, char *err, size_t errlen)
{
	return spool_write(sp, "\r\n", 2, err, errlen);
}

unsigned long long
spool_size(const struct spool *sp)
{
	return sp->size;
}

int
spool_in_memory(const struct spool *sp)
{
	return sp->fd < 0;
}

/* Up to len bytes of fd from off: the count (short only at the file's
 * end), or -1. */
static ssize_t
read_file(int fd, void *buf, size_t len, unsigned long long off)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = pread(fd, (char *)buf + got, len - got,
		    (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t
spool_pread(struct spool *sp, void *buf, size_t len,
    unsigned long long off)
{
	unsigned long long left;
	ssize_t r;

	if (off >= sp->size || len == 0)
		return 0;
	left = sp->size - off;
	if (len > left)
		len = (size_t)left;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (sp->fd < 0) {
		memcpy(buf, sp->mem + off, len);
		return (ssize_t)len;
	}
	if (flush(sp) == -1 || off > (unsigned long long)INT64_MAX)
		return -1;
	if (len >= SPOOL_RBUF)
		return read_file(sp->fd, buf, len, off);
	/* Small reads (GMime's 4 KB, a sniffer's header) come from the
	 * bytes read ahead, one pread per SPOOL_RBUF bytes. */
	if (sp->ra_len == 0 || off < sp->ra_off ||
	    off - sp->ra_off > sp->ra_len ||
	    len > sp->ra_len - (size_t)(off - sp->ra_off)) {
		sp->ra_len = 0;
		if (sp->rbuf == NULL && (sp->rbuf = malloc(SPOOL_RBUF)) ==
		    NULL)
			return read_file(sp->fd, buf, len, off);
		left = sp->size - off;
		if ((r = read_file(sp->fd, sp->rbuf, left < SPOOL_RBUF ?
		    (size_t)left : SPOOL_RBUF, off)) < 0)
			return -1;
		sp->ra_off = off;
		sp->ra_len = (size_t)r;
		if (len > (size_t)r)
			len = (size_t)r;
	}
	memcpy(buf, sp->rbuf + (off - sp->ra_off), len);
	return (ssize_t)len;
}

void
spool_reset(struct spool *sp)
{
	if (sp->mapped || sp->borrowed) {
		release(sp);
		sp->mem_limit = 0;
	}
	free(sp->wbuf);
	free(sp->rbuf);
	sp->wbuf = sp->rbuf = NULL;
	sp->wlen = sp->ra_len = 0;
	if (sp->fd >= 0)
		(void)close(sp->fd);
	sp->fd = -1;
	sp->len = 0;
	sp->size = 0;
	sp->failed = 0;
}

struct spool *
spool_from_memory(struct arena *a, const void *p, size_t n)
{
	struct spool *sp;

	if ((sp = spool_new(a, 0, NULL)) == NULL)
		return NULL;
	sp->mem = (unsigned char *)p;
	sp->len = sp->cap = sp->mem_limit = n;
	sp->size = n;
	sp->borrowed = 1;
	return sp;
}

void
spool_set_memory_total(size_t total)
{
	atomic_store_explicit(&mem_total, total, memory_order_relaxed);
}

void
spool_use_scratch(int dirfd)
{
	scratch_mode = 1;
	scratch_dir = dirfd;
}

int
spool_export_fd(struct spool *sp, char *err, size_t errlen)
{
	const unsigned int seals = F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL;
	int fd;

	if (sp->failed) {
		snprintf(err, errlen, "%s", sp->why);
		return -1;
	}
	if (sp->fd >= 0) {
		if (flush(sp) == -1 || (fd = fcntl(sp->fd, F_DUPFD_CLOEXEC,
		    3)) == -1) {
			snprintf(err, errlen, "spool: %m");
			return -1;
		}
		return fd;
	}
	/* A sealed copy: the reader can neither change nor grow it. */
	if ((fd = memfd_create("relaywarden-message", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1) {
		snprintf(err, errlen, "spool: memfd_create: %m");
		return -1;
	}
	if ((sp->len > 0 && fdio_write_all(fd, sp->mem, sp->len) == -1) ||
	    fcntl(fd, F_ADD_SEALS, seals) == -1) {
		snprintf(err, errlen, "spool: memfd: %m");
		(void)close(fd);
		return -1;
	}
	return fd;
}

struct spool *
spool_from_fd(struct arena *a, int fd, size_t map_max, char *err,
    size_t errlen)
{
	struct spool *sp;
	struct stat st;
	void *m;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size < 0) {
		snprintf(err, errlen, "spool: not a regular file");
		(void)close(fd);
		return NULL;
	}
	if ((sp = spool_new(a, 0, NULL)) == NULL) {
		snprintf(err, errlen, "spool: out of memory");
		(void)close(fd);
		return NULL;
	}
	/* Up to map_max, read as memory: one mapping, no copy.  Larger,
	 * or where it cannot be mapped (empty, mmap refused), the spool
	 * reads the file 64 KB at a time: every page of a mapping the walk
	 * touches would stay in this process's memory to the end. */
	if (st.st_size > 0 && (unsigned long long)st.st_size <= map_max &&
	    (m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) != MAP_FAILED) {
		sp->mem = m;
		sp->len = sp->cap = sp->mem_limit = (size_t)st.st_size;
		sp->mapped = 1;
		sp->size = (unsigned long long)st.st_size;
		(void)close(fd);
		return sp;
	}
	sp->fd = fd;
	sp->size = (unsigned long long)st.st_size;
	return sp;
}
