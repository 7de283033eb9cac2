/*
 * mimemsg.h - internal to mime.c: whether a decoded leaf part holds a
 * message that the walk must parse and walk too.  Not an API for other
 * modules: use mime.h.  Thread rule: one walk, one thread.
 */
#ifndef RW_MIMEMSG_H
#define RW_MIMEMSG_H

struct mime_part;

/* 1 when a reader would open part mp as a message: its declared type
 * (message/rfc822 and kin), its name (.eml, .mht, .mhtml), what the
 * callback sniffed it to be (mp->is "message/..."), or, unless it is a
 * text body, a message header block at the start of its content; else
 * 0.  Reads at most the first 4096 bytes of mp->content. */
int mimemsg_is_message(const struct mime_part *mp);

#endif
