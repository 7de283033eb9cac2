/*
 * sevenz.h - the size a 7z's header takes once unpacked, read before
 * libarchive sees the archive.
 *
 * libarchive decodes a 7z's whole header (the file list, often LZMA
 * compressed as an "encoded header") on the first next_header call, so
 * a few kilobytes may unpack to hundreds of megabytes of names before
 * the members cap ever counts an entry.  sevenz_header_size reads the
 * 32-byte signature header and, for an encoded header, the streams info
 * just far enough to learn the unpacked sizes it declares; nothing is
 * decompressed.  Borrows the spool; no allocation but one bounded
 * buffer.  Thread rule: none (no state).
 */
#ifndef RW_SEVENZ_H
#define RW_SEVENZ_H

struct spool;

#define SEVENZ_READ	4096		/* bytes of the next header parsed */

/* Not a 7z (or one whose signature header does not parse: libarchive
 * decides): 0.  Otherwise the bytes its header declares it takes
 * unpacked: the stored header's size, or, for an encoded header, the
 * sum over its folders of each folder's largest unpacked stream (a
 * declared size we could not read counts as ~0ULL, so a header we
 * cannot bound is refused rather than trusted). */
unsigned long long sevenz_header_size(struct spool *sp);

#endif
