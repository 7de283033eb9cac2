/*
 * tnef.h - attachments inside a TNEF stream (winmail.dat,
 * application/ms-tnef: Outlook's rich-text wrapper), read with libytnef.
 *
 * tnef_walk has arch_walk's shape and contract (arch.h): it calls back
 * for each attachment the stream carries (attAttachData, and the MAPI
 * PR_ATTACH_DATA_OBJ of an attached object or message), first with its
 * first bytes, then, if asked, with all of it in a spool; the same
 * arch_state caps apply (depth, members, extracted bytes, deadline).
 * The name is the MAPI long file name when there is one, else the TNEF
 * title.  Before libytnef sees the stream, the attribute framing is
 * walked by us: a stream larger than TNEF_MAX_INPUT (or than the bytes
 * left under the archive byte cap) is not parsed (ARCH_LIMIT_BYTES); a
 * stream with more attachments than the members cap (or
 * TNEF_MAX_ATTACHMENTS) is cut before the first one too many
 * (ARCH_LIMIT_MEMBERS); framing that does not reach
 * the end, a bad checksum or a libytnef failure is info->broken
 * (the check is incomplete, as for a damaged archive).
 * Reads only memory: no file is opened (the sandboxed worker allows
 * none).  Thread rule: one arch_state per message scan, one thread.
 */
#ifndef RW_TNEF_H
#define RW_TNEF_H

#include <stddef.h>

#include "attach/arch.h"

#define TNEF_MAX_INPUT	(32ULL * 1024 * 1024)	/* bytes parsed at most */
/* Attachments parsed at most, whatever the members cap says: libytnef
 * walks its whole list for every attachment attribute. */
#define TNEF_MAX_ATTACHMENTS	2048

/* 1 when the bytes start with the TNEF signature. */
int tnef_is(const unsigned char *head, size_t len);

/* As arch_walk (arch.h), for a TNEF stream in sp: 0 (also when it is not
 * TNEF or is damaged: see *info), -1 when out of memory or the callback
 * failed. */
int tnef_walk(struct arch_state *, struct spool *sp, const char *path,
    unsigned depth, arch_member_fn fn, void *arg, struct arch_info *info);

#endif
