/*
 * senderlist.h - what a message's mailing list is to us (issue 11
 * item 8): none, a list that authenticated the message with its own
 * DKIM signature, or such a list that is also a known correspondent.
 * Pure over the evaluation and the lookalike index; any thread.
 */
#ifndef RW_SENDERLIST_H
#define RW_SENDERLIST_H

struct evaluation;
struct message;
struct sender_context;

enum senderlist {
	SENDERLIST_NONE = 0,	/* no list, or one that proves nothing */
	SENDERLIST_SIGNED,	/* a passing DKIM d= in the List-Id (or
				   List-Post) organisation: the list is
				   the authenticated relay */
	SENDERLIST_KNOWN,	/* ... and that organisation is configured
				   (protected or a declared partner) or
				   learned as a list (senderlist.c) */
};

/* Classifies e's list (e->sender.ident and the lookalike reasons must
 * be filled: sender_signals).  NONE as well when the list is the From's
 * own organisation (DMARC covers it), when the list domain resembles
 * another indexed domain, or when the From is a lookalike: a lookalike
 * is never excused.  *org gets the list's organisational domain for
 * SIGNED and KNOWN, else NULL.  -1 when out of memory. */
int senderlist_classify(const struct sender_context *,
    const struct message *, const struct evaluation *, const char **org);

/* For the history lookup: when the message came through a list that
 * signed it (SIGNED, with the history not read yet), q->list names the
 * list and q->list_record says, per history, whether the post is not
 * held and so counts its (known) poster for the list.  0, or -1 when
 * out of memory. */
struct state_query;
int senderlist_query(const struct sender_context *,
    const struct message *, const struct evaluation *, struct state_query *);

#endif
