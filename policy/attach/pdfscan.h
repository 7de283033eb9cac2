/*
 * pdfscan.h - what a PDF would do when opened: JavaScript (/JS,
 * /JavaScript), /Launch actions, embedded files (/EmbeddedFile(s), a
 * file specification's /EF).
 *
 * A bounded scan of the bytes for PDF names, #xx escapes decoded
 * (/J#61vaScript is /JavaScript), also inside FlateDecode streams (object
 * streams hide objects there); nothing is executed or rendered.  Stream
 * data that is not Flate-compressed, or is an image, is not read for
 * names (binary data would match by chance).  Other filters
 * (ASCIIHex, LZW, filter chains) and encrypted files are not decoded:
 * what they hide is not seen (say so, do not pretend).  An embedded
 * file's first 4 KB (unfiltered or Flate) are sniffed like an attachment's
 * (attype_sniff): a program there is PDF_EXECUTABLE.
 * Caps: PDF_SCAN_MAX input bytes, PDF_INFLATE_MAX inflated bytes in all,
 * PDF_MAX_NAMES names, the deadline per block; a cap hit sets
 * PDF_TRUNCATED.  Thread rule: none (no shared state).
 */
#ifndef RW_PDFSCAN_H
#define RW_PDFSCAN_H

#include <stddef.h>

struct deadline;
struct spool;

#define PDF_SCAN_MAX	(64UL * 1024 * 1024)
#define PDF_INFLATE_MAX	(64UL * 1024 * 1024)
#define PDF_MAX_NAMES	(4UL * 1024 * 1024)

#define PDF_JAVASCRIPT	0x01u
#define PDF_LAUNCH	0x02u
#define PDF_EMBEDDED	0x04u
#define PDF_ESCAPED	0x08u	/* a name above was written with #xx */
#define PDF_TRUNCATED	0x10u	/* a cap or the deadline stopped the scan */
#define PDF_EXECUTABLE	0x20u	/* an embedded file starts as a program */

/* 1 when the first bytes are a PDF: "%PDF-" within the first 1024
 * (readers skip junk before it). */
int pdfscan_is_pdf(const unsigned char *head, size_t len);

/* Scans len bytes; returns the PDF_* flags found, or -1 when out of
 * memory.  dl may be NULL. */
int pdfscan_buffer(const unsigned char *, size_t, struct deadline *);

/* The same over a spool, read in blocks. */
int pdfscan_spool(struct spool *, struct deadline *);

#endif
