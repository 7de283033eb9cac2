/*
 * dkimlen.c - canonical body lengths for DKIM l= checks (dkimlen.h).
 *
 * Exports dkimlen_*.  Owns nothing.  Any thread, one counter per message.
 * RFC 6376 3.4.3 (simple: trailing empty lines dropped; an empty body or
 * a missing final CRLF gets one CRLF) and 3.4.4 (relaxed: white space
 * runs inside a line become one SP, white space at a line's end goes,
 * trailing empty lines dropped, a missing final CRLF added; an empty
 * body stays empty).  Counts only, one pass, O(1) memory.
 */
#include <string.h>

#include "auth/dkimlen.h"

void
dkimlen_init(struct dkimlen *d)
{
	memset(d, 0, sizeof(*d));
}

/* The line in progress ends (its CRLF is counted here). */
static void
end_line(struct dkimlen *d)
{
	if (d->sline == 0)
		d->sblank++;
	else {
		d->simple += 2 * d->sblank + d->sline + 2;
		d->sblank = 0;
	}
	if (d->rline == 0)
		d->rblank++;
	else {
		d->relaxed += 2 * d->rblank + d->rline + 2;
		d->rblank = 0;
	}
	d->sline = d->rline = 0;
	d->wsp = 0;
	d->open = 0;
}

static void
byte(struct dkimlen *d, unsigned char c)
{
	d->open = 1;
	d->sline++;
	if (c == ' ' || c == '\t') {
		d->wsp = 1;
		return;
	}
	if (d->wsp)
		d->rline++;
	d->wsp = 0;
	d->rline++;
}

void
dkimlen_feed(struct dkimlen *d, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			d->cr = 0;
			end_line(d);
			continue;
		}
		if (d->cr) {
			/* A CR not followed by LF: libopendkim makes it a
			 * line end. */
			d->cr = 0;
			end_line(d);
		}
		if (p[i] == '\r') {
			d->cr = 1;
			continue;
		}
		byte(d, p[i]);
	}
}

void
dkimlen_total(const struct dkimlen *d, uint64_t *simple, uint64_t *relaxed)
{
	struct dkimlen t = *d;

	/* A last line without its CRLF is completed (a CRLF added). */
	if (t.cr || t.open)
		end_line(&t);
	*simple = t.simple != 0 ? t.simple : 2;
	*relaxed = t.relaxed;
}
