/*
 * html.c - HTML smuggling indicators (see html.h).
 *
 * Exports html_smuggling.  No shared state.  The text is read in blocks,
 * lower-cased and stripped of white space (so "new  Blob (" and
 * "download =" match), and searched for three families of markers; the
 * tail of each block is carried over so a marker split across blocks is
 * still found.  Verdict: a save-blob call alone, or a Blob or a binary
 * data: URI together with a download trigger.
 * Caps: HTML_SCAN_MAX bytes of input; the deadline per block.
 */
#include <stdlib.h>
#include <string.h>

#include "util/deadline.h"
#include "attach/html.h"
#include "attach/spool.h"

#define BLOCK	65536
#define KEEP	48		/* longer than the longest marker */

enum {
	M_SAVE = 1 << 0,	/* navigator.msSaveOrOpenBlob and kin */
	M_BLOB = 1 << 1,	/* new Blob(, createObjectURL( */
	M_DATA = 1 << 2,	/* data:<binary type> */
	M_TRIGGER = 1 << 3,	/* download attribute, synthetic click */
};

static const struct marker {
	const char *text;
	unsigned kind;
} markers[] = {
	{ "mssaveoropenblob", M_SAVE },
	{ "mssaveblob", M_SAVE },
	{ "newblob(", M_BLOB },
	{ "createobjecturl(", M_BLOB },
	{ "data:application/octet-stream", M_DATA },
	{ "data:application/x-msdownload", M_DATA },
	{ "data:application/x-ms", M_DATA },
	{ "data:application/zip", M_DATA },
	{ "data:application/x-zip", M_DATA },
	{ "data:application/x-rar", M_DATA },
	{ "data:application/x-7z", M_DATA },
	{ "data:application/vnd.ms-", M_DATA },
	{ "data:application/java-archive", M_DATA },
	{ "data:application/x-iso9660", M_DATA },
	{ "data:application/hta", M_DATA },
	{ "download=", M_TRIGGER },
	{ ".download=", M_TRIGGER },
	{ "setattribute(\"download\"", M_TRIGGER },
	{ "setattribute('download'", M_TRIGGER },
	{ ".click()", M_TRIGGER },
	{ "dispatchevent(newmouseevent", M_TRIGGER },
};
#define NMARKERS	(sizeof(markers) / sizeof(markers[0]))

int
html_smuggling(struct spool *sp, struct deadline *dl, const char **why)
{
	char *raw, *low;
	unsigned long long off = 0;
	size_t keep = 0, n, i, m;
	unsigned seen = 0;
	ssize_t r;
	unsigned char c;

	*why = NULL;
	/* Heap, not stack: libmilter threads may have small stacks. */
	if ((raw = malloc(BLOCK + KEEP + BLOCK)) == NULL)
		return -1;
	low = raw + BLOCK;
	while (off < HTML_SCAN_MAX && !deadline_passed(dl) &&
	    (r = spool_pread(sp, raw, BLOCK, off)) > 0) {
		off += (unsigned long long)r;
		for (i = 0, n = keep; i < (size_t)r; i++) {
			c = (unsigned char)raw[i];
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
			    c == '\f')
				continue;
			low[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		for (m = 0; m < NMARKERS; m++)
			if (!(seen & markers[m].kind) && memmem(low, n,
			    markers[m].text, strlen(markers[m].text)) != NULL)
				seen |= markers[m].kind;
		keep = n < KEEP ? n : KEEP;
		memmove(low, low + n - keep, keep);
	}
	free(raw);
	if (seen & M_SAVE)
		*why = "msSaveOrOpenBlob";
	else if ((seen & M_BLOB) && (seen & M_TRIGGER))
		*why = "Blob with a download trigger";
	else if ((seen & M_DATA) && (seen & M_TRIGGER))
		*why = "binary data: URI with a download trigger";
	return *why != NULL;
}
