/*
 * spool.h - a message (or a decoded part) kept as it arrives: in memory
 * up to a limit, then in an unlinked temporary file, so a 50 MB message
 * costs a bounded amount of RAM.
 *
 * The message spool holds the headers as "Name:value\r\n" lines, the
 * blank line, then the body as received; GMime reads it back through
 * spool_stream_new.  attach.c also uses spools as scratch space for
 * decoded attachments and archive members.
 * A spool belongs to one message (its arena) and one thread.  Memory use:
 * at most mem_limit bytes of buffer, plus an 8 KB write buffer once on
 * disk and a 64 KB read-ahead once read from there.  The temporary file
 * is created in tmpdir (or $TMPDIR, or /tmp) with O_TMPFILE, or mkstemp
 * and an immediate unlink, mode 0600, and is closed when the spool is
 * freed.
 */
#ifndef RW_SPOOL_H
#define RW_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

struct arena;
struct deadline;
struct _GMimeStream;

struct spool;

/* A new, empty spool in arena memory whose buffers and file are released
 * by spool_free or, at the latest, when the arena is freed.  mem_limit:
 * bytes kept in memory before moving to a file (0: always a file).
 * tmpdir: NULL or "" for $TMPDIR, else /tmp.  NULL when out of memory. */
struct spool *spool_new(struct arena *, size_t mem_limit,
    const char *tmpdir);

/* Releases the buffers and the file now (the struct stays in the arena
 * and reads as empty).  Safe to call twice; spool_free(NULL) does
 * nothing. */
void spool_free(struct spool *);

/* Appends len bytes.  0, or -1 with one line in err (out of memory,
 * cannot create the temporary file, disk full, size overflow); after a
 * failure every further write fails the same way. */
int spool_write(struct spool *, const void *, size_t, char *err,
    size_t errlen);

/* Appends "name:value\r\n", turning the bare LF of a folded value (as
 * libmilter hands them over) into CRLF.  0 or -1 as spool_write. */
int spool_write_header(struct spool *, const char *name, const char *value,
    char *err, size_t errlen);

/* Appends the blank line that ends the headers. */
int spool_end_headers(struct spool *, char *err, size_t errlen);

/* Bytes written so far. */
unsigned long long spool_size(const struct spool *);

/* 1 while everything is in memory. */
int spool_in_memory(const struct spool *);

/* Copies up to len bytes from offset off; returns the count (0 at the
 * end), or -1 on a read error. */
ssize_t spool_pread(struct spool *, void *buf, size_t len,
    unsigned long long off);

/* Empties the spool for reuse (back to memory, the file closed); keeps
 * the memory buffer.  A failed spool becomes usable again. */
void spool_reset(struct spool *);

/* A descriptor that reads, from offset 0, exactly what was written: a
 * duplicate of the file (pending writes flushed), or for a spool still
 * in memory a sealed memfd copy (no write, no resize).  This is how a
 * message reaches an attachment worker.  The caller closes it; -1 with
 * one line in err. */
int spool_export_fd(struct spool *, char *err, size_t errlen);

/* A spool over fd (ownership passes), size from fstat; only for reading
 * (a write fails).  A file of at most map_max bytes is mapped read-only
 * and the descriptor closed, so reads cost no syscall; a larger one is
 * read with pread, 64 KB ahead, so the reader's memory stays bounded
 * whatever the message's size (spool_in_memory then says 0).  NULL with
 * one line in err (fd closed). */
struct spool *spool_from_fd(struct arena *, int fd, size_t map_max,
    char *err, size_t errlen);

/* A spool over n bytes at p, which stay the caller's and must outlive
 * it; only for reading.  NULL when out of memory. */
struct spool *spool_from_memory(struct arena *, const void *p, size_t n);

/* From now on every spool of this process overflows into a nameless file
 * made in the directory open as dirfd (O_TMPFILE: no name, so nothing of
 * it outlives the descriptor), or, when that fails or dirfd is -1, into
 * an anonymous memfd: a worker opens no path.  Call once, before any
 * spool exists. */
void spool_use_scratch(int dirfd);

/* From now on the memory buffers of all spools of this process together
 * stay under total bytes (0: no cap): a spool that would grow past it
 * goes to its file, as one past its own mem_limit does.  The daemon sets
 * attach_spool_memory_total, so hundreds of connections receiving big
 * messages at once do not each hold attach_spool_memory.  Any thread,
 * any time (a reload); spools already in memory stay there. */
void spool_set_memory_total(size_t total);

/* A read-only, seekable GMimeStream over the spool as it is now (the
 * caller must not write to the spool while it lives).  Each read checks
 * dl (may be NULL): past the deadline the stream ends early and *stopped
 * is set to 1; part streams GMime makes from it share dl and stopped.
 * Unref with g_object_unref; NULL when out of memory. */
struct _GMimeStream *spool_stream_new(struct spool *, struct deadline *dl,
    int *stopped);

/* One byte a stream shows instead of the spool's. */
struct spool_patch {
	unsigned long long off;
	unsigned char byte;
};

/* Makes the stream (and the part streams GMime makes from it later) show
 * p[i].byte instead of the byte at each offset p[i].off, i in [0, n)
 * (offsets ascending, each once).  This is how mime.c breaks hostile
 * lines and hides headers from GMime without moving any offset.  p is
 * borrowed and must outlive the streams. */
void spool_stream_patch(struct _GMimeStream *, const struct spool_patch *p,
    size_t n);

/* A run of the spool's bytes a stream leaves out. */
struct spool_hole {
	unsigned long long off, len;
};

/* Makes the stream (and its part streams) leave out the spool's bytes
 * [h[i].off, h[i].off + h[i].len), i in [0, n) (ascending, apart): its
 * offsets, bounds and length are then those of what is left, and patch
 * offsets stay the spool's.  mime.c leaves out header fields GMime would
 * only build and free (mimetop.c).  Call before reading; h is borrowed
 * and must outlive the streams. */
void spool_stream_holes(struct _GMimeStream *, const struct spool_hole *h,
    size_t n);

#endif
