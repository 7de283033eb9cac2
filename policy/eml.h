/*
 * eml.h - reads a message file (RFC 5322, LF or CRLF line ends) and feeds
 * it to a scan exactly as the milter would: header by header (folded
 * lines joined with "\n", value after the colon kept as is), then the body
 * in chunks with CRLF line ends.
 */
#ifndef RW_EML_H
#define RW_EML_H

#include <stdio.h>
#include <stddef.h>

struct scan;

/* 0, or -1 with a one-line reason in err (read error, out of memory,
 * no header section). */
int eml_feed(struct scan *, FILE *, char *err, size_t errlen);

#endif
