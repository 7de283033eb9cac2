/*
 * senderreply.h - Reply-To diverted from a correspondent (issue 11
 * item 5): reply_to_lookalike and reply_to_new_org (senderreply.c says
 * when).  Results are reasons in e->verdict, arena memory of the
 * message.  Any thread.
 */
#ifndef RW_SENDERREPLY_H
#define RW_SENDERREPLY_H

struct evaluation;
struct message;
struct sender_context;

/* reply_to_lookalike: a Reply-To organisation resembling the From
 * domain or a protected or known domain.  Needs e->sender.ident filled
 * (ident_check).  0, or -1 when out of memory. */
int senderreply_lookalike(const struct sender_context *,
    const struct message *, struct evaluation *);

/* reply_to_new_org: a known (e->sender.known) or imitated From whose
 * Reply-To leads to a first-contact organisation that did not
 * authenticate the message and is not list_org (the organisation of the
 * list that signed it, or NULL).  0, or -1 when out of memory. */
int senderreply_new_org(const struct sender_context *,
    const struct message *, struct evaluation *, const char *list_org);

#endif
