/*
 * fname.h - an attachment's file name as a user would see it.
 *
 * Input is the name GMime decoded (RFC 2231 continuations and charsets,
 * RFC 2047 words) or an archive member path, in UTF-8 or not.  Output:
 * - name: the logical name the operating system will use: the last path
 *   component, invalid UTF-8 as U+FFFD, control, direction-override and
 *   invisible characters removed, trailing dots and spaces cut (Windows
 *   drops them: "a.exe. ." opens as "a.exe");
 * - shown: the order a renderer displays after a right-to-left override
 *   ("invoice<U+202E>fdp.exe" shows as "invoiceexe.pdf"), or NULL when
 *   it is the same as name;
 * - ext, ext2: the last and the second-to-last extension, lower case
 *   ASCII ("" when none or not plain ASCII), at most FNAME_EXT_MAX bytes;
 * - check: namecheck_name's judgement of the whole input, paths and all,
 *   before any cut (a payload behind FNAME_MAX bytes of padding is
 *   still seen).
 * Thread rule: none (pure functions on arena memory).
 */
#ifndef RW_FNAME_H
#define RW_FNAME_H

#include <stddef.h>
#include "attach/namecheck.h"

struct arena;

#define FNAME_EXT_MAX	15

enum fname_flag {
	FNAME_BIDI = 1 << 0,		/* direction control characters */
	FNAME_INVISIBLE = 1 << 1,	/* zero-width, soft hyphen, BOM */
	FNAME_CONTROL = 1 << 2,		/* C0/C1 controls */
	FNAME_BADUTF8 = 1 << 3,
	FNAME_PATH = 1 << 4,		/* had directory components */
	FNAME_TRIMMED = 1 << 5,		/* trailing dots or spaces */
	FNAME_CUT = 1 << 6,		/* longer than FNAME_MAX */
};

#define FNAME_MAX	1024		/* bytes of a name kept */

struct fname {
	const char *raw;		/* the input (cut at FNAME_MAX) */
	const char *name;
	const char *shown;
	char ext[FNAME_EXT_MAX + 1];
	char ext2[FNAME_EXT_MAX + 1];
	unsigned flags;
	struct namecheck check;		/* hostile syntax in the input */
};

/* Normalises raw (NUL-terminated) into *out (arena strings).  0, or -1
 * when out of memory. */
int fname_parse(struct arena *, const char *raw, struct fname *out);

/* Copy of s for a reason's detail or a log: every character outside
 * printable ASCII as "<U+XXXX>" (so U+202E is visible), at most max
 * bytes, then "...".  Arena memory or NULL. */
char *fname_escape(struct arena *, const char *s, size_t max);

#endif
