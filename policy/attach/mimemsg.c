/*
 * mimemsg.c - telling a message held in a leaf part (encoded
 * message/rfc822, an attached .eml, message/global that GMime left
 * whole, a uuencoded message) so the MIME walk parses it one level
 * deeper (see mimemsg.h; internal to mime.c).
 *
 * Exports mimemsg_is_message.  Owns nothing; reads the part's content
 * spool through a stack buffer.  Thread rule: one walk, one thread.
 * Caps: reads at most MIMEMSG_HEAD bytes of a part; the depth, parts and
 * time caps of the nested walk are mime.c's.
 * RFCs: 5322 section 2.2 (header fields), 2045-2046 (message/rfc822,
 * message/partial), 6532 (message/global), 5536 (message/news).
 */
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "attach/mime.h"
#include "attach/mimemsg.h"
#include "attach/spool.h"

#define MIMEMSG_HEAD	4096	/* read to tell a message by its headers */

/* A field name of a message header block, up to its colon: the length
 * of the name, or 0. */
static size_t
field_name(const char *p, size_t n)
{
	size_t i, k;

	for (i = 0; i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':'; i++)
		;
	for (k = i; k < n && (p[k] == ' ' || p[k] == '\t'); k++)
		;
	return i > 0 && k < n && p[k] == ':' ? i : 0;
}

/* The content starts with a message header block: lines that are all
 * fields or their continuations (after an optional mbox "From " line),
 * one of them a field every message has, up to an empty line or the
 * end of the first MIMEMSG_HEAD bytes. */
static int
looks_like_message(struct spool *sp)
{
	static const char *const known[] = {
		"from", "to", "cc", "subject", "date", "sender", "reply-to",
		"message-id", "received", "return-path", "mime-version",
		"content-type", "delivered-to", NULL
	};
	char buf[MIMEMSG_HEAD];
	const char *p, *e, *nl;
	size_t len, k, i;
	ssize_t n;
	int found = 0, first = 1;

	if ((n = spool_pread(sp, buf, sizeof(buf), 0)) <= 0)
		return 0;
	for (p = buf, e = buf + n; p < e; p = nl + 1, first = 0) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			break;		/* the window ends in a line */
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0)
			break;
		if (first && len > 5 && strncmp(p, "From ", 5) == 0)
			continue;
		if (!first && (p[0] == ' ' || p[0] == '\t'))
			continue;
		if ((k = field_name(p, len)) == 0)
			return 0;
		for (i = 0; known[i] != NULL && !found; i++)
			found = strlen(known[i]) == k &&
			    strncasecmp(p, known[i], k) == 0;
	}
	return found;
}

int
mimemsg_is_message(const struct mime_part *mp)
{
	static const char *const types[] = {
		"message/rfc822", "message/rfc2822", "message/global",
		"message/news", "message/partial", NULL
	};
	static const char *const exts[] = { "eml", "mht", "mhtml", NULL };
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (strcmp(mp->declared, types[i]) == 0)
			return 1;
	for (i = 0; exts[i] != NULL; i++)
		if ((mp->name.name != NULL && strcmp(mp->name.ext, exts[i])
		    == 0) || (mp->alt.name != NULL && strcmp(mp->alt.ext,
		    exts[i]) == 0))
			return 1;
	if (mp->is != NULL && strncmp(mp->is, "message/", 8) == 0)
		return 1;
	return (mp->attachment || strncmp(mp->declared, "text/", 5) != 0) &&
	    looks_like_message(mp->content);
}
