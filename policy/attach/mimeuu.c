/*
 * mimeuu.c - the uuencoded blocks in a decoded text/plain body (see
 * mimeuu.h; internal to mime.c).
 *
 * Exports mimeuu_scan.  Owns nothing past a call: a line and the block's
 * name live on the stack; the decoded bytes go to the caller's spool
 * through its put callback, which keeps the decoded-bytes budget.
 * Thread rule: one walk, one thread.
 * Caps: a line over UU_LINE_MAX bytes is no uuencode (it ends a block, or
 * is no "begin" line); a name is cut at 255 bytes; the deadline is
 * checked after each CHUNK bytes read.  Decoded bytes and parts are
 * counted by the caller.
 * Format: uuencode as POSIX uuencode(1) writes it (historical
 * algorithm): "begin MODE NAME", lines of a length byte and 4-for-3
 * characters from ' ' to '`', "end".
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "util/deadline.h"
#include "attach/mimeuu.h"
#include "attach/spool.h"

#define CHUNK		16384
#define UU_LINE_MAX	128	/* uuencode lines are 61 bytes */

/* One decoded uuencoded line into out; -1 when it is not uuencode. */
static int
uu_line(const char *s, size_t n, struct spool *out, mimeuu_put_fn put,
    void *arg, int *truncated)
{
	char dec[UU_LINE_MAX];
	size_t want, i, o = 0;
	unsigned v[4], k;

	if (n == 0)
		return -1;
	want = ((unsigned char)s[0] - 32) & 63;
	for (i = 1; o < want; i += 4) {
		for (k = 0; k < 4; k++) {
			/* Some encoders drop trailing blanks: missing
			 * characters count as zero. */
			unsigned char c = i + k < n ? (unsigned char)s[i + k] :
			    ' ';

			if (c < 32 || c > 96)
				return -1;
			v[k] = (c - 32) & 63;
		}
		dec[o++] = (char)(v[0] << 2 | v[1] >> 4);
		dec[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		dec[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	/* A block cut by the budget goes on to its "end", marked
	 * truncated. */
	if (want > 0)
		put(arg, out, dec, want, truncated);
	return 0;
}

/* "begin 644 name": the name, or NULL. */
static const char *
uu_begin(char *line)
{
	char *p;

	if (strncmp(line, "begin ", 6) != 0)
		return NULL;
	p = line + 6;
	if (strspn(p, "01234567") < 3 || strspn(p, "01234567") > 4)
		return NULL;
	p += strspn(p, "01234567");
	if (*p != ' ' || p[1] == '\0')
		return NULL;
	return p + 1;
}

void
mimeuu_scan(struct spool *text, struct spool *out, struct deadline *dl,
    mimeuu_put_fn put, mimeuu_block_fn block, void *arg)
{
	char buf[CHUNK], line[UU_LINE_MAX + 1], name[256];
	unsigned long long off = 0;
	size_t ll = 0;
	ssize_t n, i;
	int in = 0, over = 0, trunc = 0, stop = 0;
	const char *nm;

	while (!stop && (n = spool_pread(text, buf, sizeof(buf), off)) > 0) {
		off += (unsigned long long)n;
		if (deadline_passed(dl))
			break;
		for (i = 0; i < n && !stop; i++) {
			/* The line's bytes up to its LF (or the chunk's end,
			 * the line going on in the next chunk) in one copy:
			 * at most UU_LINE_MAX kept, more marks it over. */
			const char *nl = memchr(buf + i, '\n', (size_t)(n - i));
			size_t seg = nl != NULL ? (size_t)(nl - (buf + i)) :
			    (size_t)(n - i), take;

			take = seg < UU_LINE_MAX - ll ? seg : UU_LINE_MAX - ll;
			memcpy(line + ll, buf + i, take);
			ll += take;
			if (take < seg)
				over = 1;
			i += (ssize_t)seg;
			if (nl == NULL)
				break;
			if (ll > 0 && line[ll - 1] == '\r')
				ll--;
			line[ll] = '\0';
			if (!in && !over && (nm = uu_begin(line)) != NULL) {
				snprintf(name, sizeof(name), "%s", nm);
				spool_reset(out);
				in = 1;
				trunc = 0;
			} else if (in && strcmp(line, "end") == 0) {
				stop = block(arg, name, out, trunc) == -1;
				in = 0;
			} else if (in && (over || uu_line(line, ll, out, put,
			    arg, &trunc) == -1))
				in = 0;	/* not uuencode after all */
			ll = 0;
			over = 0;
		}
	}
	if (in && !stop)
		(void)block(arg, name, out, 1);	/* no "end" line */
}
