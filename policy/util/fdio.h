/*
 * fdio.h - the one write loop of the library: all of a buffer to a file
 * descriptor, through short writes and EINTR (the spool's file, the log's
 * stderr).
 */
#ifndef RW_FDIO_H
#define RW_FDIO_H

#include <stddef.h>

/* Writes the n bytes at p to fd.  0, or -1 with errno set (a full disk,
 * a closed pipe; a write of 0 bytes is EIO). */
int fdio_write_all(int fd, const void *p, size_t n);

#endif
