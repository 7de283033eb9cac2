/*
 * attlinks.c - which parser gathers an item's links (see attlinks.h).
 *
 * Exports attlinks_prepare and attlinks_item.  Reads the item attscan.c
 * made; writes links into the scan's results.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "attach/attlinks.h"
#include "attach/attscan.h"
#include "attach/attype.h"
#include "attach/html.h"
#include "attach/htmllinks.h"
#include "attach/ics.h"
#include "attach/links.h"
#include "attach/linktext.h"
#include "attach/qrscan.h"
#include "attach/spool.h"

#define BLOCK	65536

void
attlinks_prepare(void)
{
	htmllinks_init();
	qrscan_prepare();
}

/* A plain text body: its URLs and a password it gives. */
static int
plain(struct attscan *ev, struct spool *sp, const char *where)
{
	struct linktext *t;
	unsigned long long off = 0;
	char *buf;
	ssize_t r;
	int rc = 0;

	if ((t = malloc(sizeof(*t))) == NULL)
		return -1;
	if ((buf = malloc(BLOCK)) == NULL) {
		free(t);
		return -1;
	}
	linktext_init(t, ev->out, ev->a, where, 0, 1);
	while (rc == 0 && off < HTML_SCAN_MAX && !deadline_passed(&ev->dl) &&
	    (r = spool_pread(sp, buf, BLOCK, off)) > 0) {
		off += (unsigned long long)r;
		rc = linktext_feed(t, buf, (size_t)r);
	}
	if (rc == 0)
		rc = linktext_end(t);
	if (t->found_password)
		ev->out->text_password = 1;
	free(buf);
	free(t);
	return rc;
}

int
attlinks_item(struct attscan *ev, size_t idx, struct spool *content,
    int body)
{
	const struct attach_item *it = &ev->out->items[idx];
	const char *where, *decl = it->declared != NULL ? it->declared : "";
	int r;

	where = it->path != NULL ? it->path : *it->name != '\0' ? it->name :
	    arena_printf(ev->a, "part-%zu", idx + 1);
	if (where == NULL)
		return -1;
	if ((r = qrscan_item(ev, content, where)) != 0)
		return r == -1 ? -1 : 0;
	if (ics_is_calendar(decl, it->detected, it->ext))
		return ics_scan(content, &ev->dl, ev->a, ev->out, where,
		    body ? 0 : LINK_ATTACHMENT);
	if (body && strcasecmp(decl, "text/plain") == 0)
		return plain(ev, content, where);
	if (body && strcasecmp(decl, "text/html") == 0)
		return htmllinks_scan(content, &ev->dl, ev->a, ev->out, where,
		    0, 1);
	if (!body && (attype_is_html(it->detected, it->ext) ||
	    strcasecmp(decl, "text/html") == 0 ||
	    strcasecmp(decl, "image/svg+xml") == 0))
		return htmllinks_scan(content, &ev->dl, ev->a, ev->out, where,
		    LINK_ATTACHMENT, 0);
	return 0;
}
