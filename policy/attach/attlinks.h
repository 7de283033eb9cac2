/*
 * attlinks.h - the link producers, per walked item (issue 12): which
 * parser gathers the links of a part or member (links.h), by its type.
 *
 *   text/plain body          linktext (URLs, a password given)
 *   text/html body           htmllinks (anchors, forms, text; passwords)
 *   HTML or SVG file, also   htmllinks with LINK_ATTACHMENT (no password
 *   inside archives          search: a file's text is not what the
 *                            message says)
 *   calendar invitation      ics.c (LINK_CALENDAR; LINK_ATTACHMENT for
 *   (body, file, member)     a file or member)
 *   PNG or JPEG, by its      qrscan (QR codes: LINK_QR), whatever the
 *   first bytes, at any      part is declared or named as
 *   depth
 * Runs while the expensive checks may (attscan.c's budget): past it the
 * scan is incomplete anyway.
 */
#ifndef RW_ATTLINKS_H
#define RW_ATTLINKS_H

#include <stddef.h>

struct attscan;
struct spool;

/* Once per process, before threads and the sandbox: the parsers'
 * libraries load what they need. */
void attlinks_prepare(void);

/* Gathers the links of item idx, whose decoded bytes are content.
 * body: a MIME body shown to the reader (not an attachment, not a
 * member).  0, or -1 when out of memory. */
int attlinks_item(struct attscan *, size_t idx, struct spool *content,
    int body);

#endif
