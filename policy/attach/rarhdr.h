/*
 * rarhdr.h - what a RAR archive's own headers say, read before (and
 * beside) libarchive.
 *
 * rarhdr_version: whether the bytes start with a RAR 1.5-4.x or a RAR 5
 * signature.  arch.c then keeps libarchive's seekable zip reader away:
 * it looks for a zip's end record near the end of the file, so a RAR
 * whose last member is a stored zip was read as that zip, and every
 * other member (an .exe, a path out of the directory) went unseen.
 * rarhdr_encrypted: libarchive 3.6 does not flag encrypted RAR 5
 * members (archive_entry_is_encrypted says 0; reading them fails, or,
 * when stored, hands out the ciphertext as the member), so the file
 * headers' extra records are read here: record type 1 is file
 * encryption.  Borrows the spool; no allocation but one bounded buffer.
 * Thread rule: none (no state).
 */
#ifndef RW_RARHDR_H
#define RW_RARHDR_H

#include <stdint.h>

struct spool;

#define RARHDR_MAXHDR	65536		/* header bytes read per block */

/* 4 (RAR 1.5-4.x), 5 (RAR 5) or 0 (no RAR signature at offset 0). */
int rarhdr_version(struct spool *sp);

/* For a RAR 5 archive: how many of its first max_files file headers
 * carry a file encryption record; bit i of *mask set when the i-th file
 * header (0-based, in archive order: libarchive's i-th entry) does, for
 * i < 64.  Stops quietly at the first header it cannot read (libarchive
 * reports that).  0 and *mask 0 for anything else. */
unsigned rarhdr_encrypted(struct spool *sp, unsigned max_files,
    uint64_t *mask);

#endif
